#!/bin/sh
# tests/cri/run-lane.sh BUILD [FILE.bats...]: the cri lane of `make check`:
# containerd 1.6's CRI plugin runs pods on husk, driven by the project's own
# CRI client (tests/cri/cri.py) as the kubelet would (tests/cri/*.bats, or
# only the FILEs named).  TAP goes to stdout, diagnostics to stderr; the exit
# status is bats', or 1 when something was left behind.
#
# What it needs comes from Debian (tests/cri/deps.sh): containerd, tini, gRPC
# and protobuf for Python, protoc.  The lane then checks that every program
# it runs is there (tests/require-programs.sh cri) and that Python has its
# modules, and fails at once, naming the package, when one is missing.
#
# Everything the lane starts lives in one private pid, mount and network
# namespace, under tini as its init (as the clients lane does): no daemon
# outlives the lane; /run and /dev/shm are private tmpfs, so containerd's
# /run/containerd, the pods' /run/netns and the shims' sockets never reach
# the host; and the network namespace is the lane's own, so the image
# registry (tests/cri/registry.py) listens on a loopback nobody else sees,
# a "host network" pod shares that namespace and not the host's, and the
# CNI plugin (tests/cri/husk-cni) works inside the pods' namespaces only.
# containerd keeps its root, state and sockets under one temporary
# directory, and the pods' cgroups are under /husk-cri-TAG, which the bats
# files check and remove; this script sweeps them again at the end.
#
#   HUSK_SKIP_CRI=1      skip the lane
#   HUSK_CRI_NO_DEPS=1   do not run tests/cri/deps.sh
#   HUSK_CRI_TIMEOUT=S   give up after S seconds (default 900)
set -u
# shellcheck disable=SC2034 # tests/lane.sh reads it
lane_name=cri
# shellcheck source-path=SCRIPTDIR source=../lane.sh
. "$(dirname "$0")/../lane.sh"

if [ "${1:-}" = --inner ]; then
	# pid 1's child in the private namespaces (see below).
	shift
	private_run_and_shm husk-cri
	ip link set lo up || bail "cannot set lo up in the lane's network namespace"
	exec bats --tap "$@" </dev/null
fi

[ $# -ge 1 ] || usage "BUILD [FILE.bats...]"
skip_if_on HUSK_SKIP_CRI
[ "$(id -u)" -eq 0 ] || skip_lane "containerd, its cgroups and the pods' namespaces need root"
use_build "$1"
repo=$(cd "$(dirname "$0")/../.." && pwd)
shift

HUSK_CRI_DEPS_LOG=$HUSK_BUILD/cri/deps.log
run_deps HUSK_CRI_NO_DEPS tests/cri/deps.sh "$HUSK_CRI_DEPS_LOG" everything

sh "$repo/tests/require-programs.sh" cri || {
	echo "run-lane: see $HUSK_CRI_DEPS_LOG for what tests/cri/deps.sh said" >&2
	exit 1
}
# Debian's, whatever python3 comes first on PATH.
/usr/bin/python3 -c 'import grpc, google.protobuf' 2>/dev/null ||
	bail "the cri lane needs Python's grpc and google.protobuf: apt-get install python3-grpcio python3-protobuf (see $HUSK_CRI_DEPS_LOG)"
need_husk_and_rootfs

if [ $# -eq 0 ]; then
	for f in "$repo"/tests/cri/*.bats; do
		[ -e "$f" ] && set -- "$@" "$f"
	done
fi
[ $# -gt 0 ] || skip_lane "no tests/cri/*.bats"

# Short: unix socket paths live under it.
HUSK_CRI_DIR=$(mktemp -d /tmp/husk-cri.XXXXXX) || bail "mktemp failed"
HUSK_CRI_TAG=$(basename "$HUSK_CRI_DIR" | sed 's/^husk-cri\.//')
cleanup() {
	# The namespaces are gone, and every process of the lane with them;
	# only cgroup directories can outlive them.
	left=0
	sweep_cgroups "husk-cri-$HUSK_CRI_TAG" || left=1
	rm -rf --one-file-system "$HUSK_CRI_DIR"
	return $left
}
trap 'cleanup; exit 1' HUP INT TERM

# The client's messages, compiled from the lane's own definitions.
CRI_PB_DIR=$HUSK_CRI_DIR/pb
mkdir -p "$CRI_PB_DIR" &&
	protoc --python_out="$CRI_PB_DIR" -I "$repo/tests/cri" "$repo/tests/cri/cri.proto" ||
	bail "protoc cannot compile tests/cri/cri.proto"
HUSK_CRI_ROOTFS_TAR=$HUSK_CRI_DIR/rootfs.tar
rootfs_tar "$HUSK_CRI_ROOTFS_TAR"
export HUSK_BUILD HUSK_CRI_DIR HUSK_CRI_TAG HUSK_CRI_DEPS_LOG HUSK_CRI_ROOTFS_TAR CRI_PB_DIR

# A husk bug may hang containerd: the lane gives up after HUSK_CRI_TIMEOUT
# seconds, and --kill-child then takes tini, and with it the namespaces, down.
status=0
timeout --kill-after=10 "${HUSK_CRI_TIMEOUT:-900}" \
	unshare --pid --fork --kill-child --mount-proc --net --propagation private -- \
	tini -- sh "$0" --inner "$@" </dev/null || status=$?
bail_if_timed_out "$status" "${HUSK_CRI_TIMEOUT:-900}"
cleanup || status=1
exit $status
