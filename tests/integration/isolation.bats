#!/usr/bin/env bats
# Isolation, observed from inside real containers: namespaces, mounts, /dev,
# masked and read-only paths, sysctls and names.  Every value is read inside
# the container through tests/init (or busybox) and compared with the host's.

load helpers

setup() {
	requires root
	setup_bundle
	HELPER_PIDS=()
}

teardown() {
	local pid
	# Only the helpers this test started, by pid.
	for pid in "${HELPER_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null || :
		wait "$pid" 2>/dev/null || :
	done
	teardown_bundle
}

# set_args ARG...: the container's process.args (an ARG may hold newlines).
set_args() {
	local json
	json=$(for a in "$@"; do jq -n --arg a "$a" '$a'; done | jq -cs .)
	update_config ".process.args = $json"
}

# sh_args SCRIPT: run SCRIPT with the rootfs's busybox sh.
sh_args() {
	set_args /bin/busybox sh -c "$1"
}

# add_mount JSON: append one entry to config.json's mounts.
add_mount() {
	update_config ".mounts += [$1]"
}

# No state, and no mount of this test's bundle left in the mount table.
assert_nothing_left() {
	[ ! -d "$HUSK_ROOT" ] || [ -z "$(ls -A "$HUSK_ROOT")" ]
	! grep -q "$BUNDLE" /proc/self/mountinfo || false
}

# mnt_line MOUNTPOINT: the line of $output (a mountinfo) for that mount point
# (the last one: the mount on top).
mnt_line() {
	awk -v m="$1" '$5 == m { l = $0 } END { if (l == "") exit 1; print l }' <<<"$output"
}

# mnt_opts MOUNTPOINT: the per-mount options (field 6) of that mount point.
mnt_opts() {
	mnt_line "$1" | awk '{ print $6 }'
}

# mnt_super MOUNTPOINT: "fstype source superoptions" of that mount point.
mnt_super() {
	mnt_line "$1" | awk '{ for (i = 7; $i != "-"; i++); print $(i + 1), $(i + 2), $(i + 3) }'
}

# has_opt LIST OPT: OPT is one of the comma-separated LIST.
has_opt() {
	[[ ",$1," == *",$2,"* ]]
}

# start_helper CMD...: a host process this test owns, killed in teardown.
# Its pid is in $helper_pid.
start_helper() {
	"$@" </dev/null >/dev/null 2>&1 &
	helper_pid=$!
	HELPER_PIDS+=("$helper_pid")
}

# wait_ns PID TYPE: until PID's TYPE namespace differs from ours (the helper
# has unshared), so the inode we read is the helper's, not bats'.
wait_ns() {
	local i
	for i in $(seq 100); do
		[ "$(readlink "/proc/$1/ns/$2" 2>/dev/null)" != "$(readlink "/proc/self/ns/$2")" ] &&
			[ -n "$(readlink "/proc/$1/ns/$2" 2>/dev/null)" ] && return 0
		sleep 0.05
	done
	echo "wait_ns: $1 never left our $2 namespace" >&2
	return 1
}

# ---- namespaces ----

# The ns links of the container's process, one "name:[inode]" a line.
NS_SCRIPT='for n in pid net ipc uts mnt cgroup user time; do echo "$n $(readlink /proc/self/ns/$n)"; done'

# ns_of NAME: the container's link for NAME, from $output of NS_SCRIPT.
ns_of() {
	awk -v n="$1" '$1 == n { print $2 }' <<<"$output"
}

@test "ns: each namespace of the template is new" {
	sh_args "$NS_SCRIPT"
	husk run ns_new
	[ "$status" -eq 0 ]
	for n in pid net ipc uts mnt; do
		inside=$(ns_of $n)
		[[ "$inside" == "$n:["*"]" ]]
		[ "$inside" != "$(readlink /proc/self/ns/$n)" ]
	done
	# Not asked for: shared with the host.
	for n in cgroup user time; do
		[ "$(ns_of $n)" = "$(readlink /proc/self/ns/$n)" ]
	done
	assert_nothing_left
}

@test "ns: a namespace left out of the config is the host's" {
	update_config '.linux.namespaces |= map(select(.type != "network" and .type != "ipc"))'
	sh_args "$NS_SCRIPT"
	husk run ns_shared
	[ "$status" -eq 0 ]
	[ "$(ns_of net)" = "$(readlink /proc/self/ns/net)" ]
	[ "$(ns_of ipc)" = "$(readlink /proc/self/ns/ipc)" ]
	[ "$(ns_of uts)" != "$(readlink /proc/self/ns/uts)" ]
}

@test "ns: network, ipc and uts namespaces joined by /proc/PID/ns path" {
	start_helper unshare --net --ipc --uts sleep 1000
	pid=$helper_pid
	wait_ns "$pid" net
	update_config '.linux.namespaces |= map(if .type == "network" then .path = "/proc/'"$pid"'/ns/net"
		elif .type == "ipc" then .path = "/proc/'"$pid"'/ns/ipc"
		elif .type == "uts" then .path = "/proc/'"$pid"'/ns/uts" else . end)'
	sh_args "$NS_SCRIPT"
	husk run ns_join
	[ "$status" -eq 0 ]
	[ "$(ns_of net)" = "$(readlink /proc/$pid/ns/net)" ]
	[ "$(ns_of ipc)" = "$(readlink /proc/$pid/ns/ipc)" ]
	[ "$(ns_of uts)" = "$(readlink /proc/$pid/ns/uts)" ]
	[ "$(ns_of net)" != "$(readlink /proc/self/ns/net)" ]
	# The others are still new.
	[ "$(ns_of pid)" != "$(readlink /proc/self/ns/pid)" ]
	[ "$(ns_of mnt)" != "$(readlink /proc/self/ns/mnt)" ]
	# The hostname was set in the joined uts namespace.
	[ "$(nsenter --uts --target "$pid" hostname)" = husk-test ]
	assert_nothing_left
}

