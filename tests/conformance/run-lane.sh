#!/bin/sh
# tests/conformance/run-lane.sh [--runtime BIN] BUILD [PROGRAM...]: the
# conformance lane of `make check`.  Runs every OCI conformance program
# (tests/conformance/oci, built on Debian's runtime-tools library; `oci-
# conformance -list` names them), or only the PROGRAMs named, against
# BUILD/husk, or against BIN (`--runtime runc` takes runc from PATH, to compare
# counts; tests/conformance/deps.sh --runc installs Debian's).  Prints one TAP
# stream: each program's test points, renumbered and prefixed with its name;
# a program that crashes or passes its timeout is one failed point; a failure
# listed in tests/conformance/expected-failures (a spec point runc breaks
# too, or a host limit) is marked TODO with its reason.  TAP goes
# to stdout, diagnostics to stderr; the exit status is 1 when any point failed
# or anything was left behind.
#
# Every program runs in a clean directory of its own, and the whole lane in a
# private pid and mount namespace under tini: tini reaps the containers'
# orphaned inits, the mounts a runtime makes never reach the host, and when
# the lane ends, however it ends, the kernel kills whatever is left.  After
# each program every container still in the state root is force-deleted; at
# the end the lane's cgroups (/husk-conformance-TAG in each hierarchy) are
# removed and checked gone.
#
#   HUSK_SKIP_CONFORMANCE=1       skip the lane
#   HUSK_CONFORMANCE_NO_DEPS=1    do not run tests/conformance/deps.sh
#   HUSK_CONFORMANCE_TIMEOUT=S    one program's timeout (default 120)
#   HUSK_CONFORMANCE_LANE_TIMEOUT=S  the whole lane's (default 1800)
set -eu
# shellcheck disable=SC2034 # tests/lane.sh reads it
lane_name=conformance
# shellcheck source-path=SCRIPTDIR source=../lane.sh
. "$(dirname "$0")/../lane.sh"

# --inner RUNTIME BIN WORK PROGRAM...: pid 1's child in the private
# namespaces; runs the programs one by one.
if [ "${1:-}" = --inner ]; then
	runtime=$2 bin=$3 work=$4
	shift 4
	state=$work/state
	n=0
	for prog in "$@"; do
		dir=$work/run/$prog
		mkdir -p "$dir"
		rc=0
		(cd "$dir" && TMPDIR=$dir exec timeout --kill-after=5 "$HUSK_CONFORMANCE_TIMEOUT" \
			"$bin" -runtime "$runtime" "$prog") >"$work/out" 2>"$work/err" </dev/null || rc=$?
		# Renumber the program's points into the lane's stream, its name
		# before each description; its plan is checked, not printed.
		planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$work/out" | tail -n 1)
		points=$(grep -cE '^(not )?ok [0-9]' "$work/out" || :)
		# A failure listed in expected-failures gets its reason as a TODO.
		awk -v n="$n" -v p="$prog" -v expected="$HUSK_CONFORMANCE_EXPECTED" '
			BEGIN {
				while ((getline l < expected) > 0) {
					if (l ~ /^#/ || index(l, " | ") == 0) continue
					k++; want[k] = substr(l, 1, index(l, " | ") - 1); why[k] = substr(l, index(l, " | ") + 3)
				}
			}
			/^ok [0-9]+ - / { sub(/^ok [0-9]+ - /, ""); printf "ok %d - %s: %s\n", ++n, p, $0; next }
			/^not ok [0-9]+ - / {
				sub(/^not ok [0-9]+ - /, ""); d = p ": " $0; todo = ""
				for (i = 1; i <= k; i++) if (index(d, want[i]) == 1) todo = " # TODO " why[i]
				printf "not ok %d - %s%s\n", ++n, d, todo; next
			}
			/^#/ { print; next }
		' "$work/out"
		n=$((n + points))
		why=
		case $rc in
		0) [ "${planned:-x}" = "$points" ] || why="printed $points points against its plan of ${planned:-none}" ;;
		124 | 137) why="timed out after $HUSK_CONFORMANCE_TIMEOUT s" ;;
		*) why="exited with status $rc" ;;
		esac
		if [ -n "$why" ]; then
			n=$((n + 1))
			echo "not ok $n - $prog: the program $why"
			tail -n 20 "$work/err" | sed 's/^/#   /'
		fi
		# Whatever the program left: containers, then mounts, then files.
		for c in "$state"/*/; do
			[ -d "$c" ] || continue
			"$runtime" --root "$state" delete --force "$(basename "$c")" >/dev/null 2>&1 || :
		done
		awk -v p="$dir/" 'index($5, p) == 1 || $5 == substr(p, 1, length(p) - 1) { print $5 }' /proc/self/mountinfo |
			sort -r | while read -r m; do umount -l "$m" 2>/dev/null || :; done
		rm -rf --one-file-system "$dir"
	done
	echo "1..$n"
	exit 0
fi

runtime=
if [ "${1:-}" = --runtime ]; then
	runtime=${2:-}
	shift 2 || :
fi
[ $# -ge 1 ] || usage "[--runtime BIN] BUILD [PROGRAM...]"
skip_if_on HUSK_SKIP_CONFORMANCE
[ "$(id -u)" -eq 0 ] || skip_lane "the lane makes containers with cgroups: it needs root"
use_build "$1"
repo=$(cd "$(dirname "$0")/../.." && pwd)
shift

deps_args=
[ "$runtime" = runc ] && deps_args=--runc
# Not run_deps: its output is the lane's diagnostics, and a failure stops
# the lane.
if ! is_on HUSK_CONFORMANCE_NO_DEPS; then
	# shellcheck disable=SC2086
	sh "$repo/tests/conformance/deps.sh" $deps_args >&2 ||
		bail "missing Debian packages (tests/conformance/deps.sh $deps_args says which)"
fi
for c in unshare timeout tini awk; do
	command -v $c >/dev/null 2>&1 || bail "$c not found (tini: Debian's tini package; the rest: util-linux, coreutils)"
done
if [ -z "$runtime" ]; then
	runtime=$HUSK_BUILD/husk
	[ -x "$runtime" ] || bail "$runtime not built (make)"
else
	case $runtime in
	/*) ;;
	*/*) runtime=$(cd "$(dirname "$runtime")" && pwd)/$(basename "$runtime") ;;
	*)
		path=$(command -v "$runtime") ||
			bail "runtime $runtime not found (runc: Debian's runc package, tests/conformance/deps.sh --runc)"
		runtime=$path
		;;
	esac
