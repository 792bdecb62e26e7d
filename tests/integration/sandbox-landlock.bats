#!/usr/bin/env bats
# lane: vm
# Landlock, the second wall behind the mounts (init/landlock.h): a job of
# husk sandbox --landlock, and a container with the annotation husk.landlock,
# can open nothing outside their own tree, even what the mounts would let
# through (here a directory of the host's the job inherits as its stdin, its
# file readable by anyone).  The VM lane's kernel (Debian's 6.1) has ABI 2
# at most: what needs more skips there, saying so.

load helpers
bats_require_minimum_version 1.5.0
load sandbox
load landlock

setup() {
	setup_sandbox
	make_outside
}

teardown() {
	teardown_sandbox
}

@test "sandbox landlock: a file outside the box is refused, though the mounts let it through" {
	requires_landlock 2
	sandbox -- sh -c 'cat /proc/self/fd/0/secret' <"$OUTSIDE"
	[ "$status" -eq 1 ]
	[[ "$output" == *"Permission denied"* ]]
	[[ "$output" != *SECRET* ]]
	[ "$(report landlock.mode)" = auto ]
	[ "$(report landlock.abi)" = "$(landlock_abi)" ]
	# The same job without Landlock: only Landlock kept it out.
	sandbox --landlock off -- sh -c 'cat /proc/self/fd/0/secret' <"$OUTSIDE"
	[ "$status" -eq 0 ]
	[ "$output" = SECRET ]
	[ "$(report landlock.mode)" = off ]
	[ "$(report landlock.abi)" = null ]
	sandbox --landlock strict -- sh -c 'cat /proc/self/fd/0/secret' <"$OUTSIDE"
	[ "$status" -eq 1 ]
	[[ "$output" != *SECRET* ]]
	[ "$(report landlock.mode)" = strict ]
}

@test "sandbox landlock rootless: the same wall for a job husk runs as nobody" {
	requires userns
	requires_landlock 2
	command -v setpriv >/dev/null || skip "no setpriv"
	rootless -- sh -c 'cat /proc/self/fd/0/secret' <"$OUTSIDE"
	[ "$status" -eq 1 ]
	[[ "$output" == *"Permission denied"* ]]
	[ "$(report landlock.abi)" = "$(landlock_abi)" ]
	rootless --landlock off -- sh -c 'cat /proc/self/fd/0/secret' <"$OUTSIDE"
	[ "$status" -eq 0 ]
	[ "$output" = SECRET ]
	[ -z "$(ls "$HUSK_TMP/rl/state")" ]
}

@test "sandbox landlock: inside its box the job works as before" {
	requires_landlock 2
	mkdir -m 777 "$HUSK_TMP/w" "$HUSK_TMP/rw"
	echo data >"$HUSK_TMP/ro"
	chmod 644 "$HUSK_TMP/ro"
	# Reads, runs programs, writes, renames and links across directories
	# (Landlock's REFER), truncates, makes and removes, on /tmp, --rw and
	# --workdir.
	sandbox --workdir "$HUSK_TMP/w" --rw "$HUSK_TMP/rw:/rw" --ro "$HUSK_TMP/ro:/ro" -- sh -ec '
		cat /ro /etc/hostname >/dev/null
		ls /usr/bin >/dev/null
		mkdir /tmp/a /tmp/b; echo x >/tmp/a/f; mv /tmp/a/f /tmp/b/f; ln /tmp/b/f /tmp/a/g
		echo y >/rw/f; mkdir /rw/d; mv /rw/f /rw/d/f; : >/rw/d/f; rm -r /rw/d
		echo z >f; ln -s f l; cat l >/dev/null; rm l
		printf "#!/bin/sh\necho ran\n" >/tmp/s; chmod +x /tmp/s; /tmp/s
		echo done'
	[ "$status" -eq 0 ]
	[ "$(report landlock.abi)" = "$(landlock_abi)" ]
	[ "${lines[0]}" = ran ]
	[ "${lines[1]}" = done ]
	[ "$(cat "$HUSK_TMP/w/f")" = z ]
	[ ! -e "$HUSK_TMP/rw/d" ]
	# A read-only mount stays read-only.
	sandbox --ro "$HUSK_TMP/ro:/ro" -- sh -c 'echo no >/ro'
	[ "$status" -ne 0 ]
	[ "$(cat "$HUSK_TMP/ro")" = data ]
}

@test "sandbox landlock: strict where the kernel has none is a clear error; auto goes without, and says why" {
	run -125 --separate-stderr without_landlock "$HUSK" --root "$HUSK_ROOT" sandbox \
		--cgroup-parent "$SANDBOX_CG" --report "$REPORT" --landlock strict -- true
	echo "$stderr" >&2
	[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == *"landlock: strict, but this kernel has no Landlock (landlock_create_ruleset: ENOSYS)"* ]]
	[ "$(report status)" = setup-error ]
	check_clean
	run -0 without_landlock "$HUSK" --root "$HUSK_ROOT" sandbox --cgroup-parent "$SANDBOX_CG" \
		--report "$REPORT" -- sh -c 'cat /proc/self/fd/0/secret' <"$OUTSIDE"
	[ "$output" = SECRET ]
	[ "$(report landlock.mode)" = auto ]
	[ "$(report landlock.abi)" = null ]
	[[ "$(report landlock.why)" == *"no Landlock"* ]]
	check_clean
}

