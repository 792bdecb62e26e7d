#!/bin/sh
# tests/run-integration.sh BUILD [FILE.bats...]: run every
# tests/integration/*.bats (or only the FILEs named) as one
# bats --tap invocation (one plan), inside a private mount namespace whose
# /dev/null is a private char 1:3 node, so a runtime bug can neither leak a
# mount into the host nor chown or replace the host's /dev/null.
#
# TAP goes to stdout and nothing else does; diagnostics go to stderr.  The
# exit status is bats'.  Needs no tty, reads nothing from stdin.
set -eu
# shellcheck source-path=SCRIPTDIR source=lane.sh
. "$(dirname "$0")/lane.sh"

if [ "${1:-}" = --inner ]; then
	# Inside the private namespace (see below).
	shift
	if [ -n "${HUSK_PRIVATE_DEVNULL:-}" ]; then
		dir=$(mktemp -d "${TMPDIR:-/tmp}/husk-devnull.XXXXXX") ||
			bail "mktemp failed"
		mount -t tmpfs -o mode=0755,size=16k husk-devnull "$dir" ||
			bail "cannot mount a tmpfs on $dir"
		mknod -m 0666 "$dir/null" c 1 3 || bail "cannot mknod $dir/null"
		mount --bind "$dir/null" /dev/null || bail "cannot bind a private /dev/null"
		# The bind keeps the tmpfs alive; the directory can go.
		umount "$dir" && rmdir "$dir" || bail "cannot remove $dir"
	fi
	exec bats --tap "$@" </dev/null
fi

[ $# -ge 1 ] || usage "BUILD [FILE.bats...]"
use_build "$1"
repo=$(cd "$(dirname "$0")/.." && pwd)
export HUSK_BUILD

sh "$repo/tests/require-programs.sh" integration || exit 1
[ -x "$HUSK_BUILD/husk" ] || bail "$HUSK_BUILD/husk not built (make $1/husk)"
[ -x "$HUSK_BUILD/rootfs/init" ] || bail "no test rootfs in $HUSK_BUILD/rootfs (make $1/rootfs/.stamp)"

shift
if [ $# -eq 0 ]; then
	# The files tagged `# lane: vm` run here against the host's cgroups
	# too (v1 or hybrid); tests/vm/run-lane.sh runs them again on v2.
	for f in "$repo"/tests/integration/*.bats; do
		[ -e "$f" ] && set -- "$@" "$f"
	done
fi
[ $# -gt 0 ] && [ -e "$1" ] || {
	echo "1..0 # SKIP no tests/integration/*.bats"
	exit 0
}

# What the tests compare against to prove their environment is private.
HOST_DEVNULL_INO=$(stat -L -c %d:%i /dev/null)
HOST_MNTNS=$(readlink /proc/self/ns/mnt)
export HOST_DEVNULL_INO HOST_MNTNS

if [ "$(id -u)" -eq 0 ]; then
	unshare --mount true </dev/null 2>/dev/null ||
		bail "cannot make a mount namespace (unshare --mount)"
else
	unshare --user --map-current-user --mount true </dev/null 2>/dev/null ||
		bail "cannot make a user and mount namespace (unshare --user --mount)"
fi

status=0
if [ "$(id -u)" -eq 0 ]; then
	HUSK_PRIVATE_DEVNULL=1 unshare --mount --propagation private -- \
		sh "$0" --inner "$@" </dev/null || status=$?
else
	# Unprivileged: a mount namespace needs a user namespace, in which no
	# device node can be made; nor can husk chown the host's /dev/null.
	unshare --user --map-current-user --mount --propagation private -- \
		sh "$0" --inner "$@" </dev/null || status=$?
fi
exit $status
