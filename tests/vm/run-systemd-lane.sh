#!/bin/sh
# tests/vm/run-systemd-lane.sh BUILD: the systemd lane of `make check`.  Boots
# one VM with the host's systemd as PID 1 (tests/vm/run --systemd) and runs
# in it, as one bats plan through tests/run-integration.sh, the files tagged
# on a line of their own:
#   `# lane: systemd` in tests/integration/  the systemd cgroup driver's
#                                            tests (systemd-cgroup.bats);
#   `# lane: vm` in tests/integration/       the cgroup v2 suite again,
#                                            under systemd;
#   `# lane: systemd` in tests/clients/      podman and containerd through
#                                            the driver (systemd.bats; their
#                                            packages from deps.sh there).
# TAP goes to stdout, diagnostics to stderr; the exit status is bats'.
#
#   HUSK_SKIP_VM=1 or HUSK_SKIP_SYSTEMD=1   skip the lane
#   HUSK_SKIP_CLIENTS=1       leave the clients out (as the clients lane)
#   HUSK_CLIENTS_NO_DEPS=1    do not run tests/clients/deps.sh
#   HUSK_VM_TIMEOUT=S         give up on the VM after S seconds (default 3600)
set -u

[ $# -eq 1 ] || {
	echo "usage: $0 BUILD" >&2
	exit 2
}
repo=$(cd "$(dirname "$0")/../.." && pwd)

skip_lane() {
	echo "1..1"
	echo "ok 1 - systemd lane # SKIP $*"
	exit 0
}

case ${HUSK_SKIP_VM:-0}${HUSK_SKIP_SYSTEMD:-0} in
00 | 0 | "") ;;
*) skip_lane "HUSK_SKIP_VM=${HUSK_SKIP_VM:-0} HUSK_SKIP_SYSTEMD=${HUSK_SKIP_SYSTEMD:-0}" ;;
esac
# The guest runs the host's programs, systemd and dbus among them.
sh "$repo/tests/require-programs.sh" systemd vm integration || exit 1
[ -d "$1" ] || {
	echo "Bail out! no build directory $1 (run make first)"
	exit 1
}
build=$(cd "$1" && pwd)

# tagged DIR TAG...: the DIR/*.bats tagged with one of TAGs.
tagged() {
	dir=$1
	shift
	for f in "$repo/tests/$dir"/*.bats; do
		for tag in "$@"; do
			grep -qx "# lane: $tag" "$f" && echo "$f" && break
		done
	done
}

# shellcheck disable=SC2046
set -- $(tagged integration systemd vm)
[ $# -gt 0 ] || skip_lane "no tests/integration/*.bats tagged # lane: systemd or vm"
case ${HUSK_SKIP_CLIENTS:-0} in
0 | "")
	case ${HUSK_CLIENTS_NO_DEPS:-0} in
	0 | "")
		mkdir -p "$build/clients"
		sh "$repo/tests/clients/deps.sh" >"$build/clients/systemd-deps.log" 2>&1 ||
			echo "run-systemd-lane: not every engine could be installed (see $build/clients/systemd-deps.log)" >&2
		;;
	esac
	# shellcheck disable=SC2046
	set -- "$@" $(tagged clients systemd)
	;;
esac

status=0
"$repo/tests/vm/run" --systemd --mem 2G --timeout "${HUSK_VM_TIMEOUT:-3600}" -- \
	sh "$repo/tests/run-integration.sh" "$build" "$@" </dev/null || status=$?
case $status in
124) echo "Bail out! the systemd lane timed out after ${HUSK_VM_TIMEOUT:-3600} s" ;;
125) echo "Bail out! the VM died or could not start (its console log is on stderr)" ;;
esac
exit $status
