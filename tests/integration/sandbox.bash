#!/bin/bash
# tests/integration/sandbox.bash: what the sandbox tests share (loaded after
# helpers.bash by sandbox.bats, sandbox-limits.bats and rootless-cgroups.bats).
#
#   sandbox FLAGS... -- CMD...    husk sandbox via bats' run, with the test's
#                                 state root, cgroup parent and --report
#   sandbox_raw FLAGS...          husk sandbox with the test's state root and
#                                 cgroup parent only (for `run -N`)
#   report FIELD                  a field of the last run's report (jq -r)
#   check_clean                   fails if anything of a sandbox is left

# A state root and a cgroup parent of the test's own: absolute, never under
# the cgroup the test shell sits in.
function setup_sandbox() {
	requires root
	HUSK_TMP=$(mktemp -d "${TMPDIR:-/tmp}/husk.XXXXXX")
	HUSK_ROOT=$HUSK_TMP/state
	SANDBOX_CG=/husk-sbtest-$$-$BATS_TEST_NUMBER
	REPORT=$HUSK_TMP/report.json
	# Every job here runs under SANDBOX_CG; husk's default parent must not
	# appear because of a test (teardown removes it and fails if it did).
	DEFAULT_CG_EXISTED=$([ -d /sys/fs/cgroup/pids/husk-sandbox ] || [ -d /sys/fs/cgroup/husk-sandbox ] && echo yes || echo no)
	# The job runs as nobody: what it is given must be open to it.
	chmod 755 "$HUSK_TMP"
	export HUSK_TMP HUSK_ROOT SANDBOX_CG REPORT DEFAULT_CG_EXISTED
}

function teardown_sandbox() {
	local left procs
	# A test that failed with a job still running: end it (its husk then
	# cleans up after it) before looking for what was left.
	for procs in /sys/fs/cgroup/*"$SANDBOX_CG"/*/cgroup.procs /sys/fs/cgroup"$SANDBOX_CG"/*/cgroup.procs; do
		[ -f "$procs" ] && xargs -r kill -9 <"$procs" 2>/dev/null
	done
	wait
	left=$(check_clean 2>&1) || :
	remove_cgroup_parent "$SANDBOX_CG"
	if [ "$DEFAULT_CG_EXISTED" = no ] && compgen -G "/sys/fs/cgroup/*/husk-sandbox" >/dev/null; then
		left+=$'\n'"a job ran under husk's default cgroup parent /husk-sandbox"
		remove_cgroup_parent /husk-sandbox
	fi
	teardown_bundle
	if [ -n "$left" ]; then
		echo "$left" >&2
		return 1
	fi
}

function sandbox() {
	husk sandbox --cgroup-parent "$SANDBOX_CG" --report "$REPORT" "$@"
}

function sandbox_raw() {
	__husk sandbox --cgroup-parent "$SANDBOX_CG" "$@"
}

function report() {
	jq -r ".$1" "$REPORT"
}

# Nothing of any sandbox may be left: no state or bundle dir, no cgroup,
# no mount.
function check_clean() {
	local d bad=0
	for d in "$HUSK_ROOT"/* "$HUSK_ROOT"/.sandbox-*; do
		[ -e "$d" ] || continue
		echo "left behind: $d" >&2
		bad=1
	done
	for d in /sys/fs/cgroup/*"$SANDBOX_CG"/* /sys/fs/cgroup"$SANDBOX_CG"/*; do
		[ -d "$d" ] || continue
		echo "cgroup left behind: $d" >&2
		bad=1
	done
	if grep -q "$HUSK_TMP" /proc/self/mountinfo; then
		echo "mount left behind under $HUSK_TMP" >&2
		bad=1
	fi
	return $bad
}
