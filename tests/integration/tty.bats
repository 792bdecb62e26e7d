#!/usr/bin/env bats
# process.terminal: the console allocated in the container's own devpts,
# sent over --console-socket or relayed by `run` in the foreground.

load helpers

setup() {
	requires root
	setup_bundle
	update_config '.process.terminal = true'
}

teardown() {
	stop_recvtty
	teardown_bundle
}

assert_nothing_left() {
	[ ! -d "$HUSK_ROOT" ] || [ -z "$(ls -A "$HUSK_ROOT")" ]
	! grep -q "$BUNDLE" /proc/self/mountinfo || false
}

@test "run: with a terminal, the process's stdio is a tty" {
	update_config '.process.args = ["/init", "isatty", "0"]'
	husk run vt_run </dev/null
	[ "$status" -eq 0 ]
	[ "$(tr -d '\r' <<<"$output")" = yes ]
	assert_nothing_left
}

@test "run: the console is the container's own pty, bound at /dev/console" {
	update_config '.process.args = ["/bin/sh", "-c", "tty; stat -c %t:%T /dev/console $(tty)"]'
	husk run vt_console </dev/null
	[ "$status" -eq 0 ]
	out=$(tr -d '\r' <<<"$output")
	[ "$(sed -n 1p <<<"$out")" = /dev/pts/0 ]
	# Both names are the same device, a pts (major 136 = 0x88).
	[ "$(sed -n 2p <<<"$out")" = "$(sed -n 3p <<<"$out")" ]
	[[ "$(sed -n 2p <<<"$out")" == 88:* ]]
}

@test "consoleSize sets the console's rows and columns" {
	update_config '.process.consoleSize = {"height": 33, "width": 111} | .process.args = ["/bin/stty", "size"]'
	husk run vt_size </dev/null
	[ "$status" -eq 0 ]
	[ "$(tr -d '\r' <<<"$output")" = "33 111" ]
}

@test "run: input reaches the container through the console" {
	update_config '.process.args = ["/bin/sh", "-c", "read line; echo got:$line"]'
	run bash -c "echo hello | '$HUSK' --root '$HUSK_ROOT' run vt_input"
	[ "$status" -eq 0 ]
	[[ "$(tr -d '\r' <<<"$output")" == *"got:hello"* ]]
}

@test "run from a real terminal restores the terminal's mode afterwards" {
	command -v script >/dev/null || skip "script(1) not installed"
	update_config '.process.args = ["/init", "isatty", "1"]'
	run script -qec "stty -g; '$HUSK' --root '$HUSK_ROOT' run vt_script; stty -g" /dev/null
	[ "$status" -eq 0 ]
	# script(1) turns the end of its (empty) stdin into a NUL typed on the
	# terminal, which the terminal echoes as "^@": drop it with the
	# carriage returns.
	out=$(tr -d '\r' <<<"$output" | sed 's/\^@//g')
	before=$(sed -n 1p <<<"$out")
	after=$(sed -n '$p' <<<"$out")
	[[ "$out" == *yes* ]]
	[ -n "$before" ]
	[ "$before" = "$after" ]
}

@test "create --console-socket sends the console's master over the socket" {
	update_config '.process.args = ["/bin/sh", "-c", "tty; echo from-the-console"]'
	start_recvtty
	husk_detached create --console-socket "$SOCK" vt_sock
	[ "$status" -eq 0 ]
	husk start vt_sock
	[ "$status" -eq 0 ]
	wait_recvtty
	out=$(tr -d '\r' <"$HUSK_TMP/console")
	[[ "$out" == *"/dev/pts/0"* ]]
	[[ "$out" == *"from-the-console"* ]]
	grep -q 'got /dev/ptmx' "$HUSK_TMP/recvtty.err"
}

@test "the console socket's receiver can type into the container" {
	update_config '.process.args = ["/bin/sh", "-c", "read line; echo typed:$line"]'
	start_recvtty $'abc\n'
	husk_detached create --console-socket "$SOCK" vt_type
	[ "$status" -eq 0 ]
	husk start vt_type
	wait_recvtty
	[[ "$(tr -d '\r' <"$HUSK_TMP/console")" == *"typed:abc"* ]]
}

@test "a terminal without a console socket is refused when husk detaches" {
	husk create vt_nosock
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot allocate tty if husk will detach without setting console socket"* ]]
	husk run --detach vt_nosock
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot allocate tty"* ]]
	assert_nothing_left
}

@test "a console socket without a terminal is refused" {
	update_config '.process.terminal = false'
	husk create --console-socket "$HUSK_TMP/none.sock" vt_noterm
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot use console socket if husk will not detach or allocate tty"* ]]
	assert_nothing_left
}

@test "a console socket nobody listens on fails create and leaves nothing" {
	husk create --console-socket "$HUSK_TMP/nobody.sock" vt_deaf
	[ "$status" -ne 0 ]
	[[ "$output" == *"--console-socket"*"nobody.sock"* ]]
	assert_nothing_left
}
