#!/usr/bin/env bats
# lane: vm
# Rootless husk (uid 65534) with a delegated cgroup subtree: `husk run` and
# its verbs, and `husk sandbox`'s end-states, with their limits enforced by
# the delegated cgroups.  Runs on the host (v1 or hybrid) and in the VM lane
# (v2).  Each test delegates /husk-rltest-PID-N of its own (on v1 the
# memory, pids and freezer hierarchies; on v2 a cgroup with memory and pids
# enabled for its children), as an administrator or systemd's Delegate=
# does: the directory and its cgroup.procs (v2: cgroup.subtree_control and
# cgroup.threads too) are chowned to the user, and the caller runs inside it.

load helpers
load sandbox
bats_require_minimum_version 1.5.0

setup() {
	requires root
	command -v setpriv >/dev/null || skip "no setpriv"
	HUSK_TMP=$(mktemp -d "${TMPDIR:-/tmp}/husk.XXXXXX")
	chmod 755 "$HUSK_TMP"
	mkdir -m 777 "$HUSK_TMP/rl"
	RL_ROOT=$HUSK_TMP/rl/state
	REPORT=$HUSK_TMP/rl/report.json
	DELEG=/husk-rltest-$$-$BATS_TEST_NUMBER
	ENTER=()
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		CG_MODE=v2
		local d=/sys/fs/cgroup$DELEG
		mkdir "$d"
		echo "+memory +pids" >"$d/cgroup.subtree_control"
		chown 65534:65534 "$d" "$d/cgroup.procs" "$d/cgroup.subtree_control" "$d/cgroup.threads"
		# The caller's own leaf, made by the user: a v2 cgroup with
		# controllers for its children holds no process itself.
		setpriv --reuid 65534 --regid 65534 --clear-groups mkdir "$d/leaf"
		ENTER=("$d/leaf/cgroup.procs")
	else
		CG_MODE=v1
		[ -d /sys/fs/cgroup/memory ] || skip "no v1 memory hierarchy"
		local c d
		for c in memory pids freezer; do
			d=/sys/fs/cgroup/$c$DELEG
			mkdir "$d"
			chown 65534:65534 "$d" "$d/cgroup.procs" "$d/tasks"
			ENTER+=("$d/cgroup.procs")
		done
	fi
	export HUSK_TMP RL_ROOT REPORT DELEG CG_MODE
}

# Every directory of the delegated subtree, deepest first.
function deleg_dirs() {
	find /sys/fs/cgroup/*"$DELEG" /sys/fs/cgroup"$DELEG" -depth -type d 2>/dev/null || :
}

teardown() {
	local d left=""
	for d in $(deleg_dirs); do
		[ -f "$d/cgroup.procs" ] && xargs -r kill -9 <"$d/cgroup.procs" 2>/dev/null
	done
	if [ -d "$RL_ROOT" ]; then
		for d in "$RL_ROOT"/*/; do
			[ -d "$d" ] && "$HUSK" --root "$RL_ROOT" delete --force "$(basename "$d")" >/dev/null 2>&1
		done
	fi
	# What husk made and must have removed: anything but the delegated
	# cgroup, the caller's leaf and husk's own parents in it.
	for d in $(deleg_dirs); do
		case ${d#/sys/fs/cgroup} in
		*"$DELEG" | *"$DELEG/leaf" | *"$DELEG/husk" | *"$DELEG/husk-sandbox") ;;
		*) left+="cgroup left behind: $d"$'\n' ;;
		esac
	done
	for d in $(deleg_dirs); do
		rmdir "$d" 2>/dev/null || left+="cannot remove $d"$'\n'
	done
	rm -rf --one-file-system "$HUSK_TMP"
	if [ -n "$left" ]; then
		echo "$left" >&2
		return 1
	fi
}

# as_nobody ARGS...: husk ARGS as uid 65534 from inside the delegated cgroup
# (as_nobody_outside: from the test's own cgroup, which is root's), with a
# state root of its own and no XDG_RUNTIME_DIR, as from a plain shell.
function as_nobody() {
	(
		for f in "${ENTER[@]}"; do
			echo "$BASHPID" >"$f" || exit 99
		done
		as_nobody_outside "$@"
	)
}

function as_nobody_outside() {
	exec setpriv --reuid 65534 --regid 65534 --clear-groups env -u XDG_RUNTIME_DIR \
		"$HUSK" --root "$RL_ROOT" "$@"
}

function nobody() {
	run as_nobody "$@"
	echo "as nobody: husk $* (status=$status):" >&2
	echo "$output" >&2
}

# A bundle made by the user with `husk spec --rootless`, running CMD on the
# test rootfs, read-only.
function rootless_bundle() {
	mkdir -m 777 "$HUSK_TMP/rl/b"
	run setpriv --reuid 65534 --regid 65534 --clear-groups "$HUSK" spec --rootless --bundle "$HUSK_TMP/rl/b"
	[ "$status" -eq 0 ]
	update_config ".root = {path: \"$ROOTFS\", readonly: true} | .process.terminal = false
		| .process.args = $1 | .linux.resources = {memory: {limit: 67108864}, pids: {limit: 42}}" \
		"$HUSK_TMP/rl/b"
}

# The container's cgroup directory for CTL (v1) or the unified one (v2).
function cg_dir() {
	if [ "$CG_MODE" = v2 ]; then
		echo "/sys/fs/cgroup$DELEG/husk/$1"
	else
		echo "/sys/fs/cgroup/$2$DELEG/husk/$1"
	fi
}

