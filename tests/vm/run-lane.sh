#!/bin/sh
# tests/vm/run-lane.sh BUILD: the vm lane of `make check`.  Boots one cgroup v2
# VM (tests/vm/run) and runs in it, through tests/run-integration.sh, every
# tests/integration/*.bats tagged `# lane: vm` on a line of its own (they
# run in the integration lane, on the host's cgroups, too), so the files get
# the same private mount namespace and private /dev/null there as on the
# host.  TAP goes to stdout,
# diagnostics to stderr; the exit status is bats'.
#
#   HUSK_SKIP_VM=1        skip the lane (quick local runs; CI runs it)
#   HUSK_VM_TIMEOUT=S     give up on the VM after S seconds (default 1800)
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
build=$1
set --
for f in "$repo"/tests/integration/*.bats; do
	grep -qx '# lane: vm' "$f" && set -- "$@" "$f"
done
[ $# -gt 0 ] || skip_lane "no tests/integration/*.bats tagged # lane: vm"
set -- "$build" "$@"
[ -d "$1" ] || {
	echo "Bail out! no build directory $1 (run make first)"
	exit 1
}
build=$(cd "$1" && pwd)
shift

status=0
"$repo/tests/vm/run" --timeout "${HUSK_VM_TIMEOUT:-1800}" -- \
	sh "$repo/tests/run-integration.sh" "$build" "$@" </dev/null || status=$?
case $status in
124) echo "Bail out! the VM lane timed out after ${HUSK_VM_TIMEOUT:-1800} s" ;;
125) echo "Bail out! the VM died or could not start (its console log is on stderr)" ;;
esac
exit $status
