#!/bin/sh
# tests/vm/run-lane.sh BUILD: the vm lane of `make check`.  Boots one cgroup v2
# VM (tests/vm/run) and runs in it, through tests/run-integration.sh, every
# tests/integration/*.bats tagged `# lane: vm` on a line of its own (they
# run in the integration lane, on the host's cgroups, too), so the files get
# the same private mount namespace and private /dev/null there as on the
# host.  Then each tests/lsm/*.bats runs in a VM booted with the LSMs its
# `# vm-lsm: NAME` line names (tests/vm/run --lsm NAME: apparmor, none), one
# boot per NAME.  TAP goes to stdout (one plan per boot), diagnostics to
# stderr; the exit status is the first failing boot's.
#
#   HUSK_SKIP_VM=1        skip the lane (quick local runs; CI runs it)
#   HUSK_VM_TIMEOUT=S     give up on each VM after S seconds (default 1800)
#   HUSK_VM_CACHE=DIR     where the kernel and initramfs are kept
set -u

[ $# -eq 1 ] || {
	echo "usage: $0 BUILD" >&2
	exit 2
}
repo=$(cd "$(dirname "$0")/../.." && pwd)

# A skipped lane still reports one test, so the summary sees that it ran.
skip_lane() {
	echo "1..1"
	echo "ok 1 - vm lane # SKIP $*"
	exit 0
}

case ${HUSK_SKIP_VM:-0} in
0 | "") ;;
*) skip_lane "HUSK_SKIP_VM=$HUSK_SKIP_VM" ;;
esac
# The guest runs the host's programs (its root is the host's, over 9p):
# what tests/run-integration.sh needs there must be installed here.
sh "$repo/tests/require-programs.sh" vm integration || exit 1
vm_files=
for f in "$repo"/tests/integration/*.bats; do
	grep -qx '# lane: vm' "$f" && vm_files="$vm_files $f"
done
[ -n "$vm_files" ] || skip_lane "no tests/integration/*.bats tagged # lane: vm"
[ -d "$1" ] || {
	echo "Bail out! no build directory $1 (run make first)"
	exit 1
}
build=$(cd "$1" && pwd)

# boot WHAT LSM FILE...: one VM, booted with --lsm LSM unless LSM is empty,
# running FILEs; the first failing boot's status becomes the lane's.
boot() {
	what=$1
	lsm=$2
	shift 2
	set -- sh "$repo/tests/run-integration.sh" "$build" "$@"
	if [ -n "$lsm" ]; then
		set -- --lsm "$lsm" -- "$@"
	else
		set -- -- "$@"
	fi
	rc=0
	"$repo/tests/vm/run" --timeout "${HUSK_VM_TIMEOUT:-1800}" "$@" </dev/null || rc=$?
	case $rc in
	124) echo "Bail out! the $what VM timed out after ${HUSK_VM_TIMEOUT:-1800} s" ;;
	125) echo "Bail out! the $what VM died or could not start (its console log is on stderr)" ;;
	esac
	[ "$status" -ne 0 ] || status=$rc
}

# lsm_boot LSM: the tests/lsm files whose `# vm-lsm:` line names LSM.
lsm_boot() {
	tag=$1
	set --
	for f in "$repo"/tests/lsm/*.bats; do
		grep -q "^# vm-lsm: *$tag\$" "$f" && set -- "$@" "$f"
	done
	boot "$tag LSM" "$tag" "$@"
}

status=0
# shellcheck disable=SC2086 # the paths have no spaces (the repo's own files)
boot "cgroup v2" "" $vm_files
for tag in $(sed -n 's/^# vm-lsm: *\([a-z]*\)$/\1/p' "$repo"/tests/lsm/*.bats | sort -u); do
	lsm_boot "$tag"
done
exit $status
