#!/usr/bin/env bats
# The command line as it stands: global flags, --version, errors and the log.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

# husk_split ARGS...: like husk, but stdout and stderr apart, in $out and
# $err, with $status.
husk_split() {
	status=0
	"$HUSK" --root "$HUSK_ROOT" "$@" >"$HUSK_TMP/stdout" 2>"$HUSK_TMP/stderr" || status=$?
	out=$(cat "$HUSK_TMP/stdout")
	err=$(cat "$HUSK_TMP/stderr")
	echo "husk $* (status=$status): stdout: $out stderr: $err" >&2
}

# RFC 3339, as Go's time.RFC3339Nano and logrus print it.
RFC3339='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$'

@test "--version prints husk, spec and libseccomp versions as runc does, then what the build supports" {
	local want_version want_seccomp want_static
	want_version=$(sed -n 's/^VERSION := *//p' "$REPO_ROOT/Makefile")
	want_seccomp=$(pkg-config --modversion libseccomp)
	[ -n "$want_version" ] && [ -n "$want_seccomp" ]
	# ldd says a static binary is "not a dynamic executable", and fails.
	want_static=no
	ldd "$HUSK" >/dev/null 2>&1 || want_static=yes

	husk_split --version
	[ "$status" -eq 0 ]
	[ -z "$err" ]
	[ "$out" = "husk version $want_version
spec: 1.3.0
libseccomp: $want_seccomp
cgroup managers: cgroupfs (v1, v2, hybrid), disabled
LSMs: none
static: $want_static" ]

	# -v and the version verb say the same.
	husk -v
	[ "$status" -eq 0 ]
	[ "$output" = "$out" ]
	husk version
	[ "$status" -eq 0 ]
	[ "$output" = "$out" ]
}

@test "--version and features tell the same cgroup managers and LSMs" {
	local features managers lsms
	features=$("$HUSK" features)
	managers=$("$HUSK" --version | sed -n 's/^cgroup managers: //p')
	lsms=$("$HUSK" --version | sed -n 's/^LSMs: //p')
	[[ "$managers" == *disabled ]]
	# cgroupfs covers v1 and v2 when features says both.
	if jq -e '.linux.cgroup.v1 and .linux.cgroup.v2' <<<"$features"; then
		[[ "$managers" == "cgroupfs (v1, v2, hybrid)"* ]]
	fi
	if jq -e '.linux.cgroup.systemd' <<<"$features"; then
		[[ "$managers" == *systemd* ]]
	else
		[[ "$managers" != *systemd* ]]
	fi
	for lsm in apparmor selinux; do
		if jq -e ".linux.$lsm.enabled" <<<"$features"; then
			[[ "$lsms" == *"$lsm"* ]]
		else
			[[ "$lsms" != *"$lsm"* ]]
		fi
	done
	if jq -e '.linux.apparmor.enabled or .linux.selinux.enabled' <<<"$features"; then
		[ "$lsms" != none ]
	else
		[ "$lsms" = none ]
	fi
}

@test "an unknown command fails and names it" {
	husk_split frobnicate
	[ "$status" -eq 1 ]
	[ -z "$out" ]
	[[ "$err" == "husk: "*"unknown command"*"frobnicate"* ]]
}

@test "an unknown global flag fails and names it" {
	husk_split --frobnicate version
	[ "$status" -eq 1 ]
	[ -z "$out" ]
	[[ "$err" == "husk: "*"--frobnicate"* ]]

	husk_split -x version
	[ "$status" -eq 1 ]
	[ -z "$out" ]
	[[ "$err" == "husk: "* ]]
}

@test "a global flag missing its value fails" {
	husk_split --log
	[ "$status" -eq 1 ]
	[ -z "$out" ]
	[[ "$err" == "husk: "*log* ]]
}

@test "--log FILE --log-format json appends a JSON error line" {
	local log=$HUSK_TMP/log.json
	husk_split --log "$log" --log-format json frobnicate
	[ "$status" -eq 1 ]
	# stderr still carries the message.
	[[ "$err" == "husk: "*frobnicate* ]]
	[ "$(wc -l <"$log")" -eq 1 ]
	jq -e '.level == "error"' "$log"
	jq -e '.msg | contains("frobnicate")' "$log"
	jq -e '.msg | contains("unknown command")' "$log"
	[[ "$(jq -r .time "$log")" =~ $RFC3339 ]]

	# A second run appends.
	husk_split --log "$log" --log-format json nosuchverb
	[ "$status" -eq 1 ]
	[ "$(wc -l <"$log")" -eq 2 ]
	# Every line is a JSON object; the last error is what containerd shows.
	jq -e -s 'length == 2 and all(.[]; type == "object")' "$log"
	jq -e -s '.[-1].level == "error" and (.[-1].msg | contains("nosuchverb"))' "$log"
}

@test "--log-format text writes a logrus-shaped line" {
	local log=$HUSK_TMP/log.txt line time msg
	husk_split --log "$log" --log-format text frobnicate
	[ "$status" -eq 1 ]
	[ "$(wc -l <"$log")" -eq 1 ]
	line=$(cat "$log")
	[[ "$line" =~ ^time=\"([^\"]+)\"\ level=error\ msg=\"(.*)\"$ ]]
	time=${BASH_REMATCH[1]}
	msg=${BASH_REMATCH[2]}
	[[ "$time" =~ $RFC3339 ]]
	[[ "$msg" == *"unknown command"*frobnicate* ]]
}

@test "text is the default log format" {
	local log=$HUSK_TMP/log.txt
	husk_split --log "$log" frobnicate
	[ "$status" -eq 1 ]
	grep -E '^time="[^"]+" level=error msg=".*frobnicate.*"$' "$log"
}

@test "--log-format xml is refused" {
	husk_split --log-format xml version
	[ "$status" -eq 1 ]
	[ -z "$out" ]
	[[ "$err" == "husk: "*xml* ]]
}

@test "--log to an unwritable path fails with a message" {
	husk_split --log "$HUSK_TMP/no/such/dir/log" --log-format json version
	[ "$status" -eq 1 ]
	[[ "$err" == "husk: "* ]]
}

@test "single-dash long flags are accepted (-log F -log-format json)" {
	local log=$HUSK_TMP/log.json
	husk_split -log "$log" -log-format json frobnicate
	[ "$status" -eq 1 ]
	jq -e '.level == "error" and (.msg | contains("frobnicate"))' "$log"

	# As go-runc sends them, with -root first.
	status=0
	"$HUSK" -root "$HUSK_ROOT" -log "$log" -log-format json version || status=$?
	[ "$status" -eq 0 ]
}

@test "--flag=value is accepted" {
	local log=$HUSK_TMP/log.json
	husk_split --log="$log" --log-format=json frobnicate
	[ "$status" -eq 1 ]
	jq -e '.level == "error" and (.msg | contains("frobnicate"))' "$log"

	status=0
	"$HUSK" --root="$HUSK_ROOT" --log-format=text version || status=$?
	[ "$status" -eq 0 ]
}

@test "the tests run in a private mount namespace" {
	if [ -z "${HOST_MNTNS:-}" ]; then
		echo "HOST_MNTNS unset: run the suite through tests/run-integration.sh" >&2
		return 1
	fi
	[ "$(readlink /proc/self/ns/mnt)" != "$HOST_MNTNS" ]
}

@test "/dev/null in the tests is a private 1:3 node, not the host's" {
	requires root
	if [ -z "${HOST_DEVNULL_INO:-}" ]; then
		echo "HOST_DEVNULL_INO unset: run the suite through tests/run-integration.sh" >&2
		return 1
	fi
	[ "$(stat -L -c %d:%i /dev/null)" != "$HOST_DEVNULL_INO" ]
	[ "$(stat -L -c %F:%t:%T /dev/null)" = "character special file:1:3" ]
	awk '$5 == "/dev/null" { found = 1 } END { exit !found }' /proc/self/mountinfo
	echo discarded >/dev/null
	[ -z "$(cat /dev/null)" ]
}

@test "requires fails loudly on an unknown requirement" {
	run bash -c 'source "$1"; requires root no_such_requirement; echo reached' \
		requires "$INTEGRATION_ROOT/helpers.bash"
	[ "$status" -ne 0 ]
	[[ "$output" == *"unknown requirement"*no_such_requirement* ]]
	[[ "$output" != *reached* ]]

	# Known names pass when met, in a subshell too.
	run bash -c 'source "$1"; requires busybox; echo reached' \
		requires "$INTEGRATION_ROOT/helpers.bash"
	[ "$status" -eq 0 ]
	[ "$output" = reached ]
}

@test "setup_bundle makes a bundle from the template and update_config edits it" {
	[ "$PWD" = "$BUNDLE" ]
	[ -x "$BUNDLE/rootfs/init" ]
	jq -e '.ociVersion == "1.3.0" and .process.args == ["/init", "nop"] and .root.readonly' \
		config.json
	update_config '.process.args = ["/init", "getuid"] | .hostname = "other"'
	jq -e '.process.args == ["/init", "getuid"] and .hostname == "other"' config.json
	# A bad expression fails and leaves the file alone.
	run update_config '.process.args = ['
	[ "$status" -ne 0 ]
	jq -e '.hostname == "other"' config.json
}

@test "the test rootfs runs the helper" {
	requires root
	run chroot "$BUNDLE/rootfs" /init getuid
	[ "$status" -eq 0 ]
	[[ "$output" == "uid=0 gid=0 euid=0 egid=0 groups="* ]]
	run chroot "$BUNDLE/rootfs" /bin/sh -c 'id test'
	[ "$status" -eq 0 ]
	[ "$output" = "uid=1000(test) gid=1000(test) groups=1000(test),1001(extra)" ]
	run chroot "$BUNDLE/rootfs" /init frobnicate
	[ "$status" -eq 2 ]
}
