#!/bin/bash
# tests/clients/helpers.bash: what every tests/clients/*.bats file loads.
#
# tests/clients/run-lane.sh runs the files in a private pid and mount
# namespace and exports:
#   HUSK_BUILD               the build directory (husk, rootfs/)
#   HUSK_CLIENTS_DIR         a private temporary directory; each engine works
#                            under $HUSK_CLIENTS_DIR/ENGINE
#   HUSK_CLIENTS_TAG         unique to this run; cgroups go under
#                            /husk-clients-TAG-ENGINE
#   HUSK_CLIENTS_ROOTFS_TAR  the test rootfs (tests/mkrootfs.sh) as a tar,
#                            which each engine imports as its only image
#   HUSK_CLIENTS_DEPS_LOG    what tests/clients/deps.sh said
#
# A daemon runs from setup_file to the file's last test, which stops it and
# checks that nothing is left; teardown_file stops and removes whatever a
# failure left, and only what this file started, by pid.

CLIENTS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HUSK_BUILD=${HUSK_BUILD:-$CLIENTS_ROOT/../../build}
HUSK=$HUSK_BUILD/husk

# The container every engine keeps running: pid 1 ignores a signal it has no
# handler for, so it traps TERM and exits 143 at once, and `stop` is proven
# to deliver TERM (a KILL after the grace period would show 137).
SLEEPER=(sh -c 'trap "exit 143" TERM; sleep 1000 & wait')

# engine_missing ENGINE COMMAND...: print why the engine cannot run here (a
# command of it is missing), or nothing.  bats 1.8 cannot skip from
# setup_file, so setup_file keeps the reason in SKIP_REASON and each test's
# setup skips with it (skip_if_missing).
function engine_missing() {
	local engine=$1 c
	shift
	if [ "$(id -u)" -ne 0 ]; then
		echo "$engine: the lane needs root"
	elif [ -z "${HUSK_CLIENTS_DIR:-}" ]; then
		echo "$engine: run through tests/clients/run-lane.sh (make clients-check)"
	else
		for c in "$@"; do
			if ! command -v "$c" >/dev/null 2>&1; then
				echo "$engine: $c is not installed: tests/clients/deps.sh could not install it (see ${HUSK_CLIENTS_DEPS_LOG:-its output})"
				return 0
			fi
		done
	fi
}

function setup() {
	[ -z "${SKIP_REASON:-}" ] || skip "$SKIP_REASON"
}

# engine_dir ENGINE: make and print the engine's private directory.
function engine_dir() {
	mkdir -p "$HUSK_CLIENTS_DIR/$1" && echo "$HUSK_CLIENTS_DIR/$1"
}

# start_daemon PIDFILE SOCKET LOG COMMAND...: start COMMAND in the background
# with its output in LOG, record its pid and wait up to 60 s for SOCKET (a
# SOCKET of - waits for nothing: the caller knows better when it is up).  The
# daemon, and the shims it leaves, must hold none of bats' descriptors, or
# bats would wait for them: every descriptor above stdio is closed.
function start_daemon() {
	local pidfile=$1 sock=$2 log=$3 pid i
	shift 3
	(
		for fd in /proc/"$BASHPID"/fd/*; do
			fd=${fd##*/}
			[ "$fd" -gt 2 ] && eval "exec $fd>&-"
		done
		exec "$@"
	) >"$log" 2>&1 </dev/null &
	pid=$!
	echo "$pid" >"$pidfile"
	[ "$sock" != - ] || return 0
	for ((i = 0; i < 600; i++)); do
		[ -S "$sock" ] && return 0
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "$1 exited before $sock appeared; its log:" >&2
			tail -n 30 "$log" >&2
			return 1
		fi
		sleep 0.1
	done
	echo "$1 made no $sock in 60 s; its log:" >&2
	tail -n 30 "$log" >&2
	return 1
}

# stop_daemon PIDFILE [SECONDS]: TERM the daemon whose pid PIDFILE holds and
# wait for it (default 30 s); KILL it if it does not go.  Returns 1 when it
# needed the KILL.  A daemon already gone is fine.
function stop_daemon() {
	local pidfile=$1 secs=${2:-30} pid i
	[ -f "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	kill -TERM "$pid" 2>/dev/null || {
		rm -f "$pidfile"
		return 0
	}
	for ((i = 0; i < secs * 10; i++)); do
		is_alive "$pid" || {
			rm -f "$pidfile"
			return 0
		}
		sleep 0.1
	done
	echo "pid $pid ($(cat /proc/"$pid"/comm 2>/dev/null)) ignored TERM for $secs s: killed" >&2
	kill -KILL "$pid" 2>/dev/null
	rm -f "$pidfile"
	return 1
}

