#!/bin/sh
# tests/clients/run-lane.sh BUILD [FILE.bats...]: the clients lane of `make
# check`: podman, containerd and docker drive husk (tests/clients/*.bats, or
# only the FILEs named).  TAP goes to stdout, diagnostics to stderr; the exit
# status is bats', or 1 when something was left behind.
#
# The engines come from Debian (tests/clients/deps.sh); the lane then checks
# that every program it runs is there (tests/require-programs.sh clients) and
# fails at once, naming the package, when one could not be installed.  Every
# daemon, every container and every mount the lane makes lives in one
# private pid and mount namespace, under tini as its init:
#   - tini reaps the orphans conmon and the shims leave (this machine's pid 1
#     does not, and podman takes a zombie conmon for a live one);
#   - when the lane ends, however it ends, the kernel kills whatever is left
#     in the namespace: no daemon outlives the lane;
#   - /run and /dev/shm are private tmpfs, so /run/containerd, /run/docker,
#     podman's shm lock and the shims' sockets never reach the host.
# Each engine keeps its state, sockets and images under one temporary
# directory, and its cgroups under /husk-clients-TAG-ENGINE, which the bats
# files check and remove; this script sweeps them again at the end.
#
#   HUSK_SKIP_CLIENTS=1     skip the lane
#   HUSK_CLIENTS_NO_DEPS=1  do not run tests/clients/deps.sh
#   HUSK_CLIENTS_TIMEOUT=S  give up after S seconds (default 900)
set -u
# shellcheck disable=SC2034 # tests/lane.sh reads it
lane_name=clients
# shellcheck source-path=SCRIPTDIR source=../lane.sh
. "$(dirname "$0")/../lane.sh"

if [ "${1:-}" = --inner ]; then
	# pid 1's child in the private namespaces (see below).
	shift
	private_run_and_shm husk-clients
	# podman keeps a cache of blob digests there whatever its configuration.
	mkdir -p "$HUSK_CLIENTS_DIR/var-lib-containers" &&
		mount --bind "$HUSK_CLIENTS_DIR/var-lib-containers" /var/lib/containers ||
		bail "cannot bind a private /var/lib/containers"
	exec bats --tap "$@" </dev/null
fi

[ $# -ge 1 ] || usage "BUILD [FILE.bats...]"
skip_if_on HUSK_SKIP_CLIENTS
[ "$(id -u)" -eq 0 ] || skip_lane "the engines' daemons and cgroups need root"
use_build "$1"
repo=$(cd "$(dirname "$0")/../.." && pwd)
shift

HUSK_CLIENTS_DEPS_LOG=$HUSK_BUILD/clients/deps.log
run_deps HUSK_CLIENTS_NO_DEPS tests/clients/deps.sh "$HUSK_CLIENTS_DEPS_LOG" "every engine"

sh "$repo/tests/require-programs.sh" clients || {
	echo "run-lane: see $HUSK_CLIENTS_DEPS_LOG for what tests/clients/deps.sh said" >&2
	exit 1
}
need_husk_and_rootfs

if [ $# -eq 0 ]; then
	for f in "$repo"/tests/clients/*.bats; do
		[ -e "$f" ] && set -- "$@" "$f"
	done
fi
[ $# -gt 0 ] || skip_lane "no tests/clients/*.bats"

# Short: unix socket paths live under it.
HUSK_CLIENTS_DIR=$(mktemp -d /tmp/husk-clients.XXXXXX) || bail "mktemp failed"
HUSK_CLIENTS_TAG=$(basename "$HUSK_CLIENTS_DIR" | sed 's/^husk-clients\.//')
made_varlib=
cleanup() {
	# The namespace is gone, and every process of the lane with it; only
	# cgroup directories can outlive it.
	left=0
	sweep_cgroups "husk-clients-$HUSK_CLIENTS_TAG-*" || left=1
	rm -rf --one-file-system "$HUSK_CLIENTS_DIR"
	[ -n "$made_varlib" ] && rmdir /var/lib/containers 2>/dev/null
	return $left
}
trap 'cleanup; exit 1' HUP INT TERM
if [ ! -d /var/lib/containers ]; then
	mkdir -p /var/lib/containers || bail "cannot make /var/lib/containers"
	made_varlib=1
fi

HUSK_CLIENTS_ROOTFS_TAR=$HUSK_CLIENTS_DIR/rootfs.tar
rootfs_tar "$HUSK_CLIENTS_ROOTFS_TAR"
export HUSK_BUILD HUSK_CLIENTS_DIR HUSK_CLIENTS_TAG HUSK_CLIENTS_DEPS_LOG HUSK_CLIENTS_ROOTFS_TAR

# A husk bug may hang an engine: the lane gives up after
# HUSK_CLIENTS_TIMEOUT seconds, and --kill-child then takes tini, and with
# it the whole namespace, down.
status=0
timeout --kill-after=10 "${HUSK_CLIENTS_TIMEOUT:-900}" \
	unshare --pid --fork --kill-child --mount-proc --propagation private -- \
	tini -- sh "$0" --inner "$@" </dev/null || status=$?
bail_if_timed_out "$status" "${HUSK_CLIENTS_TIMEOUT:-900}"
cleanup || status=1
exit $status
