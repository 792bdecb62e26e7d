#!/usr/bin/env bats
# podman 4.3 with conmon drives husk: the containers.conf the lane writes
# names husk as the runtime, lists it in runtime_supports_json (so podman
# passes --log-format=json --log FILE) and runtime_supports_nocgroups, sets
# ulimits this machine's hard limits allow, and keeps every store private.
# The only image is the test rootfs, `podman import`ed; no network.

load helpers
bats_require_minimum_version 1.5.0

function setup_file() {
	export SKIP_REASON
	SKIP_REASON=$(engine_missing podman podman conmon)
	[ -z "$SKIP_REASON" ] || return 0
	export PDIR
	PDIR=$(engine_dir podman)
	export PODMAN_PARENT
	PODMAN_PARENT=$(cgroup_parent podman)
	cat >"$PDIR/containers.conf" <<EOT
[containers]
# podman's default (1048576) is above this machine's hard limits.
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
netns = "none"

[engine]
cgroup_manager = "cgroupfs"
# conmon runs \`podman container cleanup\` with this environment only.
conmon_env_vars = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "CONTAINERS_CONF=$PDIR/containers.conf", "CONTAINERS_STORAGE_CONF=$PDIR/storage.conf", "CONTAINERS_REGISTRIES_CONF=$PDIR/registries.conf"]
events_logger = "file"
events_logfile_path = "$PDIR/events.log"
runtime = "husk"
runtime_supports_json = ["crun", "runc", "kata", "runsc", "youki", "krun", "husk"]
# Not "runtime_supports_nocgroups", as podman's own documentation spells it:
# containers/common 0.50 reads only the singular key, and ignores the other.
runtime_supports_nocgroup = ["crun", "krun", "husk"]
tmp_dir = "$PDIR/tmp"
volume_path = "$PDIR/volumes"

[engine.runtimes]
husk = ["$HUSK"]
EOT
	cat >"$PDIR/storage.conf" <<EOT
[storage]
driver = "vfs"
graphroot = "$PDIR/graph"
runroot = "$PDIR/run"
EOT
	: >"$PDIR/registries.conf"
	export CONTAINERS_CONF=$PDIR/containers.conf CONTAINERS_STORAGE_CONF=$PDIR/storage.conf
	export CONTAINERS_REGISTRIES_CONF=$PDIR/registries.conf
	podman import "$HUSK_CLIENTS_ROOTFS_TAR" localhost/husk-test >&2
}

function teardown_file() {
	[ -n "${PDIR:-}" ] || return 0
	podman rm --all --force --time 0 >/dev/null 2>&1 || :
	kill_leftovers conmon
	umount_under "$PDIR"
	remove_cgroups "$PODMAN_PARENT" || :
}

# podman ARGS...: through bats' run, showing what ran when a test fails.
function p() {
	run podman "$@"
	echo "podman $* (status=$status):" >&2
	echo "$output" >&2
}

# Every container gets the lane's cgroup parent (conmon goes to PARENT/conmon).
function prun() {
	p run --cgroup-parent "$PODMAN_PARENT" --pull never "$@"
}

@test "podman: husk is the runtime" {
	p info --format '{{.Host.OCIRuntime.Path}}'
	[ "$status" -eq 0 ]
	[ "$output" = "$HUSK" ]
}

@test "podman: contrib/engines/podman/containers.conf is read whole and names husk" {
	sed "s|\"/usr/local/bin/husk\", \"/usr/bin/husk\"|\"$HUSK\"|" \
		"$CLIENTS_ROOT/../../contrib/engines/podman/containers.conf" >"$PDIR/contrib.conf"
	grep -q "husk = \[\"$HUSK\"\]" "$PDIR/contrib.conf"
	CONTAINERS_CONF=$PDIR/contrib.conf p --log-level debug info
	[ "$status" -eq 0 ]
	[[ "$output" == *"Merged system config"*"$PDIR/contrib.conf"* ]]
	[[ "$output" != *"Failed to decode the keys"* ]]
	CONTAINERS_CONF=$PDIR/contrib.conf p info --format '{{.Host.OCIRuntime.Path}}'
	[ "$output" = "$HUSK" ]
	# The no-cgroups key is read: podman refuses --cgroups=disabled otherwise.
	CONTAINERS_CONF=$PDIR/contrib.conf p create --pull never --cgroups disabled --name contrib localhost/husk-test true
	[ "$status" -eq 0 ]
	p rm contrib
	[ "$status" -eq 0 ]
}

@test "podman: a container exits 0" {
	prun --rm localhost/husk-test /init exit 0
	[ "$status" -eq 0 ]
}

@test "podman: a container's exit code 3 passes through" {
	prun --rm localhost/husk-test /init exit 3
	[ "$status" -eq 3 ]
}

@test "podman: husk's error reaches the user, and a missing command is 127" {
	run -127 podman run --cgroup-parent "$PODMAN_PARENT" --rm localhost/husk-test /no/such/command
	echo "$output" >&2
	[[ "$output" == *husk*'"/no/such/command"'*"no such file or directory"* ]]
}

