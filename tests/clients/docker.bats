#!/usr/bin/env bats
# docker 20.10 (Debian's docker.io) drives husk: a private dockerd (own data
# root, exec root, socket and config; no bridge, no iptables, no forwarding;
# the cgroupfs driver with a parent of the lane's) with husk added as a
# runtime by contrib/engines/docker/daemon.json and made the default.  The only image is the test rootfs, `docker
# import`ed; every run has --network none and --pull never.

load helpers
bats_require_minimum_version 1.5.0

# Debian's client, whatever else is on $PATH (a newer one in /usr/local/bin
# would not be the docker.io this lane is about).
DOCKER=/usr/bin/docker

function setup_file() {
	export SKIP_REASON
	SKIP_REASON=$(engine_missing docker dockerd "$DOCKER" containerd containerd-shim-runc-v2)
	[ -z "$SKIP_REASON" ] || return 0
	export DDIR
	DDIR=$(engine_dir docker)
	export DOCKER_PARENT
	DOCKER_PARENT=$(cgroup_parent docker)
	# contrib/'s daemon.json adds the runtime; the trust key would go to
	# /etc/docker/key.json otherwise.
	jq --arg husk "$HUSK" --arg key "$DDIR/key.json" \
		'.runtimes.husk.path = $husk | .["deprecated-key-path"] = $key' \
		"$CLIENTS_ROOT/../../contrib/engines/docker/daemon.json" >"$DDIR/daemon.json"
	start_daemon "$DDIR/dockerd.pid" "$DDIR/docker.sock" "$DDIR/dockerd.log" \
		dockerd --config-file "$DDIR/daemon.json" --host "unix://$DDIR/docker.sock" \
		--data-root "$DDIR/data" --exec-root "$DDIR/exec" --pidfile "$DDIR/docker.pid.own" \
		--bridge none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
		--userland-proxy=false --storage-driver vfs \
		--exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "$DOCKER_PARENT" \
		--default-runtime husk
	# The socket comes before the API answers.
	local i
	for ((i = 0; i < 100; i++)); do
		"$DOCKER" -H "unix://$DDIR/docker.sock" version >/dev/null 2>&1 && break
		sleep 0.2
	done
	"$DOCKER" -H "unix://$DDIR/docker.sock" import "$HUSK_CLIENTS_ROOTFS_TAR" husk-test >&2
}

function teardown_file() {
	[ -n "${DDIR:-}" ] || return 0
	stop_daemon "$DDIR/dockerd.pid" || :
	kill_leftovers containerd containerd-shim-runc-v2 containerd-shim
	umount_under "$DDIR"
	remove_cgroups "$DOCKER_PARENT" || :
}

# d ARGS...: docker through bats' run.
function d() {
	run "$DOCKER" -H "unix://$DDIR/docker.sock" "$@"
	echo "docker $* (status=$status):" >&2
	echo "$output" >&2
}

function drun() {
	d run --network none --pull never "$@"
}

@test "docker: husk is the default runtime (contrib/engines/docker/daemon.json)" {
	d info --format '{{.DefaultRuntime}} {{.CgroupDriver}} {{(index .Runtimes "husk").Path}}'
	[ "$status" -eq 0 ]
	[ "$output" = "husk cgroupfs $HUSK" ]
}

@test "docker: a container exits 0" {
	drun --rm husk-test /init exit 0
	[ "$status" -eq 0 ]
}

@test "docker: a container's exit code 3 passes through" {
	drun --rm husk-test /init exit 3
	[ "$status" -eq 3 ]
}

@test "docker: husk's error reaches the user, and a missing command is 127" {
	run -127 "$DOCKER" -H "unix://$DDIR/docker.sock" run --network none --pull never --rm husk-test /no/such/command
	echo "$output" >&2
	[[ "$output" == *'"/no/such/command"'*"no such file or directory"* ]]
}

@test "docker: the container reads its own limits under /sys/fs/cgroup" {
	drun --rm --memory 32m --pids-limit 42 husk-test \
		cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 33554432 ]
	[ "${lines[1]}" = 42 ]
}

@test "docker: --user and --group-add a group /etc/group already gives the user" {
	drun --rm --user 1000 --group-add 1001 husk-test id -G
	[ "$status" -eq 0 ]
	[ "$output" = "1000 1001" ]
}

