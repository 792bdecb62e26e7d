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
# shellcheck disable=SC2034 # tests/lane.sh reads it
lane_name=systemd
# shellcheck source-path=SCRIPTDIR source=../lane.sh
. "$(dirname "$0")/../lane.sh"

[ $# -eq 1 ] || usage BUILD
repo=$(cd "$(dirname "$0")/../.." && pwd)

skip_if_on HUSK_SKIP_VM HUSK_SKIP_SYSTEMD
# The guest runs the host's programs, systemd and dbus among them.
sh "$repo/tests/require-programs.sh" systemd vm integration || exit 1
use_build "$1"

# The repository's own paths: no space.
# shellcheck disable=SC2046
set -- $(tagged "$repo/tests/integration" systemd vm)
[ $# -gt 0 ] || skip_lane "no tests/integration/*.bats tagged # lane: systemd or vm"
if ! is_on HUSK_SKIP_CLIENTS; then
	run_deps HUSK_CLIENTS_NO_DEPS tests/clients/deps.sh "$HUSK_BUILD/clients/systemd-deps.log" "every engine"
	# shellcheck disable=SC2046
	set -- "$@" $(tagged "$repo/tests/clients" systemd)
fi

status=0
"$repo/tests/vm/run" --systemd --mem 2G --timeout "${HUSK_VM_TIMEOUT:-3600}" -- \
	sh "$repo/tests/run-integration.sh" "$HUSK_BUILD" "$@" </dev/null || status=$?
case $status in
124) echo "Bail out! the systemd lane timed out after ${HUSK_VM_TIMEOUT:-3600} s" ;;
125) echo "Bail out! the VM died or could not start (its console log is on stderr)" ;;
esac
exit $status
