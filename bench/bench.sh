#!/bin/bash
# bench/bench.sh BUILD [N]: husk side by side with crun and runc, interleaved.
#
# BUILD holds husk and the helpers in BUILD/bench (`make bench` builds both):
# bench/shim.c, a subreaper that drives a runtime as containerd's shim does
# and times it, and bench/floor.c, a container start with no runtime.  One
# busybox rootfs running /bin/true, a fresh id and bundle per container, and
# every cgroup under an absolute /husk-bench-PID path.  Measured:
#   run          `RUNTIME run ID`, N rounds, the runtimes (and the floor) in
#                turn, A B C, B C A, ..., so drift hits all alike;
#   lifecycle    create, start, reap the init, delete, driven by the shim;
#   exec         `RUNTIME exec ID /bin/true` into a running container;
#   masks        `run` with 200 more masked directories, as the kubelet masks
#                every CPU's thermal_throttle on a big node (here 200
#                directories of the rootfs: this host's sysfs has none);
#   peak RSS     ru_maxrss of the runtime process (and what it waited for);
#   size         the binary, alone and with its shared libraries;
#   memory       the smallest linux.resources.memory.limit under which a
#                container still starts (bisected to a page);
#   concurrent   CONCURRENT (32) lifecycles at once: total time and errors;
#   sandbox      `husk sandbox -- /bin/true` with no limit, the same with
#                `--memory 64M --pids 100 --time 10s`, with `--overlay` of a
#                small directory tree (a workspace), with `--allow-host` (the
#                egress proxy, unused by the job), and Debian's bubblewrap
#                `bwrap --ro-bind / / --dev /dev --proc /proc --unshare-all
#                /bin/true` (issue 12's yardstick), N rounds in turn; the
#                host's /bin/true, not busybox.
# Prints medians, p95 and ratios of medians to crun and to runc (for the
# sandbox rows, to bwrap) as markdown.
# No result is asserted: this is a measurement.
#
# Everything runs in a private mount namespace where the hybrid host's
# /sys/fs/cgroup/unified/cgroup.controllers is masked by an empty file:
# crun 1.8.1 refuses hybrid hosts ("cgroups in hybrid mode not supported")
# unless the v2 hierarchy offers no controller.  Every runtime gets the same
# view; the host is not changed.  crun and runc are installed from Debian
# when missing.
#
# Environment: BENCH_RUNTIMES (default "husk crun runc"; husk-NAME is
# another husk build on PATH, to compare two), BENCH_KINDS
# (default "run lifecycle exec masks": the timed kinds), BENCH_SANDBOX
# (default "husk husk-limits husk-overlay husk-allow bwrap": the sandbox
# rows; "" for none),
# BENCH_CONCURRENT (32; 0 for none), BENCH_MINMEM (1; 0 skips the memory
# bisection), HUSK_BENCH_DYNAMIC (a dynamically linked husk, for its size).
# bubblewrap is installed from Debian when missing, as crun and runc are.
#
# BENCH_STATE (default tmpfs): where the runtimes' state roots are.  tmpfs
# is a tmpfs mounted in the private mount namespace, as each runtime's
# default root is (/run/runc, /run/crun, /run/husk: /run is a tmpfs on
# every systemd host, /run/user/UID too); disk keeps them under /tmp with
# the bundles, to show what a disk-backed root costs: each container's
# state dir made and removed is a journal entry there, and with online
# discard (ext4 -o discard, as on this host) a TRIM per removed directory.
#
# BENCH_SYSTEMD=1: every runtime with its systemd cgroup driver
# (--systemd-cgroup; each container's cgroupsPath system.slice:hb-PID:ID,
# a transient scope made and stopped through D-Bus), where systemd is PID 1
# (the systemd VM lane: tests/vm/run --systemd).  lifecycle is left out of
# the default kinds there (bench/shim.c passes no global flag), and so are
# the sandbox rows.
set -eu
[ $# -ge 1 ] || {
	echo "usage: $0 BUILD [N]" >&2
	exit 2
}
BUILD=$(cd "$1" && pwd)
N=${2:-100}
tools=$BUILD/bench
read -r -a runtimes <<<"${BENCH_RUNTIMES:-husk crun runc}"
read -r -a sandboxes <<<"${BENCH_SANDBOX-husk husk-limits husk-overlay husk-allow bwrap}"
SANDBOX_LIMITS="--memory 64M --pids 100 --time 10s"
CONC=${BENCH_CONCURRENT:-32}
CC_FILE=/sys/fs/cgroup/unified/cgroup.controllers
default_kinds="run lifecycle exec masks"
gflag=""
if [ "${BENCH_SYSTEMD:-0}" = 1 ]; then
	[ -d /run/systemd/system ] || {
		echo "bench: BENCH_SYSTEMD=1 needs systemd as PID 1 (tests/vm/run --systemd)" >&2
		exit 1
	}
	gflag=--systemd-cgroup default_kinds="run exec masks" sandboxes=()
