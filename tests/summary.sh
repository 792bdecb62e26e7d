#!/bin/sh
# Add up the TAP of every lane (LANE.tap, with its runner's exit status in
# LANE.rc) into the one closing line `N passed, N failed, N skipped`, and exit
# non-zero on any failure.  A lane whose runner failed without a failing test
# line (it crashed, or could not start) counts as one failure, so a broken
# lane can never look green.
set -u
passed=0 failed=0 skipped=0
for tap in "$@"; do
	lane=$(basename "$tap" .tap)
	rc=$(cat "${tap%.tap}.rc" 2>/dev/null || echo 1)
	p=$(grep -cE '^ok\b' "$tap" | tr -d ' ')
	s=$(grep -cE '^ok\b.*# [Ss][Kk][Ii][Pp]' "$tap" | tr -d ' ')
	# TAP: a failing TODO point is expected to fail, and is no failure.
	t=$(grep -E '^not ok\b' "$tap" | grep -cE '# [Tt][Oo][Dd][Oo]' | tr -d ' ')
	f=$(($(grep -cE '^not ok\b' "$tap" | tr -d ' ') - t))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "# lane $lane: runner exited with status $rc and reported no failing test"
		f=1
	fi
	if [ $((p + f + t)) -eq 0 ]; then
		echo "# lane $lane: ran no test"
		f=1
	fi
	todo=
	[ "$t" -gt 0 ] && todo=", $t expected to fail (TODO)"
	echo "# lane $lane: $((p - s)) passed, $f failed, $s skipped$todo"
	passed=$((passed + p - s))
	skipped=$((skipped + s))
	failed=$((failed + f))
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
