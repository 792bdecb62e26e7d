#!/bin/sh
# The fuzz lane of `make check`: run the config parser's libFuzzer target for
# a short time (SECONDS, default 30) and report one TAP line.  A crash, a
# sanitizer report or a leak makes libFuzzer exit non-zero and the line fail;
# the fuzzer's last lines are kept as comments.
set -u
BUILD=${1:-build}
SECONDS_=${2:-30}
sh "$(dirname "$0")/require-programs.sh" fuzz || exit 1
echo "1..1"
out=$(make --no-print-directory fuzz BUILD="$BUILD" FUZZ_SECONDS="$SECONDS_" 2>&1)
rc=$?
printf '%s\n' "$out" | tail -n 12 | sed 's/^/# /'
if [ "$rc" -eq 0 ]; then
	echo "ok 1 - config parser fuzzed for ${SECONDS_}s: no crash, no leak"
else
	echo "not ok 1 - config parser fuzzing failed (exit $rc); reproduce with make fuzz"
fi
exit "$rc"
