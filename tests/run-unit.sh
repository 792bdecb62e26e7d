#!/bin/sh
# Run every C unit test (build/tests/test-*) and print one TAP stream.
# A binary that exits 77 is skipped; one that crashes, or fails without a
# failing line to show for it, adds a failure of its own.  The path layer and
# procfs tests run twice more under enosys-shim, where openat2 fails with
# ENOSYS and then with EPERM (util/openat2.h: both mean "walk instead"), so
# the fallback is proven rather than assumed.  Last, tests/layers.py checks
# that no include or call makes a dependency cycle or goes the wrong way.
set -u
BUILD=${1:-build}
SHIMMED="test-pathfs test-procfs"
sh "$(dirname "$0")/require-programs.sh" unit || exit 1

run_one() { # NAME COMMAND...
	name=$1
	shift
	out=$("$@" 2>&1)
	rc=$?
	# Keep each verdict, prefixed with the binary's name; the plan lines of
	# the binaries are dropped (the stream gets one plan at the end).
	printf '%s\n' "$out" | awk -v name="$name" '
		/^1\.\.0 # skip/ { sub(/^1\.\.0 # skip /, ""); print "ok - " name " # skip " $0; next }
		/^1\.\.[0-9]+/ { next }
		/^(not )?ok [0-9]+/ {
			v = ($1 == "not") ? "not ok" : "ok"
			sub(/^(not )?ok [0-9]+( - )?/, "")
			print v " - " name ": " $0
			next
		}
		{ print "# " $0 }'
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && ! printf '%s\n' "$out" | grep -q '^not ok'; then
		echo "not ok - $name: exited with status $rc"
	fi
	return "$rc"
}

status=0
for t in "$BUILD"/tests/test-*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	run_one "$name" "$t" || [ $? -eq 77 ] || status=1
	case " $SHIMMED " in
	*" $name "*)
		run_one "$name (openat2 ENOSYS)" "$BUILD/tests/enosys-shim" "$t" || [ $? -eq 77 ] || status=1
		run_one "$name (openat2 EPERM)" "$BUILD/tests/enosys-shim" --eperm "$t" ||
			[ $? -eq 77 ] || status=1
		;;
	esac
done
# The dependency rules between folders and files (tests/layers.py).
run_one layers python3 "$(dirname "$0")/layers.py" "$BUILD" || status=1
exit $status
