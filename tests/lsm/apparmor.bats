#!/usr/bin/env bats
# vm-lsm: apparmor
# AppArmor, for real: tests/vm/run-lane.sh runs this file in a VM booted
# with `apparmor=1 security=apparmor` (tests/vm/run --lsm apparmor), where
# the test profiles are loaded with Debian's apparmor_parser.  A container
# or an exec'd process naming a loaded profile runs under it, what the
# profile denies is denied, and a profile that is not loaded is an error
# naming it (init/lsm.h).

load ../integration/helpers

# Everything allowed but writes under /dev/shm (a tmpfs of the test config).
PROFILE_TEST='profile husk-test flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  mount,
  umount,
  pivot_root,
  signal,
  ptrace,
  unix,
  deny /dev/shm/** w,
}'
# What husk itself may run under: everything, changing profiles included.
PROFILE_OUTER='profile husk-outer flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  mount,
  umount,
  pivot_root,
  signal,
  ptrace,
  unix,
  change_profile -> **,
}'

function setup_file() {
	grep -qw apparmor /sys/kernel/security/lsm 2>/dev/null || {
		echo "AppArmor is not active here: run this file through tests/vm/run-lane.sh (make vm-check)" >&2
		return 1
	}
	# -K: no cache written; -r: replace what a failed run left.
	apparmor_parser -K -r <<<"$PROFILE_TEST"
	apparmor_parser -K -r <<<"$PROFILE_OUTER"
}

function teardown_file() {
	apparmor_parser -R <<<"$PROFILE_TEST" || :
	apparmor_parser -R <<<"$PROFILE_OUTER" || :
}

setup() {
	requires root
	setup_bundle
}

teardown() {
	teardown_bundle
}

@test "apparmor: active here, and features and --version say husk applies it" {
	grep -qx 'husk-test (enforce)' /sys/kernel/security/apparmor/profiles
	# features without CRIU, whose check takes seconds under emulation.
	run jq .linux.apparmor.enabled < <("$HUSK" --criu /nonexistent features)
	[ "$output" = true ]
	"$HUSK" --version | grep -qx 'LSMs: apparmor'
	# Without securityfs, the kernel's own attributes tell.
	run unshare -m sh -c "umount /sys/kernel/security && '$HUSK' --criu /nonexistent features"
	[ "$status" -eq 0 ]
	[ "$(jq .linux.apparmor.enabled <<<"$output")" = true ]
}

@test "apparmor: a config naming a loaded profile runs confined" {
	update_config '.process.apparmorProfile = "husk-test" |
		.process.args = ["/init", "cat", "/proc/self/attr/current", "/proc/self/attr/apparmor/current"]'
	husk run lsm-aa
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "husk-test (enforce)" ]
	[ "${lines[1]}" = "husk-test (enforce)" ]
}

@test "apparmor: what the profile denies is denied" {
	update_config '.process.args = ["/init", "write", "/dev/shm/x", "hi"]'
	# Unconfined, the write is allowed...
	husk run lsm-free
	[ "$status" -eq 0 ]
	# ...under the profile, it is not.
	update_config '.process.apparmorProfile = "husk-test"'
	husk run lsm-denied
	[ "$status" -ne 0 ]
	[[ "$output" == *"/dev/shm/x: Permission denied"* ]]
}

@test "apparmor: a profile that is not loaded is an error naming it, and nothing is left" {
	update_config '.process.apparmorProfile = "husk-not-loaded"'
	husk --log "$HUSK_TMP/log.json" --log-format json run lsm-nl
	[ "$status" -ne 0 ]
	[[ "$output" == *'AppArmor profile `husk-not-loaded` (no profile of that name is loaded): write `/proc/'*'/attr/apparmor/exec`: no such file or directory'* ]]
	grep -q '"level":"error".*husk-not-loaded' "$HUSK_TMP/log.json"
	husk state lsm-nl
	[[ "$output" == *"container does not exist"* ]]
	[ -z "$(ls -A "$HUSK_ROOT")" ]
}

@test "apparmor: exec --apparmor, and exec's default is the container's profile" {
	update_config '.process.args = ["/init", "sleep", "inf"]'
	husk_detached run --detach lsm-ex
	[ "$status" -eq 0 ]
	husk exec lsm-ex /init cat /proc/self/attr/current
	[ "$output" = unconfined ]
	husk exec --apparmor husk-test lsm-ex /init cat /proc/self/attr/current
	[ "$status" -eq 0 ]
	[ "$output" = "husk-test (enforce)" ]
	husk exec --apparmor husk-test lsm-ex /init write /dev/shm/x hi
	[ "$status" -ne 0 ]
	[[ "$output" == *"/dev/shm/x: Permission denied"* ]]
	husk exec --apparmor husk-not-loaded lsm-ex /init nop
	[ "$status" -ne 0 ]
	[[ "$output" == *'exec: AppArmor profile `husk-not-loaded` (no profile of that name is loaded)'* ]]
	# process.json's apparmorProfile.
	echo '{"args": ["/init", "cat", "/proc/self/attr/current"], "cwd": "/", "user": {"uid": 0, "gid": 0}, "apparmorProfile": "husk-test"}' >"$HUSK_TMP/p.json"
	husk exec -p "$HUSK_TMP/p.json" lsm-ex
	[ "$output" = "husk-test (enforce)" ]

	# A container with a profile: exec without --apparmor takes it.
	update_config '.process.apparmorProfile = "husk-test"'
	husk_detached run --detach lsm-ex2
	[ "$status" -eq 0 ]
	husk exec lsm-ex2 /init cat /proc/self/attr/current
	[ "$output" = "husk-test (enforce)" ]
}

@test "apparmor: a container with its own user namespace runs confined too" {
	update_config '.process.apparmorProfile = "husk-test" |
		.process.args = ["/init", "cat", "/proc/self/attr/current"] |
		.linux.namespaces += [{"type": "user"}] |
		.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
		.linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	husk run lsm-us
	[ "$status" -eq 0 ]
	[ "$output" = "husk-test (enforce)" ]
}

@test "apparmor: husk under a profile of its own stacks the container's, as no_new_privs requires" {
	update_config '.process.apparmorProfile = "husk-test" | .process.noNewPrivileges = true |
		.process.args = ["/init", "cat", "/proc/self/attr/current"]'
	run aa-exec -p husk-outer -- "$HUSK" --root "$HUSK_ROOT" run lsm-st
	echo "$output" >&2
	[ "$status" -eq 0 ]
	[ "$output" = "husk-outer//&husk-test (enforce)" ]
}

@test "apparmor: CVE-2019-16884: a fake /proc in the container does not keep the profile off" {
	# The container's /proc is a directory of the attacker's, with the
	# attribute files a write through /proc/self would land in.  husk
	# writes through its own procfs, so the profile still applies.
	local d
	for d in self thread-self; do
		mkdir -p "$HUSK_TMP/fakeproc/$d/attr/apparmor"
		: >"$HUSK_TMP/fakeproc/$d/attr/exec"
		: >"$HUSK_TMP/fakeproc/$d/attr/apparmor/exec"
	done
	update_config '.process.apparmorProfile = "husk-test" |
		.mounts = [.mounts[] | if .destination == "/proc" then
			{"destination": "/proc", "type": "bind", "source": "'"$HUSK_TMP/fakeproc"'", "options": ["rbind"]}
			else . end] |
		.linux.maskedPaths = [] | .linux.readonlyPaths = [] |
		.process.args = ["/init", "write", "/dev/shm/x", "hi"]'
	husk run lsm-fake
	[ "$status" -ne 0 ]
	[[ "$output" == *"/dev/shm/x: Permission denied"* ]]
	[ -z "$(cat "$HUSK_TMP"/fakeproc/*/attr/exec "$HUSK_TMP"/fakeproc/*/attr/apparmor/exec)" ]
}
