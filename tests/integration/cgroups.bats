#!/usr/bin/env bats
# lane: vm
# cgroups: limits, membership, pause/resume, ps, kill --all and clean-up.
# Runs on the host (v1 or hybrid) and in the VM lane (v2), and checks the
# files of whichever layout it finds.  Every container's cgroup is under
# /husk-test-$$, an absolute path: never inside the cgroup the test shell
# sits in (on these machines its memory cgroup is the supervisor's).

load helpers

setup() {
	requires root
	setup_bundle
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		CG_MODE=v2
	else
		CG_MODE=v1
		[ -d /sys/fs/cgroup/memory ] || skip "no v1 memory hierarchy"
	fi
	CG_PARENT=/husk-test-$$
}

teardown() {
	teardown_bundle
	remove_cgroup_parent "$CG_PARENT"
}

# cg_file CONTROLLER FILE ID: the file of ID's cgroup for that controller.
cg_file() {
	if [ "$CG_MODE" = v2 ]; then
		echo "/sys/fs/cgroup$CG_PARENT/$3/$2"
	else
		echo "/sys/fs/cgroup/$1$CG_PARENT/$3/$2"
	fi
}

# cg_dirs ID: every directory of ID's cgroup that exists.
cg_dirs() {
	cgroup_dirs "$CG_PARENT" "$1"
}

with_cgroup() { # ID RESOURCES-JSON
	update_config ".linux.cgroupsPath = \"$CG_PARENT/$1\" | .linux.resources = $2"
}

set_args() {
	local json
	json=$(printf '%s\n' "$@" | jq -R . | jq -s .)
	update_config ".process.args = $json"
}

wait_status() { # ID STATUS
	for _ in $(seq 100); do
		[ "$(__husk state "$1" 2>/dev/null | jq -r .status)" = "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

@test "cgroups: limits land in the container's cgroup files" {
	with_cgroup cg_limits '{"memory": {"limit": 67108864}, "pids": {"limit": 50},
		"cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0"}}'
	set_args /init sleep inf
	husk_detached run --detach cg_limits
	[ "$status" -eq 0 ]
	if [ "$CG_MODE" = v2 ]; then
		[ "$(cat "$(cg_file memory memory.max cg_limits)")" = 67108864 ]
		[ "$(cat "$(cg_file pids pids.max cg_limits)")" = 50 ]
		# The curve Kubernetes asked for (runc 1.3.2+, crun 1.23+):
		# 512 shares, 10^((81 + 125*9)/612 - 7/34) = 58.2, rounded up.
		[ "$(cat "$(cg_file cpu cpu.weight cg_limits)")" = 59 ]
		[ "$(cat "$(cg_file cpu cpu.max cg_limits)")" = "50000 100000" ]
		[ "$(cat "$(cg_file cpuset cpuset.cpus cg_limits)")" = 0 ]
	else
		[ "$(cat "$(cg_file memory memory.limit_in_bytes cg_limits)")" = 67108864 ]
		[ "$(cat "$(cg_file pids pids.max cg_limits)")" = 50 ]
		[ "$(cat "$(cg_file cpu cpu.shares cg_limits)")" = 512 ]
		[ "$(cat "$(cg_file cpu cpu.cfs_quota_us cg_limits)")" = 50000 ]
		[ "$(cat "$(cg_file cpuset cpuset.cpus cg_limits)")" = 0 ]
	fi
	husk delete --force cg_limits
	[ "$status" -eq 0 ]
	[ -z "$(cg_dirs cg_limits)" ]
}

@test "cgroups: the container is born in its cgroup, in every hierarchy" {
	with_cgroup cg_member '{}'
	set_args /bin/cat /proc/self/cgroup
	husk run cg_member
	[ "$status" -eq 0 ]
	# Every line (v1 controllers, the unified one) names the cgroup, except
	# named v1 hierarchies husk does not manage.
	while read -r line; do
		[[ "$line" == *name=* ]] && continue
		[[ "$line" == *":$CG_PARENT/cg_member" ]]
	done <<<"$output"
	[ -z "$(cg_dirs cg_member)" ]
}

