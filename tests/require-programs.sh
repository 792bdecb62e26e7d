#!/bin/sh
# tests/require-programs.sh LANE...: the first thing each lane of `make check`
# runs.  Every program tests/programs lists for the LANEs must be there (on
# PATH, or the file itself for a path); otherwise one TAP `Bail out!` line on
# stdout, and the same on stderr, names each missing program and the Debian
# package that ships it, and the exit status is 1: a lane that lacks a
# program fails loudly at its start instead of skipping or failing tests for
# a reason of their own.
#
#   HUSK_PROGRAMS=FILE   read FILE instead of tests/programs (for its tests)
set -u
list=${HUSK_PROGRAMS:-$(dirname "$0")/programs}

bail() {
	echo "Bail out! $*"
	echo "require-programs: $*" >&2
	exit 1
}

[ $# -ge 1 ] || bail "usage: $0 LANE..."
[ -r "$list" ] || bail "cannot read $list"
for lane in "$@"; do
	awk -v l="$lane" '$1 == l { found = 1 } END { exit !found }' "$list" ||
		bail "no lane \`$lane\` in $list"
done

missing="" named="" packages=""
while read -r lane prog pkg _; do
	case $lane in "" | "#"*) continue ;; esac
	case " $* " in *" $lane "*) ;; *) continue ;; esac
	case $prog in
	/*) [ -x "$prog" ] ;;
	*) command -v "$prog" >/dev/null 2>&1 ;;
	esac && continue
	case " $missing " in *" $prog "*) continue ;; esac
	missing="$missing $prog"
	named="$named${named:+, }$prog (Debian package $pkg)"
	case " $packages " in *" $pkg "*) ;; *) packages="$packages $pkg" ;; esac
done <"$list"

[ -z "$missing" ] ||
	bail "the $* lane needs programs that are not installed: $named; run \`make deps\` as root, or apt-get install$packages"
exit 0
