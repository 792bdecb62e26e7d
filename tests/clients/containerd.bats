#!/usr/bin/env bats
# containerd 1.6 drives husk through its runc shim (io.containerd.runc.v2)
# with ctr's --runc-binary: a private containerd (own root, state and
# sockets, the CRI plugin off), started here and stopped by the last test.
# Containers run from the test rootfs (ctr run --rootfs), and one from it
# made an OCI image and imported (ctr image import); no network.

load helpers

function setup_file() {
	export SKIP_REASON
	SKIP_REASON=$(engine_missing containerd containerd ctr containerd-shim-runc-v2)
	[ -z "$SKIP_REASON" ] || return 0
	export CDIR
	CDIR=$(engine_dir containerd)
	export CTRD_PARENT
	CTRD_PARENT=$(cgroup_parent containerd)
	cat >"$CDIR/config.toml" <<EOT
version = 2
root = "$CDIR/root"
state = "$CDIR/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "$CDIR/containerd.sock"

[ttrpc]
  address = "$CDIR/containerd.sock.ttrpc"

[debug]
  address = "$CDIR/debug.sock"
EOT
	mkdir -p "$CDIR/rootfs"
	tar -C "$CDIR/rootfs" -xf "$HUSK_CLIENTS_ROOTFS_TAR"
	start_daemon "$CDIR/containerd.pid" "$CDIR/containerd.sock" "$CDIR/containerd.log" \
		containerd --config "$CDIR/config.toml"
}

function teardown_file() {
	[ -n "${CDIR:-}" ] || return 0
	stop_daemon "$CDIR/containerd.pid" || :
	kill_leftovers containerd-shim-runc-v2 containerd-shim
	umount_under "$CDIR"
	remove_cgroups "$CTRD_PARENT" || :
}

# ctr ARGS...: through bats' run, in the lane's namespace.
function c() {
	run ctr --address "$CDIR/containerd.sock" --namespace husk-clients "$@"
	echo "ctr $* (status=$status):" >&2
	echo "$output" >&2
}

# crun_ ID [ctr run flags] -- COMMAND...: ctr run with husk, the rootfs and
# a cgroup under the lane's parent.
function cargs() {
	echo --runc-binary "$HUSK" --runc-root "$CDIR/husk" --fifo-dir "$CDIR/fifo" \
		--cgroup "$CTRD_PARENT/$1" --rootfs
}

# task_status ID: RUNNING, PAUSED, STOPPED ... as `ctr task ls` says.
function task_status() {
	ctr --address "$CDIR/containerd.sock" --namespace husk-clients task ls |
		awk -v id="$1" '$1 == id { print $3 }'
}

@test "containerd: a container exits 0" {
	c run --rm $(cargs c0) "$CDIR/rootfs" c0 /init exit 0
	[ "$status" -eq 0 ]
}

@test "containerd: a container's exit code 3 passes through" {
	c run --rm $(cargs c3) "$CDIR/rootfs" c3 /init exit 3
	[ "$status" -eq 3 ]
}

@test "containerd: husk's error from its json log reaches the user" {
	c run --rm $(cargs cmissing) "$CDIR/rootfs" cmissing /no/such/command
	[ "$status" -ne 0 ]
	[[ "$output" == *'"/no/such/command"'*"no such file or directory"* ]]
	c container rm cmissing
}

@test "containerd: a container from an imported image, on the overlayfs snapshotter" {
	oci_archive "$HUSK_CLIENTS_ROOTFS_TAR" localhost/husk-test:latest "$CDIR/image.tar"
	c image import "$CDIR/image.tar"
	[ "$status" -eq 0 ]
	c run --rm --runc-binary "$HUSK" --runc-root "$CDIR/husk" --fifo-dir "$CDIR/fifo" \
		--cgroup "$CTRD_PARENT/img" --snapshotter overlayfs localhost/husk-test:latest img \
		/bin/sh -c 'awk "\$5 == \"/\" { print \$9 }" /proc/self/mountinfo; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = overlay ]
	c image rm localhost/husk-test:latest
	[ "$status" -eq 0 ]
}

@test "containerd: in the host's pid namespace, the init's children do not outlive it" {
	# Once the init has exited the shim runs \`kill --all\`, well before
	# the task is deleted.
	c run -d $(cargs orphans) --with-ns pid:/proc/1/ns/pid "$CDIR/rootfs" orphans \
		/bin/sh -c 'sleep 1000 & sleep 1'
	[ "$status" -eq 0 ]
	local procs=/sys/fs/cgroup/pids$CTRD_PARENT/orphans/cgroup.procs
	for _ in $(seq 100); do
		[ "$(task_status orphans)" = STOPPED ] && [ -z "$(cat "$procs")" ] && break
		sleep 0.1
	done
	[ "$(task_status orphans)" = STOPPED ]
	[ -z "$(cat "$procs")" ]
	c task rm orphans
	[ "$status" -eq 0 ]
	c container rm orphans
	[ "$status" -eq 0 ]
}

@test "containerd: run -t gives the container a terminal" {
	# The process stays a second: ctr may lose the output of a terminal
	# whose process is gone before its copy starts (seen under load).
	in_pty ctr --address "$CDIR/containerd.sock" --namespace husk-clients run --rm -t $(cargs ct) \
		"$CDIR/rootfs" ct /bin/sh -c '/init isatty 0; sleep 1'
	[ "$status" -eq 0 ]
	[ "$output" = yes ]
}