@test "ns: a mount namespace joined by path, set up inside it as runc does" {
	# A namespace of the helper's own: a copy of the test's, so the bundle's
	# paths resolve in it.
	start_helper unshare --mount --propagation private sleep 1000
	pid=$helper_pid
	wait_ns "$pid" mnt
	update_config '.linux.namespaces |= map(if .type == "mount" then .path = "/proc/'"$pid"'/ns/mnt" else . end)'
	sh_args "$NS_SCRIPT; /init stat /init >/dev/null && echo rootfs-is-root"
	husk run ns_join_mnt
	[ "$status" -eq 0 ]
	[ "$(ns_of mnt)" = "$(readlink /proc/$pid/ns/mnt)" ]
	[ "$(ns_of mnt)" != "$(readlink /proc/self/ns/mnt)" ]
	[[ "$output" == *rootfs-is-root* ]]
	assert_nothing_left
}

@test "ns: pid and time namespaces joined by path" {
	# unshare makes both for its children: the sleep is pid 1 of the new
	# pid namespace and a day ahead on boottime.
	start_helper unshare --pid --fork --kill-child --time --boottime 86400 sleep 1000
	pid=$helper_pid
	wait_ns "$pid" pid_for_children
	update_config '.linux.namespaces |= map(if .type == "pid" then .path = "/proc/'"$pid"'/ns/pid_for_children" else . end)
		| .linux.namespaces += [{"type": "time", "path": "/proc/'"$pid"'/ns/time_for_children"}]'
	sh_args "$NS_SCRIPT; echo self \$\$; cut -d. -f1 /proc/uptime; ps -o comm | grep -c sleep"
	host_before=$(cut -d. -f1 /proc/uptime)
	husk run ns_joinpid
	[ "$status" -eq 0 ]
	[ "$(ns_of pid)" = "$(readlink /proc/$pid/ns/pid_for_children)" ]
	[ "$(ns_of time)" = "$(readlink /proc/$pid/ns/time_for_children)" ]
	# Not the namespace's init: the sleep is, and the container sees it.
	[ "$(ns_of self)" -gt 1 ]
	[ "${lines[9]}" -ge $((host_before + 86400)) ]
	[ "${lines[10]}" = 1 ]
	# husk went back to its own namespaces.
	[ "$(readlink /proc/self/ns/pid)" != "$(ns_of pid)" ]
	assert_nothing_left
}

@test "ns: joining a time namespace while setting its clocks is refused" {
	start_helper unshare --fork --kill-child --time sleep 1000
	pid=$helper_pid
	wait_ns "$pid" time_for_children
	update_config '.linux.namespaces += [{"type": "time", "path": "/proc/'"$pid"'/ns/time_for_children"}]
		| .linux.timeOffsets = {"boottime": {"secs": 5}}'
	husk run ns_jointimeoff
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.timeOffsets: the clocks of a joined time namespace cannot be set"* ]]
	assert_nothing_left
}

@test "ns: a pid path that is not a pid namespace is refused" {
	start_helper unshare --net sleep 1000
	pid=$helper_pid
	wait_ns "$pid" net
	update_config '.linux.namespaces |= map(if .type == "pid" then .path = "/proc/'"$pid"'/ns/net" else . end)'
	husk run ns_wrongpid
	[ "$status" -ne 0 ]
	[[ "$output" == *"the pid path is not a pid namespace"* ]]
	assert_nothing_left
}

@test "ns: a network namespace joined through a bind-mounted nsfs file" {
	touch "$HUSK_TMP/netns"
	unshare --net="$HUSK_TMP/netns" true
	want=$(stat -L -c %i "$HUSK_TMP/netns")
	[ "net:[$want]" != "$(readlink /proc/self/ns/net)" ]
	update_config '.linux.namespaces |= map(if .type == "network" then .path = "'"$HUSK_TMP/netns"'" else . end)'
	sh_args "$NS_SCRIPT"
	husk run ns_bound
	[ "$status" -eq 0 ]
	[ "$(ns_of net)" = "net:[$want]" ]
	[ "$(ns_of net)" != "$(readlink /proc/self/ns/net)" ]
	# husk left the nsfs bind alone.
	[ "$(stat -L -c %i "$HUSK_TMP/netns")" = "$want" ]
	umount "$HUSK_TMP/netns"
}

@test "ns: a namespace path that is not a namespace is a clear error" {
	touch "$HUSK_TMP/notns"
	update_config '.linux.namespaces |= map(if .type == "network" then .path = "'"$HUSK_TMP/notns"'" else . end)'
	husk run ns_notns
	[ "$status" -ne 0 ]
	[[ "$output" == *"$HUSK_TMP/notns"* ]]
	assert_nothing_left
}

