#!/usr/bin/env bats
# vm-lsm: none
# AppArmor built into the kernel but not active: tests/vm/run-lane.sh runs
# this file in a VM booted with an `lsm=` list that leaves AppArmor out
# (tests/vm/run --lsm none), so its /proc attributes exist and refuse every
# access.  husk tells that from an active AppArmor (util/lsm.h), with
# securityfs mounted or not, and runs a config naming a profile with a
# warning, where runc 1.1.5 fails: "write /proc/self/attr/exec: invalid
# argument".

load ../integration/helpers

function setup_file() {
	[ -d /proc/self/attr/apparmor ] && [ -r /sys/kernel/security/lsm ] &&
		! grep -qw apparmor /sys/kernel/security/lsm || {
		echo "this kernel has AppArmor active, or not built in: run this file through tests/vm/run-lane.sh (make vm-check)" >&2
		return 1
	}
}

setup() {
	requires root
	setup_bundle
}

teardown() {
	teardown_bundle
}

@test "inactive: built in but not active is no AppArmor, with securityfs or without" {
	# The premise: the attributes are there, and the kernel refuses them.
	run cat /proc/self/attr/apparmor/current
	[ "$status" -ne 0 ]
	[[ "$output" == *"Invalid argument"* ]]
	# features without CRIU, whose check takes seconds under emulation.
	run jq .linux.apparmor.enabled < <("$HUSK" --criu /nonexistent features)
	[ "$output" = false ]
	"$HUSK" --version | grep -qx 'LSMs: none'
	run unshare -m sh -c "umount /sys/kernel/security && '$HUSK' --criu /nonexistent features"
	[ "$status" -eq 0 ]
	[ "$(jq .linux.apparmor.enabled <<<"$output")" = false ]
}

@test "inactive: a config naming a profile runs, with a warning saying why" {
	update_config '.process.apparmorProfile = "docker-default" |
		.process.args = ["/init", "exit", "0"]'
	husk --log "$HUSK_TMP/log.json" --log-format json run lsm-aa
	[ "$status" -eq 0 ]
	grep -q '"level":"warning","msg":"AppArmor profile `docker-default` is not applied: AppArmor is not active on this host (/sys/kernel/security/lsm does not list apparmor)' "$HUSK_TMP/log.json"
	# Without securityfs: the kernel's attributes say the same.
	run unshare -m sh -c "umount /sys/kernel/security &&
		'$HUSK' --root '$HUSK_ROOT' --log '$HUSK_TMP/log2.json' --log-format json run lsm-aa2"
	[ "$status" -eq 0 ]
	grep -q 'AppArmor is not active on this host (securityfs is not mounted, and the kernel keeps no AppArmor attributes for this process (AppArmor is built in but not active))' "$HUSK_TMP/log2.json"
}
