#!/usr/bin/env bats
# lane: systemd
# systemd-cgroup: the systemd cgroup driver (--systemd-cgroup, --cgroup-manager
# systemd), against systemd as PID 1: the systemd VM lane
# (tests/vm/run-systemd-lane.sh, make systemd-check).  Skipped elsewhere, where
# verbs.bats checks runc's words for a host without systemd.  Each test's
# units are named after its own prefix (husk-t$$N) and stopped by teardown if
# a failure left them.

load helpers

setup() {
	requires root systemd busybox
	setup_bundle
	PFX=husk-t$$n$BATS_TEST_NUMBER
	set_args /init sleep inf
}

teardown() {
	local u
	teardown_bundle
	for u in $(systemctl list-units --all --plain --no-legend "$PFX*" 2>/dev/null | awk '{ print $1 }'); do
		systemctl stop "$u" 2>/dev/null || :
		systemctl reset-failed "$u" 2>/dev/null || :
	done
}

set_args() {
	local json
	json=$(printf '%s\n' "$@" | jq -R . | jq -s .)
	update_config ".process.args = $json"
}

# sd_run ID CGROUPS_PATH [RESOURCES]: run --detach ID with the systemd driver.
sd_run() {
	update_config ".linux.cgroupsPath = \"$2\" | .linux.resources = ${3:-null}"
	husk_detached --systemd-cgroup run --detach "$1"
}

prop() { # UNIT PROPERTY
	systemctl show -P "$2" "$1"
}

# has_props UNIT PROP=VALUE...: each as systemctl shows it, asked at once
# (a systemctl run is a good part of a second under TCG).
has_props() {
	local unit=$1 p got bad=0
	shift
	got=$(systemctl show $(for p in "$@"; do printf -- '-p %s ' "${p%%=*}"; done) "$unit")
	for p in "$@"; do
		grep -qxF -- "$p" <<<"$got" || {
			echo "$unit: want $p; systemctl shows: $(grep "^${p%%=*}=" <<<"$got")" >&2
			bad=1
		}
	done
	return $bad
}

init_pid() {
	__husk state "$1" | jq -r .pid
}

# gone UNIT CGROUP: the unit is unknown to systemd and its cgroup removed.
# A slice of any name loads as an implicit one whenever asked about: for a
# slice, gone is inactive and no longer transient.
gone() {
	local i
	for i in $(seq 50); do
		if [ ! -e "/sys/fs/cgroup$2" ]; then
			if [[ "$1" == *.slice ]]; then
				has_props "$1" ActiveState=inactive Transient=no 2>/dev/null && return 0
			else
				[ "$(prop "$1" LoadState)" = not-found ] && return 0
			fi
		fi
		sleep 0.1
	done
	echo "$1: LoadState=$(prop "$1" LoadState), $2 $([ -e "/sys/fs/cgroup$2" ] && echo is there)" >&2
	return 1
}

@test "systemd: the scope PREFIX-NAME.scope in SLICE, Delegate=yes, the init born in its sub-cgroup" {
	local unit=$PFX-c1.scope pid
	sd_run c1 "system.slice:$PFX:c1"
	[ "$status" -eq 0 ]
	has_props "$unit" ActiveState=active Delegate=yes DefaultDependencies=no \
		"Description=husk container c1" "ControlGroup=/system.slice/$unit"
	pid=$(init_pid c1)
	[ "$(cat "/proc/$pid/cgroup")" = "0::/system.slice/$unit/container" ]
	# Only the init: the placeholder the scope was made around is gone,
	# and the scope itself holds no process.
	[ "$(cat "/sys/fs/cgroup/system.slice/$unit/container/cgroup.procs")" = "$pid" ]
	[ -z "$(cat "/sys/fs/cgroup/system.slice/$unit/cgroup.procs")" ]
	[ "$(jq -r .cgroupManager "$HUSK_ROOT/c1/state.json")" = systemd ]
	husk exec c1 /bin/cat /proc/self/cgroup
	[ "$status" -eq 0 ]
	[ "$output" = "0::/system.slice/$unit/container" ]
	husk delete --force c1
	[ "$status" -eq 0 ]
	gone "$unit" "/system.slice/$unit"
}