@test "ns: a cgroup namespace when asked" {
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	sh_args "$NS_SCRIPT; cat /proc/self/cgroup"
	husk run ns_cgroup
	[ "$status" -eq 0 ]
	[[ "$(ns_of cgroup)" == "cgroup:["*"]" ]]
	[ "$(ns_of cgroup)" != "$(readlink /proc/self/ns/cgroup)" ]
	# Its own cgroup is the root of every hierarchy it sees.
	[[ "$output" == *"0::/"* ]]
	! grep -E '^[0-9]+:[^:]*:/.+' <<<"$output" || false
}

@test "ns: a time namespace when asked" {
	[ -e /proc/self/ns/time ] || skip "no time namespaces in this kernel"
	update_config '.linux.namespaces += [{"type": "time"}]'
	sh_args "$NS_SCRIPT"
	husk run ns_time
	[ "$status" -eq 0 ]
	[[ "$(ns_of time)" == "time:["*"]" ]]
	[ "$(ns_of time)" != "$(readlink /proc/self/ns/time)" ]
}

@test "ns: linux.timeOffsets set the container's clocks, not the host's" {
	update_config '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"monotonic": {"secs": 3600, "nanosecs": 5},
					"boottime": {"secs": 86400, "nanosecs": 0}}
		| .process.args = ["/bin/sh", "-c", "cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime"]'
	host_before=$(cut -d. -f1 /proc/uptime)
	husk run ns_timeoff
	[ "$status" -eq 0 ]
	[ "$(awk '$1 == "monotonic" {print $2, $3}' <<<"$output")" = "3600 5" ]
	[ "$(awk '$1 == "boottime" {print $2, $3}' <<<"$output")" = "86400 0" ]
	# Uptime is boottime: a day ahead of the host's inside.
	inside=${lines[2]}
	[ "$inside" -ge $((host_before + 86400)) ]
	# husk's own clocks (and so the host's, seen here) are untouched.
	[ "$(cut -d. -f1 /proc/uptime)" -lt $((host_before + 86400)) ]
	[ "$(awk '$1 == "boottime" {print $2}' /proc/self/timens_offsets)" = 0 ]
}

# A copy of the rootfs owned by the container's root (host uid 100000).  The
# container's root resolves the bundle path itself, so it must be able to
# search the test's (mktemp 0700) directory, as with runc.
userns_config() {
	chmod 0711 "$HUSK_TMP"
	chown -R 100000:100000 "$BUNDLE/rootfs"
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

@test "ns: a user namespace maps the container's ids" {
	requires userns
	userns_config
	mkdir "$HUSK_TMP/shared"
	chown 100000:100000 "$HUSK_TMP/shared"
	add_mount '{"destination": "/shared", "type": "bind", "source": "'"$HUSK_TMP/shared"'", "options": ["rbind", "rw"]}'
	sh_args 'cat /proc/self/uid_map /proc/self/gid_map; readlink /proc/self/ns/user; /init getuid; /init write /shared/made-inside hello; /init mkdir /shared/dir-inside'
	husk run ns_user
	[ "$status" -eq 0 ]
	# Both maps: "0 100000 65536", however the kernel pads it.
	[ "$(grep -cE '^ *0 +100000 +65536$' <<<"$output")" -eq 2 ]
	[[ "$output" == *"user:["* ]]
	! grep -qF "$(readlink /proc/self/ns/user)" <<<"$output" || false
	[[ "$output" == *"uid=0 gid=0 euid=0 egid=0"* ]]
	# Outside, what the container's root made belongs to host uid 100000.
	[ "$(stat -c %u:%g "$HUSK_TMP/shared/made-inside")" = 100000:100000 ]
	[ "$(stat -c %u:%g "$HUSK_TMP/shared/dir-inside")" = 100000:100000 ]
	[ "$(cat "$HUSK_TMP/shared/made-inside")" = hello ]
	assert_nothing_left
}

@test "ns: in a user namespace /dev nodes are the host's devices" {
	requires userns
	userns_config
	sh_args 'for d in null zero full random urandom tty; do /init stat /dev/$d; done; echo x > /dev/null && echo wrote-null'
	husk run ns_userdev
	[ "$status" -eq 0 ]
	for d in 1:3 1:5 1:7 1:8 1:9 5:0; do
		[[ "$output" == *"type=char dev=$d"* ]]
	done
	[[ "$output" == *wrote-null* ]]
	assert_nothing_left
}

# ---- mounts ----

@test "mounts: tmpfs with size, mode and nosuid/nodev/noexec" {
	add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "noexec", "size=1m", "mode=1770"]}'
	add_mount '{"destination": "/plain", "type": "tmpfs", "source": "tmpfs", "options": ["size=512k"]}'
	sh_args '/init mountinfo; /init stat /scratch; /init write /scratch/f data && /init cat /scratch/f'
	husk run mnt_tmpfs
	[ "$status" -eq 0 ]
	opts=$(mnt_opts /scratch)
	has_opt "$opts" rw
	has_opt "$opts" nosuid
	has_opt "$opts" nodev
	has_opt "$opts" noexec
	super=$(mnt_super /scratch)
	[[ "$super" == "tmpfs tmpfs "* ]]
	has_opt "${super##* }" size=1024k
	has_opt "${super##* }" mode=1770
	[[ "$output" == *"mode=1770 uid=0 gid=0 type=dir"* ]]
	[[ "$output" == *data ]]
	# Without the options the flags are not there.
	opts=$(mnt_opts /plain)
	! has_opt "$opts" nosuid || false
	! has_opt "$opts" noexec || false
	has_opt "$(mnt_super /plain | awk '{ print $3 }')" size=512k
}