fi

for t in husk bench/shim bench/floor; do
	[ -x "$BUILD/$t" ] || {
		echo "bench: no $BUILD/$t (make bench builds it)" >&2
		exit 1
	}
done

if [ -z "${HUSK_BENCH_INNER:-}" ]; then
	[ "$(id -u)" -eq 0 ] || {
		echo "bench: needs root (private mount namespace, cgroups)" >&2
		exit 1
	}
	missing=()
	for r in "${runtimes[@]}"; do
		case $r in
		husk) ;;
		crun | runc) command -v "$r" >/dev/null 2>&1 || missing+=("$r") ;;
		husk-*) command -v "$r" >/dev/null 2>&1 || {
			echo "bench: no $r on PATH (another husk build, to compare with)" >&2
			exit 2
		} ;;
		*)
			echo "bench: unknown runtime $r" >&2
			exit 2
			;;
		esac
	done
	for r in "${sandboxes[@]}"; do
		case $r in
		husk | husk-limits | husk-overlay | husk-allow) ;;
		bwrap) command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap) ;;
		*)
			echo "bench: unknown sandbox $r" >&2
			exit 2
			;;
		esac
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "bench: installing ${missing[*]} from Debian" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 ||
			{ apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; }
	fi
	HUSK_BENCH_INNER=1 exec unshare -m --propagation private bash "$(realpath "$0")" "$BUILD" "$N"
fi

# ---- inside the private mount namespace ----

work=$(mktemp -d /tmp/husk-bench.XXXXXX)
state=$work
case ${BENCH_STATE:-tmpfs} in
tmpfs)
	state=$work/state
	mkdir "$state"
	mount -t tmpfs -o mode=0700,size=64m husk-bench-state "$state"
	;;
disk) ;;
*)
	echo "bench: BENCH_STATE is tmpfs or disk" >&2
	exit 2
	;;
esac
cgbase=/husk-bench-$$
cgpath=$cgbase/@ID@
[ -z "$gflag" ] || cgbase=/system.slice/hb$$ cgpath="system.slice:hb$$:@ID@"
declare -A bin=([husk]="$BUILD/husk")
for r in "${runtimes[@]}"; do
	[ "$r" = husk ] || bin[$r]=$(command -v "$r")
done
has_sandbox() { [[ " ${sandboxes[*]} " == *" $1 "* ]]; }
! has_sandbox bwrap || bin[bwrap]=$(command -v bwrap)