@test "systemd: every cgroupsPath form runc takes, each scope gone after delete" {
	local form path want got pid i=0 k=kubepods-besteffort-pod$$n$BATS_TEST_NUMBER
	for form in \
		"$k.slice:$PFX:a|/kubepods.slice/kubepods-besteffort.slice/$k.slice/$PFX-a.scope" \
		"machine.slice:$PFX:b|/machine.slice/$PFX-b.scope" \
		":$PFX:c|/system.slice/$PFX-c.scope" \
		"system.slice:$PFX:system-h$$n$BATS_TEST_NUMBER.slice|/system.slice/system-h$$n$BATS_TEST_NUMBER.slice" \
		"system.slice:$PFX:system-h$$n$BATS_TEST_NUMBER-k.slice|/system.slice/system-h$$n$BATS_TEST_NUMBER.slice/system-h$$n$BATS_TEST_NUMBER-k.slice"; do
		path=${form%%|*} want=${form##*|} i=$((i + 1))
		sd_run f$i "$path"
		[ "$status" -eq 0 ]
		pid=$(init_pid f$i)
		got=$(sed 's/^0:://' "/proc/$pid/cgroup")
		echo "$path: $got" >&2
		case $want in
		*.scope) [ "$got" = "$want/container" ] ;;
		*) [ "$got" = "$want" ] ;;
		esac
		[ "$(prop "${want##*/}" ActiveState)" = active ]
		husk delete --force f$i
		[ "$status" -eq 0 ]
		gone "${want##*/}" "$want"
	done
	# No cgroupsPath: husk-ID.scope in system.slice.
	update_config 'del(.linux.cgroupsPath)'
	husk_detached --systemd-cgroup run --detach "$PFX"
	[ "$status" -eq 0 ]
	[ "$(sed 's/^0:://' "/proc/$(init_pid "$PFX")/cgroup")" = "/system.slice/husk-$PFX.scope/container" ]
	husk delete --force "$PFX"
	gone "husk-$PFX.scope" "/system.slice/husk-$PFX.scope"
}

@test "systemd: a cgroupsPath not of runc's shape is refused in runc's words, leaving nothing" {
	sd_run bad "/$PFX/bad"
	[ "$status" -ne 0 ]
	[[ "$output" == *"expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, got \"/$PFX/bad\" instead"* ]]
	sd_run bad "system.slice:$PFX:other-$PFX.slice"
	[ "$status" -ne 0 ]
	[[ "$output" == *"is not under \`system.slice\`"* ]]
	[ ! -d "$HUSK_ROOT/bad" ]
	[ -z "$(systemctl list-units --all --plain --no-legend "$PFX*")" ]
}

# The files of a cgroup directory that hold limits, as "FILE VALUE" lines.
limits_of() {
	local f
	for f in memory.max memory.low memory.high memory.swap.max memory.oom.group pids.max \
		cpu.max cpu.weight cpuset.cpus hugetlb.2MB.max; do
		[ -e "$1/$f" ] && echo "$f $(cat "$1/$f")"
	done
}

@test "systemd: limits as unit properties and in the cgroup; a daemon-reload changes neither" {
	local unit=$PFX-r.scope dir hp=""
	[ -c /dev/kmsg ] || skip "no /dev/kmsg"
	[ -e /sys/fs/cgroup/cgroup.controllers ] && grep -qw hugetlb /sys/fs/cgroup/cgroup.controllers &&
		hp=', "hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]'
	update_config '.mounts += [{"destination": "/dev/kmsg2", "type": "bind", "source": "/dev/kmsg", "options": ["bind"]}]'
	sd_run r "system.slice:$PFX:r" '{"memory": {"limit": 67108864, "swap": 67108864, "reservation": 33554432},
		"pids": {"limit": 32}, "cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0"},
		"unified": {"memory.oom.group": "1", "memory.high": "50331648"},
		"devices": [{"allow": false, "access": "rwm"}, {"allow": false, "type": "c", "major": 1, "minor": 11, "access": "rwm"}]'"$hp"'}'
	[ "$status" -eq 0 ]
	dir=/sys/fs/cgroup/system.slice/$unit
	# The unit's properties (runc's set, and swap 0, which runc leaves out).
	has_props "$unit" MemoryMax=67108864 MemoryLow=33554432 MemoryHigh=50331648 \
		MemorySwapMax=0 TasksMax=32 CPUWeight=59 CPUQuotaPerSecUSec=500ms \
		CPUQuotaPeriodUSec=100ms AllowedCPUs=0
	# The same in the container's cgroup, with what systemd has no
	# property for.
	[ "$(cat "$dir/container/memory.max")" = 67108864 ]
	[ "$(cat "$dir/container/memory.swap.max")" = 0 ]
	[ "$(cat "$dir/container/memory.oom.group")" = 1 ]
	[ "$(cat "$dir/container/pids.max")" = 32 ]
	[ "$(cat "$dir/container/cpu.max")" = "50000 100000" ]
	[ "$(cat "$dir/container/cpu.weight")" = 59 ]
	[ -z "$hp" ] || [ "$(cat "$dir/container/hugetlb.2MB.max")" = 4194304 ]
	# And on the scope, as systemd wrote them.
	[ "$(cat "$dir/memory.max")" = 67108864 ]
	[ "$(cat "$dir/memory.swap.max")" = 0 ]
	limits_of "$dir" >"$HUSK_TMP/scope.before"
	limits_of "$dir/container" >"$HUSK_TMP/container.before"
	husk exec r /bin/sh -c 'echo x >/dev/kmsg2'
	[ "$status" -ne 0 ]
	[[ "$output" == *"not permitted"* ]]

	systemctl daemon-reload

	limits_of "$dir" | diff "$HUSK_TMP/scope.before" -
	limits_of "$dir/container" | diff "$HUSK_TMP/container.before" -
	[ "$(cat "$dir/container/memory.swap.max")" = 0 ]
	[ "$(cat "$dir/container/memory.oom.group")" = 1 ]
	husk exec r /bin/sh -c 'echo x >/dev/kmsg2'
	[ "$status" -ne 0 ]
	[[ "$output" == *"not permitted"* ]]
	husk delete --force r
	gone "$unit" "/system.slice/$unit"
}