@test "mounts: noexec and nodev are enforced, not only listed" {
	add_mount '{"destination": "/noexec", "type": "tmpfs", "source": "tmpfs", "options": ["noexec", "nodev", "mode=755"]}'
	update_config '.linux.devices = [{"path": "/noexec/null", "type": "c", "major": 1, "minor": 3, "fileMode": 438}]'
	sh_args 'cp /init /noexec/init; /noexec/init nop && echo ran; /init stat /noexec/null; echo x > /noexec/null && echo wrote; true'
	husk run mnt_enforce
	[ "$status" -eq 0 ]
	[[ "$output" != *ran* ]]
	[[ "$output" == *"type=char dev=1:3"* ]]
	[[ "$output" != *wrote* ]]
}

@test "mounts: bind ro and rw of host directories" {
	mkdir "$HUSK_TMP/ro" "$HUSK_TMP/rw"
	echo host-ro >"$HUSK_TMP/ro/file"
	add_mount '{"destination": "/ro", "type": "bind", "source": "'"$HUSK_TMP/ro"'", "options": ["bind", "ro", "nosuid", "nodev"]}'
	add_mount '{"destination": "/rw", "type": "bind", "source": "'"$HUSK_TMP/rw"'", "options": ["rbind", "rw"]}'
	sh_args '/init mountinfo; /init cat /ro/file; /init write /ro/new x; /init write /rw/new from-inside'
	husk run mnt_bind
	[ "$status" -eq 0 ]
	opts=$(mnt_opts /ro)
	has_opt "$opts" ro
	has_opt "$opts" nosuid
	has_opt "$opts" nodev
	has_opt "$(mnt_opts /rw)" rw
	[[ "$output" == *host-ro* ]]
	[[ "$output" == *"/ro/new: Read-only file system"* ]]
	[ ! -e "$HUSK_TMP/ro/new" ]
	[ "$(cat "$HUSK_TMP/rw/new")" = from-inside ]
	assert_nothing_left
}

@test "mounts: rro makes the whole subtree read-only, ro only the top" {
	mkdir -p "$HUSK_TMP/tree/sub"
	mount -t tmpfs -o size=64k husk-sub "$HUSK_TMP/tree/sub"
	add_mount '{"destination": "/top-ro", "type": "bind", "source": "'"$HUSK_TMP/tree"'", "options": ["rbind", "ro"]}'
	add_mount '{"destination": "/all-ro", "type": "bind", "source": "'"$HUSK_TMP/tree"'", "options": ["rbind", "rro"]}'
	sh_args '/init mountinfo; /init write /top-ro/sub/a x; /init write /all-ro/sub/b x; true'
	husk run mnt_rro
	[ "$status" -eq 0 ]
	has_opt "$(mnt_opts /top-ro)" ro
	has_opt "$(mnt_opts /top-ro/sub)" rw
	has_opt "$(mnt_opts /all-ro)" ro
	has_opt "$(mnt_opts /all-ro/sub)" ro
	[[ "$output" == *"/all-ro/sub/b: Read-only file system"* ]]
	[ -e "$HUSK_TMP/tree/sub/a" ]
	[ ! -e "$HUSK_TMP/tree/sub/b" ]
	# The host's own mount kept its flags.
	has_opt "$(awk -v m="$HUSK_TMP/tree/sub" '$5 == m { print $6 }' /proc/self/mountinfo)" rw
	umount "$HUSK_TMP/tree/sub"
}

@test "mounts: a file bound onto a file, created when missing" {
	echo from-the-host >"$HUSK_TMP/hostfile"
	add_mount '{"destination": "/etc/bound-file", "type": "bind", "source": "'"$HUSK_TMP/hostfile"'", "options": ["bind", "ro"]}'
	add_mount '{"destination": "/init", "type": "bind", "source": "'"$HUSK_TMP/hostfile"'", "options": ["bind", "ro"]}'
	set_args /bin/busybox sh -c '/bin/busybox cat /etc/bound-file /init; /bin/busybox stat -c %F /etc/bound-file'
	husk run mnt_file
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = from-the-host ]
	[ "${lines[1]}" = from-the-host ]
	[ "${lines[2]}" = "regular file" ]
	# Nothing was left in the image, and the host file is unchanged.
	[ "$(cat "$HUSK_TMP/hostfile")" = from-the-host ]
	assert_nothing_left
}

@test "mounts: proc, mqueue and devpts are their filesystems" {
	set_args /init mountinfo
	husk run mnt_fs
	[ "$status" -eq 0 ]
	[[ "$(mnt_super /proc)" == "proc proc "* ]]
	[[ "$(mnt_super /dev/mqueue)" == "mqueue mqueue "* ]]
	has_opt "$(mnt_opts /dev/mqueue)" nodev
	super=$(mnt_super /dev/pts)
	[[ "$super" == "devpts devpts "* ]]
	has_opt "${super##* }" gid=5
	has_opt "${super##* }" mode=620
	has_opt "${super##* }" ptmxmode=666
	[[ "$(mnt_super /dev)" == "tmpfs tmpfs "* ]]
	[[ "$(mnt_super /dev/shm)" == "tmpfs shm "* ]]
	# A new devpts instance: not the host's (whose dev differs).
	[ "$(mnt_line /dev/pts | awk '{ print $3 }')" != "$(awk '$5 == "/dev/pts" { print $3 }' /proc/self/mountinfo | tail -n1)" ]
}