@test "cgroups: a memory limit OOM-kills a memory hog" {
	with_cgroup cg_oom '{"memory": {"limit": 33554432, "swap": 33554432}}'
	set_args /init memhog 256
	husk run cg_oom
	[ "$status" -eq 137 ]
	[[ "$output" != *"ok 256"* ]]
	[ -z "$(cg_dirs cg_oom)" ]
}

@test "cgroups: a pids limit holds a fork bomb" {
	with_cgroup cg_pids '{"pids": {"limit": 20}}'
	set_args /init forkbomb 200
	husk run cg_pids
	[ "$status" -eq 0 ]
	# The init counts, so at most 19 children.
	[ "$output" -lt 20 ]
	[ "$output" -gt 0 ]
}

@test "cgroups: pause and resume freeze and thaw, with runc's words" {
	with_cgroup cg_pause '{}'
	set_args /init sleep inf
	husk_detached run --detach cg_pause
	[ "$status" -eq 0 ]
	husk pause cg_pause
	[ "$status" -eq 0 ]
	[ "$(__husk state cg_pause | jq -r .status)" = paused ]
	if [ "$CG_MODE" = v2 ]; then
		grep -qx 'frozen 1' "$(cg_file freezer cgroup.events cg_pause)"
	else
		[ "$(cat "$(cg_file freezer freezer.state cg_pause)")" = FROZEN ]
	fi
	husk pause cg_pause
	[ "$status" -ne 0 ]
	[[ "$output" == *"container not running"* ]]
	husk resume cg_pause
	[ "$status" -eq 0 ]
	[ "$(__husk state cg_pause | jq -r .status)" = running ]
	husk resume cg_pause
	[ "$status" -ne 0 ]
	[[ "$output" == *"container not paused"* ]]
	# A paused container can still be deleted by force.
	husk pause cg_pause
	husk delete --force cg_pause
	[ "$status" -eq 0 ]
	[ -z "$(cg_dirs cg_pause)" ]
}

@test "cgroups: exec --ignore-paused into a paused container waits for resume, and does not hold resume up" {
	local pid
	with_cgroup cg_igp '{}'
	set_args /init sleep inf
	update_config '.root.readonly = false'
	husk_detached run --detach cg_igp
	[ "$status" -eq 0 ]
	husk pause cg_igp
	[ "$status" -eq 0 ]
	"$HUSK" --root "$HUSK_ROOT" exec --ignore-paused cg_igp /init write /tmp/ran yes \
		>"$HUSK_TMP/exec.out" 2>&1 </dev/null &
	pid=$!
	sleep 1
	# Frozen with the container: nothing ran yet.
	kill -0 "$pid"
	[ ! -e "$BUNDLE/rootfs/tmp/ran" ]
	# Before, exec held the container's lock here and resume waited for
	# it for ever.
	run timeout 20 "$HUSK" --root "$HUSK_ROOT" resume cg_igp
	[ "$status" -eq 0 ]
	status=0
	timeout 20 tail --pid="$pid" -f /dev/null || status=$?
	[ "$status" -eq 0 ]
	wait "$pid"
	[ "$(cat "$BUNDLE/rootfs/tmp/ran")" = yes ]
	husk delete --force cg_igp
}

@test "cgroups: ps lists the cgroup's processes, kill --all ends them without a pid namespace" {
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	with_cgroup cg_ps '{}'
	set_args /bin/sh -c 'sleep 1000 & sleep 1000 & wait'
	husk_detached run --detach cg_ps
	[ "$status" -eq 0 ]
	for _ in $(seq 100); do
		[ "$(__husk ps --format json cg_ps | jq length)" = 3 ] && break
		sleep 0.05
	done
	husk ps --format json cg_ps
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" = 3 ]
	pids=$(jq -r '.[]' <<<"$output")
	husk ps cg_ps
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *PID* ]]
	[ "${#lines[@]}" -eq 4 ]
	husk kill --all cg_ps KILL
	[ "$status" -eq 0 ]
	wait_status cg_ps stopped
	for p in $pids; do
		[ ! -d "/proc/$p" ] || [ "$(awk '{print $3}' "/proc/$p/stat")" = Z ]
	done
	husk delete cg_ps
	[ "$status" -eq 0 ]
	[ -z "$(cg_dirs cg_ps)" ]
}

