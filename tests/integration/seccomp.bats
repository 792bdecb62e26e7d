#!/usr/bin/env bats
# linux.seccomp, observed from inside the container through
# `/init try-syscall`, which prints `ok RET` or `errno N NAME`, or dies by the
# filter's signal (SIGSYS: husk run returns 128+31).

load helpers

LISTENER=$HUSK_BUILD/tests/seccomp-listener
DOCKER_PROFILE=$INTEGRATION_ROOT/seccomp-docker.json

setup() {
	requires root
	setup_bundle
}

teardown() {
	local pid
	# Only the listener this test started, and only while it is one.
	if [ -n "${HUSK_TMP:-}" ] && [ -f "$HUSK_TMP/listener.pid" ]; then
		pid=$(cat "$HUSK_TMP/listener.pid")
		if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q seccomp-listener; then
			kill -9 "$pid" 2>/dev/null || :
		fi
	fi
	teardown_bundle
}

set_args() {
	local json
	json=$(printf '%s\n' "$@" | jq -R . | jq -s .)
	update_config ".process.args = $json"
}

# seccomp JSON: linux.seccomp becomes JSON.
seccomp() {
	update_config ".linux.seccomp = $1"
}

# A profile allowing everything but RULE (one syscalls[] entry).
allow_but() {
	seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [$1]}"
}

# No container state and no mount of this bundle left (the cache of
# compiled filters is not a container's).
assert_no_container() {
	[ -z "$(ls "$HUSK_ROOT" 2>/dev/null)" ]
	! grep -q "$BUNDLE" /proc/self/mountinfo || false
}

@test "seccomp: SCMP_ACT_ERRNO returns errnoRet" {
	allow_but '{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}'
	set_args /init try-syscall personality 0xffffffff
	husk run sc_errno
	[ "$status" -eq 0 ]
	[ "$output" = "errno 38 ENOSYS" ]
}

@test "seccomp: SCMP_ACT_ERRNO without errnoRet returns EPERM" {
	allow_but '{"names": ["personality"], "action": "SCMP_ACT_ERRNO"}'
	set_args /init try-syscall personality 0xffffffff
	husk run sc_eperm
	[ "$status" -eq 0 ]
	[ "$output" = "errno 1 EPERM" ]
}

@test "seccomp: SCMP_ACT_ALLOW and SCMP_ACT_LOG let the call through" {
	allow_but '{"names": ["personality"], "action": "SCMP_ACT_LOG"}'
	set_args /init try-syscall personality 0xffffffff
	husk run sc_log
	[ "$status" -eq 0 ]
	[ "$output" = "ok 0" ]

	# An allow-list: the default refuses, the listed call passes.
	seccomp "$(jq '.syscalls += [{"names": ["personality"], "action": "SCMP_ACT_ALLOW"}]' \
		"$DOCKER_PROFILE")"
	husk run sc_allow
	[ "$status" -eq 0 ]
	[ "$output" = "ok 0" ]
}

@test "seccomp: SCMP_ACT_TRAP sends SIGSYS" {
	allow_but '{"names": ["personality"], "action": "SCMP_ACT_TRAP"}'
	set_args /init try-syscall personality 0xffffffff
	husk run sc_trap
	[ "$status" -eq 159 ]
	[[ "$output" != *"ok"* ]]
}

@test "seccomp: SCMP_ACT_KILL_PROCESS and SCMP_ACT_KILL kill the process" {
	allow_but '{"names": ["personality"], "action": "SCMP_ACT_KILL_PROCESS"}'
	set_args /init try-syscall personality 0xffffffff
	husk run sc_killp
	[ "$status" -eq 159 ]
	[ -z "$output" ]

	allow_but '{"names": ["personality"], "action": "SCMP_ACT_KILL"}'
	husk run sc_kill
	[ "$status" -eq 159 ]
	[ -z "$output" ]
}