@test "containerd: run -d, and the container runs in its cgroup" {
	c run -d $(cargs d1) "$CDIR/rootfs" d1 "${SLEEPER[@]}"
	[ "$status" -eq 0 ]
	[ "$(task_status d1)" = RUNNING ]
	local pid
	pid=$(ctr --address "$CDIR/containerd.sock" --namespace husk-clients task ls | awk '$1 == "d1" { print $2 }')
	grep -q "memory:$CTRD_PARENT/d1\$" "/proc/$pid/cgroup"
}

@test "containerd: exec runs in the container, its exit code passes through" {
	c task exec --exec-id e1 d1 /bin/sh -c 'cat /proc/1/cmdline | tr "\0" " "; exit 5'
	[ "$status" -eq 5 ]
	[[ "$output" == "sh -c trap"* ]]
}

@test "containerd: exec -t" {
	# ctr resizes the terminal after the start; a process already gone by
	# then makes it print "cannot resize a stopped container" (with runc too).
	in_pty ctr --address "$CDIR/containerd.sock" --namespace husk-clients task exec -t --exec-id e2 d1 \
		/bin/sh -c '/init isatty 0; sleep 1'
	[ "$status" -eq 0 ]
	[ "$output" = yes ]
}

@test "containerd: task ps" {
	c task ps d1
	[ "$status" -eq 0 ]
	# The header and the init and its sleep.
	[ "${#lines[@]}" -eq 3 ]
}

@test "containerd: pause freezes the task, resume thaws it" {
	c task pause d1
	[ "$status" -eq 0 ]
	[ "$(task_status d1)" = PAUSED ]
	[ "$(cat "/sys/fs/cgroup/freezer$CTRD_PARENT/d1/freezer.state")" = FROZEN ]
	c task resume d1
	[ "$status" -eq 0 ]
	[ "$(task_status d1)" = RUNNING ]
	[ "$(cat "/sys/fs/cgroup/freezer$CTRD_PARENT/d1/freezer.state")" = THAWED ]
}

@test "containerd: kill with SIGTERM stops it (a stop), and the exit code is 143" {
	c task kill --signal SIGTERM d1
	[ "$status" -eq 0 ]
	for _ in $(seq 100); do
		[ "$(task_status d1)" = STOPPED ] && break
		sleep 0.1
	done
	[ "$(task_status d1)" = STOPPED ]
	c task rm d1
	[ "$status" -eq 0 ]
	[[ "$output" == *"exit code 143"* ]]
}

@test "containerd: restart (the task starts again), then kill SIGKILL" {
	c task start --detach d1
	[ "$status" -eq 0 ]
	[ "$(task_status d1)" = RUNNING ]
	c task kill --signal SIGKILL d1
	[ "$status" -eq 0 ]
	for _ in $(seq 100); do
		[ "$(task_status d1)" = STOPPED ] && break
		sleep 0.1
	done
	c task rm d1
	[ "$status" -eq 0 ]
	[[ "$output" == *"exit code 137"* ]]
}

@test "containerd: rm removes the container and its cgroups" {
	c container rm d1
	[ "$status" -eq 0 ]
	c container ls --quiet
	[ -z "$output" ]
	[ -z "$(cgroup_children "$CTRD_PARENT")" ]
}

@test "containerd: stopping it leaves no daemon, shim, mount or cgroup behind" {
	stop_daemon "$CDIR/containerd.pid" 30
	[ -z "$(processes_named containerd containerd-shim containerd-shim-runc-v2 husk)" ]
	[ -z "$(mounts_under "$CDIR")" ]
	remove_cgroups "$CTRD_PARENT"
	[ -z "$(cgroup_dirs "$CTRD_PARENT")" ]
}

@test "containerd: contrib/engines/containerd/config.toml loads, with husk as a CRI handler" {
	local dir=$CDIR/cri
	mkdir -p "$dir"
	{
		cat <<EOT
version = 2
root = "$dir/root"
state = "$dir/state"

[grpc]
  address = "$dir/containerd.sock"

[ttrpc]
  address = "$dir/containerd.sock.ttrpc"

[plugins."io.containerd.grpc.v1.cri".cni]
  bin_dir = "$dir/cni/bin"
  conf_dir = "$dir/cni/net.d"
EOT
		sed -e '/^version = /d' -e "s|/usr/local/bin/husk|$HUSK|" \
			"$CLIENTS_ROOT/../../contrib/engines/containerd/config.toml"
	} >"$dir/config.toml"
	run containerd --config "$dir/config.toml" config dump
	[ "$status" -eq 0 ]
	[[ "$output" == *'runtimes.husk.options]'*"BinaryName = \"$HUSK\""* ]]
	start_daemon "$dir/containerd.pid" "$dir/containerd.sock" "$dir/containerd.log" \
		containerd --config "$dir/config.toml"
	run ctr --address "$dir/containerd.sock" plugins ls
	stop_daemon "$dir/containerd.pid" 30
	echo "$output" >&2
	grep -q 'level=info msg="Start cri plugin with config.*husk:{Type:io.containerd.runc.v2' "$dir/containerd.log"
	grep -Eq '^io\.containerd\.grpc\.v1 +cri +[^ ]+ +ok' <<<"$output"
	[ -z "$(processes_named containerd)" ]
	[ -z "$(mounts_under "$dir")" ]
}
