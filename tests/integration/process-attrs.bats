#!/usr/bin/env bats
# Process attributes: process.scheduler, process.ioPriority,
# linux.personality, linux.memoryPolicy and process.execCPUAffinity,
# observed from inside the
# container through tests/init (and from the host where only it can look).

load helpers

setup() {
	requires root
	setup_bundle
}

teardown() {
	teardown_bundle
}

assert_nothing_left() {
	[ ! -d "$HUSK_ROOT" ] || [ -z "$(ls -A "$HUSK_ROOT")" ]
	! grep -q "$BUNDLE" /proc/self/mountinfo || false
}

# stat_field N...: fields of the container process's /proc/self/stat
# (its comm, "init", has no spaces).
stat_fields() {
	update_config '.process.args = ["/init", "cat", "/proc/self/stat"]'
	husk run "$1"
	[ "$status" -eq 0 ]
	shift
	local f out=""
	for f in "$@"; do
		out="$out $(awk -v f="$f" '{ print $f }' <<<"$output")"
	done
	echo "${out# }"
}

@test "scheduler: SCHED_BATCH with a nice value" {
	update_config '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 7}'
	# field 19 is nice, 41 the policy (SCHED_BATCH is 3)
	[ "$(stat_fields attrs_batch 19 41)" = "7 3" ]
}

@test "scheduler: SCHED_IDLE" {
	update_config '.process.scheduler = {"policy": "SCHED_IDLE"}'
	[ "$(stat_fields attrs_idle 41)" = 5 ]
}

@test "scheduler: a negative nice is set while husk is still privileged" {
	update_config '.process.scheduler = {"policy": "SCHED_OTHER", "nice": -5}'
	[ "$(stat_fields attrs_nice 19 41)" = "-5 0" ]
}

@test "scheduler: SCHED_FIFO with a priority" {
	chrt -f 10 true 2>/dev/null || skip "this host refuses real-time policies (chrt -f 10)"
	update_config '.process.scheduler = {"policy": "SCHED_FIFO", "priority": 10}
		| .process.args = ["/init", "cat", "/proc/self/stat"]'
	# A new v1 cpu cgroup has no real-time budget when the kernel does RT
	# group scheduling (runc meets the same): stay in the caller's cgroups.
	run "$HUSK" --root "$HUSK_ROOT" --cgroup-manager disabled run attrs_fifo
	[ "$status" -eq 0 ]
	# field 40 is rt_priority, 41 the policy (SCHED_FIFO is 1)
	[ "$(awk '{ print $40, $41 }' <<<"$output")" = "10 1" ]
}

@test "scheduler: what the kernel refuses fails create, leaving nothing" {
	update_config '.process.scheduler = {"policy": "SCHED_FIFO", "priority": 0}'
	husk_detached create attrs_badsched
	[ "$status" -ne 0 ]
	[[ "$output" == *"process.scheduler: sched_setattr"*"EINVAL"* ]] ||
		[[ "$output" == *"process.scheduler: sched_setattr"*"nvalid argument"* ]]
	assert_nothing_left
}

@test "ioPriority: class and priority" {
	update_config '.process.args = ["/init", "sleep", "inf"] |
		.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 6}'
	husk_detached run --detach attrs_ioprio
	[ "$status" -eq 0 ]
	pid=$(jq -r .pid <<<"$(__husk state attrs_ioprio)")
	[ "$(ionice -p "$pid")" = "best-effort: prio 6" ]
	husk delete --force attrs_ioprio
	[ "$status" -eq 0 ]
}

@test "ioPriority: the idle class" {
	update_config '.process.args = ["/init", "sleep", "inf"] |
		.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE"}'
	husk_detached run --detach attrs_ioidle
	[ "$status" -eq 0 ]
	pid=$(jq -r .pid <<<"$(__husk state attrs_ioidle)")
	[ "$(ionice -p "$pid")" = idle ]
	husk delete --force attrs_ioidle
	[ "$status" -eq 0 ]
}

@test "personality: LINUX32" {
	update_config '.process.args = ["/init", "cat", "/proc/self/personality"] |
		.linux.personality = {"domain": "LINUX32"}'
	husk run attrs_per32
	[ "$status" -eq 0 ]
	[ "$output" = 00000008 ]
}

