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
cgroup managers: cgroupfs (v1, v2, hybrid), systemd, disabled
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

# commands: every command husk has, as `husk help --complete` lists them.
function commands() {
	"$HUSK" help --complete | sed -n 's/^command //p'
}

@test "husk --help, -h and husk help list every command, on stdout" {
	local c n=0
	husk_split --help
	[ "$status" -eq 0 ]
	[ -z "$err" ]
	[[ "$out" == "usage: husk [global options] COMMAND "* ]]
	for c in $(commands); do
		grep -qE "^  $c +[a-z]" <<<"$out"
		n=$((n + 1))
	done
	# The verbs of the compatibility contract, and this issue's.
	[ "$n" -ge 21 ]
	for c in create start state kill delete exec ps pause resume update features run \
		sandbox wait help checkpoint restore events list spec version; do
		grep -qE "^  $c " <<<"$out"
	done
	# Each global flag with its value.
	for f in "--root DIR" "--log FILE" "--log-format text|json" "--debug" \
		"--systemd-cgroup" "--cgroup-manager cgroupfs|systemd|disabled" "--rootless true|false|auto" \
		"--criu PATH" "-v, --version" "-h, --help"; do
		grep -qF -- "$f" <<<"$out"
	done
	husk -h
	[ "$status" -eq 0 ]
	[ "$output" = "$out" ]
	husk help
	[ "$status" -eq 0 ]
	[ "$output" = "$out" ]
	# With no command at all, the same, but on stderr and failing.
	husk_split
	[ "$status" -eq 1 ]
	[ -z "$out" ]
	[[ "$err" == "usage: husk "* ]]
}

@test "every command answers --help, -h and husk help COMMAND on stdout, exiting 0" {
	local c help
	for c in $(commands); do
		husk_split "$c" --help
		[ "$status" -eq 0 ]
		[ -z "$err" ]
		[[ "$out" == "usage: husk [global options] $c "* ]]
		# Every flag is there, with -h and --help.
		[[ "$out" == *"-h, --help "* ]]
		help=$out
		husk_split "$c" -h
		[ "$status" -eq 0 ]
		[ "$out" = "$help" ]
		husk_split help "$c"
		[ "$status" -eq 0 ]
		[ "$out" = "$help" ]
		# Help wins over the verb: nothing ran, whatever the operands.
		husk_split "$c" --help no-such-container
		[ "$status" -eq 0 ]
		[ "$out" = "$help" ]
	done
}

# help_flags VERB: "FLAG VALUE" (VALUE empty for a switch) for each flag
# VERB's --help text shows, read from the text itself.
function help_flags() {
	"$HUSK" "$1" --help | sed -n '/^options:$/,/^$/p' |
		sed -nE 's/^  (-[a-zA-Z], |    )(--[a-z0-9-]+)( ([^ ]+))?( .*)?$/\2 \4/p'
}

@test "every flag a command's --help shows is one it parses" {
	local c flag value n=0
	for c in $(commands); do
		while read -r flag value; do
			# A flag husk did not parse would be an unknown flag; a
			# parsed one leaves --help to print the help.  Values are
			# checked by the verb, which --help never reaches.
			husk_split "$c" "$flag" ${value:+x} --help
			[ "$status" -eq 0 ]
			[[ "$out" == "usage: husk [global options] $c "* ]]
			# The single-dash form too (runc's Go flags, go-runc's
			# -no-subreaper), and --flag=value.
			husk_split "$c" "-${flag#--}" ${value:+x} --help
			[ "$status" -eq 0 ]
			if [ -n "$value" ]; then
				husk_split "$c" "$flag=x" --help
				[ "$status" -eq 0 ]
			fi
			n=$((n + 1))
		done < <(help_flags "$c")
	done
	# run's, exec's and sandbox's flags among them.
	[ "$n" -gt 80 ]
	help_flags run | grep -qx -- '--no-subreaper '
	help_flags exec | grep -qx -- '--env KEY=VALUE'
	help_flags sandbox | grep -qx -- '--memory SIZE'
}