@test "cgroups: delete kills what outlived the init and removes the cgroup" {
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	with_cgroup cg_orphans '{}'
	# The init leaves a child behind and exits.
	set_args /bin/sh -c 'sleep 1000 & echo $! > /tmp/child; exit 0'
	husk_detached run --detach cg_orphans
	[ "$status" -eq 0 ]
	wait_status cg_orphans stopped
	husk ps --format json cg_orphans
	[ "$(jq length <<<"$output")" = 1 ]
	left=$(jq -r '.[0]' <<<"$output")
	husk delete cg_orphans
	[ "$status" -eq 0 ]
	[ ! -d "/proc/$left" ] || [ "$(awk '{print $3}' "/proc/$left/stat")" = Z ]
	[ -z "$(cg_dirs cg_orphans)" ]
}

@test "cgroups: kill --all after the init has exited signals what is left, as runc does" {
	# containerd's shim sends it when the init of a container that shares a
	# pid namespace exits, so that the init's children do not outlive it.
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	with_cgroup cg_leftover '{}'
	set_args /bin/sh -c 'sleep 1000 & exit 0'
	husk_detached run --detach cg_leftover
	[ "$status" -eq 0 ]
	wait_status cg_leftover stopped
	husk ps --format json cg_leftover
	[ "$(jq length <<<"$output")" = 1 ]
	left=$(jq -r '.[0]' <<<"$output")
	husk kill --all cg_leftover KILL
	[ "$status" -eq 0 ]
	for _ in $(seq 100); do
		[ -d "/proc/$left" ] && [ "$(awk '{print $3}' "/proc/$left/stat")" != Z ] || break
		sleep 0.05
	done
	[ ! -d "/proc/$left" ] || [ "$(awk '{print $3}' "/proc/$left/stat")" = Z ]
	# Without --all a stopped container is still "not running".
	husk kill cg_leftover KILL
	[ "$status" -ne 0 ]
	[[ "$output" == *"container not running"* ]]
	husk delete cg_leftover
	[ "$status" -eq 0 ]
}

@test "cgroups: a device rule denies a device and another allows it" {
	[ -c /dev/kmsg ] || skip "no /dev/kmsg"
	update_config '.mounts += [{"destination": "/dev/kmsg2", "type": "bind", "source": "/dev/kmsg", "options": ["bind"]}]'
	set_args /bin/sh -c 'echo husk-test-device-rule >/dev/kmsg2 && echo written'
	with_cgroup cg_dev_deny '{"devices": [{"allow": false, "access": "rwm"}, {"allow": false, "type": "c", "major": 1, "minor": 11, "access": "rwm"}]}'
	husk run cg_dev_deny
	[ "$status" -ne 0 ]
	[[ "$output" == *"not permitted"* ]]
	with_cgroup cg_dev_allow '{"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"}]}'
	husk run cg_dev_allow
	[ "$status" -eq 0 ]
	[ "$output" = written ]
}

@test "cgroups: --cgroup-manager disabled keeps the caller's cgroups and refuses limits" {
	set_args /bin/cat /proc/self/cgroup
	run "$HUSK" --root "$HUSK_ROOT" --cgroup-manager disabled run cg_disabled
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat /proc/self/cgroup)" ]
	update_config '.linux.resources = {"pids": {"limit": 10}}'
	run "$HUSK" --root "$HUSK_ROOT" --cgroup-manager disabled run cg_disabled2
	[ "$status" -ne 0 ]
	[[ "$output" == *"cgroup manager is disabled"* ]]
	run "$HUSK" --root "$HUSK_ROOT" --cgroup-manager nosuch run cg_bad
	[ "$status" -ne 0 ]
	[[ "$output" == *"--cgroup-manager"*"cgroupfs, systemd or disabled"* ]]
}

