#!/bin/bash
# bench/bench.sh BUILD [N]: husk side by side with runc and crun, interleaved.
#
# One busybox bundle running /bin/true; for each runtime N rounds (default
# 50) of
#   run          `RUNTIME run ID`, the whole container start to exit;
#   lifecycle    create, start, (the init exits) delete, as a shim drives it;
#   exec         `RUNTIME exec ID /bin/true` into a running container;
# run in turn, A B C A B C ..., so a machine that speeds up or slows down
# affects all alike.  Prints the median and p95 per runtime and the ratio
# of medians to runc (and to crun when it works: crun 1.8.1 refuses hybrid
# cgroup hosts, and the table says so).  Peak RSS comes from GNU time when
# installed.  No result is asserted: this is a measurement.
set -eu
BUILD=$(cd "${1:-build}" && pwd)
N=${2:-50}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/husk-bench.XXXXXX)
# husk leaves the /husk parent of its cgroups; rmdir removes it only when empty.
trap 'rm -rf "$work"; rmdir /sys/fs/cgroup/*/husk /sys/fs/cgroup/husk 2>/dev/null || :' EXIT

runtimes=(husk)
declare -A bin=([husk]="$BUILD/husk")
for r in runc crun; do
	if command -v "$r" >/dev/null 2>&1; then
		bin[$r]=$(command -v "$r")
		runtimes+=("$r")
	fi
done

mkdir -p "$work/bundle/rootfs/bin"
cp /bin/busybox "$work/bundle/rootfs/bin/"
(cd "$work/bundle" && "$BUILD/husk" spec)
# ociVersion 1.0.2: crun 1.8.1 and runc 1.1 refuse versions newer than they know.
jq '.ociVersion = "1.0.2" | .process.terminal = false | .process.args = ["/bin/busybox", "true"]' \
	"$work/bundle/config.json" >"$work/c" && mv "$work/c" "$work/bundle/config.json"

# The container exec goes into: the same bundle, sleeping.
mkdir "$work/sleeper"
ln -s "$work/bundle/rootfs" "$work/sleeper/rootfs"
jq '.process.args = ["/bin/busybox", "sleep", "100000"] | .root.path = "'"$work/bundle/rootfs"'"' \
	"$work/bundle/config.json" >"$work/sleeper/config.json"
rm "$work/sleeper/rootfs"
for r in "${runtimes[@]}"; do
	"${bin[$r]}" --root "$work/root-$r" run --detach --bundle "$work/sleeper" "bx-$r" \
		</dev/null >/dev/null 2>&1 || :
done
trap 'for r in "${runtimes[@]}"; do "${bin[$r]}" --root "$work/root-$r" delete --force "bx-$r" >/dev/null 2>&1 || :; done
	rm -rf "$work"; rmdir /sys/fs/cgroup/*/husk /sys/fs/cgroup/husk 2>/dev/null || :' EXIT

now() { date +%s%N; }

# One round of KIND for runtime R (id unique per round); prints nanoseconds,
# or "fail".
round() {
	local r=$1 kind=$2 id=$3 t0 t1 root="$work/root-$1"
	t0=$(now)
	if [ "$kind" = run ]; then
		"${bin[$r]}" --root "$root" run --bundle "$work/bundle" "$id" >/dev/null 2>&1 || { echo fail; return; }
	elif [ "$kind" = exec ]; then
		"${bin[$r]}" --root "$root" exec "bx-$r" /bin/busybox true >/dev/null 2>&1 || { echo fail; return; }
	else
		"${bin[$r]}" --root "$root" create --bundle "$work/bundle" "$id" </dev/null >/dev/null 2>&1 || { echo fail; return; }
		"${bin[$r]}" --root "$root" start "$id" >/dev/null 2>&1 || { echo fail; return; }
		"${bin[$r]}" --root "$root" delete --force "$id" >/dev/null 2>&1 || { echo fail; return; }
	fi
	t1=$(now)
	echo $((t1 - t0))
}

declare -A samples fails
for kind in run lifecycle exec; do
	for r in "${runtimes[@]}"; do
		samples[$r,$kind]=""
		fails[$r,$kind]=0
	done
	for i in $(seq "$N"); do
		for r in "${runtimes[@]}"; do
			v=$(round "$r" "$kind" "b$i-$kind-$r")
			if [ "$v" = fail ]; then
				fails[$r,$kind]=$((${fails[$r,$kind]} + 1))
			else
				samples[$r,$kind]+="$v "
			fi
		done
	done
done

summary() { # "SAMPLES" -> "median p95" in ms
	tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ v[NR] = $1 }
		END { if (NR == 0) { print "- -"; exit }
		      m = v[int((NR + 1) / 2)]; p = v[int(NR * 0.95 + 0.999)];
		      printf "%.1f %.1f\n", m / 1e6, p / 1e6 }'
}

echo "husk bench: $N interleaved rounds per runtime, busybox /bin/true, $(uname -r), $(nproc) cpus"
printf '%-10s %-6s %10s %10s %8s %10s\n' kind runtime median_ms p95_ms fails vs_runc
for kind in run lifecycle exec; do
	read -r rm _ <<<"$(summary "${samples[runc,$kind]:-}")"
	for r in "${runtimes[@]}"; do
		read -r m p <<<"$(summary "${samples[$r,$kind]}")"
		ratio=-
		if [ "$m" != - ] && [ "${rm:--}" != - ]; then
			ratio=$(awk -v a="$m" -v b="$rm" 'BEGIN { printf "%.2fx", a / b }')
		fi
		printf '%-10s %-6s %10s %10s %8s %10s\n' "$kind" "$r" "$m" "$p" "${fails[$r,$kind]}" "$ratio"
	done
done
for r in "${runtimes[@]}"; do
	if [ "${fails[$r,run]}" -eq "$N" ]; then
		echo "note: $r failed every round on this host: $("${bin[$r]}" --root "$work/root-$r" run --bundle "$work/bundle" probe 2>&1 | tail -n 1)"
	fi
done
if ldd "$BUILD/husk" >/dev/null 2>&1; then linked=dynamic; else linked=static; fi
printf 'husk binary: %s, %s bytes\n' "$linked" "$(stat -c %s "$BUILD/husk")"
if [ -x /usr/bin/time ]; then
	for r in "${runtimes[@]}"; do
		[ "${fails[$r,run]}" -lt "$N" ] || continue
		kb=$(/usr/bin/time -f %M "${bin[$r]}" --root "$work/root-$r" run --bundle "$work/bundle" rss-$r 2>&1 >/dev/null | tail -n 1)
		echo "peak RSS of $r run: $kb KiB"
	done
fi
