#!/usr/bin/env bats
# lane: vm
# husk sandbox's report of what the job was refused (sandbox/denials.c):
# seccomp's refusals counted by system call, as husk answers them for the
# profile; Landlock's from the kernel's audit log where husk may read it,
# and where it may not, why; --learn, which refuses nothing and reports
# what would have been.

load helpers
bats_require_minimum_version 1.5.0
load sandbox
load landlock

setup() {
	setup_sandbox
}

teardown() {
	teardown_sandbox
}

# The host's tests/ build directory, where the static helper is: its
# try-syscall makes exactly the calls it is asked for.
T="--ro $HUSK_BUILD/tests:/t"

# The count of denials of KIND and WHAT in the report, 0 for none.
function denied() {
	jq -r --arg k "$1" --arg w "$2" \
		'[.denials[] | select(.kind == $k and .what == $w) | .count] | add // 0' "$REPORT"
}

@test "sandbox denials: each call the profile refuses is counted by name, with its errno" {
	# shellcheck disable=SC2086
	sandbox $T -- sh -c 'for i in 1 2 3 4 5 6 7; do /t/init try-syscall mount; done
		/t/init try-syscall unshare 0x10000000; /t/init try-syscall unshare 0x10000000
		/t/init try-syscall clone3; /t/init try-syscall getppid'
	[ "$status" -eq 0 ]
	# The job got what the profile says: EPERM, ENOSYS for clone3.
	[ "$(echo "$output" | grep -c '^errno 1 EPERM$')" -eq 9 ]
	[[ "$output" == *"errno 38 ENOSYS"* ]]
	[ "$(denied seccomp mount)" -eq 7 ]
	[ "$(denied seccomp unshare)" -eq 2 ]
	[ "$(denied seccomp clone3)" -eq 1 ]
	[ "$(denied seccomp getppid)" -eq 0 ]
	[ "$(jq '[.denials_unobserved[] | select(.kind == "seccomp")] | length' "$REPORT")" -eq 0 ]
	# Nothing refused, nothing reported.
	sandbox -- true
	[ "$status" -eq 0 ]
	[ "$(jq '.denials | length' "$REPORT")" -eq 0 ]
}

@test "sandbox denials rootless: counted the same for a job husk runs as nobody" {
	requires userns
	command -v setpriv >/dev/null || skip "no setpriv"
	# shellcheck disable=SC2086
	rootless $T -- sh -c 'for i in 1 2 3; do /t/init try-syscall mount; done'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c '^errno 1 EPERM$')" -eq 3 ]
	[ "$(denied seccomp mount)" -eq 3 ]
}

