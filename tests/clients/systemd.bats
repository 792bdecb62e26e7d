#!/usr/bin/env bats
# lane: systemd
# podman and containerd drive husk's systemd cgroup driver, in the systemd
# VM lane (systemd as PID 1, dbus; tests/vm/run-systemd-lane.sh): podman
# with cgroup_manager = "systemd" (contrib/engines/podman/containers.conf
# with that key set), containerd's runc shim with SystemdCgroup (ctr's
# --runc-systemd-cgroup) and a private containerd as tests/clients/ runs it.
# One container each: its scope checked while it runs, gone after.  Both
# engines pass --systemd-cgroup to `create` only and later drop it, as they
# do with runc: husk's recorded driver does the rest.  Skipped where systemd
# is not PID 1 or the engine is not installed (tests/clients/deps.sh): in the
# clients lane, whose /run is private, it always is.

load helpers

function setup_file() {
	export SKIP_REASON="" HUSK_CLIENTS_DIR HUSK_CLIENTS_TAG HUSK_CLIENTS_ROOTFS_TAR
	if [ ! -d /run/systemd/system ] || [ "$(id -u)" -ne 0 ]; then
		SKIP_REASON="needs root and systemd as PID 1 (make systemd-check)"
		return 0
	fi
	HUSK_CLIENTS_DIR=$(mktemp -d /tmp/husk-sdclients.XXXXXX)
	HUSK_CLIENTS_TAG=${HUSK_CLIENTS_DIR##*.}
	HUSK_CLIENTS_ROOTFS_TAR=$HUSK_CLIENTS_DIR/rootfs.tar
	tar -C "$HUSK_BUILD/rootfs" --exclude=./.stamp -cf "$HUSK_CLIENTS_ROOTFS_TAR" .
}

function teardown_file() {
	[ -n "${HUSK_CLIENTS_DIR:-}" ] || return 0
	if [ -n "${PDIR:-}" ]; then
		podman rm --all --force --time 0 >/dev/null 2>&1 || :
	fi
	if [ -f "$HUSK_CLIENTS_DIR/containerd/containerd.pid" ]; then
		stop_daemon "$HUSK_CLIENTS_DIR/containerd/containerd.pid" || :
	fi
	umount_under "$HUSK_CLIENTS_DIR"
	rm -rf --one-file-system "$HUSK_CLIENTS_DIR"
}

function teardown() {
	local u
	for u in $(systemctl list-units --all --plain --no-legend "*husk-sd$HUSK_CLIENTS_TAG*" 2>/dev/null | awk '{ print $1 }'); do
		systemctl stop "$u" 2>/dev/null || :
	done
}

prop() { # UNIT PROPERTY
	systemctl show -P "$2" "$1"
}

# gone UNIT: unknown to systemd, its cgroup removed.
gone() {
	local i path=$2
	for i in $(seq 100); do
		[ "$(prop "$1" LoadState)" = not-found ] && [ ! -e "/sys/fs/cgroup$path" ] && return 0
		sleep 0.1
	done
	echo "$1: LoadState=$(prop "$1" LoadState)" >&2
	return 1
}

# The podman setup of tests/clients/podman.bats, from the shipped
# containers.conf with the systemd manager.
podman_setup() {
	local why
	why=$(engine_missing podman podman conmon)
	[ -z "$why" ] || skip "$why"
	PDIR=$(engine_dir podman)
	sed -e "s|\"/usr/local/bin/husk\", \"/usr/bin/husk\"|\"$HUSK\"|" \
		-e 's|^\[engine\]$|[engine]\ncgroup_manager = "systemd"\nevents_logger = "file"\nevents_logfile_path = "'"$PDIR"'/events.log"\ntmp_dir = "'"$PDIR"'/tmp"\nvolume_path = "'"$PDIR"'/volumes"|' \
		-e 's|^\[containers\]$|[containers]\nnetns = "none"|' \
		"$CLIENTS_ROOT/../../contrib/engines/podman/containers.conf" >"$PDIR/containers.conf"
	printf '[storage]\ndriver = "vfs"\ngraphroot = "%s/graph"\nrunroot = "%s/run"\n' \
		"$PDIR" "$PDIR" >"$PDIR/storage.conf"
	: >"$PDIR/registries.conf"
	export CONTAINERS_CONF=$PDIR/containers.conf CONTAINERS_STORAGE_CONF=$PDIR/storage.conf
	export CONTAINERS_REGISTRIES_CONF=$PDIR/registries.conf
	podman import "$HUSK_CLIENTS_ROOTFS_TAR" localhost/husk-test >&2
}

@test "systemd clients: podman with cgroup_manager = \"systemd\" runs husk in machine.slice:libpod:ID" {
	local id unit name=husk-sd$HUSK_CLIENTS_TAG-p
	podman_setup
	run podman info --format '{{.Host.CgroupManager}} {{.Host.OCIRuntime.Path}}'
	[ "$output" = "systemd $HUSK" ]
	run podman run -d --name "$name" --pull never --memory 64m --pids-limit 32 \
		localhost/husk-test /init sleep inf
	echo "$output" >&2
	[ "$status" -eq 0 ]
	id=$(podman inspect --format '{{.Id}}' "$name")
	unit=libpod-$id.scope
	[ "$(prop "$unit" ActiveState)" = active ]
	[ "$(prop "$unit" ControlGroup)" = "/machine.slice/$unit" ]
	[ "$(prop "$unit" MemoryMax)" = 67108864 ]
	[ "$(cat "/sys/fs/cgroup/machine.slice/$unit/container/memory.max")" = 67108864 ]
	[ "$(cat "/sys/fs/cgroup/machine.slice/$unit/container/pids.max")" = 32 ]
	# conmon's own scope is podman's work, beside the container's.
	[ "$(prop "libpod-conmon-$id.scope" ActiveState)" = active ]
	run podman inspect --format '{{.State.Pid}}' "$name"
	[ "$(cat "/proc/$output/cgroup")" = "0::/machine.slice/$unit/container" ]
	# podman's exec, through husk's recorded driver, joins it too.
	run podman exec "$name" /init sleep 0
	[ "$status" -eq 0 ]
	run podman rm --force --time 0 "$name"
	[ "$status" -eq 0 ]
	gone "$unit" "/machine.slice/$unit"
	gone "libpod-conmon-$id.scope" "/machine.slice/libpod-conmon-$id.scope"
}

@test "systemd clients: containerd's runc shim with SystemdCgroup runs husk in SLICE:PREFIX:ID" {
	local why dir id=c$HUSK_CLIENTS_TAG unit
	why=$(engine_missing containerd containerd ctr containerd-shim-runc-v2)
	[ -z "$why" ] || skip "$why"
	dir=$(engine_dir containerd)
	unit=husk-sd$HUSK_CLIENTS_TAG-$id.scope
	# containerd as tests/clients/containerd.bats starts it: its own
	# root, state and sockets, no CRI.
	cat >"$dir/config.toml" <<-EOT
		version = 2
		root = "$dir/root"
		state = "$dir/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$dir/containerd.sock"
		[ttrpc]
		  address = "$dir/containerd.sock.ttrpc"
	EOT
	mkdir -p "$dir/rootfs"
	tar -C "$dir/rootfs" -xf "$HUSK_CLIENTS_ROOTFS_TAR"
	start_daemon "$dir/containerd.pid" "$dir/containerd.sock" "$dir/containerd.log" \
		containerd --config "$dir/config.toml"
	ctr() { command ctr --address "$dir/containerd.sock" --namespace husk "$@"; }
	run ctr run -d --runc-binary "$HUSK" --runc-root "$dir/husk" --runc-systemd-cgroup \
		--cgroup "system.slice:husk-sd$HUSK_CLIENTS_TAG:$id" --memory-limit 67108864 \
		--rootfs "$dir/rootfs" "$id" /init sleep inf
	echo "$output" >&2
	[ "$status" -eq 0 ]
	[ "$(prop "$unit" ActiveState)" = active ]
	[ "$(prop "$unit" MemoryMax)" = 67108864 ]
	[ "$(cat "/sys/fs/cgroup/system.slice/$unit/container/memory.max")" = 67108864 ]
	[ "$(jq -r .cgroupManager "$dir/husk/husk/$id/state.json")" = systemd ]
	run ctr task kill --signal SIGKILL "$id"
	[ "$status" -eq 0 ]
	for _ in $(seq 100); do
		ctr task ls | awk -v id="$id" '$1 == id { print $3 }' | grep -qx STOPPED && break
		sleep 0.1
	done
	# The shim's last delete --force carries no --systemd-cgroup.
	run ctr task delete "$id"
	[ "$status" -eq 0 ]
	run ctr container delete "$id"
	[ "$status" -eq 0 ]
	gone "$unit" "/system.slice/$unit"
	stop_daemon "$dir/containerd.pid"
}
