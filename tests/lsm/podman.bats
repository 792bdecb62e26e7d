#!/usr/bin/env bats
# vm-lsm: apparmor
# podman 4.3 drives husk where AppArmor is active (tests/vm/run --lsm
# apparmor): podman generates its default profile, loads it with
# apparmor_parser and names it in every config (containers-default-*), and
# husk runs the container under it.  The engine is set up as in
# tests/clients/podman.bats: husk as its runtime, every store private, the
# test rootfs `podman import`ed as the only image, no network.  The guest's
# root is a throwaway overlay: what podman writes outside its private
# directory (its caches under /var/lib/containers) vanishes with the VM.

load ../integration/helpers

function setup_file() {
	grep -qw apparmor /sys/kernel/security/lsm 2>/dev/null || {
		echo "AppArmor is not active here: run this file through tests/vm/run-lane.sh (make vm-check)" >&2
		return 1
	}
	export PDIR
	PDIR=$(mktemp -d /tmp/husk-podman.XXXXXX)
	cat >"$PDIR/containers.conf" <<EOT
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
netns = "none"

[engine]
cgroup_manager = "cgroupfs"
conmon_env_vars = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "CONTAINERS_CONF=$PDIR/containers.conf", "CONTAINERS_STORAGE_CONF=$PDIR/storage.conf", "CONTAINERS_REGISTRIES_CONF=$PDIR/registries.conf"]
events_logger = "file"
events_logfile_path = "$PDIR/events.log"
runtime = "husk"
runtime_supports_json = ["crun", "runc", "kata", "runsc", "youki", "krun", "husk"]
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
	tar -C "$ROOTFS" --exclude=./.stamp -cf "$PDIR/rootfs.tar" .
	podman import "$PDIR/rootfs.tar" localhost/husk-test >&2
}

function teardown_file() {
	[ -n "${PDIR:-}" ] || return 0
	podman rm --all --force --time 0 >/dev/null 2>&1 || :
	rm -rf --one-file-system "$PDIR"
}

# p ARGS...: podman through bats' run, showing what ran when a test fails.
function p() {
	run podman "$@"
	echo "podman $* (status=$status):" >&2
	echo "$output" >&2
}

@test "podman: a container runs under podman's default AppArmor profile through husk" {
	# /proc/kcore is masked with /dev/null by podman (an empty read); the
	# profile also denies it, so under the profile the read is refused.
	p run --rm --pull never localhost/husk-test \
		sh -c 'cat /proc/self/attr/current; cat /proc/kcore && echo read'
	[ "$status" -ne 0 ]
	[[ "${lines[0]}" =~ ^containers-default-[0-9.]+\ \(enforce\)$ ]]
	[[ "$output" == *"/proc/kcore"*"Permission denied"* ]]
	[[ "$output" != *read ]]
	# podman loaded it itself, with apparmor_parser.
	grep -q '^containers-default-[0-9.]* (enforce)$' /sys/kernel/security/apparmor/profiles
	# The same container unconfined: the read is allowed.
	p run --rm --pull never --security-opt apparmor=unconfined localhost/husk-test \
		sh -c 'cat /proc/self/attr/current; cat /proc/kcore && echo read'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = unconfined ]
	[ "${lines[1]}" = read ]
	p ps --all --quiet
	[ -z "$output" ]
}