@test "sandbox denials: with --seccomp FILE, counted with that profile's own errnos" {
	# acct, which no shell makes, refused with EACCES (its own is EPERM).
	cat >"$HUSK_TMP/p.json" <<-'EOF'
		{"defaultAction": "SCMP_ACT_ALLOW",
		 "syscalls": [{"names": ["acct"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
		              {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
		               "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}
	EOF
	# shellcheck disable=SC2086
	sandbox $T --seccomp "$HUSK_TMP/p.json" -- sh -c '/t/init try-syscall acct
		/t/init try-syscall acct; /t/init try-syscall personality 8
		/t/init try-syscall personality 0xffffffff'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "errno 13 EACCES" ]
	[ "${lines[1]}" = "errno 13 EACCES" ]
	[ "${lines[2]}" = "errno 22 EINVAL" ]
	[[ "${lines[3]}" == "ok "* ]]
	[ "$(denied seccomp acct)" -eq 2 ]
	[ "$(denied seccomp personality)" -eq 1 ]
}

@test "sandbox denials: a profile that refuses the init's messages runs unwatched, and the report says so" {
	cat >"$HUSK_TMP/p.json" <<-'EOF'
		{"defaultAction": "SCMP_ACT_ALLOW",
		 "syscalls": [{"names": ["sendmsg", "getppid"], "action": "SCMP_ACT_ERRNO"}]}
	EOF
	# shellcheck disable=SC2086
	sandbox $T --seccomp "$HUSK_TMP/p.json" -- /t/init try-syscall getppid
	[ "$status" -eq 0 ]
	[ "$output" = "errno 1 EPERM" ]
	[ "$(denied seccomp getppid)" -eq 0 ]
	[[ "$(jq -r '.denials_unobserved[] | select(.kind == "seccomp") | .why' "$REPORT")" == *"refuses sendmsg or recvmsg"* ]]
}

@test "sandbox --learn: nothing is refused, and the report lists what would have been" {
	cat >"$HUSK_TMP/p.json" <<-'EOF'
		{"defaultAction": "SCMP_ACT_ALLOW",
		 "syscalls": [{"names": ["acct"], "action": "SCMP_ACT_KILL_PROCESS"}]}
	EOF
	# The default profile: the calls run (unshare makes its namespace).
	# shellcheck disable=SC2086
	sandbox $T --learn -- sh -c '/t/init try-syscall unshare 0x10000000
		/t/init try-syscall unshare 0x10000000; /t/init try-syscall clone3 0 0'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "ok 0" ]
	[ "${lines[1]}" = "ok 0" ]
	[[ "${lines[2]}" != "errno 38 ENOSYS" ]]
	[ "$(denied seccomp unshare)" -eq 2 ]
	[ "$(denied seccomp clone3)" -eq 1 ]
	[ "$(report landlock.mode)" = off ]
	[[ "$(report landlock.why)" == "--learn: "* ]]
	# A call the profile kills for: it runs (and fails as nobody's would).
	# shellcheck disable=SC2086
	sandbox $T --learn --seccomp "$HUSK_TMP/p.json" -- sh -c '/t/init try-syscall acct; echo alive'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "errno 1 EPERM" ]
	[ "${lines[1]}" = alive ]
	[ "$(denied seccomp acct)" -eq 1 ]
	# Without --learn it kills (the shell says so, and goes on).
	# shellcheck disable=SC2086
	sandbox $T --seccomp "$HUSK_TMP/p.json" -- sh -c '/t/init try-syscall acct; echo alive'
	[[ "$output" == *"Bad system call"* ]]
	[[ "$output" != *"errno 1 EPERM"* ]]
}

# Whether the kernel's auditing is on: 1 or 0 (asking is root's).
function audit_enabled() {
	command -v python3 >/dev/null || skip "needs python3 on the host"
	python3 -c '
import socket, struct
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 9)  # NETLINK_AUDIT
s.send(struct.pack("IHHII", 16, 1000, 5, 1, 0))  # AUDIT_GET, NLM_F_REQUEST|NLM_F_ACK
while True:
    m = s.recv(8192)
    if struct.unpack_from("H", m, 4)[0] == 1000:
        print(struct.unpack_from("I", m, 20)[0])  # audit_status.enabled
        break'
}

@test "sandbox denials: Landlock's refusals husk cannot see are named unobserved, with why" {
	requires_landlock 2
	make_outside
	local why
	sandbox -- sh -c 'cat /proc/self/fd/0/secret' <"$OUTSIDE"
	[ "$status" -eq 1 ]
	why=$(jq -r '.denials_unobserved[] | select(.kind == "landlock") | .why' "$REPORT")
	if [ "$(landlock_abi)" -lt 7 ]; then
		[[ "$why" == *"from ABI 7"* ]]
	elif [ "$(audit_enabled)" = 0 ]; then
		[[ "$why" == "the kernel's auditing is off (auditctl -e 1 turns it on)" ]]
	else
		[ -z "$why" ]
	fi
	# As nobody: reading the audit log is root's.
	if [ "$(landlock_abi)" -ge 7 ] && command -v setpriv >/dev/null; then
		rootless -- sh -c 'cat /proc/self/fd/0/secret' <"$OUTSIDE"
		[ "$status" -eq 1 ]
		why=$(jq -r '.denials_unobserved[] | select(.kind == "landlock") | .why' "$REPORT")
		[[ "$why" == *"needs root (CAP_AUDIT_READ)"* ]]
	fi
	# Not confined: nothing of Landlock's to see, nothing said.
	sandbox --landlock off -- true
	[ "$(jq '[.denials_unobserved[] | select(.kind == "landlock")] | length' "$REPORT")" -eq 0 ]
}

@test "sandbox denials: Landlock's refusals, counted from the kernel's audit log" {
	requires_landlock 7
	make_outside
	# Turning auditing on would leave every process of the host audited
	# until it reboots (the kernel's audit_ever_enabled): not for a test on
	# a shared machine.
	[ "$(audit_enabled)" = 1 ] ||
		skip "the kernel's auditing is off here (auditctl -e 1 turns on what this test reads)"
	sandbox -- sh -c 'cat /proc/self/fd/0/secret; cat /proc/self/fd/0/secret' <"$OUTSIDE"
	[ "$status" -eq 1 ]
	[ "$(denied landlock "fs.read_file path=\"$OUTSIDE/secret\"")" -eq 2 ]
}
