#!/usr/bin/env bats
# The monitor (runtime/monitor.h): run --detach and create --monitor leave
# a small daemon that is the init's parent and records how it ended; wait,
# state, list and events report it.  Plain create keeps runc's contract.

load helpers

setup() {
	requires root
	setup_bundle
}

teardown() {
	[ -z "${EVENTS_PID:-}" ] || kill "$EVENTS_PID" 2>/dev/null || :
	teardown_bundle
}

set_args() {
	local json
	json=$(printf '%s\n' "$@" | jq -R . | jq -s .)
	update_config ".process.args = $json"
}

state_of() { # ID JQ
	__husk state "$1" | jq -r "$2"
}

@test "run --detach: returns at once, output in the log, wait gives the exit code" {
	set_args /bin/sh -c 'echo to-stdout; echo to-stderr >&2; sleep 0.3; exit 3'
	# bats' run reads husk's stdout to its end: a container holding it
	# would make this hang for the whole sleep and more.
	husk run --detach mon_exit
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	log=$(state_of mon_exit .outputLog)
	[ "$log" = "$HUSK_ROOT/mon_exit/output.log" ]
	husk wait mon_exit
	[ "$status" -eq 3 ]
	[ "$output" = 3 ]
	grep -qx to-stdout "$log"
	grep -qx to-stderr "$log"
	state=$(__husk state mon_exit)
	jq -e '.status == "stopped" and .exitCode == 3 and .oomKilled == false and (.exitedAt | test("Z$"))' <<<"$state"
	[ "$(__husk list | awk '$1 == "mon_exit" {print $NF}')" = 3 ]
	__husk list --format json | jq -e '.[] | select(.id == "mon_exit") | .exitCode == 3'
	husk delete mon_exit
	[ "$status" -eq 0 ]
	[ ! -e "$HUSK_ROOT/mon_exit" ]
}

@test "monitor: the init's parent, in its own session; the caller's stdio is not held" {
	set_args /init sleep inf
	husk run --detach mon_parent
	[ "$status" -eq 0 ]
	pid=$(state_of mon_parent .pid)
	mon=$(jq -r .monitorPid "$HUSK_ROOT/mon_parent/state.json")
	[ "$(awk '{print $4}' "/proc/$pid/stat")" = "$mon" ]
	[ "$(awk '{print $6}' "/proc/$mon/stat")" = "$mon" ] # session leader
	# Its stdio is /dev/null; the container's output is a pipe only it reads.
	[ "$(readlink "/proc/$mon/fd/0")" = /dev/null ]
	[ "$(readlink "/proc/$mon/fd/1")" = /dev/null ]
	[ "$(readlink "/proc/$mon/cwd")" = / ]
	[[ "$(readlink "/proc/$pid/fd/1")" == pipe:* ]]
	husk kill mon_parent KILL
	husk wait mon_parent
	[ "$status" -eq 137 ]
	jq -e '.exitSignal == 9 and .exitCode == 137' <<<"$(__husk state mon_parent)"
	# The monitor exits once it has recorded the exit.
	for _ in $(seq 100); do [ -d "/proc/$mon" ] || break; sleep 0.05; done
	[ ! -d "/proc/$mon" ]
}

@test "wait: a container ended by a signal of its own" {
	set_args /init kill-self SEGV
	husk run --detach mon_segv
	husk wait mon_segv
	[ "$status" -eq 139 ]
	jq -e '.exitSignal == 11 and .oomKilled == false' <<<"$(__husk state mon_segv)"
}

@test "create --monitor: the same record for a created-then-started container" {
	set_args /init exit 5
	husk_detached create --monitor mon_create
	[ "$status" -eq 0 ]
	[ "$(jq -r '.monitorPid > 0' "$HUSK_ROOT/mon_create/state.json")" = true ]
	husk start mon_create
	[ "$status" -eq 0 ]
	husk wait mon_create
	[ "$status" -eq 5 ]
}

@test "plain create keeps runc's contract: no monitor, and wait says the code is unknown" {
	set_args /init exit 5
	husk_detached create mon_plain
	[ "$status" -eq 0 ]
	[ "$(jq -r '.monitorPid // "none"' "$HUSK_ROOT/mon_plain/state.json")" = none ]
	husk start mon_plain
	husk wait mon_plain
	[ "$status" -ne 0 ]
	[[ "$output" == *"exit status of mon_plain is unknown: it has no monitor"* ]]
	set_args /init sleep 60
	husk_detached run --detach --no-monitor mon_plain2
	[ "$(jq -r '.monitorPid // "none"' "$HUSK_ROOT/mon_plain2/state.json")" = none ]
	# While it runs too: at once, not after the container's whole life.
	run timeout 10 "$HUSK" --root "$HUSK_ROOT" wait mon_plain2
	[ "$status" -eq 1 ]
	[[ "$output" == *"exit status of mon_plain2 is unknown: it has no monitor"* ]]
}

