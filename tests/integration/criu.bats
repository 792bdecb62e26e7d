#!/usr/bin/env bats
# lane: vm
# checkpoint and restore with CRIU.
#
# The tests that dump and restore need a kernel CRIU works on.  Debian 12's
# CRIU 3.17 fails `criu check` on a 6.18 host ("Unexpected rt vDSO area
# bounds"), so there they skip with that reason and run in the vm lane (6.1,
# cgroup v2).  The error tests need no working CRIU and run everywhere.

load helpers

# What `criu check` probes and the vm lane's initramfs does not load: socket
# diag, netfilter and conntrack netlink, tun, veth (libcrc32c wants a crc32c
# loaded before it).
CRIU_MODULES="crc32c_generic libcrc32c unix_diag inet_diag tcp_diag udp_diag netlink_diag
af_packet_diag tun veth nfnetlink nf_tables nft_ct nf_conntrack nf_conntrack_netlink"

setup_file() {
	# Only inside the vm lane's throwaway guest: never load modules into
	# the host's kernel.
	if [ -d /run/vmlane ] && [ "$(hostname)" = vmlane ] && command -v criu >/dev/null; then
		local m
		for m in $CRIU_MODULES; do
			busybox modprobe "$m" 2>/dev/null || :
		done
	fi
}

# Every container here lives under this cgroup, removed in teardown.
CG_PARENT=/husk-criu-test-$$

setup() {
	setup_bundle
	mkdir "$HUSK_TMP/data"
	# A counter that appends to a file on a bind mount: the mount is
	# external to CRIU, and the open file must come back with it.
	counter_config "$BUNDLE" "$HUSK_TMP/data" test_cr
}