@test "personality: LINUX" {
	update_config '.process.args = ["/init", "cat", "/proc/self/personality"] |
		.linux.personality = {"domain": "LINUX"}'
	husk run attrs_per
	[ "$status" -eq 0 ]
	[ "$output" = 00000000 ]
}

# numa_policies ID: the policies /proc/self/numa_maps of the container's
# process shows for its mappings, one each, sorted.
numa_policies() {
	update_config '.process.args = ["/init", "cat", "/proc/self/numa_maps"]'
	husk run "$1"
	[ "$status" -eq 0 ]
	awk '{ print $2 }' <<<"$output" | sort -u
}

@test "memoryPolicy: MPOL_INTERLEAVE over node 0 is the container process's policy" {
	[ -e /proc/self/numa_maps ] || skip "the kernel has no NUMA support"
	update_config '.linux.memoryPolicy = {"mode": "MPOL_INTERLEAVE", "nodes": "0"}'
	[ "$(numa_policies attrs_mpol)" = interleave:0 ]
}

@test "memoryPolicy: MPOL_BIND with MPOL_F_STATIC_NODES, and MPOL_DEFAULT" {
	[ -e /proc/self/numa_maps ] || skip "the kernel has no NUMA support"
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES"]}'
	[ "$(numa_policies attrs_mpol_bind)" = "bind=static:0" ]
	update_config '.linux.memoryPolicy = {"mode": "MPOL_DEFAULT"}'
	[ "$(numa_policies attrs_mpol_default)" = default ]
}

@test "memoryPolicy: what the kernel refuses fails create, naming the field, leaving nothing" {
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "1000"}'
	husk_detached create attrs_mpol_bad
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.memoryPolicy: set_mempolicy(MPOL_BIND, nodes \`1000\`): "* ]]
	assert_nothing_left
	update_config '.linux.memoryPolicy = {"mode": "MPOL_DEFAULT", "nodes": "0"}'
	husk_detached create attrs_mpol_bad2
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.memoryPolicy: set_mempolicy(MPOL_DEFAULT, nodes \`0\`): invalid argument"* ]]
	assert_nothing_left
}

cpus_of_container() {
	update_config '.process.args = ["/init", "cat", "/proc/self/status"]'
	husk run "$1"
	[ "$status" -eq 0 ]
	awk '$1 == "Cpus_allowed_list:" { print $2 }' <<<"$output"
}

@test "execCPUAffinity: final is what the process runs on" {
	[ "$(nproc)" -ge 2 ] || skip "needs 2 cpus"
	update_config '.process.execCPUAffinity = {"final": "1"}'
	[ "$(cpus_of_container attrs_final)" = 1 ]
}

@test "execCPUAffinity: initial holds the init during setup, final replaces it at exec" {
	[ "$(nproc)" -ge 2 ] || skip "needs 2 cpus"
	update_config '.process.args = ["/init", "sleep", "inf"] |
		.process.execCPUAffinity = {"initial": "1", "final": "0"}'
	husk_detached create --pid-file "$HUSK_TMP/pid" attrs_initial
	[ "$status" -eq 0 ]
	pid=$(cat "$HUSK_TMP/pid")
	[ "$(awk '$1 == "Cpus_allowed_list:" { print $2 }' "/proc/$pid/status")" = 1 ]
	husk start attrs_initial
	[ "$status" -eq 0 ]
	for _ in $(seq 100); do
		[ "$(awk '$1 == "Cpus_allowed_list:" { print $2 }' "/proc/$pid/status")" = 0 ] && break
		sleep 0.1
	done
	[ "$(awk '$1 == "Cpus_allowed_list:" { print $2 }' "/proc/$pid/status")" = 0 ]
	husk delete --force attrs_initial
	[ "$status" -eq 0 ]
}

@test "execCPUAffinity: initial alone stays (no cgroup to move into)" {
	[ "$(nproc)" -ge 2 ] || skip "needs 2 cpus"
	update_config '.process.execCPUAffinity = {"initial": "0"}'
	[ "$(cpus_of_container attrs_initonly)" = 0 ]
}

@test "execCPUAffinity: a cpu this machine lacks fails create, leaving nothing" {
	update_config '.process.execCPUAffinity = {"initial": "1000"}'
	husk_detached create attrs_nocpu
	[ "$status" -ne 0 ]
	[[ "$output" == *"process.execCPUAffinity.initial: set affinity to \`1000\`"* ]]
	assert_nothing_left
}