@test "a killed monitor leaves the container running, manageable, its exit unknown" {
	set_args /init sleep inf
	husk run --detach mon_killed
	pid=$(state_of mon_killed .pid)
	mon=$(jq -r .monitorPid "$HUSK_ROOT/mon_killed/state.json")
	kill -KILL "$mon"
	for _ in $(seq 100); do [ -d "/proc/$mon" ] || break; sleep 0.05; done
	[ "$(state_of mon_killed .status)" = running ]
	[ -d "/proc/$pid" ]
	husk kill mon_killed KILL
	[ "$status" -eq 0 ]
	for _ in $(seq 100); do [ "$(state_of mon_killed .status)" = stopped ] && break; sleep 0.05; done
	jq -e '.status == "stopped" and .exitStatus == "unknown" and (has("exitCode") | not)' <<<"$(__husk state mon_killed)"
	husk wait mon_killed
	[ "$status" -ne 0 ]
	[[ "$output" == *"unknown: its monitor ended before recording it"* ]]
	[ "$(__husk list | awk '$1 == "mon_killed" {print $NF}')" = unknown ]
	husk delete mon_killed
	[ "$status" -eq 0 ]
	[ ! -e "$HUSK_ROOT/mon_killed" ]
}

@test "--output-file and --output-max: the log where asked, cut at the cap" {
	set_args /bin/sh -c 'yes | head -c 100000; echo done >&2'
	husk run --detach --output-file "$HUSK_TMP/out.log" --output-max 1000 mon_cap
	[ "$status" -eq 0 ]
	husk wait mon_cap
	[ "$status" -eq 0 ]
	[ "$(state_of mon_cap .outputLog)" = "$HUSK_TMP/out.log" ]
	[ "$(head -c 1000 "$HUSK_TMP/out.log" | tr -d 'y\n' | wc -c)" -eq 0 ]
	grep -q "output truncated after 1000 bytes" "$HUSK_TMP/out.log"
	[ "$(stat -c %s "$HUSK_TMP/out.log")" -lt 1100 ]
	# A cap above the 16 MiB default is taken too.
	husk run --detach --output-max 33554432 mon_cap2
	[ "$status" -eq 0 ]
	husk wait mon_cap2
	[ "$status" -eq 0 ]
}

@test "events: the lifecycle as JSON lines, for one container and for --all" {
	set_args /init sleep 1
	husk run --detach mon_ev
	"$HUSK" --root "$HUSK_ROOT" events --interval 1h mon_ev >"$HUSK_TMP/ev.out" 2>&1 3>&- &
	EVENTS_PID=$!
	husk pause mon_ev
	husk resume mon_ev
	wait "$EVENTS_PID" # the stream ends with the container
	EVENTS_PID=
	types=$(jq -r .type "$HUSK_TMP/ev.out" | grep -v stats | tr '\n' ' ')
	[ "$types" = "created started paused resumed exited " ]
	jq -e 'select(.type == "exited") | .data.exitCode == 0 and .id == "mon_ev"' "$HUSK_TMP/ev.out"
	set_args /init exit 2
	husk run --detach mon_ev2
	husk wait mon_ev2
	"$HUSK" --root "$HUSK_ROOT" events --all >"$HUSK_TMP/all.out" 2>&1 3>&- &
	EVENTS_PID=$!
	for _ in $(seq 100); do
		[ "$(grep -c '"type":"exited"' "$HUSK_TMP/all.out")" -ge 2 ] && break
		sleep 0.05
	done
	kill "$EVENTS_PID"
	EVENTS_PID=
	jq -e 'select(.type == "exited" and .id == "mon_ev2") | .data.exitCode == 2' "$HUSK_TMP/all.out"
	grep -q '"id":"mon_ev"' "$HUSK_TMP/all.out"
}

@test "monitor flags: clear errors for the wrong verb or a missing monitor" {
	husk create --no-monitor mon_bad
	[ "$status" -ne 0 ]
	[[ "$output" == *"unknown flag \`--no-monitor\`"* ]]
	husk run --monitor mon_bad
	[ "$status" -ne 0 ]
	[[ "$output" == *"unknown flag \`--monitor\`"* ]]
	husk run --output-file "$HUSK_TMP/x" mon_bad
	[ "$status" -ne 0 ]
	[[ "$output" == *"--output-file and --output-max need --detach and a monitor"* ]]
	husk create --output-max 5 mon_bad
	[ "$status" -ne 0 ]
	[[ "$output" == *"need --monitor"* ]]
	husk run --detach --output-max 64k mon_bad
	[ "$status" -ne 0 ]
	[[ "$output" == *"--output-max: invalid value \`64k\`: expected a number of bytes above 0"* ]]
	[ ! -e "$HUSK_ROOT/mon_bad" ]
	husk run --detach --output-file /nonexistent/dir/log mon_bad
	[ "$status" -ne 0 ]
	[[ "$output" == *"--output-file \`/nonexistent/dir/log\`"* ]]
	[ ! -e "$HUSK_ROOT/mon_bad" ]
	husk wait mon_nope
	[ "$status" -ne 0 ]
	[[ "$output" == *"container does not exist"* ]]
}

@test "wait does not hold up delete --force, which ends what it waits for" {
	set_args /init sleep inf
	husk run --detach mon_waitdel
	"$HUSK" --root "$HUSK_ROOT" wait mon_waitdel >"$HUSK_TMP/wait.out" 2>&1 3>&- &
	local wpid=$! rc=0
	sleep 0.3
	timeout 10 "$HUSK" --root "$HUSK_ROOT" delete --force mon_waitdel
	[ "$?" -eq 0 ]
	wait "$wpid" || rc=$?
	# wait read the record before the state dir went, or found it gone.
	if [ "$rc" -eq 137 ]; then
		[ "$(cat "$HUSK_TMP/wait.out")" = 137 ]
	else
		[[ "$(cat "$HUSK_TMP/wait.out")" == *"mon_waitdel is unknown"* ]]
	fi
	[ ! -e "$HUSK_ROOT/mon_waitdel" ]
}
