#!/usr/bin/env bats
# Reliability: husk killed at each stage of create and run leaves nothing
# that delete --force cannot remove; a thousand lifecycles leak nothing; 32
# containers at once all work.  tests/husk-stages is husk built with the
# test-only stops of init/stage.h.

load helpers

setup() {
	requires root
	setup_bundle
	STAGES=$HUSK_BUILD/tests/husk-stages
	[ -x "$STAGES" ] || skip "no $STAGES (make $HUSK_BUILD/tests/husk-stages)"
	CG_PARENT=/husk-rel-$$
}

teardown() {
	teardown_bundle
	remove_cgroup_parent "$CG_PARENT"
}

set_args() {
	local json
	json=$(printf '%s\n' "$@" | jq -R . | jq -s .)
	update_config ".process.args = $json"
}

cg_dirs() { # ID: every directory of its cgroup that exists
	cgroup_dirs "$CG_PARENT" "$1"
}

# Nothing of ID is left: no state dir, no cgroup (so no process in it), no
# mount of the test's files, no fifo.
assert_gone() {
	[ ! -e "$HUSK_ROOT/$1" ]
	[ -z "$(cg_dirs "$1")" ]
	! grep -F "$HUSK_TMP" /proc/self/mountinfo >&2 || false
	[ -z "$(find "$HUSK_TMP" -type p 2>/dev/null)" ]
}

# stopped_under PID: PID or one of its children, stopped by a stage.
stopped_under() {
	local p
	for p in "$1" $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
		[ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = T ] && echo "$p" && return 0
	done
	return 1
}

# kill_at STAGE ARGS...: run husk-stages ARGS, SIGKILL whichever process
# stopped at STAGE.
kill_at() {
	local stage=$1 pid victim=
	shift
	HUSK_TEST_STOP_AT=$stage "$STAGES" --root "$HUSK_ROOT" "$@" </dev/null >/dev/null 2>&1 3>&- &
	pid=$!
	for _ in $(seq 200); do
		victim=$(stopped_under "$pid") && break
		sleep 0.05
	done
	[ -n "$victim" ] || { echo "nothing stopped at $stage" >&2; kill -KILL "$pid"; return 1; }
	kill -KILL "$victim"
	[ "$victim" = "$pid" ] || kill -KILL "$pid" 2>/dev/null || :
	wait "$pid" 2>/dev/null || :
}

@test "reliability: husk killed at each stage of create and run leaves nothing behind delete --force" {
	set_args /init sleep inf
	local stage args i=0
	for stage in statedir cgroup cloned created recorded run-created run-started run-monitored monitor-created; do
		i=$((i + 1))
		update_config ".linux.cgroupsPath = \"$CG_PARENT/k$i\""
		case $stage in
		run-created | run-started) args=(run "k$i") ;;
		run-monitored | monitor-created) args=(run --detach "k$i") ;;
		*) args=(create "k$i") ;;
		esac
		kill_at "$stage" "${args[@]}"
		echo "# stage $stage" >&2
		# A create that died before its record is reclaimed by any
		# command; a recorded one is a container delete --force ends.
		__husk list >/dev/null
		husk delete --force "k$i"
		[ "$status" -eq 0 ]
		assert_gone "k$i"
	done
}

@test "reliability: a thousand create/start/delete cycles leak no fd, mount, cgroup or file" {
	set_args /init nop
	update_config ".linux.cgroupsPath = \"$CG_PARENT/cycle\""
	local n=${HUSK_CYCLES:-1000} fds mounts files
	# One cycle first, so the state root and the seccomp cache exist.
	__husk create cycle </dev/null >/dev/null 2>&1 3>&- && __husk start cycle && __husk delete --force cycle
	fds=$(ls /proc/$$/fd | wc -l)
	mounts=$(wc -l </proc/self/mountinfo)
	files=$(find "$HUSK_ROOT" | wc -l)
	for i in $(seq "$n"); do
		__husk create cycle </dev/null >/dev/null 2>&1 3>&- || { echo "create $i failed" >&2; false; }
		__husk start cycle || { echo "start $i failed" >&2; false; }
		__husk delete --force cycle || { echo "delete $i failed" >&2; false; }
	done
	[ "$(ls /proc/$$/fd | wc -l)" -eq "$fds" ]
	[ "$(wc -l </proc/self/mountinfo)" -eq "$mounts" ]
	[ "$(find "$HUSK_ROOT" | wc -l)" -eq "$files" ]
	[ -z "$(cg_dirs cycle)" ]
}

@test "reliability: 32 containers created, started, waited and deleted at once" {
	set_args /init exit 7
	update_config ".linux.cgroupsPath = \"$CG_PARENT/par\""
	local pids=() i rc=0
	for i in $(seq 32); do
		jq ".linux.cgroupsPath = \"$CG_PARENT/p$i\"" config.json >"config-$i.json"
		mkdir -p "b$i" && mv "config-$i.json" "b$i/config.json"
		jq ".root.path = \"$BUNDLE/rootfs\"" "b$i/config.json" >"b$i/c" && mv "b$i/c" "b$i/config.json"
	done
	for i in $(seq 32); do
		(
			r=0
			__husk run --detach --bundle "b$i" "p$i"
			__husk wait "p$i" >/dev/null || r=$?
			[ "$r" -eq 7 ] || { echo "p$i: wait gave $r" >&2; exit 1; }
			__husk delete "p$i"
		) </dev/null >"$HUSK_TMP/p$i.out" 2>&1 3>&- &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || { rc=1; echo "p$((i + 1)):" >&2; cat "$HUSK_TMP/p$((i + 1)).out" >&2; }
	done
	[ "$rc" -eq 0 ]
	[ -z "$(ls -A "$HUSK_ROOT" | grep -v '^\.')" ] || { ls -la "$HUSK_ROOT" >&2; false; }
	for i in $(seq 32); do [ -z "$(cg_dirs "p$i")" ]; done
}