@test "docker: run -t gives the container a terminal" {
	in_pty "$DOCKER" -H "unix://$DDIR/docker.sock" run --network none --pull never --rm -t husk-test /init isatty 0
	[ "$status" -eq 0 ]
	[ "$output" = yes ]
}

@test "docker: run -d, and the container runs in its cgroup" {
	drun -d --name d1 husk-test "${SLEEPER[@]}"
	[ "$status" -eq 0 ]
	d inspect -f '{{.State.Status}} {{.State.Pid}} {{.Id}}' d1
	[ "${output%% *}" = running ]
	read -r _ pid id <<<"$output"
	grep -q "memory:$DOCKER_PARENT/$id\$" "/proc/$pid/cgroup"
}

@test "docker: exec runs in the container, its exit code passes through" {
	d exec d1 /bin/sh -c 'cat /proc/1/cmdline | tr "\0" " "; exit 5'
	[ "$status" -eq 5 ]
	[[ "$output" == "sh -c trap"* ]]
}

@test "docker: exec -t" {
	in_pty "$DOCKER" -H "unix://$DDIR/docker.sock" exec -t d1 /init isatty 0
	[ "$status" -eq 0 ]
	[ "$output" = yes ]
}

@test "docker: top" {
	d top d1
	[ "$status" -eq 0 ]
	[[ "$output" == *"sleep 1000"* ]]
}

@test "docker: pause freezes the container, unpause thaws it" {
	d pause d1
	[ "$status" -eq 0 ]
	d inspect -f '{{.State.Status}} {{.Id}}' d1
	[ "${output%% *}" = paused ]
	local id=${output#* }
	[ "$(cat "/sys/fs/cgroup/freezer$DOCKER_PARENT/$id/freezer.state")" = FROZEN ]
	d unpause d1
	[ "$status" -eq 0 ]
	d inspect -f '{{.State.Status}}' d1
	[ "$output" = running ]
	[ "$(cat "/sys/fs/cgroup/freezer$DOCKER_PARENT/$id/freezer.state")" = THAWED ]
}

@test "docker: update changes the running container's limits" {
	d update --memory 64m --memory-swap 128m --pids-limit 50 --cpu-shares 512 d1
	[ "$status" -eq 0 ]
	d inspect -f '{{.Id}}' d1
	local id=$output
	[ "$(cat "/sys/fs/cgroup/memory$DOCKER_PARENT/$id/memory.limit_in_bytes")" = 67108864 ]
	[ "$(cat "/sys/fs/cgroup/pids$DOCKER_PARENT/$id/pids.max")" = 50 ]
	[ "$(cat "/sys/fs/cgroup/cpu$DOCKER_PARENT/$id/cpu.shares")" = 512 ]
	d inspect -f '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}' d1
	[ "$output" = "67108864 50" ]
}

@test "docker: kill" {
	d kill --signal KILL d1
	[ "$status" -eq 0 ]
	d wait d1
	[ "$output" = 137 ]
}

@test "docker: start, then stop delivers TERM" {
	d start d1
	[ "$status" -eq 0 ]
	d stop --time 20 d1
	[ "$status" -eq 0 ]
	d inspect -f '{{.State.ExitCode}}' d1
	[ "$output" = 143 ]
}

@test "docker: restart" {
	d start d1
	d inspect -f '{{.State.Pid}}' d1
	local before=$output
	d restart --time 20 d1
	[ "$status" -eq 0 ]
	d inspect -f '{{.State.Status}} {{.State.Pid}}' d1
	[ "${output%% *}" = running ]
	[ "${output#* }" != "$before" ]
	d exec d1 true
	[ "$status" -eq 0 ]
}

@test "docker: rm removes the container and its cgroups" {
	d rm --force d1
	[ "$status" -eq 0 ]
	d ps --all --quiet
	[ -z "$output" ]
	[ -z "$(cgroup_children "$DOCKER_PARENT")" ]
}

@test "docker: stopping dockerd leaves no daemon, shim, mount or cgroup behind" {
	stop_daemon "$DDIR/dockerd.pid" 30
	[ -z "$(processes_named dockerd containerd containerd-shim containerd-shim-runc-v2 husk)" ]
	[ -z "$(mounts_under "$DDIR")" ]
	[ ! -e /etc/docker/key.json ] || [ /etc/docker/key.json -ot "$DDIR/daemon.json" ]
	remove_cgroups "$DOCKER_PARENT"
	[ -z "$(cgroup_dirs "$DOCKER_PARENT")" ]
}