fi
rootfs=$HUSK_BUILD/rootfs
[ -x "$rootfs/bin/busybox" ] || bail "no test rootfs in $rootfs (make $HUSK_BUILD/rootfs/.stamp)"
bin=$(sh "$repo/tests/conformance/build.sh" "$HUSK_BUILD") || bail "cannot build the conformance programs (see above)"
# Program names are single words.
# shellcheck disable=SC2046
[ $# -gt 0 ] || set -- $("$bin" -list | cut -f1)
[ $# -gt 0 ] || bail "$bin lists no program"

work=$(mktemp -d /tmp/husk-conf.XXXXXX) || bail "mktemp failed"
# Searchable by the root of a user namespace (linux_uid_gid_mappings).
chmod 0711 "$work"
tag=$(basename "$work" | sed 's/^husk-conf\.//')
cgroup=/husk-conformance-$tag
cleanup() {
	left=0
	sweep_cgroups "husk-conformance-$tag" || left=1
	rm -rf --one-file-system "$work"
	return $left
}
trap 'cleanup; exit 1' HUP INT TERM

mkdir -p "$work/state" "$work/run"
export CONFORMANCE_ROOTFS="$rootfs" CONFORMANCE_STATE="$work/state" CONFORMANCE_CGROUP="$cgroup"
export HUSK_CONFORMANCE_TIMEOUT="${HUSK_CONFORMANCE_TIMEOUT:-120}"
export HUSK_CONFORMANCE_EXPECTED="$repo/tests/conformance/expected-failures"
echo "# conformance: $runtime ($("$runtime" --version 2>/dev/null | head -n 1)), $# programs" >&2

start=$(date +%s)
{
	rc=0
	timeout --kill-after=10 "${HUSK_CONFORMANCE_LANE_TIMEOUT:-1800}" \
		unshare --pid --fork --kill-child --mount-proc --propagation private -- \
		tini -s -- sh "$0" --inner "$runtime" "$bin" "$work" "$@" </dev/null || rc=$?
	echo "$rc" >"$work/rc"
} | tee "$work/lane.tap"
status=$(cat "$work/rc" 2>/dev/null || echo 1)
bail_if_timed_out "$status" "${HUSK_CONFORMANCE_LANE_TIMEOUT:-1800}"
grep '^not ok' "$work/lane.tap" | grep -qv '# TODO' && status=1
echo "# conformance: $(grep -c '^ok' "$work/lane.tap") ok, $(grep -c '^not ok' "$work/lane.tap") not ok, in $(($(date +%s) - start)) s" >&2
cleanup || status=1
exit "$status"
