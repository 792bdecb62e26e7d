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

bail() {
	echo "run-lane: $*" >&2
	echo "Bail out! $*"
	exit 1
}

if [ "${1:-}" = --inner ]; then
	# pid 1's child in the private namespaces (see below).
	shift
	mount -t tmpfs -o mode=0755,size=64m husk-cri-run /run || bail "cannot mount a private /run"
	mount -t tmpfs -o mode=1777,size=64m husk-cri-shm /dev/shm || bail "cannot mount a private /dev/shm"
	ip link set lo up || bail "cannot set lo up in the lane's network namespace"
	exec bats --tap "$@" </dev/null
fi

skip_lane() {
	echo "1..1"
	echo "ok 1 - cri lane # SKIP $*"
	exit 0
}

[ $# -ge 1 ] || {
	echo "usage: $0 BUILD [FILE.bats...]" >&2
	exit 2
}
case ${HUSK_SKIP_CRI:-0} in
0 | "") ;;
*) skip_lane "HUSK_SKIP_CRI=$HUSK_SKIP_CRI" ;;
esac
[ "$(id -u)" -eq 0 ] || skip_lane "containerd, its cgroups and the pods' namespaces need root"
[ -d "$1" ] || bail "no build directory $1 (run make first)"
HUSK_BUILD=$(cd "$1" && pwd)
repo=$(cd "$(dirname "$0")/../.." && pwd)
shift

mkdir -p "$HUSK_BUILD/cri"
HUSK_CRI_DEPS_LOG=$HUSK_BUILD/cri/deps.log
case ${HUSK_CRI_NO_DEPS:-0} in
0 | "")
	sh "$repo/tests/cri/deps.sh" >"$HUSK_CRI_DEPS_LOG" 2>&1 ||
		echo "run-lane: not everything could be installed (see $HUSK_CRI_DEPS_LOG)" >&2
	;;
*) echo "HUSK_CRI_NO_DEPS=$HUSK_CRI_NO_DEPS: tests/cri/deps.sh not run" >"$HUSK_CRI_DEPS_LOG" ;;
esac

sh "$repo/tests/require-programs.sh" cri || {
	echo "run-lane: see $HUSK_CRI_DEPS_LOG for what tests/cri/deps.sh said" >&2
	exit 1
}
# Debian's, whatever python3 comes first on PATH.
/usr/bin/python3 -c 'import grpc, google.protobuf' 2>/dev/null ||
	bail "the cri lane needs Python's grpc and google.protobuf: apt-get install python3-grpcio python3-protobuf (see $HUSK_CRI_DEPS_LOG)"
[ -x "$HUSK_BUILD/husk" ] || bail "$HUSK_BUILD/husk not built"
[ -x "$HUSK_BUILD/rootfs/init" ] || bail "no test rootfs in $HUSK_BUILD/rootfs (make $HUSK_BUILD/rootfs/.stamp)"

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
	for d in $(find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d -name "husk-cri-$HUSK_CRI_TAG" 2>/dev/null); do
		for _ in 1 2 3 4 5; do
			find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
			[ -d "$d" ] || break
			sleep 1
		done
		if [ -d "$d" ]; then
			echo "run-lane: cgroup $d is left behind and cannot be removed" >&2
			left=1
		fi
	done
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
tar -C "$HUSK_BUILD/rootfs" --exclude=./.stamp -cf "$HUSK_CRI_ROOTFS_TAR" . ||
	bail "cannot make $HUSK_CRI_ROOTFS_TAR"
export HUSK_BUILD HUSK_CRI_DIR HUSK_CRI_TAG HUSK_CRI_DEPS_LOG HUSK_CRI_ROOTFS_TAR CRI_PB_DIR

# A husk bug may hang containerd: the lane gives up after HUSK_CRI_TIMEOUT
# seconds, and --kill-child then takes tini, and with it the namespaces, down.
status=0
timeout --kill-after=10 "${HUSK_CRI_TIMEOUT:-900}" \
	unshare --pid --fork --kill-child --mount-proc --net --propagation private -- \
	tini -- sh "$0" --inner "$@" </dev/null || status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
	echo "Bail out! the cri lane timed out after ${HUSK_CRI_TIMEOUT:-900} s"
fi
cleanup || status=1
exit $status