@test "mounts: the container's /proc is its own pid namespace's" {
	sh_args 'ls /proc | grep -E "^[0-9]+$"'
	husk run mnt_procpid
	[ "$status" -eq 0 ]
	# Only the shell (pid 1) and its ls/grep children.
	for p in $output; do
		[ "$p" -lt 10 ]
	done
	[[ " $output " == *" 1 "* ]] || [ "${lines[0]}" = 1 ]
}

@test "mounts: sysfs is read-only without a network namespace, even if asked rw" {
	update_config '.linux.namespaces |= map(select(.type != "network"))
		| .mounts |= map(if .type == "sysfs" then .options = ["nosuid", "noexec", "nodev", "rw"] else . end)'
	sh_args '/init mountinfo; /init write /sys/kernel/uevent_helper x; true'
	husk run mnt_sysfs_ro
	[ "$status" -eq 0 ]
	[[ "$(mnt_super /sys)" == "sysfs sysfs "* ]]
	has_opt "$(mnt_opts /sys)" ro
	[[ "$output" == *"Read-only file system"* ]]
}

@test "mounts: sysfs may be rw with a network namespace of its own" {
	update_config '.mounts |= map(if .type == "sysfs" then .options = ["nosuid", "noexec", "nodev", "rw"] else . end)'
	set_args /init mountinfo
	husk run mnt_sysfs_rw
	[ "$status" -eq 0 ]
	has_opt "$(mnt_opts /sys)" rw
}

@test "mounts: a cgroup mount without a cgroup namespace is read-only" {
	requires cgroups_v1
	add_mount '{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime"]}'
	set_args /init mountinfo
	husk run mnt_cgroup_ro
	[ "$status" -eq 0 ]
	n=0
	while read -r mp opts; do
		has_opt "$opts" ro
		n=$((n + 1))
	done < <(awk '$5 == "/sys/fs/cgroup" || index($5, "/sys/fs/cgroup/") == 1 { print $5, $6 }' <<<"$output")
	# The tmpfs and one mount per host hierarchy.
	[ "$n" -eq $((1 + $(awk '$3 == "cgroup" || $3 == "cgroup2"' /proc/self/mounts | awk 'index($2, "/sys/fs/cgroup/") == 1' | wc -l))) ]
}

@test "mounts: without a cgroup namespace, each v1 hierarchy is the container's own cgroup" {
	requires cgroups_v1
	update_config '.linux.resources.memory.limit = 33554432 | .linux.resources.pids.limit = 42'
	add_mount '{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime"]}'
	sh_args 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max; /init mountinfo'
	husk run mnt_cgroup_own
	[ "$status" -eq 0 ]
	# Its own limits, where runc shows them (JVMs read them there) ...
	[ "${lines[0]}" = 33554432 ]
	[ "${lines[1]}" = 42 ]
	# ... and none of the host's tree: the mounts' root is its cgroup.
	[ "$(awk '$5 == "/sys/fs/cgroup/memory" { print $4 }' <<<"$output")" = /husk/mnt_cgroup_own ]
	[ "$(awk '$5 == "/sys/fs/cgroup/pids" { print $4 }' <<<"$output")" = /husk/mnt_cgroup_own ]
}

@test "mounts: a cgroup mount with a cgroup namespace of its own may be rw" {
	requires cgroups_v1
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	add_mount '{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime"]}'
	set_args /init mountinfo
	husk run mnt_cgroup_rw
	[ "$status" -eq 0 ]
	# Only looked at: nothing is written to the host's hierarchies.
	has_opt "$(mnt_opts /sys/fs/cgroup/pids)" rw
	has_opt "$(mnt_opts /sys/fs/cgroup/memory)" rw
	[[ "$(mnt_super /sys/fs/cgroup/pids)" == "cgroup cgroup "* ]]
}

@test "mounts: root.readonly" {
	sh_args '/init mountinfo; /init write /made-in-root x; true'
	husk run mnt_rootro
	[ "$status" -eq 0 ]
	has_opt "$(mnt_opts /)" ro
	[[ "$output" == *"/made-in-root: Read-only file system"* ]]
	[ ! -e "$BUNDLE/rootfs/made-in-root" ]

	update_config '.root.readonly = false'
	husk run mnt_rootrw
	[ "$status" -eq 0 ]
	has_opt "$(mnt_opts /)" rw
	[ "$(cat "$BUNDLE/rootfs/made-in-root")" = x ]
}

@test "mounts: rootfsPropagation" {
	set_args /init mountinfo
	update_config '.linux.rootfsPropagation = "shared"'
	husk run mnt_prop_shared
	[ "$status" -eq 0 ]
	[[ "$(mnt_line /)" == *" shared:"* ]]

	update_config '.linux.rootfsPropagation = "private"'
	husk run mnt_prop_private
	[ "$status" -eq 0 ]
	[[ "$(mnt_line /)" != *" shared:"* ]]
	[[ "$(mnt_line /)" != *" master:"* ]]

	update_config '.linux.rootfsPropagation = "unbindable"'
	husk run mnt_prop_unbindable
	[ "$status" -eq 0 ]
	[[ "$(mnt_line /)" == *" unbindable "* ]]

	update_config '.linux.rootfsPropagation = "runbindable"'
	husk run mnt_prop_runbindable
	[ "$status" -eq 0 ]
	[[ "$(mnt_line /)" == *" unbindable "* ]]
	[[ "$(mnt_line /proc)" == *" unbindable "* ]]
	assert_nothing_left
}