cleanup() {
	set +e
	local r d id
	for r in "${runtimes[@]}"; do
		for d in "$state/root-$r"/*/; do
			[ -d "$d" ] || continue
			id=$(basename "$d")
			"${bin[$r]}" $gflag --root "$state/root-$r" delete --force "$id" >/dev/null 2>&1
		done
	done
	for d in "$state/root-sandbox"/sandbox-*/; do
		[ -d "$d" ] && "$BUILD/husk" --root "$state/root-sandbox" delete --force "$(basename "$d")" >/dev/null 2>&1
	done
	for d in /sys/fs/cgroup/*"$cgbase" /sys/fs/cgroup"$cgbase"-*.scope; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	[ "$state" = "$work" ] || umount "$state"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
	layout="cgroup v2" memfile=memory.max
	mask="a cgroup v2 host: nothing masked (every runtime still ran in a private mount namespace)"
else
	layout="v1 controllers (hybrid host)" memfile=memory.limit_in_bytes
	mask="no cgroup v2 hierarchy at /sys/fs/cgroup/unified: nothing masked"
fi
if [ -e "$CC_FILE" ]; then
	: >"$work/empty"
	mount --bind "$work/empty" "$CC_FILE"
	mask="every runtime ran in a private mount namespace where $CC_FILE is masked by an empty file (crun 1.8.1 refuses hybrid hosts otherwise; the host is unchanged)"
fi

# The rootfs, shared read-only by every container; config templates whose
# @ID@ (and memory limit) each container fills in.
mkdir -p "$work/rootfs/bin" "$work/b"
cp /bin/busybox "$work/rootfs/bin/"
(cd "$work" && "$BUILD/husk" spec)
MEMTAG=987654321987
jq --arg rootfs "$work/rootfs" --arg cg "$cgpath" '
	.ociVersion = "1.0.2" | .root = {path: $rootfs, readonly: true}
	| .process.terminal = false | .process.args = ["/bin/busybox", "true"]
	| .linux.cgroupsPath = $cg' "$work/config.json" >"$work/true.tmpl"
jq '.process.args = ["/bin/busybox", "sleep", "100000"]' "$work/true.tmpl" >"$work/sleep.tmpl"
jq ".linux.resources.memory = {limit: $MEMTAG}" "$work/true.tmpl" >"$work/mem.tmpl"
for i in $(seq 0 199); do
	mkdir -p "$work/rootfs/cpu/cpu$i/thermal_throttle"
	echo "/cpu/cpu$i/thermal_throttle"
done | jq -R . | jq -s . >"$work/masks.json"
jq --slurpfile m "$work/masks.json" '.linux.maskedPaths += $m[0]' "$work/true.tmpl" >"$work/masks.tmpl"

# The husk-overlay row's workspace: a small source tree, as a job's would be.
mkdir -p "$work/workspace/src" "$work/workspace/.git/hooks"
for i in $(seq 0 49); do echo "int f$i(void) { return $i; }" >"$work/workspace/src/f$i.c"; done
echo '[core]' >"$work/workspace/.git/config"

# mkbundle TEMPLATE ID [MEMORY]: $work/b/ID/config.json.
mkbundle() {
	mkdir -p "$work/b/$2"
	sed -e "s|@ID@|$2|" -e "s|$MEMTAG|${3:-0}|" "$work/$1.tmpl" >"$work/b/$2/config.json"
}

# The containers `exec` goes into.
for r in "${runtimes[@]}"; do
	mkbundle sleep "bx-$r"
	"${bin[$r]}" $gflag --root "$state/root-$r" run --detach --bundle "$work/b/bx-$r" "bx-$r" \
		</dev/null >/dev/null 2>>"$work/err-$r.log" || echo "bench: $r cannot start a container to exec into" >&2
done

# measure RUNTIME KIND ID: "NANOSECONDS PEAK_RSS_KIB", or "fail".
measure() {
	local r=$1 kind=$2 id=$3 root="$state/root-$1" out
	case $kind in
	run)
		mkbundle true "$id"
		if [ "$r" = floor ]; then
			out=$("$tools/shim" time "$tools/floor" "$work/rootfs" /bin/busybox true 2>>"$work/err-$r.log") || out=fail
		else
			out=$("$tools/shim" time "${bin[$r]}" $gflag --root "$root" run --bundle "$work/b/$id" "$id" 2>>"$work/err-$r.log") || out=fail
		fi
		;;
	masks)
		mkbundle masks "$id"
		out=$("$tools/shim" time "${bin[$r]}" $gflag --root "$root" run --bundle "$work/b/$id" "$id" 2>>"$work/err-$r.log") || out=fail
		;;
	lifecycle)
		mkbundle true "$id"
		out=$("$tools/shim" lifecycle "${bin[$r]}" "$root" "$work/b/$id" "$id" 2>>"$work/err-$r.log") || out=fail
		;;
	exec)
		out=$("$tools/shim" time "${bin[$r]}" $gflag --root "$root" exec "bx-$r" /bin/busybox true 2>>"$work/err-$r.log") || out=fail
		;;
	sandbox)
		out=$(sandbox_cmd "$r" 2>>"$work/err-$r.log") || out=fail
		;;
	esac
	echo "$out"
}

# sandbox_cmd NAME: one sandbox of /bin/true, timed by the shim.  The
# limits' cgroups go under $cgbase, as every container's do.
sandbox_cmd() {
	case $1 in
	husk) "$tools/shim" time "${bin[husk]}" --root "$state/root-sandbox" sandbox \
		--cgroup-parent "$cgbase" -- /bin/true ;;
	husk-limits) # shellcheck disable=SC2086
		"$tools/shim" time "${bin[husk]}" --root "$state/root-sandbox" sandbox \
			--cgroup-parent "$cgbase" $SANDBOX_LIMITS -- /bin/true ;;
	husk-overlay)
		"$tools/shim" time "${bin[husk]}" --root "$state/root-sandbox" sandbox \
			--cgroup-parent "$cgbase" --overlay "$work/workspace:/work" -- /bin/true ;;
	husk-allow)
		"$tools/shim" time "${bin[husk]}" --root "$state/root-sandbox" sandbox \
			--cgroup-parent "$cgbase" --allow-host example.com -- /bin/true ;;
	bwrap) "$tools/shim" time "${bin[bwrap]}" --ro-bind / / --dev /dev --proc /proc \
		--unshare-all /bin/true ;;
	esac
}

declare -A samples fails peak
read -r -a kinds <<<"${BENCH_KINDS:-$default_kinds}"
for kind in "${kinds[@]}"; do
	order=("${runtimes[@]}")
	[ "$kind" = run ] && order+=(floor)
	for r in "${order[@]}"; do
		samples[$r,$kind]="" fails[$r,$kind]=0 peak[$r,$kind]=0
	done
	for i in $(seq "$N"); do
		n=${#order[@]}
		for j in $(seq 0 $((n - 1))); do
			r=${order[$(((i + j) % n))]}
			read -r ns kib <<<"$(measure "$r" "$kind" "b$i-$kind-$r")"
			if [ "$ns" = fail ]; then
				fails[$r,$kind]=$((${fails[$r,$kind]} + 1))
				continue
			fi
			samples[$r,$kind]+="$ns "
			[ "$kib" -le "${peak[$r,$kind]}" ] || peak[$r,$kind]=$kib
		done
	done
done

# The sandbox rows, in turn as above, after one untimed run of each (the
# first husk sandbox compiles the default seccomp profile into its cache).
for r in "${sandboxes[@]}"; do
	samples[$r,sandbox]="" fails[$r,sandbox]=0 peak[$r,sandbox]=0
	measure "$r" sandbox - >/dev/null
done
for i in $(seq "$N"); do
	n=${#sandboxes[@]}
	for j in $(seq 0 $((n - 1))); do
		r=${sandboxes[$(((i + j) % n))]}
		read -r ns kib <<<"$(measure "$r" sandbox -)"
		if [ "$ns" = fail ]; then
			fails[$r,sandbox]=$((${fails[$r,sandbox]} + 1))
			continue
		fi
		samples[$r,sandbox]+="$ns "
		[ "$kib" -le "${peak[$r,sandbox]}" ] || peak[$r,sandbox]=$kib
	done
done

# starts RUNTIME BYTES: does a container start (and exit 0) under that limit?
k=0
starts() {
	local r=$1
	for _ in 1 2; do
		k=$((k + 1))
		mkbundle mem "m$k-$r" "$2"
		if timeout 60 "$tools/shim" time "${bin[$r]}" $gflag --root "$state/root-$r" run \
			--bundle "$work/b/m$k-$r" "m$k-$r" >/dev/null 2>>"$work/mem-$r.log"; then
			return 0
		fi
		"${bin[$r]}" $gflag --root "$state/root-$r" delete --force "m$k-$r" >/dev/null 2>&1 || :
	done
	return 1
}
declare -A minmem
for r in "${runtimes[@]}"; do
	minmem[$r]=-
	[ "${BENCH_MINMEM:-1}" != 0 ] || continue
	lo=0 hi=$((64 << 20))
	if ! starts "$r" $hi; then
		minmem[$r]="> 64 MiB"
		continue
	fi
	while [ $((hi - lo)) -gt 4096 ]; do
		mid=$(((lo + hi) / 2 / 4096 * 4096))
		if starts "$r" $mid; then hi=$mid; else lo=$mid; fi
	done
	minmem[$r]="$((hi >> 10)) KiB"
done

# CONC lifecycles at once, 3 rounds per runtime (1 when N is 1), in turn.
declare -A conc_ms conc_err
reps=3
[ "$N" -gt 1 ] || reps=1
[ "$CONC" -gt 0 ] && [ -z "$gflag" ] || reps=0
for rep in $(seq "$reps"); do
	n=${#runtimes[@]}
	for j in $(seq 0 $((n - 1))); do
		r=${runtimes[$(((rep + j) % n))]}
		pids=()
		for c in $(seq "$CONC"); do
			mkbundle true "c$rep-$c-$r"
		done
		t0=${EPOCHREALTIME/./}
		for c in $(seq "$CONC"); do
			"$tools/shim" lifecycle "${bin[$r]}" "$state/root-$r" "$work/b/c$rep-$c-$r" \
				"c$rep-$c-$r" >/dev/null 2>>"$work/err-$r.log" &
			pids+=($!)
		done
		errs=0
		for p in "${pids[@]}"; do
			wait "$p" || errs=$((errs + 1))
		done
		t1=${EPOCHREALTIME/./}
		conc_ms[$r]+="$(((t1 - t0) * 1000)) "
		conc_err[$r]=$((${conc_err[$r]:-0} + errs))
	done
done

# ---- report ----

summary() { # "SAMPLES" (ns) -> "median p95" in ms
	tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ v[NR] = $1 }
		END { if (NR == 0) { print "- -"; exit }
		      m = v[int((NR + 1) / 2)]; p = v[int(NR * 0.95 + 0.999)];
		      printf "%.1f %.1f\n", m / 1e6, p / 1e6 }'
}
ratio() { # A B -> A/B as "0.00x", or "-"
	if [ "$1" = - ] || [ "${2:--}" = - ]; then echo -; else awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; fi
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
has() { [[ " ${runtimes[*]} " == *" $1 "* ]]; }

echo "husk bench $(date -u +%Y-%m-%dT%H:%MZ): $N interleaved rounds per runtime, busybox /bin/true,"
echo "Linux $(uname -r), $(nproc) cpus, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end;"
echo "$(for r in "${runtimes[@]}"; do [ "$r" = husk ] || printf '%s %s; ' "$r" "$("${bin[$r]}" --version | head -n 1 | awk '{ print $NF }')"; done)cgroups: $layout, under $cgbase$([ -z "$gflag" ] || echo ", every runtime with --systemd-cgroup (a transient scope per container, made through D-Bus)")."
echo "Note: $mask."
echo "State roots: $([ "$state" = "$work" ] && echo "under /tmp, on $(findmnt -n -o FSTYPE --target /tmp) (BENCH_STATE=disk)" || echo "on a tmpfs, as each runtime's default root under /run is on a systemd host (BENCH_STATE=disk puts them on /tmp's $(findmnt -n -o FSTYPE --target /tmp))")."
echo
echo "| kind | runtime | median ms | p95 ms | fails | vs crun | vs runc | peak RSS MiB |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
declare -A med
for kind in "${kinds[@]}"; do
	order=("${runtimes[@]}")
	[ "$kind" = run ] && order+=(floor)
	for r in "${order[@]}"; do
		read -r m p <<<"$(summary "${samples[$r,$kind]}")"
		med[$r,$kind]=$m
	done
	for r in "${order[@]}"; do
		read -r m p <<<"$(summary "${samples[$r,$kind]}")"
		rss=-
		[ "${peak[$r,$kind]}" -eq 0 ] || rss=$(mib "${peak[$r,$kind]}")
		echo "| $kind | $r | $m | $p | ${fails[$r,$kind]} | $(ratio "$m" "${med[crun,$kind]:-}") | $(ratio "$m" "${med[runc,$kind]:-}") | $rss |"
	done
done
echo
if has husk; then
	echo "husk run / floor: $(ratio "${med[husk,run]}" "${med[floor,run]}") (the floor: clone into the same namespaces, pivot_root, exec; no cgroup, no /proc, no /dev)."
fi
echo "Peak RSS: the largest ru_maxrss over the rounds (for run, of the runtime process or of anything it waited for, such as runc's re-executed init; the busybox container's own process counts as well)."
echo
if [ ${#sandboxes[@]} -gt 0 ]; then
	declare -A sandbox_name=([husk]="husk" [husk-limits]="husk $SANDBOX_LIMITS" [husk-overlay]="husk --overlay DIR:/work" [husk-allow]="husk --allow-host example.com" [bwrap]="bwrap $(dpkg-query -W -f '${Version}' bubblewrap 2>/dev/null || :)")
	echo "| kind | sandbox | median ms | p95 ms | fails | vs bwrap | peak RSS MiB |"
	echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
	for r in "${sandboxes[@]}"; do
		read -r m p <<<"$(summary "${samples[$r,sandbox]}")"
		med[$r,sandbox]=$m
	done
	for r in "${sandboxes[@]}"; do
		read -r m p <<<"$(summary "${samples[$r,sandbox]}")"
		rss=-
		[ "${peak[$r,sandbox]}" -eq 0 ] || rss=$(mib "${peak[$r,sandbox]}")
		echo "| sandbox | ${sandbox_name[$r]} | $m | $p | ${fails[$r,sandbox]} | $(ratio "$m" "${med[bwrap,sandbox]:-}") | $rss |"
	done
	echo
	echo "sandbox: \`husk --root R sandbox --cgroup-parent $cgbase [LIMITS] -- /bin/true\` (its defaults: host /usr /bin /sbin /lib* /etc read-only, tmpfs /tmp, fresh /proc, minimal /dev, loopback-only network, uid 65534, no capabilities, no_new_privs, docker's seccomp allow-list) against \`bwrap --ro-bind / / --dev /dev --proc /proc --unshare-all /bin/true\` (as root: uid 0 with its capabilities less one, no_new_privs, no seccomp filter, no cgroup). Issue 12's targets: husk at or below 1.00x bwrap with no limit, within 1.50x with the limits."
	echo
fi

size_with_libs() { # BINARY -> bytes of it and every shared library ldd lists
	local total lib
	total=$(stat -L -c %s "$1")
	for lib in $(ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		total=$((total + $(stat -L -c %s "$lib")))
	done
	echo "$total"
}
echo "| runtime | memory.limit to start | concurrent $CONC lifecycles, ms (median of $reps) | errors | binary KiB | with shared libraries KiB |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for r in "${runtimes[@]}"; do
	read -r cm _ <<<"$(tr ' ' '\n' <<<"${conc_ms[$r]:-}" | grep . | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else printf "%.0f\n", v[int((NR + 1) / 2)] / 1e6 }')"
	name=$r
	if ldd "${bin[$r]}" >/dev/null 2>&1; then linked=dynamic; else linked=static; fi
	[ "$r" != husk ] || name="husk ($linked)"
	echo "| $name | ${minmem[$r]} | $cm | ${conc_err[$r]:--} | $(($(stat -L -c %s "${bin[$r]}") >> 10)) | $(($(size_with_libs "${bin[$r]}") >> 10)) |"
done
if has husk && [ -n "${HUSK_BENCH_DYNAMIC:-}" ] && [ -x "$HUSK_BENCH_DYNAMIC" ]; then
	echo "| husk (dynamic) | | | | $(($(stat -c %s "$HUSK_BENCH_DYNAMIC") >> 10)) | $(($(size_with_libs "$HUSK_BENCH_DYNAMIC") >> 10)) |"
fi
echo
echo "memory.limit: linux.resources.memory.limit, which on this host is $memfile; the smallest that still starts /bin/true, to a page (crun claims 512 KiB)."
declare -A said
for r in "${runtimes[@]}" floor "${sandboxes[@]}"; do
	if [ ! -s "$work/err-$r.log" ] || [ -n "${said[$r]:-}" ]; then
		continue
	fi
	said[$r]=1
	echo "$r said (last lines of $(wc -l <"$work/err-$r.log")):"
	sort "$work/err-$r.log" | uniq -c | sort -rn | head -n 3 | sed 's/^/    /'
done
