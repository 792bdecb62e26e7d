#!/usr/bin/env bats
# LSM fields on a host where the module is not there (init/lsm.h): an
# AppArmor profile is a warning and the container runs; an SELinux label is
# runc's error and leaves nothing behind; linux.mountLabel fails as runc's
# does, saying why.  Where this host has the module active, those tests
# skip: tests/lsm/*.bats run such configs in VMs that have AppArmor active,
# and built in but not active (tests/vm/run-lane.sh).

load helpers

RUNC_SELINUX="selinux label is specified in config, but selinux is disabled or not supported"

setup() {
	requires root
	setup_bundle
}

teardown() {
	teardown_bundle
	remove_cgroup_parent /husk-lsm-test
}

# host_has MODULE: whether MODULE is active here, decided without husk:
# securityfs's list when it is mounted; else, for AppArmor, whether the
# kernel keeps its attributes for this shell; for SELinux, a loaded policy.
function host_has() {
	if [ -r /sys/kernel/security/lsm ]; then
		tr ',' '\n' </sys/kernel/security/lsm | grep -qx "$1" || return 1
	fi
	case $1 in
	apparmor) cat /proc/self/attr/apparmor/current >/dev/null 2>&1 ;;
	selinux)
		[ "$(stat -f -c %T /sys/fs/selinux 2>/dev/null)" = selinuxfs ] &&
			[ "$(tr -d '\0' </proc/self/attr/current 2>/dev/null)" != kernel ]
		;;
	esac
}

function skip_if_host_has() {
	! host_has "$1" || skip "$1 is active on this host: tests/lsm/ covers it"
}

# nothing_left ID: no state dir, no cgroup, no process of container ID.
function nothing_left() {
	husk state "$1"
	[ "$status" -ne 0 ]
	[[ "$output" == *"container does not exist"* ]]
	[ -z "$(ls -A "$HUSK_ROOT" 2>/dev/null | grep -v '^\.')" ]
	[ -z "$(cgroup_dirs /husk-lsm-test "$1")" ]
	! pgrep -f "$BUNDLE/rootfs" >/dev/null || false
}

@test "features and --version say which LSMs this host can apply" {
	local lsm want
	for lsm in apparmor selinux; do
		want=false
		host_has "$lsm" && want=true
		run jq ".linux.$lsm.enabled" < <("$HUSK" features)
		[ "$output" = "$want" ]
		if [ "$want" = true ]; then
			"$HUSK" --version | grep -q "^LSMs: .*$lsm"
		else
			! "$HUSK" --version | grep -q "^LSMs: .*$lsm" || false
		fi
	done
}

@test "process.apparmorProfile where AppArmor is not active: a warning in the JSON log, and the container runs" {
	skip_if_host_has apparmor
	update_config '.process.apparmorProfile = "docker-default" | .process.args = ["/init", "exit", "3"]'
	husk --log "$HUSK_TMP/log.json" --log-format json run lsm-aa
	[ "$status" -eq 3 ]
	jq -e 'select(.level == "warning") | .msg' "$HUSK_TMP/log.json" >"$HUSK_TMP/warnings"
	grep -q 'AppArmor profile `docker-default` is not applied: AppArmor is not active on this host' "$HUSK_TMP/warnings"
	! jq -e 'select(.level == "error")' "$HUSK_TMP/log.json" || false
	# create and start, as an engine drives it: the same.
	update_config '.process.args = ["/init", "nop"]'
	husk_detached --log "$HUSK_TMP/log2.json" --log-format json create lsm-aa2
	[ "$status" -eq 0 ]
	grep -q '"level":"warning".*docker-default' "$HUSK_TMP/log2.json"
	husk start lsm-aa2
	[ "$status" -eq 0 ]
}

@test "process.selinuxLabel without SELinux: runc's error, and nothing left behind" {
	skip_if_host_has selinux
	update_config '.process.selinuxLabel = "system_u:system_r:container_t:s0" |
		.linux.cgroupsPath = "/husk-lsm-test/lsm-se"'
	husk --log "$HUSK_TMP/log.json" --log-format json run lsm-se
	[ "$status" -ne 0 ]
	[[ "$output" == *"$RUNC_SELINUX"* ]]
	jq -e --arg m "$RUNC_SELINUX" 'select(.level == "error") | .msg | contains($m)' "$HUSK_TMP/log.json"
	nothing_left lsm-se
	husk_detached create lsm-se
	[ "$status" -ne 0 ]
	[[ "$output" == *"$RUNC_SELINUX"* ]]
	nothing_left lsm-se
}

@test "linux.mountLabel without SELinux fails as runc's does, saying why, and leaves nothing behind" {
	skip_if_host_has selinux
	# An MCS label: its comma must reach the kernel whole.
	update_config '.linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2" |
		.linux.cgroupsPath = "/husk-lsm-test/lsm-ml"'
	husk run lsm-ml
	[ "$status" -ne 0 ]
	[[ "$output" == *'mount `tmpfs` onto `/dev`: linux.mountLabel `system_u:object_r:container_file_t:s0:c1,c2` (option `context`; SELinux is not enabled on this host): invalid argument'* ]]
	nothing_left lsm-ml
	# Without a filesystem runc would label (proc, sysfs, mqueue and binds
	# take none), the label asks nothing of the kernel, and the container
	# runs, as runc's does.
	update_config '.mounts = [.mounts[] | select(.type == "proc" or .type == "sysfs" or .type == "mqueue" or .type == "bind")] |
		.linux.maskedPaths = [] | .linux.readonlyPaths = [] | .process.args = ["/init", "exit", "0"] |
		.linux.cgroupsPath = "/husk-lsm-test/lsm-ml2"'
	husk run lsm-ml2
	[ "$status" -eq 0 ]
}

@test "exec --apparmor where AppArmor is not active: a warning, and the process runs" {
	skip_if_host_has apparmor
	update_config '.process.args = ["/init", "sleep", "inf"]'
	husk_detached run --detach lsm-ex
	[ "$status" -eq 0 ]
	husk --log "$HUSK_TMP/log.json" --log-format json exec --apparmor husk-profile lsm-ex /init exit 4
	[ "$status" -eq 4 ]
	grep -q '"level":"warning","msg":"AppArmor profile `husk-profile` is not applied' "$HUSK_TMP/log.json"
	# From a process.json too.
	echo '{"args": ["/init", "exit", "5"], "cwd": "/", "user": {"uid": 0, "gid": 0}, "apparmorProfile": "p"}' >"$HUSK_TMP/aa.json"
	husk exec -p "$HUSK_TMP/aa.json" lsm-ex
	[ "$status" -eq 5 ]
	[[ "$output" == *'AppArmor profile `p` is not applied'* ]]
}

@test "exec --process-label without SELinux: runc's error, and no process" {
	skip_if_host_has selinux
	update_config '.process.args = ["/init", "sleep", "inf"]'
	husk_detached run --detach lsm-ex
	[ "$status" -eq 0 ]
	husk exec --detach --process-label system_u:system_r:container_t:s0 lsm-ex /init sleep inf
	[ "$status" -ne 0 ]
	[[ "$output" == *"$RUNC_SELINUX"* ]]
	husk ps --format json lsm-ex
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" -eq 1 ]
}