@test "mounts: rshared is bidirectional: a mount made in the container reaches the host, and back (Kubernetes Bidirectional)" {
	local shared=$HUSK_TMP/shared
	# A shared mount of the test's own (the lane runs in a private mount
	# namespace), bound into the container with rshared, as containerd's
	# CRI plugin does for mountPropagation: Bidirectional.
	mkdir -p "$shared/from-container" "$shared/from-host"
	mount --bind "$shared" "$shared"
	mount --make-shared "$shared"
	update_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] |
		.process.capabilities.effective += ["CAP_SYS_ADMIN"] |
		.process.capabilities.permitted += ["CAP_SYS_ADMIN"] |
		.linux.rootfsPropagation = "rshared" |
		.mounts += [{"destination": "/shared", "type": "bind", "source": "'"$shared"'",
			     "options": ["rbind", "rshared"]}]'
	sh_args 'mount -t tmpfs made-in-container /shared/from-container &&
		touch /shared/from-container/mark && exec /init sleep inf'
	husk_detached run --detach prop_bidi
	[ "$status" -eq 0 ]
	for _ in $(seq 100); do
		[ -e "$shared/from-container/mark" ] && break
		sleep 0.05
	done
	# The container's mount is the host's too.
	[ -e "$shared/from-container/mark" ]
	grep -q " $shared/from-container .* made-in-container " /proc/self/mountinfo
	# And the host's reaches the container.
	mount -t tmpfs made-on-host "$shared/from-host"
	touch "$shared/from-host/mark"
	husk exec prop_bidi /init stat /shared/from-host/mark
	[ "$status" -eq 0 ]
	husk delete --force prop_bidi
	umount "$shared/from-host" "$shared/from-container" || :
	umount "$shared"
	assert_nothing_left
}

# ---- /dev ----

@test "dev: the default nodes, links and mount points" {
	sh_args 'for d in null zero full random urandom tty; do echo "$d $(/init stat /dev/$d)"; done
		for l in ptmx fd stdin stdout stderr; do echo "$l -> $(/init readlink /dev/$l)"; done
		/init stat /dev/shm; /init stat /dev/pts; /init ls /dev; /init mountinfo'
	husk run dev_default
	[ "$status" -eq 0 ]
	[[ "$output" == *"null mode=0666 uid=0 gid=0 type=char dev=1:3"* ]]
	[[ "$output" == *"zero mode=0666 uid=0 gid=0 type=char dev=1:5"* ]]
	[[ "$output" == *"full mode=0666 uid=0 gid=0 type=char dev=1:7"* ]]
	[[ "$output" == *"random mode=0666 uid=0 gid=0 type=char dev=1:8"* ]]
	[[ "$output" == *"urandom mode=0666 uid=0 gid=0 type=char dev=1:9"* ]]
	[[ "$output" == *"tty mode=0666 uid=0 gid=0 type=char dev=5:0"* ]]
	[[ "$output" == *"ptmx -> pts/ptmx"* ]]
	[[ "$output" == *"fd -> /proc/self/fd"* ]]
	[[ "$output" == *"stdin -> /proc/self/fd/0"* ]]
	[[ "$output" == *"stdout -> /proc/self/fd/1"* ]]
	[[ "$output" == *"stderr -> /proc/self/fd/2"* ]]
	[[ "$(mnt_super /dev/shm)" == "tmpfs shm "* ]]
	[[ "$(mnt_super /dev/pts)" == "devpts devpts "* ]]
	# Nothing of the host's /dev: no disks, no console without a terminal.
	! grep -qxE 'vd[a-z]|sd[a-z]|console|kmsg|mem' <<<"$output" || false
}

@test "dev: the devices work" {
	sh_args 'echo gone > /dev/null && echo null-ok; /bin/busybox head -c 4 /dev/zero | /bin/busybox od -An -tx1
		/bin/busybox head -c 16 /dev/urandom | /bin/busybox wc -c; echo x > /dev/full || echo full-ENOSPC
		/init cat /dev/null; echo end'
	husk run dev_work
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = null-ok ]
	[ "$(echo ${lines[1]})" = "00 00 00 00" ]
	[ "$(echo ${lines[2]})" = 16 ]
	[[ "$output" == *"No space left on device"*full-ENOSPC* ]]
	[ "${lines[-1]}" = end ]
}

@test "dev: linux.devices entries are created with their mode and owner" {
	update_config '.linux.devices = [
		{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 438},
		{"path": "/dev/sub/myzero", "type": "c", "major": 1, "minor": 5, "fileMode": 384, "uid": 1000, "gid": 1001},
		{"path": "/dev/myfifo", "type": "p", "fileMode": 420}]'
	sh_args '/init stat /dev/mynull; /init stat /dev/sub/myzero; /init stat /dev/myfifo; echo hi > /dev/mynull && echo wrote'
	husk run dev_config
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "mode=0666 uid=0 gid=0 type=char dev=1:3" ]
	[ "${lines[1]}" = "mode=0600 uid=1000 gid=1001 type=char dev=1:5" ]
	[ "${lines[2]}" = "mode=0644 uid=0 gid=0 type=fifo" ]
	[ "${lines[3]}" = wrote ]
	# Made in the container's /dev tmpfs, not in the image.
	[ ! -e "$BUNDLE/rootfs/dev/mynull" ]
	[ ! -e "$BUNDLE/rootfs/dev/sub" ]
}