teardown() {
	teardown_bundle
	local d
	for d in /sys/fs/cgroup$CG_PARENT /sys/fs/cgroup/*$CG_PARENT; do
		[ -d "$d" ] || continue
		rmdir "$d"/* "$d" 2>/dev/null || :
	done
}

# counter_config BUNDLE DATA NAME: /init count /data/log, with DATA bound on
# /data and the cgroup $CG_PARENT/NAME.
counter_config() {
	update_config '.process.args = ["/init", "count", "/data/log"]
		| .linux.cgroupsPath = "'"$CG_PARENT/$3"'"
		| .mounts += [{"destination": "/data", "type": "bind", "source": "'"$2"'",
			"options": ["rbind"]}]' "$1"
}

# wait_count FILE N: until FILE holds at least N lines (20 s at most).
wait_count() {
	local i
	for i in $(seq 200); do
		[ "$(wc -l <"$1" 2>/dev/null || echo 0)" -ge "$2" ] && return 0
		sleep 0.1
	done
	echo "wait_count: $1 has $(wc -l <"$1") lines, wanted $2" >&2
	return 1
}

# sequential FILE: FILE is exactly 1, 2, 3 ... (no restart, no gap).
sequential() {
	awk 'NR != $1 { print FILENAME ": line " NR " is " $1 > "/dev/stderr"; bad = 1 }
		END { exit bad || NR == 0 }' "$1"
}

lines() { wc -l <"$1"; }

start_counter() {
	husk_detached create "$1"
	[ "$status" -eq 0 ]
	husk start "$1"
	[ "$status" -eq 0 ]
	wait_count "$2" 5
}

# A container that runs and does nothing, for the error tests.
start_sleeper() {
	update_config '.process.args = ["/init", "sleep", "inf"]'
	husk_detached create "$1"
	[ "$status" -eq 0 ]
	husk start "$1"
	[ "$status" -eq 0 ]
}

@test "checkpoint, kill, restore: the count goes on from where it stopped" {
	requires root criu
	local log=$HUSK_TMP/data/log n pid
	start_counter test_cr "$log"

	husk checkpoint --image-path "$HUSK_TMP/img" --work-path "$HUSK_TMP/work" test_cr
	[ "$status" -eq 0 ]
	[ -e "$HUSK_TMP/img/inventory.img" ] && [ -e "$HUSK_TMP/work/dump.log" ]
	# The dump killed it and the container is gone, its id free.
	husk state test_cr
	[ "$status" -ne 0 ] && [[ "$output" == *"does not exist"* ]]
	[ ! -d "/sys/fs/cgroup$CG_PARENT/test_cr" ]
	n=$(lines "$log")
	sleep 0.5
	[ "$(lines "$log")" -eq "$n" ]

	husk restore --detach --image-path "$HUSK_TMP/img" --pid-file "$HUSK_TMP/pid" test_cr
	[ "$status" -eq 0 ]
	husk state test_cr
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = running ]
	pid=$(jq -r .pid <<<"$output")
	[ "$(cat "$HUSK_TMP/pid")" = "$pid" ]
	# Born again in the cgroup its config names.
	grep -qx "$pid" "/sys/fs/cgroup$CG_PARENT/test_cr/cgroup.procs"
	wait_count "$log" $((n + 5))
	sequential "$log"

	husk delete --force test_cr
	[ "$status" -eq 0 ]
	[ ! -d "/sys/fs/cgroup$CG_PARENT/test_cr" ]
}

@test "checkpoint --leave-running: the container goes on running" {
	requires root criu
	local log=$HUSK_TMP/data/log n
	start_counter test_cr "$log"

	husk checkpoint --leave-running --image-path "$HUSK_TMP/img" test_cr
	[ "$status" -eq 0 ]
	[ -e "$HUSK_TMP/img/inventory.img" ]
	husk state test_cr
	[ "$(jq -r .status <<<"$output")" = running ]
	n=$(lines "$log")
	wait_count "$log" $((n + 5))
	sequential "$log"
}

@test "checkpoint of a container run --detach from a script whose stdin is /dev/null" {
	requires root criu
	local log=$HUSK_TMP/data/log
	# Its stdin was the host's /dev/null, a file on a mount CRIU could not
	# find ("Can't lookup mount ... for fd=0 path=/dev/null"): the init now
	# reopens it on the container's own /dev/null, as runc does.
	"$HUSK" --root "$HUSK_ROOT" run --detach test_cr_null </dev/null >/dev/null 2>&1
	wait_count "$log" 3
	husk checkpoint --leave-running --image-path "$HUSK_TMP/img" --work-path "$HUSK_TMP/work" \
		test_cr_null
	[ "$status" -eq 0 ]
	[ -e "$HUSK_TMP/img/inventory.img" ]
	husk delete --force test_cr_null
	[ "$status" -eq 0 ]
}

@test "checkpoint --pre-dump, then a dump on top of it, then restore" {
	requires root criu
	local log=$HUSK_TMP/data/log n
	start_counter test_cr "$log"

	husk checkpoint --pre-dump --image-path "$HUSK_TMP/pre" test_cr
	[ "$status" -eq 0 ]
	husk state test_cr
	[ "$(jq -r .status <<<"$output")" = running ]
	n=$(lines "$log")
	wait_count "$log" $((n + 3))

	husk checkpoint --parent-path ../pre --image-path "$HUSK_TMP/final" test_cr
	[ "$status" -eq 0 ]
	# CRIU links the dump to the pre-dump it built on.
	[ "$(readlink "$HUSK_TMP/final/parent")" = ../pre ]
	husk state test_cr
	[ "$status" -ne 0 ]
	n=$(lines "$log")

	husk restore -d --image-path "$HUSK_TMP/final" test_cr
	[ "$status" -eq 0 ]
	wait_count "$log" $((n + 5))
	sequential "$log"
}

@test "restore under a new id and bundle: a clone runs beside the original" {
	requires root criu
	local log=$HUSK_TMP/data/log log2=$HUSK_TMP/data2/log b2=$HUSK_TMP/bundle2 n pid1 pid2
	start_counter test_cr "$log"

	# Paused, so that its count and the copy of its file agree.
	husk pause test_cr
	[ "$status" -eq 0 ]
	husk checkpoint --leave-running --image-path "$HUSK_TMP/img" test_cr
	[ "$status" -eq 0 ]
	mkdir "$b2" "$HUSK_TMP/data2"
	cp "$log" "$log2"
	n=$(lines "$log2")
	cp -a "$BUNDLE/rootfs" "$b2/rootfs"
	cp "$CONFIG_TEMPLATE" "$b2/config.json"
	counter_config "$b2" "$HUSK_TMP/data2" test_clone
	update_config '.linux.resources.pids.limit = 77' "$b2"

	husk restore -d --bundle "$b2" --image-path "$HUSK_TMP/img" test_clone
	[ "$status" -eq 0 ]
	husk resume test_cr
	[ "$status" -eq 0 ]

	husk state test_cr
	[ "$(jq -r .status <<<"$output")" = running ]
	pid1=$(jq -r .pid <<<"$output")
	husk state test_clone
	[ "$(jq -r .status <<<"$output")" = running ]
	[ "$(jq -r .bundle <<<"$output")" = "$b2" ]
	pid2=$(jq -r .pid <<<"$output")
	[ "$pid1" != "$pid2" ]
	# Each in its own cgroup, each counting on in its own file.
	grep -qx "$pid1" "/sys/fs/cgroup$CG_PARENT/test_cr/cgroup.procs"
	grep -qx "$pid2" "/sys/fs/cgroup$CG_PARENT/test_clone/cgroup.procs"
	# The clone's cgroup is limited as its own config says.
	[ "$(cat "/sys/fs/cgroup$CG_PARENT/test_clone/pids.max")" = 77 ]
	# Its masked paths are masked again, with the host's /dev/null.
	husk exec test_clone /init stat /proc/kcore
	[ "$status" -eq 0 ]
	[[ "$output" == *"type=char dev=1:3"* ]]
	wait_count "$log" $((n + 5))
	wait_count "$log2" $((n + 5))
	sequential "$log"
	sequential "$log2"

	husk delete --force test_clone
	[ "$status" -eq 0 ]
	husk state test_cr
	[ "$(jq -r .status <<<"$output")" = running ]
}

@test "restore in the foreground waits for the container: its exit status is husk's" {
	requires root criu
	local log=$HUSK_TMP/data/log n fg rc=0
	start_counter test_cr "$log"
	husk checkpoint --image-path "$HUSK_TMP/img" test_cr
	[ "$status" -eq 0 ]
	n=$(lines "$log")

	__husk restore --image-path "$HUSK_TMP/img" test_cr >"$HUSK_TMP/fg.out" 2>&1 </dev/null &
	fg=$!
	wait_count "$log" $((n + 5))
	husk kill test_cr KILL
	[ "$status" -eq 0 ]
	wait "$fg" || rc=$?
	[ "$rc" -eq 137 ]
	sequential "$log"
	# Gone with its process, as after `run`.
	husk state test_cr
	[ "$status" -ne 0 ]
	[ ! -d "/sys/fs/cgroup$CG_PARENT/test_cr" ]
}

# --- errors: no working CRIU needed ------------------------------------------

@test "checkpoint: an unknown id, a created and a stopped container are refused" {
	requires root
	husk checkpoint --image-path "$HUSK_TMP/img" nonexistent
	[ "$status" -ne 0 ]
	[[ "$output" == *"container does not exist"* ]]

	update_config '.process.args = ["/init", "nop"]'
	husk_detached create test_cr
	[ "$status" -eq 0 ]
	husk checkpoint --image-path "$HUSK_TMP/img" test_cr
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot be checkpointed in created state"* ]]
	husk start test_cr
	[ "$status" -eq 0 ]
	for _ in $(seq 50); do
		husk state test_cr
		[ "$(jq -r .status <<<"$output")" = stopped ] && break
		sleep 0.1
	done
	husk checkpoint --image-path "$HUSK_TMP/img" test_cr
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot be checkpointed in stopped state"* ]]
	[ ! -e "$HUSK_TMP/img" ]
}

@test "checkpoint and restore without CRIU: a clear error, nothing changed" {
	requires root
	start_sleeper test_cr
	husk --criu "$HUSK_TMP/no/criu" checkpoint --image-path "$HUSK_TMP/img" test_cr
	[ "$status" -ne 0 ]
	[[ "$output" == *"criu \`$HUSK_TMP/no/criu\` not found"* ]]
	[ ! -e "$HUSK_TMP/img" ]
	husk state test_cr
	[ "$(jq -r .status <<<"$output")" = running ]

	mkdir "$HUSK_TMP/img"
	husk --criu "$HUSK_TMP/no/criu" restore -d --image-path "$HUSK_TMP/img" test_new
	[ "$status" -ne 0 ]
	[[ "$output" == *"not found"* ]]
	[ ! -e "$HUSK_ROOT/test_new" ]
	[ ! -d "/sys/fs/cgroup$CG_PARENT/test_new" ]
}

@test "checkpoint and restore with too old a CRIU: a clear error, nothing changed" {
	requires root
	local old=$HUSK_TMP/old-criu
	printf '#!/bin/sh\necho "Version: 3.11"\n' >"$old"
	chmod +x "$old"
	start_sleeper test_cr
	husk --criu "$old" checkpoint --image-path "$HUSK_TMP/img" test_cr
	[ "$status" -ne 0 ]
	[[ "$output" == *"version 3.11.0, too old: husk needs 3.14 or newer"* ]]
	[ ! -e "$HUSK_TMP/img" ]
	husk state test_cr
	[ "$(jq -r .status <<<"$output")" = running ]

	mkdir "$HUSK_TMP/img"
	husk --criu "$old" restore -d --image-path "$HUSK_TMP/img" test_new
	[ "$status" -ne 0 ]
	[[ "$output" == *"too old"* ]]
	[ ! -e "$HUSK_ROOT/test_new" ]

	# Something that is not CRIU at all.
	husk --criu /bin/true checkpoint --image-path "$HUSK_TMP/img" test_cr
	[ "$status" -ne 0 ]
	[[ "$output" == *"printed no version: is it CRIU?"* ]]
}

@test "checkpoint and restore: bad flags are refused before anything is done" {
	requires root
	start_sleeper test_cr
	husk checkpoint --manage-cgroups-mode bogus test_cr
	[ "$status" -ne 0 ]
	[[ "$output" == *"--manage-cgroups-mode \`bogus\`: soft, full, strict or ignore"* ]]
	husk checkpoint --empty-ns ipc test_cr
	[ "$status" -ne 0 ]
	[[ "$output" == *"--empty-ns \`ipc\`: only the network namespace"* ]]
	husk checkpoint --no-such-flag test_cr
	[ "$status" -ne 0 ]
	[[ "$output" == *"unknown flag \`--no-such-flag\`"* ]]
	husk checkpoint --image-path
	[ "$status" -ne 0 ]
	[[ "$output" == *"needs a value"* ]]
	husk checkpoint --pre-dump --lazy-pages test_cr
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot be used together"* ]]
	husk checkpoint
	[ "$status" -ne 0 ]
	[[ "$output" == *"a container id is required"* ]]
	husk restore --leave-running test_new
	[ "$status" -ne 0 ]
	[[ "$output" == *"unknown flag \`--leave-running\`"* ]]
	husk state test_cr
	[ "$(jq -r .status <<<"$output")" = running ]
	[ ! -e "$BUNDLE/checkpoint" ]
}

@test "restore: go-runc's single-dash flags are taken" {
	requires root
	mkdir "$HUSK_TMP/img"
	# Parsed (the failure is the missing CRIU, after the flags).
	husk --criu "$HUSK_TMP/no/criu" restore -no-subreaper -detach -image-path "$HUSK_TMP/img" \
		-bundle "$BUNDLE" -no-pivot -pid-file "$HUSK_TMP/pid" test_new
	[ "$status" -ne 0 ]
	[[ "$output" == *"not found"* ]]
}

@test "restore: what it cannot restore is refused by name and leaves nothing" {
	requires root criu_binary
	mkdir "$HUSK_TMP/img"
	husk restore -d --image-path "$HUSK_TMP/nonexistent" test_new
	[ "$status" -ne 0 ]
	[[ "$output" == *"image directory \`$HUSK_TMP/nonexistent\`"* ]]
	[ ! -e "$HUSK_ROOT/test_new" ]

	update_config '.process.terminal = true'
	husk restore -d --image-path "$HUSK_TMP/img" test_new
	[ "$status" -ne 0 ]
	[[ "$output" == *"process.terminal: husk cannot restore a terminal container"* ]]
	[ ! -e "$HUSK_ROOT/test_new" ]

	update_config '.process.terminal = false | .hooks = {"createRuntime": [{"path": "/bin/true"}]}'
	husk restore -d --image-path "$HUSK_TMP/img" test_new
	[ "$status" -ne 0 ]
	[[ "$output" == *"config.json: hooks: restore runs no prestart, createRuntime"* ]]

	update_config 'del(.hooks) | .linux.namespaces += [{"type": "cgroup", "path": "/proc/1/ns/cgroup"}]'
	husk restore -d --image-path "$HUSK_TMP/img" test_new
	[ "$status" -ne 0 ]
	[[ "$output" == *"CRIU cannot restore into the cgroup namespace \`/proc/1/ns/cgroup\` joined by path"* ]]
	[ ! -e "$HUSK_ROOT/test_new" ]

	# A path that is no namespace of its type, named before CRIU runs.
	update_config '.linux.namespaces |= map(select(.type != "cgroup" and .type != "uts"))
		| .linux.namespaces += [{"type": "uts", "path": "/proc/'"$$"'/ns/ipc"}] | del(.hostname)'
	husk restore -d --image-path "$HUSK_TMP/img" test_new
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.namespaces: \`/proc/$$/ns/ipc\` is not a uts namespace"* ]]
	[ ! -e "$HUSK_ROOT/test_new" ]
	[ ! -d "/sys/fs/cgroup$CG_PARENT/test_new" ]

	# An existing id, in runc's words.
	update_config '.linux.namespaces |= map(select(.type != "uts")) | .linux.namespaces += [{"type": "uts"}]'
	start_sleeper test_cr
	husk restore -d --image-path "$HUSK_TMP/img" test_cr
	[ "$status" -ne 0 ]
	[[ "$output" == *"exists"* ]]
	husk state test_cr
	[ "$(jq -r .status <<<"$output")" = running ]
}

@test "restore: the checkpoint is untrusted: no link in it is followed, no stray descriptor handed over" {
	requires root criu_binary
	mkdir "$HUSK_TMP/img"
	echo victim >"$HUSK_TMP/victim"
	# descriptors.json through a link: refused, the target never read.
	ln -s "$HUSK_TMP/victim" "$HUSK_TMP/img/descriptors.json"
	husk restore -d --image-path "$HUSK_TMP/img" test_new
	[ "$status" -ne 0 ]
	[[ "$output" == *"checkpoint \`$HUSK_TMP/img/descriptors.json\`: "* ]]
	[ ! -e "$HUSK_ROOT/test_new" ]
	# The files CRIU writes there, planted as links to a host file: removed
	# before CRIU runs, so it writes its own (and fails on the empty image).
	rm "$HUSK_TMP/img/descriptors.json"
	ln -s "$HUSK_TMP/victim" "$HUSK_TMP/img/restore.log"
	ln -s "$HUSK_TMP/victim" "$HUSK_TMP/img/stats-restore"
	husk restore -d --image-path "$HUSK_TMP/img" test_new
	[ "$status" -ne 0 ]
	[[ "$output" == *"criu restore failed"* ]]
	[ "$(cat "$HUSK_TMP/victim")" = victim ]
	[ ! -L "$HUSK_TMP/img/restore.log" ]
	[ ! -L "$HUSK_TMP/img/stats-restore" ]
	[ ! -e "$HUSK_ROOT/test_new" ]
	# Only pipes go to CRIU's --inherit-fd: anything else in
	# descriptors.json is not passed on (here it would be a second key).
	rm -f "$HUSK_TMP/img/restore.log" "$HUSK_TMP/img/stats-restore"
	echo '["pipe:[1]", "pipe:[2]x", "fd[9]:/etc/shadow"]' >"$HUSK_TMP/img/descriptors.json"
	printf '#!/bin/sh\n[ "$1" = --version ] && { echo "Version: 3.17.1"; exit 0; }\necho "$@" >%s\nexit 1\n' \
		"$HUSK_TMP/criu.args" >"$HUSK_TMP/criu"
	chmod +x "$HUSK_TMP/criu"
	husk --criu "$HUSK_TMP/criu" restore -d --image-path "$HUSK_TMP/img" test_new
	[ "$status" -ne 0 ]
	grep -q -- '--inherit-fd fd\[0\]:pipe:\[1\]' "$HUSK_TMP/criu.args"
	! grep -q 'pipe:\[2\]x\|shadow' "$HUSK_TMP/criu.args" || false
	[ ! -e "$HUSK_ROOT/test_new" ]
}

@test "restore: namespaces joined by path, as into a pod: ipc, uts, network and pid to CRIU" {
	requires root criu_binary
	mkdir "$HUSK_TMP/img"
	# A fake criu records the arguments a restore into a pod's namespaces
	# gets: --join-ns for ipc and uts, the network and pid namespaces as
	# descriptors under checkpoint's keys.
	printf '#!/bin/sh\n[ "$1" = --version ] && { echo "Version: 3.17.1"; exit 0; }\necho "$@" >%s\nexit 1\n' \
		"$HUSK_TMP/criu.args" >"$HUSK_TMP/criu"
	chmod +x "$HUSK_TMP/criu"
	update_config '.linux.namespaces = [{"type": "mount"}, {"type": "ipc", "path": "/proc/'"$$"'/ns/ipc"},
		{"type": "uts", "path": "/proc/'"$$"'/ns/uts"}, {"type": "network", "path": "/proc/'"$$"'/ns/net"},
		{"type": "pid", "path": "/proc/'"$$"'/ns/pid"}] | del(.hostname)'
	husk --criu "$HUSK_TMP/criu" restore -d --image-path "$HUSK_TMP/img" test_new
	[ "$status" -ne 0 ]
	cat "$HUSK_TMP/criu.args" >&2
	grep -q -- "--join-ns ipc:/proc/$$/ns/ipc" "$HUSK_TMP/criu.args"
	grep -q -- "--join-ns uts:/proc/$$/ns/uts" "$HUSK_TMP/criu.args"
	grep -Eq -- '--inherit-fd fd\[[0-9]+\]:extRootNetNS' "$HUSK_TMP/criu.args"
	grep -Eq -- '--inherit-fd fd\[[0-9]+\]:extRootPidNS' "$HUSK_TMP/criu.args"
	[ ! -e "$HUSK_ROOT/test_new" ]
}

@test "checkpoint, then restore into a pod's ipc, uts and network namespaces" {
	requires root criu
	local log=$HUSK_TMP/data/log pod pid podpid ns
	# The pod: a pause container with its own ipc, uts and network.
	mkdir -p "$HUSK_TMP/pod"
	cp -a "$BUNDLE/rootfs" "$HUSK_TMP/pod/rootfs"
	cp "$BUNDLE/config.json" "$HUSK_TMP/pod/config.json"
	update_config '.process.args = ["/init", "sleep", "inf"] | .hostname = "pod"
		| .linux.cgroupsPath = "'"$CG_PARENT/pod"'" | .mounts |= map(select(.destination != "/data"))' \
		"$HUSK_TMP/pod"
	husk_detached run --detach --bundle "$HUSK_TMP/pod" test_pod
	[ "$status" -eq 0 ]
	podpid=$(__husk state test_pod | jq -r .pid)
	# The container joins them by path, as a CRI runtime makes it.
	update_config '.linux.namespaces |= map(select(.type != "ipc" and .type != "uts" and .type != "network"))
		| .linux.namespaces += [{"type": "ipc", "path": "/proc/'"$podpid"'/ns/ipc"},
			{"type": "uts", "path": "/proc/'"$podpid"'/ns/uts"},
			{"type": "network", "path": "/proc/'"$podpid"'/ns/net"}] | del(.hostname)'
	start_counter test_cr "$log"
	husk checkpoint --image-path "$HUSK_TMP/img" test_cr
	[ "$status" -eq 0 ]
	n=$(lines "$log")
	husk restore --detach --image-path "$HUSK_TMP/img" test_cr
	[ "$status" -eq 0 ]
	pid=$(__husk state test_cr | jq -r .pid)
	for ns in ipc uts net; do
		[ "$(readlink "/proc/$pid/ns/$ns")" = "$(readlink "/proc/$podpid/ns/$ns")" ]
	done
	wait_count "$log" $((n + 5))
	sequential "$log"
	husk delete --force test_cr
	husk delete --force test_pod
}

@test "restore: a CRIU failure is reported with its log line and leaves nothing" {
	requires root criu_binary
	# An empty image directory: CRIU fails whatever the kernel.
	mkdir "$HUSK_TMP/img"
	husk restore -d --image-path "$HUSK_TMP/img" test_new
	[ "$status" -ne 0 ]
	[[ "$output" == *"criu restore failed (exit status 1): "?* ]]
	[[ "$output" == *"(log: $HUSK_TMP/img/restore.log)"* ]]
	[ ! -e "$HUSK_ROOT/test_new" ]
	[ ! -d "/sys/fs/cgroup$CG_PARENT/test_new" ]
	! grep -q "$HUSK_TMP" /proc/self/mountinfo || false
}

@test "checkpoint: where CRIU cannot work, its reason is the error and the container runs on" {
	requires root criu_binary
	criu check >/dev/null 2>&1 && skip "criu check passes here: the other tests dump for real"
	start_sleeper test_cr
	husk checkpoint --image-path "$HUSK_TMP/img" test_cr
	[ "$status" -ne 0 ]
	[[ "$output" == *"criu dump failed (exit status 1): "?* ]]
	[[ "$output" == *"(log: $HUSK_TMP/img/dump.log)"* ]]
	husk state test_cr
	[ "$(jq -r .status <<<"$output")" = running ]
}

@test "features: checkpoint is enabled exactly where CRIU is found and passes its check" {
	requires root
	husk --criu "$HUSK_TMP/no/criu" features
	[ "$status" -eq 0 ]
	[ "$(jq -r '.annotations["org.opencontainers.runc.checkpoint.enabled"]' <<<"$output")" = false ]
	[ "$(jq -r '.annotations["org.criu.version"]' <<<"$output")" = null ]
	command -v criu >/dev/null || return 0
	local want=false
	criu check >/dev/null 2>&1 && want=true
	husk features
	[ "$status" -eq 0 ]
	[ "$(jq -r '.annotations["org.opencontainers.runc.checkpoint.enabled"]' <<<"$output")" = "$want" ]
	[ "$(jq -r '.annotations["org.criu.version"]' <<<"$output")" = \
		"$(criu --version | sed -n 's/^Version: //p')" ]
}