@test "cgroups: unified values are written on v2 and refused on v1" {
	with_cgroup cg_unified '{"unified": {"pids.max": "7"}}'
	set_args /init sleep inf
	husk_detached run --detach cg_unified
	if [ "$CG_MODE" = v1 ]; then
		[ "$status" -ne 0 ]
		[[ "$output" == *"linux.resources.unified: needs a cgroup v2 host"* ]]
		[ -z "$(cg_dirs cg_unified)" ]
		return
	fi
	[ "$status" -eq 0 ]
	[ "$(cat "$(cg_file pids pids.max cg_unified)")" = 7 ]
}

@test "cgroups: a cgroupsPath with .. is refused and makes nothing" {
	update_config ".linux.cgroupsPath = \"$CG_PARENT/../escape\""
	husk run cg_dotdot
	[ "$status" -ne 0 ]
	[[ "$output" == *"cgroupsPath"*".."* ]]
	[ -z "$(ls -d /sys/fs/cgroup/*/escape /sys/fs/cgroup/escape 2>/dev/null)" ]
}

@test "cgroups: a cgroup in use by another container is refused, and left alone" {
	with_cgroup cg_shared '{}'
	set_args /init sleep inf
	husk_detached run --detach cg_first
	[ "$status" -eq 0 ]
	husk_detached run --detach cg_second
	[ "$status" -ne 0 ]
	[[ "$output" == *"cgroup \`$CG_PARENT/cg_shared\` is not empty"* ]]
	[ "$(__husk state cg_first | jq -r .status)" = running ]
	[ -n "$(cg_dirs cg_shared)" ]
	husk delete --force cg_first
	[ -z "$(cg_dirs cg_shared)" ]
}

@test "cgroups: update changes the limits of a running container, from flags or JSON" {
	with_cgroup cg_update '{"memory": {"limit": 67108864}, "pids": {"limit": 50}}'
	set_args /init sleep inf
	husk_detached run --detach cg_update
	[ "$status" -eq 0 ]
	husk update --memory 128m --pids-limit 60 cg_update
	[ "$status" -eq 0 ]
	if [ "$CG_MODE" = v2 ]; then
		[ "$(cat "$(cg_file memory memory.max cg_update)")" = 134217728 ]
	else
		[ "$(cat "$(cg_file memory memory.limit_in_bytes cg_update)")" = 134217728 ]
	fi
	[ "$(cat "$(cg_file pids pids.max cg_update)")" = 60 ]
	# The curve's three fixed points: the default 1024 shares is weight 100,
	# the v2 default, and the ends of the range map to the ends.
	if [ "$CG_MODE" = v2 ]; then
		for sw in 1024:100 2:1 262144:10000 100:17; do
			husk update --cpu-shares "${sw%:*}" cg_update
			[ "$status" -eq 0 ]
			[ "$(cat "$(cg_file cpu cpu.weight cg_update)")" = "${sw#*:}" ]
		done
	fi
	# containerd sends a linux.resources object on stdin.
	run bash -c "echo '{\"pids\": {\"limit\": 33}}' | '$HUSK' --root '$HUSK_ROOT' update -r - cg_update"
	[ "$status" -eq 0 ]
	[ "$(cat "$(cg_file pids pids.max cg_update)")" = 33 ]
	run bash -c "echo '{\"pids\": {\"limit\": \"x\"}}' | '$HUSK' --root '$HUSK_ROOT' update -r - cg_update"
	[ "$status" -ne 0 ]
	[[ "$output" == *"update: pids.limit: expected an integer"* ]]
	[ "$(cat "$(cg_file pids pids.max cg_update)")" = 33 ]
	husk update --memory lots cg_update
	[ "$status" -ne 0 ]
	[[ "$output" == *"--memory: invalid size \`lots\`"* ]]
	husk kill cg_update KILL
	wait_status cg_update stopped
	husk update --pids-limit 5 cg_update
	[ "$status" -ne 0 ]
	[[ "$output" == *"container not running"* ]]
}