@test "dev: a fileMode holding the file type bits, as podman --device writes it" {
	# 8630 = 0o20666: the st_mode of the host's /dev/null.
	update_config '.linux.devices = [
		{"path": "/dev/podnull", "type": "c", "major": 1, "minor": 3, "fileMode": 8630},
		{"path": "/dev/podfifo", "type": "p", "fileMode": 4516}]'
	sh_args '/init stat /dev/podnull; /init stat /dev/podfifo'
	husk run dev_ifmt
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "mode=0666 uid=0 gid=0 type=char dev=1:3" ]
	[ "${lines[1]}" = "mode=0644 uid=0 gid=0 type=fifo" ]
}

@test "dev: /dev/ptmx opens a pty of the container's own devpts" {
	sh_args 'exec 3<>/dev/ptmx && /init ls /dev/pts'
	husk run dev_ptmx
	[ "$status" -eq 0 ]
	# A new instance: its ptmx and the one pty just opened, whatever the host has.
	[ "$output" = "$(printf '0\nptmx')" ]
}

# ---- masked and read-only paths ----

@test "masks: a masked file is /dev/null, a masked directory an empty read-only tmpfs" {
	mkdir -p "$BUNDLE/rootfs/secret-dir"
	echo secret >"$BUNDLE/rootfs/secret-dir/data"
	echo secret >"$BUNDLE/rootfs/secret-file"
	update_config '.linux.maskedPaths = ["/proc/keys", "/proc/acpi", "/secret-file", "/secret-dir", "/does/not/exist"]'
	sh_args '/init stat /proc/keys; echo "keys[$(/init cat /proc/keys)]"; /init stat /secret-file; echo "file[$(/init cat /secret-file)]"
		echo "dir[$(/init ls /secret-dir)]"; /init write /secret-dir/x y; /init mountinfo; true'
	husk run mask_paths
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "mode=0666 uid=0 gid=0 type=char dev=1:3" ]
	[ "${lines[1]}" = "keys[]" ]
	[ "${lines[2]}" = "mode=0666 uid=0 gid=0 type=char dev=1:3" ]
	[ "${lines[3]}" = "file[]" ]
	[ "${lines[4]}" = "dir[]" ]
	[[ "${lines[5]}" == *"/secret-dir/x: Read-only file system" ]]
	for d in /secret-dir /proc/acpi; do
		[[ "$(mnt_super $d)" == "tmpfs tmpfs "* ]]
		has_opt "$(mnt_opts $d)" ro
	done
	# The image itself is untouched.
	[ "$(cat "$BUNDLE/rootfs/secret-file")" = secret ]
	[ "$(cat "$BUNDLE/rootfs/secret-dir/data")" = secret ]
}

@test "masks: 200 masked directories (the kubelet's thermal_throttle ones) share one read-only tmpfs" {
	local i paths=() devs
	for i in $(seq 0 199); do
		mkdir -p "$BUNDLE/rootfs/cpu/cpu$i/thermal_throttle"
		echo 1 >"$BUNDLE/rootfs/cpu/cpu$i/thermal_throttle/count"
		paths+=("/cpu/cpu$i/thermal_throttle")
	done
	echo secret >"$BUNDLE/rootfs/secret-file"
	update_config ".linux.maskedPaths = $(printf '%s\n' "${paths[@]}" /proc/acpi /secret-file | jq -R . | jq -cs .)"
	sh_args '/init ls /cpu/cpu7/thermal_throttle; /init write /cpu/cpu199/thermal_throttle/x y; /init cat /secret-file; /init mountinfo; true'
	husk run mask_many
	[ "$status" -eq 0 ]
	# Empty, read-only, and the masked file empty too.
	! grep -qx -e count -e secret <<<"$output" || false
	[[ "$output" == *"/cpu/cpu199/thermal_throttle/x: Read-only file system"* ]]
	# Every masked directory is a read-only tmpfs, and all are one: the same
	# superblock (device number, field 3) for /proc/acpi and the 200.
	devs=$(awk '$5 ~ /^\/cpu\/cpu[0-9]+\/thermal_throttle$/ || $5 == "/proc/acpi" { print $3 }' <<<"$output" | sort -u)
	[ "$(awk '$5 ~ /^\/cpu\/cpu[0-9]+\/thermal_throttle$/' <<<"$output" | wc -l)" -eq 200 ]
	[ "$(wc -l <<<"$devs")" -eq 1 ]
	for d in /cpu/cpu0/thermal_throttle /cpu/cpu199/thermal_throttle /proc/acpi; do
		[[ "$(mnt_super $d)" == "tmpfs tmpfs "* ]]
		has_opt "$(mnt_opts $d)" ro
	done
	[ "$(cat "$BUNDLE/rootfs/cpu/cpu7/thermal_throttle/count")" = 1 ]
}

