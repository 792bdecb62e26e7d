#!/usr/bin/env bats
# The lifecycle verbs and the container process, observed from inside the
# container through tests/init.

load helpers

setup() {
	requires root
	setup_bundle
}

teardown() {
	teardown_bundle
}

# set_args ARG...: the container's process.args.
set_args() {
	local json
	json=$(printf '%s\n' "$@" | jq -R . | jq -s .)
	update_config ".process.args = $json"
}

# No state, and no mount of this test's bundle left in the mount table.
assert_nothing_left() {
	[ ! -d "$HUSK_ROOT" ] || [ -z "$(ls -A "$HUSK_ROOT")" ]
	! grep -q "$BUNDLE" /proc/self/mountinfo || false
}

@test "run: the container's exit code is husk's" {
	set_args /init exit 3
	husk run test_exit
	[ "$status" -eq 3 ]
	assert_nothing_left
}

@test "run: the process is pid 1 of its own pid namespace" {
	set_args /init pid
	husk run test_pid
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
}

@test "run: hostname comes from the config" {
	set_args /init hostname
	husk run test_host
	[ "$status" -eq 0 ]
	[ "$output" = husk-test ]
}

@test "run: capabilities are the config's, and none is inheritable" {
	set_args /init caps
	husk run test_caps
	[ "$status" -eq 0 ]
	# CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29)
	[[ "$output" == *"CapInh:	0000000000000000"* ]]
	[[ "$output" == *"CapPrm:	0000000020000420"* ]]
	[[ "$output" == *"CapEff:	0000000020000420"* ]]
	[[ "$output" == *"CapBnd:	0000000020000420"* ]]
	[[ "$output" == *"CapAmb:	0000000000000000"* ]]
}

@test "run: user, group and additional groups" {
	set_args /init getuid
	update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [1001, 1002]}'
	husk run test_user
	[ "$status" -eq 0 ]
	[ "$output" = "uid=1000 gid=1000 euid=1000 egid=1000 groups=1001,1002" ]
}

@test "run: a group listed twice in additionalGids is set once, as runc does" {
	# docker run --user 1000 --group-add 1001, where /etc/group has 1000 in 1001.
	set_args /init getuid
	update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [1001, 1002, 1001]}'
	husk run test_dup_groups
	[ "$status" -eq 0 ]
	[ "$output" = "uid=1000 gid=1000 euid=1000 egid=1000 groups=1001,1002" ]
}

@test "run: rlimits, umask, env and cwd" {
	update_config '.process.user.umask = 23 | .process.env += ["HUSK_TEST=yes it is"] | .process.cwd = "/tmp"'
	set_args /init rlimit NOFILE
	husk run test_rlimit
	[ "$status" -eq 0 ]
	[ "$output" = "1024 1024" ]

	set_args /init umask
	husk run test_umask
	[ "$output" = "0027" ]

	set_args /init env
	husk run test_env
	[[ "$output" == *"HUSK_TEST=yes it is"* ]]

	set_args /init cwd
	husk run test_cwd
	[ "$output" = /tmp ]
}

@test "run: no descriptor leaks into the container" {
	set_args /init fds
	husk run test_fds 3>/dev/null 4</dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "0 1 2" ]
}

@test "run --preserve-fds passes exactly that many descriptors" {
	set_args /init fds
	husk run --preserve-fds 1 test_pfds 3</dev/null 4</dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "0 1 2 3" ]
}

@test "run: a signal ends the container with 128+N" {
	set_args /init kill-self SEGV
	husk run test_segv
	[ "$status" -eq $((128 + 11)) ]
}

@test "run: the init leads a session and process group of its own, as runc's" {
	# CRIU refuses to dump a tree whose session leader is outside it.
	set_args /init sid
	husk run test_sid
	[ "$status" -eq 0 ]
	[ "$output" = "1 1" ]
}

@test "run: a missing program is a clear error and leaves nothing" {
	set_args nonexistent-program
	husk run test_noexec
	[ "$status" -ne 0 ]
	[[ "$output" == *'exec: "nonexistent-program": executable file not found in $PATH'* ]]
	assert_nothing_left
}

@test "run: a cwd that cannot be made is a clear error (a missing one is made, as runc does)" {
	update_config '.process.cwd = "/etc/passwd/below"'
	husk run test_nocwd
	[ "$status" -ne 0 ]
	[[ "$output" == *'process.cwd `/etc/passwd/below`'* ]]
	assert_nothing_left
}