@test "systemd: update sets the unit's properties (SetUnitProperties) and the cgroup's files" {
	local unit=$PFX-u.scope dir
	sd_run u "system.slice:$PFX:u" '{"memory": {"limit": 67108864}, "pids": {"limit": 32}}'
	[ "$status" -eq 0 ]
	dir=/sys/fs/cgroup/system.slice/$unit/container
	husk update --memory 134217728 --pids-limit 64 --cpu-shares 1024 u
	[ "$status" -eq 0 ]
	has_props "$unit" MemoryMax=134217728 TasksMax=64 CPUWeight=100
	[ "$(cat "$dir/memory.max")" = 134217728 ]
	[ "$(cat "$dir/pids.max")" = 64 ]
	[ "$(cat "$dir/cpu.weight")" = 100 ]
	echo '{"memory": {"limit": 100663296, "swap": 100663296}}' >"$HUSK_TMP/r.json"
	husk update --resources "$HUSK_TMP/r.json" u
	[ "$status" -eq 0 ]
	has_props "$unit" MemoryMax=100663296 MemorySwapMax=0
	[ "$(cat "$dir/memory.max")" = 100663296 ]
	[ "$(cat "$dir/memory.swap.max")" = 0 ]
	systemctl daemon-reload
	[ "$(cat "$dir/memory.max")" = 100663296 ]
	[ "$(cat "$dir/../memory.max")" = 100663296 ]
}

@test "systemd: a pids limit of 1 holds, though a placeholder stood in the scope until the init came" {
	local unit=$PFX-p.scope
	sd_run p "system.slice:$PFX:p" '{"pids": {"limit": 1}}'
	[ "$status" -eq 0 ]
	has_props "$unit" TasksMax=1
	[ "$(cat "/sys/fs/cgroup/system.slice/$unit/container/pids.max")" = 1 ]
	# A second process is one too many.
	husk exec p /bin/true
	[ "$status" -ne 0 ]
}