@test "seccomp: defaultAction and defaultErrnoRet apply to unlisted calls" {
	seccomp "$(jq '.defaultErrnoRet = 13' "$DOCKER_PROFILE")"
	set_args /init try-syscall swapon /nonexistent 0
	husk run sc_default
	[ "$status" -eq 0 ]
	[ "$output" = "errno 13 EACCES" ]
}

@test "seccomp: an argument filter denies one value only" {
	allow_but '{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
		"args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}'
	set_args /init try-syscall personality 8
	husk run sc_arg_hit
	[ "$status" -eq 0 ]
	[ "$output" = "errno 22 EINVAL" ]

	set_args /init try-syscall personality 0
	husk run sc_arg_miss
	[ "$status" -eq 0 ]
	[ "$output" = "ok 0" ]
}

@test "seccomp: SCMP_CMP_MASKED_EQ compares (arg & value) with valueTwo" {
	allow_but '{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
		"args": [{"index": 0, "value": 255, "valueTwo": 8, "op": "SCMP_CMP_MASKED_EQ"}]}'
	set_args /init try-syscall personality 0x20008
	husk run sc_masked_hit
	[ "$status" -eq 0 ]
	[ "$output" = "errno 22 EINVAL" ]

	set_args /init try-syscall personality 0x20000
	husk run sc_masked_miss
	[ "$status" -eq 0 ]
	[ "$output" = "ok 0" ]
}

@test "seccomp: two conditions on one argument mean either (runc's rule)" {
	allow_but '{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
		"args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"},
			 {"index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ"}]}'
	set_args /init try-syscall personality 8
	husk run sc_or_a
	[ "$status" -eq 0 ]
	[ "$output" = "errno 22 EINVAL" ]

	set_args /init try-syscall personality 0xffffffff
	husk run sc_or_b
	[ "$status" -eq 0 ]
	[ "$output" = "errno 22 EINVAL" ]

	set_args /init try-syscall personality 0
	husk run sc_or_none
	[ "$status" -eq 0 ]
	[ "$output" = "ok 0" ]
}

@test "seccomp: syscall names unknown to libseccomp are skipped with a debug line" {
	allow_but '{"names": ["husk_no_such_syscall", "personality"], "action": "SCMP_ACT_ERRNO",
		"errnoRet": 38}'
	set_args /init try-syscall personality 0xffffffff
	husk --debug run sc_unknown
	[ "$status" -eq 0 ]
	[[ "$output" == *"husk_no_such_syscall"*"skipped"* ]]
	[[ "$output" == *"errno 38 ENOSYS"* ]]
}

@test "seccomp: docker's default profile runs a busybox shell" {
	requires busybox
	seccomp "$(cat "$DOCKER_PROFILE")"
	# One line: set_args takes one argument per line.
	set_args /bin/sh -c 'echo hello | cat; ls / >/dev/null && echo listed; grep "^Seccomp:" /proc/self/status; /init try-syscall mount none /mnt tmpfs 0 0; /init try-syscall clone3 0 0'
	husk run sc_docker
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hello ]
	[ "${lines[1]}" = listed ]
	[[ "${lines[2]}" == "Seccomp:"*2 ]]
	[ "${lines[3]}" = "errno 1 EPERM" ]
	[ "${lines[4]}" = "errno 38 ENOSYS" ]
}

@test "seccomp: a podman-shaped default profile (ENOSYS by default) runs a busybox shell" {
	requires busybox
	# podman's default profile is docker's with defaultErrnoRet ENOSYS, so
	# a call the profile does not know looks unimplemented, not refused.
	seccomp "$(jq '.defaultErrnoRet = 38' "$DOCKER_PROFILE")"
	set_args /bin/sh -c 'echo hello | cat; /init try-syscall acct 0; /init try-syscall mount none /mnt tmpfs 0 0'
	husk run sc_podman
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hello ]
	[ "${lines[1]}" = "errno 38 ENOSYS" ]
	[ "${lines[2]}" = "errno 38 ENOSYS" ]
}

