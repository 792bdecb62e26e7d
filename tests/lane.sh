# shellcheck shell=sh
# tests/lane.sh: what the runners of `make check`'s lanes share, sourced
# (`. "$(dirname "$0")/../lane.sh"`) before their first word of output.  POSIX
# sh; it runs nothing itself.  The runner sets lane_name (the name its skip
# line gives) before it calls skip_lane or bail_if_timed_out, and repo (the
# repository's top) before it calls run_deps.
#
# Each lane prints TAP on stdout and diagnostics on stderr; tests/summary.sh
# counts the TAP, so the lines these functions print keep their exact words:
#   1..1 / ok 1 - NAME lane # SKIP WHY    a lane that does not run
#   Bail out! WHY                         a lane that cannot run or finish
#
# The functions' own variables start with _lane_: the runners' names, and
# the cleanup traps that use them, stay theirs.

# The runner's name for stderr (run-lane, run-integration...), from its file.
_lane_prog=${0##*/}
_lane_prog=${_lane_prog%.sh}

# bail WHY...: the lane cannot go on: WHY on stderr, as the runner's, and as
# one TAP `Bail out!` line on stdout; exit 1.
bail() {
	echo "$_lane_prog: $*" >&2
	echo "Bail out! $*"
	exit 1
}

# usage ARGS: the runner was called wrongly; its usage line on stderr, exit 2.
usage() {
	echo "usage: $0 $1" >&2
	exit 2
}

# skip_lane WHY...: the lane does not run; it still reports one (skipped)
# test, so the summary sees that it ran; exit 0.
# shellcheck disable=SC2154 # lane_name is the runner's
skip_lane() {
	echo "1..1"
	echo "ok 1 - $lane_name lane # SKIP $*"
	exit 0
}

# is_on VAR: whether the variable named VAR is set to something other than
# empty or 0 (HUSK_SKIP_CRI=1, HUSK_CRI_NO_DEPS=yes).  Its value, 0 for
# empty or unset, is left in _lane_v.
is_on() {
	_lane_v=
	eval "_lane_v=\${$1:-0}"
	[ "$_lane_v" != 0 ]
}

# skip_if_on VAR...: skip the lane when any VAR is on, naming each VAR and
# its value (0 for an unset one) in the skip line.
skip_if_on() {
	_lane_why='' _lane_on=''
	for _lane_var in "$@"; do
		is_on "$_lane_var" && _lane_on=1
		_lane_why="$_lane_why${_lane_why:+ }$_lane_var=$_lane_v"
	done
	[ -z "$_lane_on" ] || skip_lane "$_lane_why"
}

# use_build DIR: bail unless the build directory DIR exists; HUSK_BUILD is
# its absolute path (set, not exported).
use_build() {
	[ -d "$1" ] || bail "no build directory $1 (run make first)"
	HUSK_BUILD=$(cd "$1" && pwd)
}

# need_husk_and_rootfs: bail unless $HUSK_BUILD has husk and the test rootfs
# (make BUILD/rootfs/.stamp) that the engines import as an image.
need_husk_and_rootfs() {
	[ -x "$HUSK_BUILD/husk" ] || bail "$HUSK_BUILD/husk not built"
	[ -x "$HUSK_BUILD/rootfs/init" ] || bail "no test rootfs in $HUSK_BUILD/rootfs (make $HUSK_BUILD/rootfs/.stamp)"
}

# run_deps NO_DEPS_VAR SCRIPT LOG WHAT: run the Debian installer SCRIPT (a
# path under the repository's top, $repo), its output in LOG; when it fails,
# say on stderr that not WHAT could be installed and go on: the runner's
# tests/require-programs.sh then names what is missing.  When NO_DEPS_VAR is
# on, SCRIPT is not run and LOG says so.
# shellcheck disable=SC2154 # repo is the runner's
run_deps() {
	mkdir -p "$(dirname "$3")"
	if is_on "$1"; then
		echo "$1=$_lane_v: $2 not run" >"$3"
	else
		sh "$repo/$2" >"$3" 2>&1 ||
			echo "$_lane_prog: not $4 could be installed (see $3)" >&2
	fi
}

# tagged DIR TAG...: the DIR/*.bats with a line `# lane: TAG` of its own for
# one of TAGs, one path a line.
tagged() {
	_lane_dir=$1
	shift
	for _lane_f in "$_lane_dir"/*.bats; do
		for _lane_tag in "$@"; do
			grep -qx "# lane: $_lane_tag" "$_lane_f" && echo "$_lane_f" && break
		done
	done
}

# private_run_and_shm PREFIX: a tmpfs of the lane's own on /run and on
# /dev/shm (named PREFIX-run and PREFIX-shm in mountinfo), so the daemons'
# sockets, pid files and shm locks never reach the host.  Inside the lane's
# private mount namespace only.
private_run_and_shm() {
	mount -t tmpfs -o mode=0755,size=64m "$1-run" /run || bail "cannot mount a private /run"
	mount -t tmpfs -o mode=1777,size=64m "$1-shm" /dev/shm || bail "cannot mount a private /dev/shm"
}

# rootfs_tar FILE: BUILD's test rootfs ($HUSK_BUILD/rootfs) as the tar FILE,
# for an engine to import as an image; bail if it cannot be made.
rootfs_tar() {
	tar -C "$HUSK_BUILD/rootfs" --exclude=./.stamp -cf "$1" . || bail "cannot make $1"
}

# sweep_cgroups NAME: remove every cgroup directory called NAME (a find
# -name pattern) at the top two levels of /sys/fs/cgroup, with everything
# under it, trying for 5 s while the kernel lets go of dying tasks.  Each
# one that stays is named on stderr, and the status is then 1.  The lane's
# processes must be gone: only empty directories can be removed.
sweep_cgroups() {
	_lane_left=0
	# The names are the lanes' own: no space, no glob but NAME's.
	# shellcheck disable=SC2044
	for _lane_d in $(find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d -name "$1" 2>/dev/null); do
		for _ in 1 2 3 4 5; do
			find "$_lane_d" -depth -type d -exec rmdir {} + 2>/dev/null || :
			[ -d "$_lane_d" ] || break
			sleep 1
		done
		if [ -d "$_lane_d" ]; then
			echo "$_lane_prog: cgroup $_lane_d is left behind and cannot be removed" >&2
			_lane_left=1
		fi
	done
	return $_lane_left
}

# bail_if_timed_out STATUS SECONDS: when STATUS is timeout(1)'s (124, or
# 137 when it had to SIGKILL), the TAP `Bail out!` line saying the lane
# timed out after SECONDS s.  Does not exit: the runner still cleans up.
# shellcheck disable=SC2154 # lane_name is the runner's
bail_if_timed_out() {
	case $1 in
	124 | 137) echo "Bail out! the $lane_name lane timed out after $2 s" ;;
	esac
}