# is_alive PID: the process exists and is not a zombie (the daemon is our
# child: bash reaps it only when it waits).
function is_alive() {
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

# processes_named NAME...: pids in this (private) pid namespace whose comm
# is one of NAMEs.
function processes_named() {
	local p comm n
	for p in /proc/[0-9]*; do
		comm=$(cat "$p/comm" 2>/dev/null) || continue
		for n in "$@"; do
			if [ "$comm" = "$n" ] && is_alive "${p#/proc/}"; then
				echo "${p#/proc/} $comm"
			fi
		done
	done
}

# kill_leftovers NAME...: SIGKILL, by pid, the processes of this (private)
# pid namespace named NAME (shims a failed test left behind its daemon).
function kill_leftovers() {
	local pid _
	while read -r pid _; do
		kill -KILL "$pid" 2>/dev/null || :
	done < <(processes_named "$@")
}

# cgroup_parent ENGINE: the absolute cgroup path the engine puts its
# containers under.
function cgroup_parent() {
	echo "/husk-clients-$HUSK_CLIENTS_TAG-$1"
}

# cgroup_dirs PARENT: every directory under PARENT (itself included) in
# every hierarchy, deepest first.
function cgroup_dirs() {
	local d
	for d in /sys/fs/cgroup/*"$1" /sys/fs/cgroup"$1"; do
		[ -d "$d" ] && find "$d" -depth -type d
	done | awk '!seen[$0]++'
}

# cgroup_children PARENT: the distinct names of the directories under PARENT
# in any hierarchy (the containers' cgroups, conmon's).
function cgroup_children() {
	local d
	for d in /sys/fs/cgroup/*"$1" /sys/fs/cgroup"$1"; do
		[ -d "$d" ] && find "$d" -mindepth 1 -type d -printf '%P\n'
	done | sort -u
}

# remove_cgroups PARENT: rmdir PARENT and what is under it in every
# hierarchy; fails, naming them, when some cannot go (a process is in them).
function remove_cgroups() {
	local d left=0
	while read -r d; do
		rmdir "$d" 2>/dev/null || {
			echo "cannot remove cgroup $d: $(cat "$d/cgroup.procs" 2>/dev/null | tr '\n' ' ')" >&2
			left=1
		}
	done < <(cgroup_dirs "$1")
	return $left
}

# mounts_under DIR: mount points at or under DIR in this mount namespace.
function mounts_under() {
	awk -v p="$1" '$5 == p || index($5, p "/") == 1 { print $5 }' /proc/self/mountinfo
}

# umount_under DIR: lazily unmount everything under DIR, deepest first.
function umount_under() {
	local m
	mounts_under "$1" | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null || :
	done
}

# in_pty COMMAND...: run COMMAND with a pseudo-terminal as its stdio (ctr and
# docker want one for -t).
# bats' run sets $status and $output.
function in_pty() {
	local cmd
	printf -v cmd '%q ' "$@"
	run script -qec "$cmd" /dev/null
	# Less the carriage returns, and the ^@ the terminal echoes when the
	# client's stdin (/dev/null) ends.
	output=${output//$'\r'/}
	output=${output//^@/}
	while [[ "$output" == *$'\n' ]]; do
		output=${output%$'\n'}
	done
	echo "in a pty: $cmd (status=$status):" >&2
	echo "$output" >&2
}

# oci_archive ROOTFS_TAR NAME OUT: an OCI image archive (oci-layout,
# index.json, blobs) of one uncompressed layer, ROOTFS_TAR, named NAME (for
# `ctr image import`), written to OUT.
function oci_archive() {
	local tar=$1 name=$2 out=$3 dir l ls c cs m ms
	dir=$(mktemp -d "$HUSK_CLIENTS_DIR/oci.XXXXXX")
	mkdir -p "$dir/blobs/sha256"
	l=$(sha256sum "$tar" | cut -d' ' -f1)
	ls=$(stat -c %s "$tar")
	cp "$tar" "$dir/blobs/sha256/$l"
	printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"config":{"Cmd":["/init","exit","0"]}}' \
		"$l" >"$dir/config"
	c=$(sha256sum "$dir/config" | cut -d' ' -f1)
	cs=$(stat -c %s "$dir/config")
	mv "$dir/config" "$dir/blobs/sha256/$c"
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
		"$c" "$cs" "$l" "$ls" >"$dir/manifest"
	m=$(sha256sum "$dir/manifest" | cut -d' ' -f1)
	ms=$(stat -c %s "$dir/manifest")
	mv "$dir/manifest" "$dir/blobs/sha256/$m"
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s"}}]}' \
		"$m" "$ms" "$name" >"$dir/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
	tar -C "$dir" -cf "$out" oci-layout index.json blobs && rm -rf "$dir"
}