@test "masks: readonlyPaths refuse writes with EROFS" {
	mkdir -p "$BUNDLE/rootfs/ro-dir"
	update_config '.root.readonly = false | .linux.readonlyPaths = ["/proc/sys", "/ro-dir", "/does/not/exist"]'
	sh_args '/init write /proc/sys/kernel/domainname x; /init write /ro-dir/f x; /init write /made-rw x && echo rw-ok; /init mountinfo; true'
	husk run ro_paths
	[ "$status" -eq 0 ]
	[[ "$output" == *"/proc/sys/kernel/domainname: Read-only file system"* ]]
	[[ "$output" == *"/ro-dir/f: Read-only file system"* ]]
	[[ "$output" == *rw-ok* ]]
	has_opt "$(mnt_opts /proc/sys)" ro
	has_opt "$(mnt_opts /ro-dir)" ro
	[ ! -e "$BUNDLE/rootfs/ro-dir/f" ]
}

# ---- sysctl and names ----

@test "sysctl: a net.* key with a network namespace is set inside only" {
	host=$(cat /proc/sys/net/ipv4/ip_forward)
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "net.ipv4.ip_default_ttl": "42"}'
	set_args /init cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/ip_default_ttl
	husk run sysctl_net
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '1\n42')" ]
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host" ]
	[ "$(cat /proc/sys/net/ipv4/ip_default_ttl)" != 42 ]
}

@test "sysctl: a net.* key without a network namespace is refused, naming the key" {
	update_config '.linux.namespaces |= map(select(.type != "network"))
		| .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	host=$(cat /proc/sys/net/ipv4/ip_forward)
	husk run sysctl_nonet
	[ "$status" -ne 0 ]
	[[ "$output" == *"net.ipv4.ip_forward"* ]]
	[[ "$output" == *network* ]]
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host" ]
	assert_nothing_left
}

@test "sysctl: kernel.shmmax with an ipc namespace" {
	host=$(cat /proc/sys/kernel/shmmax)
	update_config '.linux.sysctl = {"kernel.shmmax": "123456789", "kernel.msgmax": "4242"}'
	set_args /init cat /proc/sys/kernel/shmmax /proc/sys/kernel/msgmax
	husk run sysctl_ipc
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '123456789\n4242')" ]
	[ "$(cat /proc/sys/kernel/shmmax)" = "$host" ]
}

@test "sysctl: a kernel.* key no namespace owns is refused" {
	update_config '.linux.sysctl = {"kernel.panic": "1"}'
	host=$(cat /proc/sys/kernel/panic)
	husk run sysctl_host
	[ "$status" -ne 0 ]
	[[ "$output" == *"kernel.panic"* ]]
	[ "$(cat /proc/sys/kernel/panic)" = "$host" ]
	assert_nothing_left
}

@test "names: hostname and domainname are the container's" {
	update_config '.hostname = "box-name" | .domainname = "box.domain"'
	sh_args '/init hostname; /init domainname'
	host_h=$(hostname)
	host_d=$(cat /proc/sys/kernel/domainname)
	husk run names
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'box-name\nbox.domain')" ]
	[ "$(hostname)" = "$host_h" ]
	[ "$(cat /proc/sys/kernel/domainname)" = "$host_d" ]
}

@test "names: a hostname without a uts namespace is refused" {
	update_config '.linux.namespaces |= map(select(.type != "uts"))'
	host_h=$(hostname)
	husk run names_nouts
	[ "$status" -ne 0 ]
	[[ "$output" == *hostname* ]]
	[ "$(hostname)" = "$host_h" ]
	assert_nothing_left
}

@test "ns: a user namespace joined by path owns the container's other namespaces" {
	start_helper unshare --user sleep 1000
	pid=$helper_pid
	wait_ns "$pid" user
	echo "0 100000 65536" >"/proc/$pid/uid_map"
	echo "0 100000 65536" >"/proc/$pid/gid_map"
	chmod 0711 "$HUSK_TMP"
	chown -R 100000:100000 "$BUNDLE/rootfs"
	mkdir "$HUSK_TMP/shared"
	chown 100000:100000 "$HUSK_TMP/shared"
	add_mount '{"destination": "/shared", "type": "bind", "source": "'"$HUSK_TMP/shared"'", "options": ["rbind", "rw"]}'
	update_config '.linux.namespaces += [{"type": "user", "path": "/proc/'"$pid"'/ns/user"}]'
	sh_args "$NS_SCRIPT; cat /proc/self/uid_map; id -u; touch /shared/made-inside"
	husk run ns_joinuser
	[ "$status" -eq 0 ]
	[ "$(ns_of user)" = "$(readlink /proc/$pid/ns/user)" ]
	[ "$(ns_of mnt)" != "$(readlink /proc/self/ns/mnt)" ]
	[[ "$output" =~ 0\ +100000\ +65536 ]]
	[ "${lines[9]}" = 0 ]
	[ "$(stat -c %u:%g "$HUSK_TMP/shared/made-inside")" = 100000:100000 ]
	# The init made its mounts (/dev, /proc) as root of the joined user
	# namespace: that only works if the joined namespace owns the new
	# mount namespace, as the spec's ordering requires.
	assert_nothing_left
}

@test "ns: uid mappings with a joined user namespace are refused" {
	start_helper unshare --user sleep 1000
	pid=$helper_pid
	wait_ns "$pid" user
	update_config '.linux.namespaces += [{"type": "user", "path": "/proc/'"$pid"'/ns/user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 1}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 1}]'
	husk run ns_joinmaps
	[ "$status" -ne 0 ]
	[[ "$output" == *"uidMappings"* ]]
	assert_nothing_left
}
