#!/bin/bash
# tests/integration/helpers.bash: what every .bats file loads (runc's shape).
#
#   setup()    { setup_bundle; }       a throwaway bundle, cwd set to it
#   teardown() { teardown_bundle; }    force-deletes what the test left
#   husk ARGS...                       runs husk --root $HUSK_ROOT ARGS via bats' run
#   update_config JQ_EXPR [BUNDLE]     edits config.json through jq
#   requires FEATURE...                skips with a reason, fails on a typo
#
# tests/run-integration.sh runs the files inside a private mount namespace;
# HUSK_BUILD names the build directory (default: the repository's build/).

INTEGRATION_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$INTEGRATION_ROOT/../.." && pwd)
HUSK_BUILD=$(cd "${HUSK_BUILD:-$REPO_ROOT/build}" 2>/dev/null && pwd || echo "${HUSK_BUILD:-$REPO_ROOT/build}")
HUSK=${HUSK:-$HUSK_BUILD/husk}
ROOTFS=$HUSK_BUILD/rootfs
# The static helper, runnable on the host too (it is also the rootfs's /init).
INIT=$HUSK_BUILD/tests/init
CONFIG_TEMPLATE=$INTEGRATION_ROOT/config.json

# Run husk with the test's private state root; bats' run sets $status,
# $output and $lines.  What ran and what it said goes to the test's stderr,
# which bats shows when the test fails.
function husk() {
	run __husk "$@"
	echo "husk $* (status=$status):" >&2
	echo "$output" >&2
}

# Like husk, for `create` and `run --detach`: the container keeps the stdio
# it inherits, so it must not be the pipe bats reads (bats would wait for the
# container to exit); its output goes to $HUSK_TMP/detached.out instead.
function husk_detached() {
	status=0
	__husk "$@" >"$HUSK_TMP/detached.out" 2>&1 </dev/null || status=$?
	output=$(cat "$HUSK_TMP/detached.out")
	echo "husk $* (status=$status):" >&2
	echo "$output" >&2
}

function __husk() {
	"$HUSK" --root "$HUSK_ROOT" "$@"
}

# A per-test directory holding the state root ($HUSK_ROOT) and a bundle
# ($BUNDLE: config.json from the template, rootfs/ a copy of the test rootfs).
# Paths stay short: console sockets live under them later.
function setup_bundle() {
	if [ ! -x "$ROOTFS/init" ]; then
		echo "setup_bundle: no test rootfs at $ROOTFS (make $HUSK_BUILD/rootfs/.stamp)" >&2
		return 1
	fi
	HUSK_TMP=$(mktemp -d "${TMPDIR:-/tmp}/husk.XXXXXX")
	HUSK_ROOT=$HUSK_TMP/state
	BUNDLE=$HUSK_TMP/bundle
	mkdir "$BUNDLE"
	cp -a "$ROOTFS" "$BUNDLE/rootfs"
	rm -f "$BUNDLE/rootfs/.stamp"
	cp "$CONFIG_TEMPLATE" "$BUNDLE/config.json"
	export HUSK_TMP HUSK_ROOT BUNDLE
	cd "$BUNDLE" || return 1
}

# update_config JQ_EXPR [BUNDLE]: rewrite BUNDLE/config.json through jq.
function update_config() {
	local cfg=${2:-$BUNDLE}/config.json
	if ! jq "$1" "$cfg" >"$cfg.new"; then
		rm -f "$cfg.new"
		echo "update_config: jq failed on: $1" >&2
		return 1
	fi
	mv "$cfg.new" "$cfg"
}

# Force-delete every container under the test's state root, undo any mount a
# bug left under the tmp dir, then remove it.  Harmless when husk has no
# delete verb yet or the test made no bundle.
function teardown_bundle() {
	local d mnt
	[ -n "${HUSK_TMP:-}" ] || return 0
	cd / || :
	if [ -d "$HUSK_ROOT" ]; then
		for d in "$HUSK_ROOT"/*/; do
			[ -d "$d" ] || continue
			"$HUSK" --root "$HUSK_ROOT" delete --force "$(basename "$d")" >/dev/null 2>&1 || :
		done
	fi
	# Deepest first; never let rm wander into a mount (a proc, or a bind of
	# a host directory).
	awk -v p="$HUSK_TMP/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo |
		sort -r | while read -r mnt; do
		umount -l "$mnt" 2>/dev/null || :
	done
	rm -rf --one-file-system "$HUSK_TMP"
	unset HUSK_TMP
	# Containers without a cgroupsPath live under /husk/<id>; husk never
	# removes that parent.  rmdir only succeeds on an empty cgroup, so a
	# /husk still in use is left alone.
	rmdir /sys/fs/cgroup/*/husk /sys/fs/cgroup/husk 2>/dev/null || :
}

