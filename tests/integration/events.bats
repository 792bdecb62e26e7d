#!/usr/bin/env bats
# lane: vm
# events: --stats once in runc's JSON, the --interval stream and its OOM
# events, runc's words for a missing or stopped container.  Runs on the host
# (v1 or hybrid) and in the VM lane (v2); every container's cgroup is under
# /husk-test-$$, an absolute path, as in cgroups.bats.

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
	if [ -n "${EVENTS_PID:-}" ]; then
		kill "$EVENTS_PID" 2>/dev/null || :
		wait "$EVENTS_PID" 2>/dev/null || :
	fi
	teardown_bundle
	local d
	for d in /sys/fs/cgroup/*"$CG_PARENT" /sys/fs/cgroup"$CG_PARENT"; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	:
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

@test "events --stats: one JSON line in runc's shape, from the cgroup files" {
	with_cgroup ev_stats '{"memory": {"limit": 67108864}, "pids": {"limit": 50}}'
	set_args /init sleep inf
	husk_detached run --detach ev_stats
	[ "$status" -eq 0 ]
	husk events --stats ev_stats
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jq -r .type <<<"$output")" = stats ]
	[ "$(jq -r .id <<<"$output")" = ev_stats ]
	[ "$(jq -r .data.pids.current <<<"$output")" -ge 1 ]
	[ "$(jq -r .data.pids.limit <<<"$output")" -eq 50 ]
	[ "$(jq -r .data.memory.usage.limit <<<"$output")" -eq 67108864 ]
	[ "$(jq -r .data.memory.usage.usage <<<"$output")" -gt 0 ]
	# The init has run (exec, the container's setup): time was spent.
	[ "$(jq -r .data.cpu.usage.total <<<"$output")" -gt 0 ]
	jq -e '.data.cpu.usage | has("user") and has("kernel")' <<<"$output"
	jq -e '.data.memory.raw | length > 0' <<<"$output"
	husk delete --force ev_stats
	[ "$status" -eq 0 ]
}

@test "events --stats: memory.peak and the pressure stall information, in runc's fields" {
	with_cgroup ev_psi '{"memory": {"limit": 67108864}}'
	set_args /bin/sh -c '/init memhog 8 >/dev/null; exec /init sleep inf'
	husk_detached run --detach ev_psi
	[ "$status" -eq 0 ]
	local peak_file=memory.max_usage_in_bytes dir=/sys/fs/cgroup/memory$CG_PARENT/ev_psi
	local psi_dir=/sys/fs/cgroup/unified$CG_PARENT/ev_psi
	if [ "$CG_MODE" = v2 ]; then
		peak_file=memory.peak dir=/sys/fs/cgroup$CG_PARENT/ev_psi psi_dir=$dir
	fi
	for _ in $(seq 100); do
		[ "$(cat "$dir/$peak_file")" -ge 8388608 ] && break
		sleep 0.05
	done
	husk events --stats ev_psi
	[ "$status" -eq 0 ]
	# runc's usage.max is the cgroup's peak: the 8 MiB hog has come and gone.
	[ "$(jq -r .data.memory.usage.max <<<"$output")" -ge 8388608 ]
	[ "$(jq -r .data.memory.usage.max <<<"$output")" -ge "$(jq -r .data.memory.usage.usage <<<"$output")" ]
	# runc's psi: cpu, memory and blkio, some and full, from the cgroup's
	# twin in the v2 hierarchy (the cgroup itself on v2).
	if [ ! -e "$psi_dir/cpu.pressure" ] || ! cat "$psi_dir/cpu.pressure" >/dev/null 2>&1; then
		jq -e '.data.cpu | has("psi") | not' <<<"$output"
		husk delete --force ev_psi
		skip "no pressure stall information in $psi_dir (psi=0, or no v2 hierarchy)"
	fi
	local k
	for k in cpu memory blkio; do
		jq -e --arg k "$k" '.data[$k].psi.some | (.avg10 | type == "number") and (.avg60 | type == "number")
			and (.avg300 | type == "number") and (.total | type == "number")' <<<"$output"
		jq -e --arg k "$k" '.data[$k].psi.full.total | type == "number"' <<<"$output"
	done
	# The memory hog stalled on memory (reclaim, page faults) for a moment:
	# the totals are the kernel's, in microseconds, and only grow.
	[ "$(jq -r .data.memory.psi.some.total <<<"$output")" -le "$(awk '/^some/ { sub("total=", "", $5); print $5 }' "$psi_dir/memory.pressure")" ]
	jq -e '.data.memory.oom_kill == 0' <<<"$output"
	husk delete --force ev_psi
	[ "$status" -eq 0 ]
}

@test "events --stats: a group OOM kill (memory.oom.group) is counted apart from the processes it killed" {
	[ "$CG_MODE" = v2 ] || skip "memory.oom.group is cgroup v2's (make vm-check)"
	[ -x "$ROOTFS/bin/sh" ] || skip "no /bin/sh in the test rootfs"
	with_cgroup ev_oom_group '{"memory": {"limit": 33554432, "swap": 33554432}, "unified": {"memory.oom.group": "1"}}'
	# The init is exempt from the group kill (oom_score_adj -1000); the two
	# hogs it starts are not (they put their score back to 0).
	update_config '.process.oomScoreAdj = -1000'
	set_args /bin/sh -c 'for i in 1 2; do (echo 0 >/proc/self/oom_score_adj; exec /init memhog 256) & done; wait; exec /init sleep inf'
	husk_detached run --detach ev_oom_group
	[ "$status" -eq 0 ]
	local events=/sys/fs/cgroup$CG_PARENT/ev_oom_group/memory.events
	grep -q '^oom_group_kill ' "$events" || {
		husk delete --force ev_oom_group
		skip "this kernel's memory.events has no oom_group_kill (Linux 6.2)"
	}
	for _ in $(seq 200); do
		grep -q '^oom_group_kill 1$' "$events" && break
		sleep 0.05
	done
	cat "$events" >&2
	husk events --stats ev_oom_group
	[ "$status" -eq 0 ]
	[ "$(jq -r .data.memory.oom_group_kill <<<"$output")" -eq 1 ]
	[ "$(jq -r .data.memory.oom_kill <<<"$output")" -ge 2 ]
	# The init lives on, alone.
	[ "$(__husk state ev_oom_group | jq -r .status)" = running ]
	husk delete --force ev_oom_group
	[ "$status" -eq 0 ]
}

@test "events: the stream reports an OOM kill, and ends with the container" {
	with_cgroup ev_oom '{"memory": {"limit": 33554432, "swap": 33554432}}'
	set_args /init memhog 256
	husk_detached create ev_oom
	[ "$status" -eq 0 ]
	# Watching before the hog starts, so no kill can come before the watch.
	__husk events --interval 1s ev_oom >"$HUSK_TMP/events.out" 2>"$HUSK_TMP/events.err" &
	EVENTS_PID=$!
	for _ in $(seq 50); do
		[ -s "$HUSK_TMP/events.out" ] && break
		sleep 0.1
	done
	husk start ev_oom
	[ "$status" -eq 0 ]
	for _ in $(seq 200); do
		grep -q '"type":"oom"' "$HUSK_TMP/events.out" && break
		sleep 0.1
	done
	cat "$HUSK_TMP/events.out" "$HUSK_TMP/events.err" >&2
	grep -q '^{"type":"oom","id":"ev_oom"}$' "$HUSK_TMP/events.out"
	# The memhog was the init: its death ends the stream, with 0.
	wait "$EVENTS_PID"
	EVENTS_PID=
	husk delete --force ev_oom
	[ "$status" -eq 0 ]
}

@test "events: an OOM kill is reported as it happens, not at the next interval" {
	[ -x "$ROOTFS/bin/sh" ] || skip "no /bin/sh in the test rootfs"
	with_cgroup ev_oom_child '{"memory": {"limit": 33554432, "swap": 33554432}}'
	# The hog is a child: the container outlives it, so only the OOM
	# notifier (inotify on v2, an eventfd on v1) can report it in time.
	# It waits for `events` to be watching: 3 s, for a VM lane under load.
	set_args /bin/sh -c 'sleep 3; /init memhog 256; exec /init sleep inf'
	husk_detached run --detach ev_oom_child
	[ "$status" -eq 0 ]
	__husk events --interval 1h ev_oom_child >"$HUSK_TMP/events.out" 2>"$HUSK_TMP/events.err" &
	EVENTS_PID=$!
	for _ in $(seq 200); do
		grep -q '"type":"oom"' "$HUSK_TMP/events.out" && break
		sleep 0.1
	done
	cat "$HUSK_TMP/events.out" "$HUSK_TMP/events.err" "$HUSK_TMP/detached.out" >&2
	__husk state ev_oom_child >&2
	grep -q '^{"type":"oom","id":"ev_oom_child"}$' "$HUSK_TMP/events.out"
	husk delete --force ev_oom_child
	[ "$status" -eq 0 ]
	wait "$EVENTS_PID"
	EVENTS_PID=
}

@test "events: stats lines every --interval" {
	with_cgroup ev_stream '{"pids": {"limit": 10}}'
	set_args /init sleep inf
	husk_detached run --detach ev_stream
	[ "$status" -eq 0 ]
	__husk events --interval 200ms ev_stream >"$HUSK_TMP/events.out" &
	EVENTS_PID=$!
	for _ in $(seq 100); do
		[ "$(grep -c '"type":"stats"' "$HUSK_TMP/events.out")" -ge 2 ] && break
		sleep 0.1
	done
	[ "$(grep -c '"type":"stats"' "$HUSK_TMP/events.out")" -ge 2 ]
	grep -m 1 '"type":"stats"' "$HUSK_TMP/events.out" | jq -e '.id == "ev_stream" and .data.pids.limit == 10'
	# The stream ends when the container does.
	husk kill ev_stream KILL
	[ "$status" -eq 0 ]
	wait "$EVENTS_PID"
	EVENTS_PID=
}

@test "events: runc's words for a missing or stopped container, a bad --interval" {
	husk events --stats ev_nope
	[ "$status" -ne 0 ]
	[[ "$output" == *"container does not exist"* ]]

	with_cgroup ev_stopped '{}'
	set_args /init exit 0
	husk_detached run --detach ev_stopped
	[ "$status" -eq 0 ]
	wait_status ev_stopped stopped
	husk events --stats ev_stopped
	[ "$status" -ne 0 ]
	[[ "$output" == *"container with id ev_stopped is not running"* ]]
	husk events ev_stopped
	[ "$status" -ne 0 ]
	[[ "$output" == *"is not running"* ]]

	husk events --interval 5x ev_stopped
	[ "$status" -ne 0 ]
	[[ "$output" == *"invalid --interval \`5x\`"* ]]
	husk events --interval 0s ev_stopped
	[ "$status" -ne 0 ]
	[[ "$output" == *"duration interval must be greater than 0"* ]]
	husk delete ev_stopped
	[ "$status" -eq 0 ]
}
