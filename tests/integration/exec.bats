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

@test "exec -d writes the pid file and leaves the process in the container's cgroup" {
	husk_detached exec -d --pid-file "$HUSK_TMP/exec.pid" ex /init sleep inf
	[ "$status" -eq 0 ]
	pid=$(cat "$HUSK_TMP/exec.pid")
	[ -d "/proc/$pid" ]
	[ "$(readlink "/proc/$pid/ns/pid")" = "$(readlink "/proc/$(jq -r .pid <<<"$(__husk state ex)")/ns/pid")" ]
	grep -q ':/husk/ex$' "/proc/$pid/cgroup"
	husk delete --force ex
	[ "$status" -eq 0 ]
	[ ! -d "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ]
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