@test "seccomp: without noNewPrivileges the filter is loaded before the capability drop" {
	update_config '.process.noNewPrivileges = false'
	allow_but '{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}'
	set_args /init try-syscall personality 0xffffffff
	husk run sc_nonnp
	[ "$status" -eq 0 ]
	[ "$output" = "errno 38 ENOSYS" ]
}

@test "seccomp: a compiled filter is cached under the root and reused" {
	allow_but '{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}'
	set_args /init try-syscall personality 0xffffffff
	husk run sc_cache1
	[ "$status" -eq 0 ]
	[ "$(ls "$HUSK_ROOT/.seccomp-cache" | wc -l)" -eq 1 ]

	husk run sc_cache2
	[ "$status" -eq 0 ]
	[ "$output" = "errno 38 ENOSYS" ]
	[ "$(ls "$HUSK_ROOT/.seccomp-cache" | wc -l)" -eq 1 ]

	# A damaged entry is a miss, never a wrong filter.
	printf 'garbage' >"$HUSK_ROOT/.seccomp-cache/$(ls "$HUSK_ROOT/.seccomp-cache")"
	husk run sc_cache3
	[ "$status" -eq 0 ]
	[ "$output" = "errno 38 ENOSYS" ]
}

@test "seccomp: SCMP_ACT_NOTIFY hands the notify fd and the state to listenerPath" {
	[ "$(uname -m)" = x86_64 ] || skip "the listener is told x86_64's number for swapon"
	"$LISTENER" "$HUSK_TMP/listener.sock" "$HUSK_TMP/listener.state" \
		"$HUSK_TMP/listener.pid" 167 42 >"$HUSK_TMP/listener.log" 2>&1
	seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\",
		\"listenerPath\": \"$HUSK_TMP/listener.sock\", \"listenerMetadata\": \"hello\",
		\"syscalls\": [{\"names\": [\"swapon\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
	set_args /init try-syscall swapon /nonexistent 0
	husk run sc_notify
	[ "$status" -eq 0 ]
	# The listener answered 42 for the container.
	[ "$output" = "ok 42" ]
	jq -e '.fds == ["seccompFd"] and .metadata == "hello" and .pid > 0 and
		.state.id == "sc_notify" and .state.status == "creating" and
		.state.bundle == env.BUNDLE' "$HUSK_TMP/listener.state"
}

@test "seccomp: an unreachable listenerPath fails create and leaves nothing" {
	seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\",
		\"listenerPath\": \"$HUSK_TMP/nobody.sock\",
		\"syscalls\": [{\"names\": [\"swapon\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
	husk create sc_nolistener
	[ "$status" -ne 0 ]
	[[ "$output" == *"listenerPath"*"nobody.sock"*"connect"* ]]
	assert_no_container
}

@test "seccomp: bad profiles are refused with the JSON path, leaving nothing" {
	seccomp '{"defaultAction": "SCMP_ACT_NOTIFY"}'
	husk create sc_bad1
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default"* ]]
	[ "${#lines[@]}" -eq 1 ]
	assert_no_container

	allow_but '{"names": ["read"], "action": "SCMP_ACT_FROB"}'
	husk create sc_bad2
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.seccomp.syscalls[0].action: unknown seccomp action"* ]]
	[ "${#lines[@]}" -eq 1 ]
	assert_no_container

	seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$HUSK_TMP/l.sock\",
		\"syscalls\": [{\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
	husk create sc_bad3
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for \`write\`"* ]]
	[ "${#lines[@]}" -eq 1 ]
	assert_no_container

	allow_but '{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}'
	husk create sc_bad4
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.seccomp.listenerPath: required with SCMP_ACT_NOTIFY"* ]]
	assert_no_container

	allow_but '{"names": ["mkdir"], "action": "SCMP_ACT_ALLOW",
		"args": [{"index": 0, "value": 1, "op": "SCMP_CMP_FROB"}]}'
	husk create sc_bad5
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator"* ]]
	assert_no_container
}