@test "cgroups: a deny-all device list denies what it does not allow and keeps /dev/null" {
	update_config '.process.capabilities |= with_entries(.value += ["CAP_MKNOD"])'
	# set_args takes one argument a line: the script stays on one.
	set_args /bin/sh -c 'mknod /dev/k11 c 1 11 && echo made; echo x >/dev/k11 || echo write-denied; mknod /dev/k12 c 1 12 || echo mknod-denied; echo x >/dev/null && echo null-written'
	with_cgroup cg_dev_default '{"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "m"}]}'
	husk run cg_dev_default
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = made ]
	[[ "${lines[1]}" == *"/dev/k11: Operation not permitted" ]]
	[ "${lines[2]}" = write-denied ]
	[[ "${lines[3]}" == *"/dev/k12"*"Operation not permitted" ]]
	[ "${lines[4]}" = mknod-denied ]
	[ "${lines[5]}" = null-written ]
	[ "${#lines[@]}" -eq 6 ]
}

@test "cgroups: blockIO throttle rules land per device" {
	local dev majmin
	dev=$(awk '$2 == "/" { print $1; exit }' /proc/self/mounts)
	[ -b "$dev" ] || skip "the root is not on a block device here"
	# Throttling takes whole disks: the parent of a partition.
	majmin=$(stat -L -c '%t:%T' "$dev")
	majmin=$((16#${majmin%%:*})):$((16#${majmin##*:}))
	if [ -e "/sys/dev/block/$majmin/partition" ]; then
		majmin=$(cat "/sys/dev/block/$majmin/../dev")
	fi
	with_cgroup cg_io '{"blockIO": {"throttleReadBpsDevice": [{"major": '"${majmin%%:*}"', "minor": '"${majmin##*:}"', "rate": 1048576}],
		"throttleWriteIOPSDevice": [{"major": '"${majmin%%:*}"', "minor": '"${majmin##*:}"', "rate": 100}]}}'
	set_args /init sleep inf
	husk_detached run --detach cg_io
	[ "$status" -eq 0 ]
	if [ "$CG_MODE" = v2 ]; then
		grep -q "^$majmin rbps=1048576 wbps=max riops=max wiops=100" "$(cg_file io io.max cg_io)"
	else
		[ "$(cat "$(cg_file blkio blkio.throttle.read_bps_device cg_io)")" = "$majmin 1048576" ]
		[ "$(cat "$(cg_file blkio blkio.throttle.write_iops_device cg_io)")" = "$majmin 100" ]
	fi
}

@test "cgroups: a throttle rule for a device that does not exist is refused, leaving nothing" {
	with_cgroup cg_io_bad '{"blockIO": {"throttleReadBpsDevice": [{"major": 4095, "minor": 4095, "rate": 1}]}}'
	set_args /init sleep inf
	husk_detached run --detach cg_io_bad
	[ "$status" -ne 0 ]
	[[ "$output" == *"4095:4095"* ]]
	[ -z "$(cg_dirs cg_io_bad)" ]
	[ ! -d "$HUSK_ROOT" ] || [ -z "$(ls -A "$HUSK_ROOT")" ]
}

