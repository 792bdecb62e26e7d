#!/usr/bin/env bats
# exec: another process in a running container, set up as the init is.

load helpers

setup() {
	requires root
	setup_bundle
	update_config '.process.args = ["/init", "sleep", "inf"]'
	husk_detached run --detach ex
	[ "$status" -eq 0 ]
}

teardown() {
	stop_recvtty
	teardown_bundle
}

@test "exec: the process joins the container's namespaces and its exit code is husk's" {
	husk exec ex /bin/sh -c 'readlink /proc/self/ns/pid; readlink /proc/1/ns/pid; hostname; echo $$; exit 7'
	[ "$status" -eq 7 ]
	[ "${lines[0]}" = "${lines[1]}" ]
	[ "${lines[0]}" != "$(readlink /proc/self/ns/pid)" ]
	[ "${lines[2]}" = husk-test ]
	[ "${lines[3]}" -gt 1 ]
}

@test "exec: --user, --env and --cwd, and no descriptor of husk's" {
	husk exec -u 1000:1001 -e HUSK_EXEC=yes --cwd /tmp ex /bin/sh -c 'id -u; id -g; echo $HUSK_EXEC; pwd; /init fds'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1001 ]
	[ "${lines[2]}" = yes ]
	[ "${lines[3]}" = /tmp ]
	[ "${lines[4]}" = "0 1 2" ]
}

@test "exec -p runs a process.json" {
	cat >"$HUSK_TMP/process.json" <<'EOF'
{"args": ["/bin/sh", "-c", "echo from-process-json; id -u"], "cwd": "/", "user": {"uid": 42, "gid": 42},
 "env": ["PATH=/bin"]}
EOF
	husk exec -p "$HUSK_TMP/process.json" ex
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = from-process-json ]
	[ "${lines[1]}" = 42 ]
	echo '{"args": "not-a-list"}' >"$HUSK_TMP/bad.json"
	husk exec -p "$HUSK_TMP/bad.json" ex
	[ "$status" -ne 0 ]
	[[ "$output" == *"bad.json: args"* ]]
}