@test "rootless run: the container's cgroup in the delegated subtree, limits set; exec, ps, pause, kill, delete" {
	rootless_bundle '["sleep", "100"]'
	cd "$HUSK_TMP/rl/b"
	# Detached, the container keeps husk's stdio: not bats' pipe.
	as_nobody run -d --no-monitor rl1 </dev/null >"$HUSK_TMP/rl/out" 2>&1
	nobody state rl1
	[ "$status" -eq 0 ]
	pid=$(jq -r .pid <<<"$output")
	[ "$(jq -r .status <<<"$output")" = running ]
	grep -q "$DELEG/husk/rl1\$" "/proc/$pid/cgroup"
	if [ "$CG_MODE" = v2 ]; then
		[ "$(cat "$(cg_dir rl1)/memory.max")" = 67108864 ]
	else
		[ "$(cat "$(cg_dir rl1 memory)/memory.limit_in_bytes")" = 67108864 ]
		# Not delegated: left out, the container stays in the caller's.
		[ ! -e "/sys/fs/cgroup/cpu$DELEG/husk/rl1" ]
	fi
	[ "$(cat "$(cg_dir rl1 pids)/pids.max")" = 42 ]
	# exec joins the user namespace first, then forks into the pid one.
	nobody exec rl1 sh -c 'echo $$; id -u; exit 4'
	[ "$status" -eq 4 ]
	[ "${lines[0]}" -gt 1 ] && [ "${lines[0]}" -lt 100 ]
	[ "${lines[1]}" = 0 ]
	nobody pause rl1
	[ "$status" -eq 0 ]
	nobody state rl1
	[ "$(jq -r .status <<<"$output")" = paused ]
	nobody resume rl1
	[ "$status" -eq 0 ]
	nobody ps rl1
	[ "$status" -eq 0 ]
	[[ "$output" == *"sleep 100"* ]]
	nobody kill rl1 KILL
	[ "$status" -eq 0 ]
	for _ in $(seq 50); do
		nobody state rl1
		[ "$(jq -r .status <<<"$output")" = stopped ] && break
		sleep 0.1
	done
	nobody delete rl1
	[ "$status" -eq 0 ]
	[ ! -e "$(cg_dir rl1 pids)" ]
	[ -z "$(ls "$RL_ROOT")" ]
}

@test "rootless sandbox: exit 3, SIGSEGV, --time and --output-limit, in the delegated subtree" {
	nobody sandbox --report "$REPORT" -- sh -c 'exit 3'
	[ "$status" -eq 3 ]
	[ "$(report status)" = exited ]
	nobody sandbox --report "$REPORT" --ro "$HUSK_BUILD/tests:/t" -- /t/init kill-self SEGV
	[ "$status" -eq 139 ]
	[ "$(report status)" = signaled ]
	nobody sandbox --report "$REPORT" --time 1s -- sh -c 'sleep 4711 & sleep 10'
	[ "$status" -eq 124 ]
	[ "$(report status)" = timeout ]
	nobody sandbox --report "$REPORT" --output-limit 100 -- yes
	[ "$status" -eq 124 ]
	[ "$(report status)" = output-limit ]
	[ "$(report output_bytes)" = 100 ]
}

@test "rootless sandbox: --memory on a memory hog: 137, oom, by the delegated cgroup" {
	nobody sandbox --report "$REPORT" --memory 32M --ro "$HUSK_BUILD/tests:/t" -- /t/init memhog 256
	[ "$status" -eq 137 ]
	[ "$(report status)" = oom ]
	jq -e '.oom_kills >= 1 and .memory_peak <= 33554432' "$REPORT"
	[[ "$(report limits.memory.mechanism)" == "cgroup $CG_MODE memory."* ]]
}

@test "rootless sandbox: a fork bomb under --pids stays under it" {
	nobody sandbox --report "$REPORT" --pids 20 --ro "$HUSK_BUILD/tests:/t" -- /t/init forkbomb 1000
	[ "$status" -eq 0 ]
	[ "$output" -lt 20 ]
	[ "$(report status)" = exited ]
	jq -e '.pids_peak <= 20' "$REPORT"
	[ "$(report limits.pids.mechanism)" = "cgroup $CG_MODE pids.max" ]
}

@test "rootless without a delegated cgroup: a limit is a clear error, none runs in no cgroup" {
	rootless_bundle '["sh", "-c", "exit 3"]'
	cd "$HUSK_TMP/rl/b"
	run as_nobody_outside run rl2
	[ "$status" -eq 1 ]
	[[ "$output" == *"linux.resources: rootless, and uid 65534 has no delegated cgroup here"* ]]
	[ -z "$(ls "$RL_ROOT")" ]
	update_config 'del(.linux.resources)' "$HUSK_TMP/rl/b"
	run as_nobody_outside run rl2
	[ "$status" -eq 3 ]
	[ -z "$(ls "$RL_ROOT")" ]
	run as_nobody_outside sandbox --memory 32M -- true
	[ "$status" -eq 125 ]
	[[ "$output" == *"--memory 32M: cannot be enforced here: rootless, and no cgroup delegated to this user"* ]]
	# An absolute path nobody delegated: each hierarchy left out, so the
	# limit cannot be set, and the error names the cgroup.
	update_config ".linux.cgroupsPath = \"/husk-rl-nodeleg-$$\" | .linux.resources = {pids: {limit: 9}}" "$HUSK_TMP/rl/b"
	run as_nobody_outside run rl3
	[ "$status" -eq 1 ]
	[[ "$output" == *"/husk-rl-nodeleg-$$"* ]]
	[ -z "$(ls -d /sys/fs/cgroup/*/husk-rl-nodeleg-$$ /sys/fs/cgroup/husk-rl-nodeleg-$$ 2>/dev/null)" ]
	[ -z "$(ls "$RL_ROOT")" ]
}