@test "podman: --device (podman writes the device's whole st_mode as fileMode)" {
	prun --rm --device /dev/null:/dev/hostnull:rw localhost/husk-test /init stat /dev/hostnull
	[ "$status" -eq 0 ]
	[ "$output" = "mode=0666 uid=0 gid=0 type=char dev=1:3" ]
}

@test "podman: the container reads its own limits under /sys/fs/cgroup" {
	prun --rm --memory 32m --pids-limit 42 localhost/husk-test \
		cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 33554432 ]
	[ "${lines[1]}" = 42 ]
}

@test "podman: run --timeout (conmon kills the init's process group)" {
	# 255 is conmon's "timed out"; with the init in conmon's own process
	# group conmon killed itself, and podman waited for it in vain.
	prun --rm --timeout 1 localhost/husk-test sleep 30
	[ "$status" -eq 255 ]
	p ps --all --quiet
	[ -z "$output" ]
}

@test "podman: --cgroups=disabled" {
	# podman passes husk --cgroup-manager=disabled; no parent may be named.
	p run --rm --pull never --cgroups disabled localhost/husk-test cat /proc/self/cgroup
	[ "$status" -eq 0 ]
	[[ "$output" == *memory:* ]]
	[[ "$output" != *libpod* ]]
}

@test "podman: run -t gives the container a terminal" {
	prun --rm -t localhost/husk-test /init isatty 0
	[ "$status" -eq 0 ]
	[ "${output//$'\r'/}" = yes ]
}

@test "podman: run -d, and the container runs in its cgroup" {
	prun -d --name d1 localhost/husk-test "${SLEEPER[@]}"
	[ "$status" -eq 0 ]
	p inspect -f '{{.State.Status}} {{.State.Pid}} {{.Id}}' d1
	[ "${output%% *}" = running ]
	read -r _ pid id <<<"$output"
	grep -q "memory:$PODMAN_PARENT/libpod-$id\$" "/proc/$pid/cgroup"
}

@test "podman: exec runs in the container, its exit code passes through" {
	p exec d1 /bin/sh -c 'hostname; exit 5'
	[ "$status" -eq 5 ]
	p inspect -f '{{.Config.Hostname}}' d1
	[ "$status" -eq 0 ]
	local host=$output
	p exec d1 hostname
	[ "$output" = "$host" ]
}

@test "podman: exec -t" {
	p exec -t d1 /init isatty 0
	[ "$status" -eq 0 ]
	[ "${output//$'\r'/}" = yes ]
}

@test "podman: top" {
	p top d1 pid args
	[ "$status" -eq 0 ]
	[[ "$output" == *"sleep 1000"* ]]
}

@test "podman: pause freezes the container, unpause thaws it" {
	p pause d1
	[ "$status" -eq 0 ]
	p inspect -f '{{.State.Status}} {{.Id}}' d1
	[ "${output%% *}" = paused ]
	local id=${output#* }
	[ "$(cat "/sys/fs/cgroup/freezer$PODMAN_PARENT/libpod-$id/freezer.state")" = FROZEN ]
	p unpause d1
	[ "$status" -eq 0 ]
	p inspect -f '{{.State.Status}}' d1
	[ "$output" = running ]
	[ "$(cat "/sys/fs/cgroup/freezer$PODMAN_PARENT/libpod-$id/freezer.state")" = THAWED ]
}

@test "podman: kill" {
	p kill --signal KILL d1
	[ "$status" -eq 0 ]
	p wait d1
	[ "$output" = 137 ]
}

@test "podman: start, then stop delivers TERM" {
	p start d1
	[ "$status" -eq 0 ]
	p stop --time 20 d1
	[ "$status" -eq 0 ]
	p inspect -f '{{.State.ExitCode}}' d1
	[ "$output" = 143 ]
}

@test "podman: restart" {
	p start d1
	p inspect -f '{{.State.Pid}}' d1
	local before=$output
	p restart --time 20 d1
	[ "$status" -eq 0 ]
	p inspect -f '{{.State.Status}} {{.State.Pid}}' d1
	[ "${output%% *}" = running ]
	[ "${output#* }" != "$before" ]
	p exec d1 true
	[ "$status" -eq 0 ]
}

@test "podman: rm removes the container and its cgroups" {
	p inspect -f '{{.Id}}' d1
	local id=$output
	p rm --force --time 20 d1
	[ "$status" -eq 0 ]
	p ps --all --quiet
	[ -z "$output" ]
	[ -z "$(cgroup_children "$PODMAN_PARENT" | grep "libpod-$id")" ]
}

@test "podman: leaves no process, mount or cgroup behind" {
	p ps --all --quiet
	[ -z "$output" ]
	[ -z "$(processes_named conmon husk)" ]
	[ -z "$(mounts_under "$PDIR")" ]
	# Only conmon's own cgroup, which podman never removes, is left.
	[ "$(cgroup_children "$PODMAN_PARENT" | tr '\n' ' ')" = "conmon " ]
	remove_cgroups "$PODMAN_PARENT"
	[ -z "$(cgroup_dirs "$PODMAN_PARENT")" ]
}