@test "exec -p: process.scheduler and ioPriority are the exec'd process's, as runc's" {
	cat >"$HUSK_TMP/process.json" <<'EOF'
{"args": ["/init", "cat", "/proc/self/stat"], "cwd": "/", "user": {"uid": 0, "gid": 0},
 "scheduler": {"policy": "SCHED_BATCH", "nice": 7}}
EOF
	husk exec -p "$HUSK_TMP/process.json" ex
	[ "$status" -eq 0 ]
	# field 19 is nice, 41 the policy (SCHED_BATCH is 3)
	[ "$(awk '{ print $19, $41 }' <<<"$output")" = "7 3" ]
	cat >"$HUSK_TMP/process.json" <<'EOF'
{"args": ["/init", "sleep", "inf"], "cwd": "/", "user": {"uid": 0, "gid": 0},
 "ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 6}}
EOF
	husk_detached exec --detach --pid-file "$HUSK_TMP/exec.pid" -p "$HUSK_TMP/process.json" ex
	[ "$status" -eq 0 ]
	[ "$(ionice -p "$(cat "$HUSK_TMP/exec.pid")")" = "best-effort: prio 6" ]
}

@test "exec -d writes the pid file and leaves the process in the container's cgroup" {
	husk_detached exec -d --pid-file "$HUSK_TMP/exec.pid" ex /init sleep inf
	[ "$status" -eq 0 ]
	pid=$(cat "$HUSK_TMP/exec.pid")
	# It outlives husk: no parent-death signal survived into it.
	sleep 0.3
	[ -d "/proc/$pid" ]
	[ "$(awk '{print $3}' "/proc/$pid/stat")" != Z ]
	[ "$(readlink "/proc/$pid/ns/pid")" = "$(readlink "/proc/$(jq -r .pid <<<"$(__husk state ex)")/ns/pid")" ]
	grep -q ':/husk/ex$' "/proc/$pid/cgroup"
	husk delete --force ex
	[ "$status" -eq 0 ]
	[ ! -d "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ]
}

@test "exec: the process leads a session and process group of its own" {
	husk exec ex /bin/sh -c 'echo $$; cut -d" " -f5,6 /proc/$$/stat'
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "${lines[0]} ${lines[0]}" ]
}

@test "exec forwards signals to the process" {
	"$HUSK" --root "$HUSK_ROOT" exec ex /init sleep 30 &
	local husk_pid=$! rc=0
	for _ in $(seq 100); do
		[ "$(__husk ps --format json ex | jq length)" = 2 ] && break
		sleep 0.05
	done
	kill -TERM "$husk_pid"
	wait "$husk_pid" || rc=$?
	[ "$rc" -eq $((128 + 15)) ]
}

@test "exec: bad input and the wrong state use clear words" {
	husk exec nope /init pid
	[ "$status" -ne 0 ]
	[[ "$output" == *"container does not exist: nope"* ]]
	husk exec -u abc ex /init pid
	[ "$status" -ne 0 ]
	[[ "$output" == *"--user \`abc\`: expected UID or UID:GID"* ]]
	husk exec ex
	[ "$status" -ne 0 ]
	[[ "$output" == *"a command to run"* ]]
	husk exec ex /no/such/program
	[ "$status" -ne 0 ]
	[[ "$output" == *"/no/such/program"* ]]
	husk pause ex
	husk exec ex /init pid
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot exec in a paused container"* ]]
	husk resume ex
	husk kill ex KILL
	for _ in $(seq 100); do
		[ "$(__husk state ex | jq -r .status)" = stopped ] && break
		sleep 0.05
	done
	husk exec ex /init pid
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot exec in a stopped container"* ]]
}

@test "exec -t relays a terminal: the process's stdio is the container's pty" {
	husk exec -t ex /bin/sh -c 'tty; /init isatty 0; stat -c %t $(tty)' </dev/null
	[ "$status" -eq 0 ]
	out=$(tr -d '\r' <<<"$output")
	[[ "$(sed -n 1p <<<"$out")" == /dev/pts/* ]]
	[ "$(sed -n 2p <<<"$out")" = yes ]
	[ "$(sed -n 3p <<<"$out")" = 88 ] # a pts of the container's devpts
	# Input goes in through the console, and the exit code comes back.
	run bash -c "echo typed | '$HUSK' --root '$HUSK_ROOT' exec -t ex /bin/sh -c 'read l; echo got:\$l; exit 4'"
	[ "$status" -eq 4 ]
	[[ "$(tr -d '\r' <<<"$output")" == *"got:typed"* ]]
}

@test "exec -t from a real terminal restores the terminal's mode afterwards" {
	command -v script >/dev/null || skip "script(1) not installed"
	run script -qec "stty -g; '$HUSK' --root '$HUSK_ROOT' exec -t ex /init isatty 1; stty -g" /dev/null
	[ "$status" -eq 0 ]
	out=$(tr -d '\r' <<<"$output" | sed 's/\^@//g')
	[[ "$out" == *yes* ]]
	[ -n "$(sed -n 1p <<<"$out")" ]
	[ "$(sed -n 1p <<<"$out")" = "$(sed -n '$p' <<<"$out")" ]
}

@test "exec as containerd sends it: -p with a terminal, --tty --console-socket --detach --pid-file" {
	cat >"$HUSK_TMP/process.json" <<'EOF'
{"terminal": true, "consoleSize": {"height": 21, "width": 77}, "args": ["/bin/sh", "-c", "tty; stty size; echo from-exec"],
 "cwd": "/", "user": {"uid": 0, "gid": 0}, "env": ["PATH=/bin"]}
EOF
	start_recvtty
	husk_detached exec --process "$HUSK_TMP/process.json" --tty --console-socket "$SOCK" --detach \
		--pid-file "$HUSK_TMP/exec.pid" ex
	[ "$status" -eq 0 ]
	[ -s "$HUSK_TMP/exec.pid" ]
	wait_recvtty
	out=$(tr -d '\r' <"$HUSK_TMP/console")
	[[ "$out" == *"/dev/pts/"* ]]
	[[ "$out" == *"21 77"* ]]
	[[ "$out" == *from-exec* ]]
}

@test "exec: a terminal and a console socket follow runc's rules, in its words" {
	husk exec -t -d ex /init nop
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot allocate tty if husk will detach without setting console socket"* ]]
	husk exec --console-socket "$HUSK_TMP/s.sock" ex /init nop
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot use console socket if husk will not detach or allocate tty"* ]]
	husk exec -d --console-socket "$HUSK_TMP/s.sock" ex /init nop
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot use console socket"* ]]
	husk exec -t -d --console-socket "$HUSK_TMP/nobody.sock" ex /init sleep inf
	[ "$status" -ne 0 ]
	[[ "$output" == *"--console-socket"*"nobody.sock"* ]]
	# Nothing of the failed ones is left running in the container.
	[ "$(__husk ps --format json ex | jq length)" = 1 ]
}

@test "exec: -g adds groups, --cap adds capabilities, --no-new-privs sets the flag" {
	husk exec -u 1000:1000 -g 20 --additional-gids 30,40 ex /bin/sh -c 'id -G'
	[ "$status" -eq 0 ]
	[ "$output" = "1000 20 30 40" ]
	husk exec ex /init caps
	[ "$status" -eq 0 ]
	before_eff=$(awk '/^CapEff/ {print $2}' <<<"$output")
	before_bnd=$(awk '/^CapBnd/ {print $2}' <<<"$output")
	husk exec --cap CAP_SYS_ADMIN --cap CAP_NET_RAW ex /init caps
	[ "$status" -eq 0 ]
	eff=$(awk '/^CapEff/ {print $2}' <<<"$output")
	bnd=$(awk '/^CapBnd/ {print $2}' <<<"$output")
	prm=$(awk '/^CapPrm/ {print $2}' <<<"$output")
	# CAP_SYS_ADMIN is bit 21, CAP_NET_RAW bit 13; the config has neither.
	(( (0x$before_eff & (1 << 21 | 1 << 13)) == 0 ))
	(( (0x$before_bnd & (1 << 21)) == 0 ))
	(( 0x$eff == (0x$before_eff | 1 << 21 | 1 << 13) ))
	(( (0x$bnd & (1 << 21 | 1 << 13)) == (1 << 21 | 1 << 13) ))
	(( (0x$prm & (1 << 21 | 1 << 13)) == (1 << 21 | 1 << 13) ))
	# exec reads the config's process when it runs.
	update_config '.process.noNewPrivileges = false'
	husk exec ex /bin/sh -c 'grep NoNewPrivs /proc/self/status'
	[[ "$output" == *"0" ]]
	husk exec --no-new-privs ex /bin/sh -c 'grep NoNewPrivs /proc/self/status'
	[[ "$output" == *"1" ]]
	husk exec --cap CAP_NOT_A_CAP ex /init nop
	[ "$status" -ne 0 ]
	[[ "$output" == *"--cap \`CAP_NOT_A_CAP\`: unknown capability"* ]]
	husk exec -g 1,x ex /init nop
	[ "$status" -ne 0 ]
	[[ "$output" == *"--additional-gids \`1,x\`: expected GID[,GID...]"* ]]
}

@test "exec: the init is non-dumpable until it execs, the exec'd process until it does" {
	update_config '.process.args = ["/init", "sleep", "inf"]'
	husk_detached create cr
	[ "$status" -eq 0 ]
	# Created: the init is still husk, and its exe is closed to the container.
	husk exec cr /init readlink /proc/1/exe
	[ "$status" -ne 0 ]
	[[ "$output" == *"/proc/1/exe: Permission denied"* ]]
	husk start cr
	[ "$status" -eq 0 ]
	for _ in $(seq 100); do
		__husk exec cr /init readlink /proc/1/exe >"$HUSK_TMP/exe" 2>&1 && break
		sleep 0.05
	done
	[ "$(cat "$HUSK_TMP/exe")" = /init ]
	husk delete --force cr
}