@test "sandbox landlock: --tcp-bind and --tcp-connect allow those ports only" {
	requires_landlock 4
	command -v python3 >/dev/null || skip "needs python3 on the host"
	# In the job's own network namespace: a server on a port it may bind,
	# reached on a port it may connect to; any other port refused.
	local py='import socket, sys
def try_(f):
    try:
        f(); return "ok"
    except OSError as e:
        return e.strerror
s = socket.socket(); t = socket.socket()
print(try_(lambda: s.bind(("127.0.0.1", 4711))), try_(lambda: t.bind(("127.0.0.1", 4712))))
s.listen()
print(try_(lambda: socket.create_connection(("127.0.0.1", 4711))), try_(lambda: socket.create_connection(("127.0.0.1", 4713))))'
	sandbox --tcp-bind 4711 --tcp-connect 4711,80 -- python3 -c "$py"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "ok Permission denied" ]
	[ "${lines[1]}" = "ok Permission denied" ]
	sandbox --tcp-bind none -- python3 -c "$py"
	[[ "${lines[0]}" == "Permission denied Permission denied" ]]
	sandbox -- python3 -c "$py"
	[ "${lines[0]}" = "ok ok" ]
	[ "${lines[1]}" = "ok Connection refused" ]
}

@test "sandbox landlock: abstract unix sockets outside the box are out of reach, even with --net host" {
	requires_landlock 6
	command -v python3 >/dev/null || skip "needs python3 on the host"
	local name="husk-ll-$$-$BATS_TEST_NUMBER" pid
	python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind("\0" + sys.argv[1]); s.listen(); time.sleep(30)' "$name" &
	pid=$!
	sleep 0.5
	local py='import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect("\0" + sys.argv[1]); print("connected")
except OSError as e:
    print(e.strerror)'
	sandbox --net host -- python3 -c "$py" "$name"
	local confined=$output
	sandbox --net host --landlock off -- python3 -c "$py" "$name"
	local open=$output
	kill "$pid"
	wait "$pid" || :
	[ "$confined" = "Operation not permitted" ]
	[ "$open" = connected ]
}

@test "sandbox landlock: bad flags are one clear error, exit 125" {
	while IFS='|' read -r args want; do
		# shellcheck disable=SC2086 # the flags split on purpose
		run -125 --separate-stderr sandbox_raw $args -- true
		echo "$args: $stderr" >&2
		[ "$(echo "$stderr" | wc -l)" -eq 1 ]
		[[ "$stderr" == *"$want"* ]]
		check_clean
	done <<-EOF2
		--landlock maybe|--landlock \`maybe\`: expected auto, strict or off
		--tcp-bind 0|--tcp-bind \`0\`: expected TCP ports
		--tcp-connect 80,,443|--tcp-connect \`80,,443\`: expected TCP ports
		--tcp-connect 65536|--tcp-connect \`65536\`: expected TCP ports
		--tcp-bind 80 --landlock off|--tcp-bind and --tcp-connect are Landlock's: not with --landlock off
	EOF2
}

# A bundle of the test rootfs whose process reads the secret through its
# stdin, with the annotation husk.landlock set to $1 (none when empty).
function landlock_bundle() {
	BUNDLE=$HUSK_TMP/bundle
	rm -rf "$BUNDLE"
	mkdir "$BUNDLE"
	cp -a "$ROOTFS" "$BUNDLE/rootfs"
	cp "$CONFIG_TEMPLATE" "$BUNDLE/config.json"
	update_config '.process.args = ["/init", "cat", "/proc/self/fd/0/secret"]'
	if [ -n "$1" ]; then
		update_config ".annotations = {\"husk.landlock\": $(jq -Rn --arg v "$1" '$v')}"
	fi
	cd "$BUNDLE" || return 1
}

@test "container landlock: the annotation husk.landlock confines run and exec; without it, nothing" {
	requires_landlock 2
	landlock_bundle strict
	husk run ll1 <"$OUTSIDE"
	[ "$status" -eq 1 ]
	[[ "$output" == *"Permission denied"* ]]
	[[ "$output" != *SECRET* ]]
	landlock_bundle '{"mode": "auto"}'
	update_config '.process.args = ["/init", "sleep", "30"]'
	husk_detached run -d ll2
	[ "$status" -eq 0 ]
	husk exec ll2 /init cat /proc/self/fd/0/secret <"$OUTSIDE"
	[ "$status" -eq 1 ]
	[[ "$output" != *SECRET* ]]
	husk delete --force ll2
	landlock_bundle ""
	husk run ll3 <"$OUTSIDE"
	[ "$status" -eq 0 ]
	[ "$output" = SECRET ]
}

@test "container landlock: a bad annotation fails create, naming it; strict without Landlock too" {
	landlock_bundle '{"mode": "strong"}'
	husk run ll4 </dev/null
	[ "$status" -ne 0 ]
	[[ "$output" == *'config.json: annotations["husk.landlock"]: mode: expected "auto", "strict" or "off", got "strong"'* ]]
	[ -z "$(ls "$HUSK_ROOT")" ]
	landlock_bundle strict
	run without_landlock "$HUSK" --root "$HUSK_ROOT" run ll5 </dev/null
	echo "$output" >&2
	[ "$status" -ne 0 ]
	[[ "$output" == *"landlock: strict, but this kernel has no Landlock"* ]]
	[ -z "$(ls "$HUSK_ROOT")" ]
	run "$HUSK" features
	[ "$(echo "$output" | jq -r '.annotations["husk.landlock.abi"]')" = "$(landlock_abi)" ]
}