@test "cgroups: hugetlb limits and the io weight land in their files" {
	local hp
	with_cgroup cg_hw '{"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]}'
	set_args /init sleep inf
	husk_detached run --detach cg_hw
	if [ "$CG_MODE" = v1 ] && [ ! -d /sys/fs/cgroup/hugetlb ] &&
		! grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.subtree_control 2>/dev/null; then
		# This hybrid host: hugetlb only in a unified root that does not
		# delegate it, which husk will not change.
		[ "$status" -ne 0 ]
		[[ "$output" == *"hugepageLimits: hugetlb is only in this host's unified hierarchy"* ]]
		[ -z "$(cg_dirs cg_hw)" ]
		return
	fi
	[ "$status" -eq 0 ]
	if [ -d /sys/fs/cgroup/hugetlb ]; then
		hp=$(cg_file hugetlb hugetlb.2MB.limit_in_bytes cg_hw)
	else
		hp=$(cg_file hugetlb hugetlb.2MB.max cg_hw)
	fi
	[ "$(cat "$hp")" = 4194304 ]
	husk delete --force cg_hw
	[ "$CG_MODE" = v2 ] || skip "blkio.weight needs a proportional I/O scheduler this host lacks"
	with_cgroup cg_iow '{"blockIO": {"weight": 500}}'
	husk_detached run --detach cg_iow
	[ "$status" -eq 0 ]
	# runc's conversion: 1 + (500 - 10) * 9999 / 990
	grep -qx "default 4950" "$(cg_file io io.weight cg_iow)"
}

@test "cgroups: update with checkBeforeUpdate refuses a memory limit below the usage" {
	with_cgroup cg_cbu '{"memory": {"limit": 67108864}}'
	set_args /init sleep inf
	husk_detached run --detach cg_cbu
	[ "$status" -eq 0 ]
	run bash -c "echo '{\"memory\": {\"limit\": 4096, \"checkBeforeUpdate\": true}}' | '$HUSK' --root '$HUSK_ROOT' update -r - cg_cbu"
	[ "$status" -ne 0 ]
	[[ "$output" == *"checkBeforeUpdate: the new limit 4096 is below the current usage"* ]]
	run bash -c "echo '{\"memory\": {\"limit\": 33554432, \"checkBeforeUpdate\": true}}' | '$HUSK' --root '$HUSK_ROOT' update -r - cg_cbu"
	[ "$status" -eq 0 ]
}

@test "cgroups: rdma limits need an rdma controller, and say so" {
	[ "$CG_MODE" = v1 ] || [ ! -e "/sys/fs/cgroup/cgroup.controllers" ] ||
		! grep -qw rdma /sys/fs/cgroup/cgroup.controllers || skip "this kernel has an rdma controller"
	with_cgroup cg_rdma '{"rdma": {"mlx5_0": {"hcaHandles": 3}}}'
	set_args /init sleep inf
	husk_detached run --detach cg_rdma
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.resources.rdma"* ]]
	[ -z "$(cg_dirs cg_rdma)" ]
}

@test "cgroups: a fork bomb held by pids.max is ended by kill --all" {
	with_cgroup cg_bomb '{"pids": {"limit": 16}}'
	# A bomb that never stops: each round forks up to the limit (busybox
	# sh itself would give up at the first failed fork).
	set_args /bin/sh -c 'while :; do /init forkbomb 1000 >/dev/null; done'
	husk_detached run --detach cg_bomb
	[ "$status" -eq 0 ]
	# Held at the limit: pids.max's failures counter climbs.
	events=$(cg_file pids pids.events cg_bomb)
	for _ in $(seq 100); do
		[ "$(awk '$1 == "max" { print $2 }' "$events")" -gt 0 ] && break
		sleep 0.05
	done
	[ "$(awk '$1 == "max" { print $2 }' "$events")" -gt 0 ]
	husk kill --all cg_bomb KILL
	[ "$status" -eq 0 ]
	wait_status cg_bomb stopped
	for _ in $(seq 100); do
		[ "$(cat "$(cg_file pids pids.current cg_bomb)")" -eq 0 ] && break
		sleep 0.05
	done
	[ "$(cat "$(cg_file pids pids.current cg_bomb)")" -eq 0 ]
	husk delete cg_bomb
	[ "$status" -eq 0 ]
	[ -z "$(cg_dirs cg_bomb)" ]
}

