#!/usr/bin/env bats
# `make bench` stays runnable: bench/bench.sh once, husk alone (its sandbox
# rows too, without bwrap), a few containers at once.  Times are printed,
# never checked.

load helpers

setup() {
	requires root
}

@test "bench.sh runs every measurement once and husk never fails" {
	if [ ! -x "$HUSK_BUILD/bench/shim" ] || [ ! -x "$HUSK_BUILD/bench/floor" ]; then
		echo "no bench helpers in $HUSK_BUILD/bench (make $HUSK_BUILD/bench/shim)" >&2
		return 1
	fi
	BENCH_RUNTIMES=husk BENCH_SANDBOX="husk husk-limits" BENCH_CONCURRENT=4 \
		run bash "$REPO_ROOT/bench/bench.sh" "$HUSK_BUILD" 1
	echo "$output" >&2
	[ "$status" -eq 0 ]
	# kind, runtime, median, p95, fails = 0 for each kind, and the floor ran.
	[[ "$output" =~ "| run | husk | "[0-9.]+" | "[0-9.]+" | 0 |" ]]
	[[ "$output" =~ "| lifecycle | husk | "[0-9.]+" | "[0-9.]+" | 0 |" ]]
	[[ "$output" =~ "| exec | husk | "[0-9.]+" | "[0-9.]+" | 0 |" ]]
	[[ "$output" =~ "| masks | husk | "[0-9.]+" | "[0-9.]+" | 0 |" ]]
	[[ "$output" =~ "| run | floor | "[0-9.]+" | "[0-9.]+" | 0 |" ]]
	# Both sandbox rows ran and never failed; with no bwrap, no ratio.
	[[ "$output" =~ "| sandbox | husk | "[0-9.]+" | "[0-9.]+" | 0 | - |" ]]
	[[ "$output" =~ "| sandbox | husk --memory 64M --pids 100 --time 10s | "[0-9.]+" | "[0-9.]+" | 0 | - |" ]]
	[[ "$output" != *"| sandbox | bwrap"* ]]
	# A memory limit was found, and the concurrent lifecycles had no error.
	[[ "$output" =~ "| husk ("(static|dynamic)") | "[0-9]+" KiB | "[0-9]+" | 0 |" ]]
	# No cgroup is left behind.
	[[ "$output" =~ "under /husk-bench-"([0-9]+)"." ]]
	! ls -d /sys/fs/cgroup/*/husk-bench-"${BASH_REMATCH[1]}" 2>/dev/null || false
}
