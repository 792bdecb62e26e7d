#!/usr/bin/env bats
# Rootless husk (uid 65534) mapping more ids than its own: newuidmap and
# newgidmap (Debian's `uidmap`) with ranges from /etc/subuid and /etc/subgid,
# and the errors when either is missing.  The ranges are given in a private
# mount namespace (a file bound over /etc/subuid and /etc/subgid), so the
# host's files are never changed.  Delegated cgroups: rootless-cgroups.bats.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	requires root userns
	command -v setpriv >/dev/null || skip "no setpriv"
	command -v newuidmap >/dev/null || skip "no newuidmap (Debian package uidmap)"
	HUSK_TMP=$(mktemp -d "${TMPDIR:-/tmp}/husk.XXXXXX")
	chmod 755 "$HUSK_TMP"
	mkdir -m 777 "$HUSK_TMP/rl" "$HUSK_TMP/rl/b"
	RL_ROOT=$HUSK_TMP/rl/state
	run setpriv --reuid 65534 --regid 65534 --clear-groups "$HUSK" spec --rootless --bundle "$HUSK_TMP/rl/b"
	[ "$status" -eq 0 ]
	update_config ".root = {path: \"$ROOTFS\", readonly: true} | .process.terminal = false
		| .process.args = [\"sh\", \"-c\", \"cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; exit 3\"]
		| .linux.uidMappings = [{containerID: 0, hostID: 65534, size: 1}, {containerID: 1, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 65534, size: 1}, {containerID: 1, hostID: 100000, size: 65536}]" \
		"$HUSK_TMP/rl/b"
	echo "nobody:100000:65536" >"$HUSK_TMP/subid"
	export HUSK_TMP RL_ROOT
}

teardown() {
	rm -rf --one-file-system "$HUSK_TMP"
}

# with_subids FILE ARGS...: husk ARGS as uid 65534, in the bundle, with FILE
# as /etc/subuid and /etc/subgid; husk's PATH is $RL_PATH when set.
function with_subids() {
	local file=$1
	shift
	run unshare -m sh -c '
		mount --bind "$1" /etc/subuid && mount --bind "$1" /etc/subgid || exit 99
		husk=$2 root=$3 bundle=$4 path=$5
		shift 5
		cd "$bundle" &&
		exec setpriv --reuid 65534 --regid 65534 --clear-groups env -u XDG_RUNTIME_DIR \
			PATH="$path" "$husk" --root "$root" "$@"' \
		sh "$file" "$HUSK" "$RL_ROOT" "$HUSK_TMP/rl/b" "${RL_PATH:-$PATH}" "$@"
	echo "husk $* as nobody, subids from $file (status=$status):" >&2
	echo "$output" >&2
}

@test "rootless run: ids beyond the caller's own are mapped by newuidmap from /etc/subuid" {
	with_subids "$HUSK_TMP/subid" run rl1
	[ "$status" -eq 3 ]
	[[ "${lines[0]}" =~ ^\ +0\ +65534\ +1$ ]]
	[[ "${lines[1]}" =~ ^\ +1\ +100000\ +65536$ ]]
	[[ "${lines[2]}" =~ ^\ +0\ +65534\ +1$ ]]
	[[ "${lines[3]}" =~ ^\ +1\ +100000\ +65536$ ]]
	# newgidmap left groups allowed: the user's ranges cover them.
	[ "${lines[4]}" = allow ]
	[ -z "$(ls "$RL_ROOT")" ]
}

@test "rootless run: a process may take an id of the range, and exec joins it" {
	update_config '.process.user = {uid: 1000, gid: 1000, additionalGids: [1001]}
		| .process.args = ["sleep", "100"]' "$HUSK_TMP/rl/b"
	with_subids "$HUSK_TMP/subid" run -d rl2
	[ "$status" -eq 0 ]
	pid=$(jq -r .pid "$RL_ROOT/rl2/state.json")
	# Seen from the host: the range's 100000 + 999.
	[ "$(stat -c %u "/proc/$pid")" = 100999 ]
	with_subids "$HUSK_TMP/subid" exec rl2 id
	[ "$status" -eq 0 ]
	[ "$output" = "uid=1000(test) gid=1000(test) groups=1001(extra)" ]
	with_subids "$HUSK_TMP/subid" delete -f rl2
	[ "$status" -eq 0 ]
	[ -z "$(ls "$RL_ROOT")" ]
}

@test "rootless run: no range in /etc/subuid, or no newuidmap: one clear error, nothing left" {
	: >"$HUSK_TMP/empty"
	with_subids "$HUSK_TMP/empty" run rl3
	[ "$status" -eq 1 ]
	[[ "$output" == "husk: linux.uidMappings: newuidmap refused the map ("*"): the ranges must be given to this user in /etc/subuid" ]]
	[ "${#lines[@]}" -eq 1 ]
	[ -z "$(ls "$RL_ROOT")" ]
	RL_PATH=/nonexistent with_subids "$HUSK_TMP/subid" run rl3
	[ "$status" -eq 1 ]
	[[ "$output" == *"linux.uidMappings: a uid map of more than the caller's own uid 65534 needs newuidmap, which is not installed (Debian package \`uidmap\`), and a range for this user in /etc/subuid"* ]]
	[ -z "$(ls "$RL_ROOT")" ]
}

@test "--rootless takes true, false or auto; false keeps cgroup permission errors" {
	run "$HUSK" --rootless maybe list
	[ "$status" -eq 1 ]
	[[ "$output" == *"--rootless \`maybe\`: true, false or auto"* ]]
	update_config '.linux.uidMappings = [{containerID: 0, hostID: 65534, size: 1}]
		| .linux.gidMappings = [{containerID: 0, hostID: 65534, size: 1}]' "$HUSK_TMP/rl/b"
	# auto (and true): not root, no delegated cgroup, no limit: no cgroup.
	with_subids "$HUSK_TMP/subid" --rootless true run rl4
	[ "$status" -eq 3 ]
	with_subids "$HUSK_TMP/subid" --rootless false run rl4
	[ "$status" -eq 1 ]
	[[ "$output" == *"cgroups: make \`/sys/fs/cgroup/"*"\`: permission denied"* ]]
	[ -z "$(ls "$RL_ROOT")" ]
}