@test "systemd: a unit that exists is another container's: refused, and that one left as it was" {
	local unit=$PFX-x.scope pid
	sd_run x1 "system.slice:$PFX:x"
	[ "$status" -eq 0 ]
	pid=$(init_pid x1)
	sd_run x2 "system.slice:$PFX:x"
	[ "$status" -ne 0 ]
	[[ "$output" == *"unit \`$unit\` exists"* ]]
	[ ! -d "$HUSK_ROOT/x2" ]
	[ "$(prop "$unit" ActiveState)" = active ]
	[ "$(cat "/sys/fs/cgroup/system.slice/$unit/container/cgroup.procs")" = "$pid" ]
	[ "$(__husk state x1 | jq -r .status)" = running ]
	husk delete --force x1
	[ "$status" -eq 0 ]
	gone "$unit" "/system.slice/$unit"
}

@test "systemd: later verbs use the driver create recorded, whatever flags they get" {
	local unit=$PFX-v.scope pid
	update_config ".linux.cgroupsPath = \"system.slice:$PFX:v\""
	husk_detached --systemd-cgroup create v
	[ "$status" -eq 0 ]
	[ "$(prop "$unit" ActiveState)" = active ]
	husk start v
	[ "$status" -eq 0 ]
	pid=$(init_pid v)
	husk ps --format json v
	[ "$status" -eq 0 ]
	[ "$(jq -c . <<<"$output")" = "[$pid]" ]
	husk pause v
	[ "$status" -eq 0 ]
	[ "$(__husk state v | jq -r .status)" = paused ]
	grep -qx 'frozen 1' "/sys/fs/cgroup/system.slice/$unit/container/cgroup.events"
	husk resume v
	[ "$status" -eq 0 ]
	husk events --stats v
	[ "$status" -eq 0 ]
	[ "$(jq -r .data.pids.current <<<"$output")" -eq 1 ]
	husk kill --all v KILL
	[ "$status" -eq 0 ]
	# containerd's last word: delete --force, no --systemd-cgroup (and
	# another manager named does not change the container's).
	husk --cgroup-manager cgroupfs delete --force v
	[ "$status" -eq 0 ]
	gone "$unit" "/system.slice/$unit"
}

@test "systemd: org.systemd.property annotations become unit properties, ...Sec as ...USec" {
	local unit=$PFX-a.scope
	update_config '.annotations = {"org.systemd.property.CollectMode": "'"'inactive-or-failed'"'",
		"org.systemd.property.TimeoutStopSec": "uint64 7", "org.systemd.property.SendSIGHUP": "true"}'
	sd_run a "system.slice:$PFX:a"
	[ "$status" -eq 0 ]
	has_props "$unit" CollectMode=inactive-or-failed TimeoutStopUSec=7s SendSIGHUP=yes
	husk delete --force a
	update_config '.annotations = {"org.systemd.property.Bad_Name": "true"}'
	sd_run a2 "system.slice:$PFX:a2"
	[ "$status" -ne 0 ]
	[[ "$output" == *"org.systemd.property.Bad_Name"*"letters only"* ]]
	[ -z "$(systemctl list-units --all --plain --no-legend "$PFX*")" ]
}

@test "systemd: a create that fails after the scope was made stops it, leaving nothing" {
	local unit=$PFX-f.scope
	# A createRuntime hook runs after the cgroup is made.
	update_config '.hooks = {"createRuntime": [{"path": "/bin/false"}]}'
	sd_run f "system.slice:$PFX:f"
	[ "$status" -ne 0 ]
	[ ! -d "$HUSK_ROOT/f" ]
	gone "$unit" "/system.slice/$unit"
	# And a limit the kernel refuses, written after the scope started.
	update_config 'del(.hooks)'
	sd_run f "system.slice:$PFX:f" '{"unified": {"memory.nosuch": "1"}}'
	[ "$status" -ne 0 ]
	[[ "$output" == *memory.nosuch* ]]
	gone "$unit" "/system.slice/$unit"
}

@test "systemd: rootless (a user's systemd) is refused by name" {
	update_config ".linux.cgroupsPath = \"system.slice:$PFX:rl\""
	husk_detached --rootless true --systemd-cgroup run --detach rl
	[ "$status" -ne 0 ]
	[[ "$output" == *"the systemd cgroup manager of a user (rootless) is not supported by husk"* ]]
	[ -z "$(systemctl list-units --all --plain --no-legend "$PFX*")" ]
}
