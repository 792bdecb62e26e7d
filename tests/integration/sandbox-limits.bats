#!/usr/bin/env bats
# lane: vm
# husk sandbox: how a job ended, in the exit status and the report, for the
# end-states issue 12 names.  Runs on the host (v1 or hybrid) and in the VM
# lane (v2).  Each test's cgroups are under /husk-sbtest-*, an absolute
# path: never inside the cgroup the test shell sits in.

load helpers
load sandbox
bats_require_minimum_version 1.5.0

setup() {
	setup_sandbox
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		CG_MODE=v2
	else
		CG_MODE=v1
		[ -d /sys/fs/cgroup/memory ] || skip "no v1 memory hierarchy"
	fi
}

teardown() {
	teardown_sandbox
}

# The host's tests/ build directory, where the static helper is.
T="--ro $HUSK_BUILD/tests:/t"

@test "sandbox limits: exit 3 is 3, exited" {
	sandbox -- sh -c 'exit 3'
	[ "$status" -eq 3 ]
	[ "$(report status)" = exited ]
	[ "$(report exit_code)" = 3 ]
}

@test "sandbox limits: SIGSEGV is 139, signaled" {
	sandbox $T -- /t/init kill-self SEGV
	[ "$status" -eq 139 ]
	[ "$(report status)" = signaled ]
	[ "$(report signal)" = 11 ]
}

@test "sandbox limits: --time 1s on sleep 10 kills the whole tree: 124, timeout" {
	local start=$SECONDS
	sandbox --time 1s -- sh -c 'sleep 4711 & sleep 10'
	[ "$status" -eq 124 ]
	[ $((SECONDS - start)) -lt 6 ]
	[ "$(report status)" = timeout ]
	[ "$(report signal)" = 9 ]
	jq -e '.wall_time >= 0.9 and .wall_time < 5' "$REPORT"
	[ -z "$(pgrep -f 'sleep 4711')" ]
}

@test "sandbox limits: --memory on a memory hog: 137, oom, counted" {
	sandbox --memory 32M $T -- /t/init memhog 256
	[ "$status" -eq 137 ]
	[ "$(report status)" = oom ]
	[ "$(report signal)" = 9 ]
	jq -e '.oom_kills >= 1 and .memory_peak <= 33554432 and .memory_peak > 16777216' "$REPORT"
	[[ "$(report limits.memory.mechanism)" == "cgroup $CG_MODE memory."* ]]
}

@test "sandbox limits: a job within --memory is not oom" {
	sandbox --memory 64M $T -- /t/init memhog 8
	[ "$status" -eq 0 ]
	[ "$(report status)" = exited ]
	[ "$(report oom_kills)" = 0 ]
}

@test "sandbox limits: --output-limit on yes: that many bytes, 124, output-limit" {
	"$HUSK" --root "$HUSK_ROOT" sandbox --cgroup-parent "$SANDBOX_CG" --report "$REPORT" \
		--output-limit 1000 -- yes >"$HUSK_TMP/out" || status=$?
	[ "$status" -eq 124 ]
	[ "$(wc -c <"$HUSK_TMP/out")" -eq 1000 ]
	[ "$(report status)" = output-limit ]
	[ "$(report output_bytes)" = 1000 ]
	[ "$(report output_truncated)" = true ]
}

@test "sandbox limits: a fork bomb under --pids stays under it" {
	sandbox --pids 20 $T -- /t/init forkbomb 1000
	[ "$status" -eq 0 ]
	[ "$output" -lt 20 ]
	[ "$(report status)" = exited ]
	jq -e '.pids_peak <= 20' "$REPORT"
	# Without pids.peak (v1, and v2 before Linux 6.12) husk samples
	# pids.current and may miss the peak.
	if [ -e "/sys/fs/cgroup$SANDBOX_CG/pids.peak" ]; then
		jq -e '.pids_peak >= 2' "$REPORT"
	fi
	[ "$(report limits.pids.mechanism)" = "cgroup $CG_MODE pids.max" ]
	# A shell's own, ended by --time: the host never sees more than 20.
	# The job's own shell forks once, before the bomb has taken a pid, and
	# then waits by exec: dash exits (2) when a fork of its own fails, and
	# any later fork of its own could fail under the limit and end the job
	# before --time.
	sandbox --pids 20 --time 2s -- sh -c '(b() { b | b & }; b) & exec sleep 10'
	[ "$status" -eq 124 ]
	[ "$(report status)" = timeout ]
	jq -e '.pids_peak <= 20' "$REPORT"
}

@test "sandbox limits: --memory, --pids and --cpus are in the job's cgroup; a SIGKILL from outside is not oom" {
	local dir f pid
	"$HUSK" --root "$HUSK_ROOT" sandbox --cgroup-parent "$SANDBOX_CG" --report "$REPORT" \
		--memory 48M --pids 33 --cpus 0.5 -- sleep 30 &
	pid=$!
	for _ in $(seq 50); do
		dir=$(ls -d /sys/fs/cgroup/pids"$SANDBOX_CG"/sandbox-* /sys/fs/cgroup"$SANDBOX_CG"/sandbox-* 2>/dev/null | head -1)
		# cgroupfs files have no size: read it.
		[ -n "$dir" ] && grep -q . "$dir/cgroup.procs" 2>/dev/null && break
		sleep 0.1
	done
	[ -n "$dir" ]
	[ "$(cat "$dir/pids.max")" = 33 ]
	if [ "$CG_MODE" = v2 ]; then
		[ "$(cat "$dir/memory.max")" = $((48 << 20)) ]
		[ "$(cat "$dir/cpu.max")" = "50000 100000" ]
	else
		f=/sys/fs/cgroup/memory$SANDBOX_CG/$(basename "$dir")
		[ "$(cat "$f/memory.limit_in_bytes")" = $((48 << 20)) ]
		f=/sys/fs/cgroup/cpu$SANDBOX_CG/$(basename "$dir")
		[ "$(cat "$f/cpu.cfs_quota_us")" = 50000 ]
		# Only the hierarchies the limits need: none in the others.
		for f in freezer devices blkio cpuset; do
			[ ! -d "/sys/fs/cgroup/$f" ] || [ ! -e "/sys/fs/cgroup/$f$SANDBOX_CG/$(basename "$dir")" ]
		done
	fi
	kill -9 $(cat "$dir/cgroup.procs")
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 137 ]
	[ "$(report status)" = signaled ]
	[ "$(report oom_kills)" = 0 ]
	# With a cgroup, its counters are what the report's figures came from.
	[[ "$(report measured_by.memory_peak)" == "cgroup $CG_MODE memory."* ]]
	[[ "$(report measured_by.pids_peak)" == "cgroup $CG_MODE pids."* ]]
	[[ "$(report measured_by.oom_kills)" == "cgroup $CG_MODE memory."* ]]
}