# flat_help VERB: VERB's --help with every run of blanks and newlines one
# space, so that matching does not depend on where lines wrap.
function flat_help() {
	"$HUSK" "$1" --help | tr -s ' \n' '  '
}

@test "help shows each flag's default and the exit codes where they matter" {
	local h
	h=$(flat_help run)
	[[ "$h" == *"--bundle DIR the bundle:"*"(default: the current directory)"* ]]
	[[ "$h" == *" exit status: In the foreground, the container's: its exit code, or 128+N when signal N ended it"* ]]
	h=$(flat_help exec)
	[[ "$h" == *" exit status: In the foreground, the process's"* ]]
	h=$(flat_help wait)
	[[ "$h" == *" exit status: The container's: its exit code, or 128+N"* ]]
	h=$(flat_help sandbox)
	[[ "$h" == *" exit status: The job's own exit code"*124*137*125*126*127* ]]
	[[ "$h" == *"--user UID[:GID] "*"(default: 65534:65534)"* ]]
	[[ "$h" == *"--ro SRC[:DST] "*"(repeatable)"* ]]
	h=$(flat_help list)
	[[ "$h" == *"--format table|json "*"(default: table)"* ]]
	# Verbs whose status is 0 or 1 say nothing of it.
	h=$(flat_help state)
	[[ "$h" != *"exit status:"* ]]
}

@test "a wrong flag is one line on stderr that names it and points at --help" {
	husk_split run --bogus x
	[ "$status" -eq 1 ]
	[ -z "$out" ]
	[ "$err" = "husk: run: unknown flag \`--bogus\`: see \`husk run --help\`" ]

	husk_split create -x x
	[ "$status" -eq 1 ]
	[ "$err" = "husk: create: unknown flag \`-x\`: see \`husk create --help\`" ]

	husk_split exec --pid-file
	[ "$status" -eq 1 ]
	[ "$err" = "husk: exec: flag \`--pid-file\` needs a value: see \`husk exec --help\`" ]

	# A flag run has but create lacks.
	husk_split create --detach x
	[ "$status" -eq 1 ]
	[[ "$err" == *"create: unknown flag \`--detach\`"* ]]

	# The sandbox's setup errors are 125, a command line's too.
	husk_split sandbox --bogus -- true
	[ "$status" -eq 125 ]
	[ "$err" = "husk: sandbox: unknown flag \`--bogus\`: see \`husk sandbox --help\`" ]

	husk_split --bogus list
	[ "$status" -eq 1 ]
	[ "$err" = "husk: unknown global flag \`--bogus\`: see \`husk --help\`" ]

	husk_split help frobnicate
	[ "$status" -eq 1 ]
	[[ "$err" == "husk: help: unknown command \`frobnicate\`"* ]]
}

@test "runc's argv still parses: single dashes, --flag=value, flags before the id" {
	# go-runc's forms, on verbs that need no container to say so.
	husk_split delete -force no_such_ct
	[ "$status" -eq 0 ]
	husk_split delete --force=true no_such_ct
	[ "$status" -eq 1 ]
	[[ "$err" == *"unknown flag"*"--force=true"* ]]
	husk_split kill -all no_such_ct 9
	[ "$status" -eq 1 ]
	[[ "$err" == *"container does not exist"* ]]
	husk_split list -format=json
	[ "$status" -eq 0 ]
	[ "$out" = "[]" ] || [ "$out" = "null" ]
	husk_split list -q
	[ "$status" -eq 0 ]
	[ -z "$out" ]
	husk_split --root="$HUSK_ROOT" -log-format=json list -f json
	[ "$status" -eq 0 ]
	# The container's argv is its own, --help included.
	husk_split exec no_such_ct sh --help
	[ "$status" -eq 1 ]
	[[ "$err" == *"does not exist"* ]]
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