# Every name `requires` knows; anything else is a typo and fails the test.
HUSK_REQUIREMENTS="root openat2 cgroups_v1 cgroup2 systemd userns busybox criu criu_binary tty"

function requires() {
	local f
	for f in "$@"; do
		case " $HUSK_REQUIREMENTS " in
		*" $f "*) ;;
		*)
			echo "requires: unknown requirement \`$f\` (known: $HUSK_REQUIREMENTS)" >&2
			exit 1
			;;
		esac
	done
	for f in "$@"; do
		case $f in
		root)
			[ "$(id -u)" -eq 0 ] || skip "test requires root"
			;;
		openat2)
			# ENOSYS from the raw call (bad arguments otherwise) means no openat2.
			[[ "$("$INIT" try-syscall openat2 -1 0 0 0 2>/dev/null)" != *ENOSYS* ]] ||
				skip "test requires openat2(2) (Linux 5.6)"
			;;
		cgroups_v1)
			awk '$3 == "cgroup" { found = 1 } END { exit !found }' /proc/self/mounts ||
				skip "test requires cgroup v1 hierarchies"
			;;
		cgroup2)
			# A pure v2 host with controllers, as in the vm lane (make
			# vm-check); a hybrid host's unified hierarchy does not count.
			[ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ] &&
				grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null ||
				skip "test requires cgroup v2 with the memory controller at /sys/fs/cgroup (make vm-check)"
			;;
		systemd)
			# systemd as PID 1 (runc's test) on cgroup v2, as in the
			# systemd VM lane (make systemd-check).
			[ -d /run/systemd/system ] && [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ] ||
				skip "test requires systemd as PID 1 on cgroup v2 (make systemd-check)"
			;;
		userns)
			[ -e /proc/self/ns/user ] &&
				[ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 1)" -gt 0 ] &&
				unshare --user true 2>/dev/null ||
				skip "test requires user namespaces"
			;;
		busybox)
			[ -x "$ROOTFS/bin/busybox" ] || skip "test requires busybox in the test rootfs"
			;;
		criu_binary)
			command -v criu >/dev/null 2>&1 || skip "test requires criu (Debian's criu package)"
			;;
		criu)
			# CRIU installed and working on this kernel; otherwise the
			# reason `criu check` gives (its first error that is not a
			# summary line).
			command -v criu >/dev/null 2>&1 || skip "test requires criu (Debian's criu package)"
			local why
			why=$(criu check 2>&1) ||
				skip "test requires a kernel CRIU works on; criu check: $(
					echo "$why" | grep 'Error' | grep -v 'util.c\|crtools.c' | head -1 |
						sed 's/^.*Error ([^)]*): //'
				)"
			;;
		tty)
			# A pseudo-terminal can be allocated (no controlling tty needed).
			[ -c /dev/ptmx ] && (exec 3<>/dev/ptmx) 2>/dev/null ||
				skip "test requires a pseudo-terminal (/dev/ptmx)"
			;;
		esac
	done
}

# start_recvtty [INPUT]: a console receiver on $SOCK, output in $HUSK_TMP/console.
function start_recvtty() {
	SOCK=$HUSK_TMP/console.sock
	"$HUSK_BUILD/tests/recvtty" "$SOCK" "$@" >"$HUSK_TMP/console" 2>"$HUSK_TMP/recvtty.err" &
	RECV_PID=$!
	for _ in $(seq 100); do
		[ -S "$SOCK" ] && return 0
		sleep 0.05
	done
	echo "recvtty did not listen" >&2
	return 1
}

function wait_recvtty() {
	wait "$RECV_PID"
	RECV_PID=
	cat "$HUSK_TMP/recvtty.err" >&2
}

# stop_recvtty: for teardown, when a test failed before wait_recvtty.
function stop_recvtty() {
	[ -z "${RECV_PID:-}" ] || kill "$RECV_PID" 2>/dev/null || :
	RECV_PID=
}

# remove_cgroup_parent PATH: a test's parent cgroup (an absolute cgroupsPath
# prefix), in every hierarchy, once empty.  husk never removes a parent, and
# a container cgroup left inside makes rmdir fail and the leak visible.
function remove_cgroup_parent() {
	local d
	for d in /sys/fs/cgroup/*"$1" /sys/fs/cgroup"$1"; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	:
}

# cgroup_dirs PARENT ID: every directory of ID's cgroup under PARENT that exists.
function cgroup_dirs() {
	ls -d /sys/fs/cgroup/*"$1/$2" /sys/fs/cgroup"$1/$2" 2>/dev/null || :
}