@test "create, start, state, kill, delete" {
	set_args /init sleep inf
	husk_detached create --pid-file "$HUSK_TMP/pid" test_cycle
	[ "$status" -eq 0 ]

	husk state test_cycle
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = created ]
	[ "$(jq -r .id <<<"$output")" = test_cycle ]
	[ "$(jq -r .bundle <<<"$output")" = "$BUNDLE" ]
	[ "$(jq -r .ociVersion <<<"$output")" = 1.3.0 ]
	[ "$(jq -r .pid <<<"$output")" = "$(cat "$HUSK_TMP/pid")" ]
	[ -d "/proc/$(cat "$HUSK_TMP/pid")" ]

	husk start test_cycle
	[ "$status" -eq 0 ]
	husk state test_cycle
	[ "$(jq -r .status <<<"$output")" = running ]

	husk kill test_cycle KILL
	[ "$status" -eq 0 ]
	for _ in $(seq 50); do
		husk state test_cycle
		[ "$(jq -r .status <<<"$output")" = stopped ] && break
		sleep 0.1
	done
	[ "$(jq -r .status <<<"$output")" = stopped ]

	husk kill test_cycle KILL
	[ "$status" -ne 0 ]
	[[ "$output" == *"container not running"* ]]

	husk delete test_cycle
	[ "$status" -eq 0 ]
	husk state test_cycle
	[ "$status" -ne 0 ]
	[[ "$output" == *"container does not exist"* ]]
	assert_nothing_left
}

@test "delete of a running container needs --force" {
	set_args /init sleep inf
	husk_detached run --detach test_force
	[ "$status" -eq 0 ]
	husk delete test_force
	[ "$status" -ne 0 ]
	[[ "$output" == *"not stopped: running"* ]]
	pid=$(jq -r .pid <<<"$(__husk state test_force)")
	husk delete --force test_force
	[ "$status" -eq 0 ]
	[ ! -d "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ]
	assert_nothing_left
}

@test "delete of a created container kills its process" {
	set_args /init nop
	husk_detached create --pid-file "$HUSK_TMP/pid" test_delcreated
	[ "$status" -eq 0 ]
	pid=$(cat "$HUSK_TMP/pid")
	husk delete test_delcreated
	[ "$status" -eq 0 ]
	[ ! -d "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ]
	assert_nothing_left
}

@test "kill takes names with or without SIG, and numbers" {
	set_args /init sleep inf
	husk_detached run --detach test_sig
	[ "$status" -eq 0 ]
	husk kill test_sig SIGCONT
	[ "$status" -eq 0 ]
	husk kill test_sig cont
	[ "$status" -eq 0 ]
	husk kill test_sig 18
	[ "$status" -eq 0 ]
	husk kill test_sig NOSUCHSIG
	[ "$status" -ne 0 ]
	[[ "$output" == *"invalid signal"* ]]
	husk kill --all test_sig KILL
	[ "$status" -eq 0 ]
}

@test "errors engines match on use runc's words" {
	husk start nope
	[ "$status" -ne 0 ]
	[[ "$output" == *"container does not exist"* ]]
	husk state nope
	[[ "$output" == *"container does not exist"* ]]
	husk kill nope
	[[ "$output" == *"container does not exist"* ]]
	husk delete --force nope
	[ "$status" -eq 0 ]

	set_args /init sleep inf
	husk_detached create test_dup
	[ "$status" -eq 0 ]
	husk_detached create test_dup
	[ "$status" -ne 0 ]
	[[ "$output" == *"container with id exists: test_dup"* ]]
}

@test "an invalid id is refused before anything is made" {
	husk_detached create ../escape
	[ "$status" -ne 0 ]
	[[ "$output" == *"invalid container id"* ]]
	assert_nothing_left
}

@test "a malformed config.json fails create with its path and leaves nothing" {
	update_config '.process.rlimits[0].hard = "lots"'
	husk --log "$HUSK_TMP/log.json" --log-format json create test_bad
	[ "$status" -ne 0 ]
	[[ "$output" == *"config.json: process.rlimits[0].hard"* ]]
	[ "$(tail -n1 "$HUSK_TMP/log.json" | jq -r .level)" = error ]
	[[ "$(tail -n1 "$HUSK_TMP/log.json" | jq -r .msg)" == *"process.rlimits[0].hard"* ]]
	assert_nothing_left
}

@test "list shows containers in table, quiet and json forms" {
	set_args /init sleep inf
	husk_detached create test_list_a
	husk_detached create test_list_b
	husk list -q
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'test_list_a\ntest_list_b')" ]
	husk list
	[[ "${lines[0]}" == ID* ]]
	[[ "${lines[1]}" == test_list_a*created* ]]
	husk list --format json
	[ "$(jq -r '.[1].id' <<<"$output")" = test_list_b ]
	[ "$(jq -r '.[0].status' <<<"$output")" = created ]
}

@test "run forwards signals to the container" {
	# Without a pid namespace the process is not an init, so SIGTERM kills it.
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	set_args /init sleep 30
	"$HUSK" --root "$HUSK_ROOT" run test_fwd &
	husk_pid=$!
	for _ in $(seq 50); do
		[ "$(__husk state test_fwd 2>/dev/null | jq -r .status)" = running ] && break
		sleep 0.1
	done
	kill -TERM "$husk_pid"
	wait "$husk_pid" || rc=$?
	[ "${rc:-0}" -eq $((128 + 15)) ]
	assert_nothing_left
}