@test "cgroups: exec --cgroup runs the process in a sub-cgroup, and delete removes it" {
	with_cgroup cg_sub '{"pids": {"limit": 100}}'
	set_args /init sleep inf
	husk_detached run --detach cg_sub
	[ "$status" -eq 0 ]
	for d in $(cg_dirs cg_sub); do
		mkdir "$d/sub" "$d/sub2"
		# A new v1 cpuset starts empty: whoever makes one fills it.
		if [ "$CG_MODE" = v1 ] && [ -f "$d/cpuset.cpus" ]; then
			for s in sub sub2; do
				cat "$d/cpuset.cpus" >"$d/$s/cpuset.cpus"
				cat "$d/cpuset.mems" >"$d/$s/cpuset.mems"
			done
		fi
	done
	husk_detached exec -d --pid-file "$HUSK_TMP/sub.pid" --cgroup sub cg_sub /init sleep inf
	[ "$status" -eq 0 ]
	pid=$(cat "$HUSK_TMP/sub.pid")
	if [ "$CG_MODE" = v2 ]; then
		grep -qx "0::$CG_PARENT/cg_sub/sub" "/proc/$pid/cgroup"
		husk exec --cgroup memory:sub2 cg_sub /init nop
		[ "$status" -ne 0 ]
		[[ "$output" == *"--cgroup \`memory:sub2\`: controllers are named only on cgroup v1"* ]]
	else
		grep -q ":pids:$CG_PARENT/cg_sub/sub\$" "/proc/$pid/cgroup"
		grep -q ":memory:$CG_PARENT/cg_sub/sub\$" "/proc/$pid/cgroup"
		# Per controller: memory in sub2, the rest in sub.
		husk_detached exec -d --pid-file "$HUSK_TMP/sub2.pid" --cgroup sub --cgroup memory:sub2 cg_sub /init sleep inf
		[ "$status" -eq 0 ]
		pid2=$(cat "$HUSK_TMP/sub2.pid")
		grep -q ":memory:$CG_PARENT/cg_sub/sub2\$" "/proc/$pid2/cgroup"
		grep -q ":pids:$CG_PARENT/cg_sub/sub\$" "/proc/$pid2/cgroup"
		husk exec --cgroup nosuchctl:sub cg_sub /init nop
		[ "$status" -ne 0 ]
		[[ "$output" == *"no v1 hierarchy has controller \`nosuchctl\`"* ]]
	fi
	# ps and kill --all see the processes in sub-cgroups too.
	[ "$(__husk ps --format json cg_sub | jq "index($pid) != null")" = true ]
	husk exec --cgroup nosuch cg_sub /init nop
	[ "$status" -ne 0 ]
	[[ "$output" == *"--cgroup: no sub-cgroup"*"cg_sub/nosuch"* ]]
	husk exec --cgroup ../cg_other cg_sub /init nop
	[ "$status" -ne 0 ]
	[[ "$output" == *"\`.\` and \`..\` are not allowed"* ]]
	husk delete --force cg_sub
	[ "$status" -eq 0 ]
	[ -z "$(cg_dirs cg_sub)" ]
	[ ! -d "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ]
}

@test "cgroups: wait and state report an OOM kill that the monitor saw" {
	with_cgroup cg_oomwait '{"memory": {"limit": 33554432, "swap": 33554432}}'
	set_args /init memhog 256
	husk run --detach cg_oomwait
	[ "$status" -eq 0 ]
	husk wait cg_oomwait
	[ "$status" -eq 137 ]
	jq -e '.exitSignal == 9 and .oomKilled == true' <<<"$(__husk state cg_oomwait)"
	grep -q '"type":"oom"' "$HUSK_ROOT/cg_oomwait/events.jsonl"
	jq -e 'select(.type == "exited") | .data.oomKilled == true' "$HUSK_ROOT/cg_oomwait/events.jsonl"
	husk delete cg_oomwait
	[ "$status" -eq 0 ]
	[ -z "$(cg_dirs cg_oomwait)" ]
}
