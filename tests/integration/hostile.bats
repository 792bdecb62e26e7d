#!/usr/bin/env bats
# Hostile bundles: one test per class of container-escape CVE.  Each plants
# the trap in the test's own bundle, runs (or tries to run) a container, and
# checks that nothing on the host changed: the files outside the rootfs are
# as they were, and no mount of the bundle is left after delete.
#
# The race variants (the image swapping a directory for a symlink between the
# runtime's check and its use) are not reproducible from bats without timing;
# tests/unit/test-rootfs.c runs them against the rootfs code directly.  What
# is tested here is the static form of each trap, through the whole runtime.

bats_require_minimum_version 1.5.0

load helpers

setup() {
	requires root
	setup_bundle
	# A host directory next to the bundle that the traps point at.
	OUTSIDE=$HUSK_TMP/outside
	mkdir "$OUTSIDE"
	echo host-data >"$OUTSIDE/host-file"
	snapshot_outside
}

teardown() {
	teardown_bundle
}

set_args() {
	local json
	json=$(for a in "$@"; do jq -n --arg a "$a" '$a'; done | jq -cs .)
	update_config ".process.args = $json"
}

sh_args() {
	set_args /bin/busybox sh -c "$1"
}

add_mount() {
	update_config ".mounts += [$1]"
}

# What $OUTSIDE holds: names, types, modes, owners, sizes and contents.
outside_state() {
	(cd "$OUTSIDE" && find . -printf '%p %y %m %u:%g %s\n' | sort && cat host-file)
}

snapshot_outside() {
	OUTSIDE_BEFORE=$(outside_state)
}

# The host is as it was: $OUTSIDE unchanged and not a mount point, no mount
# of the test's tmp dir anywhere, no state left behind.
assert_host_unchanged() {
	local now
	now=$(outside_state)
	if [ "$now" != "$OUTSIDE_BEFORE" ]; then
		echo "outside changed:" >&2
		diff <(echo "$OUTSIDE_BEFORE") <(echo "$now") >&2 || :
		return 1
	fi
	! grep -F "$HUSK_TMP" /proc/self/mountinfo >&2 || false
	[ ! -d "$HUSK_ROOT" ] || [ -z "$(ls -A "$HUSK_ROOT")" ]
}

# Use the image's own /dev (no tmpfs from config.json), so planted nodes and
# links in rootfs/dev are what husk meets.
use_image_dev() {
	mkdir -p "$BUNDLE/rootfs/dev"
	update_config '.mounts |= map(select(.destination | startswith("/dev") | not))'
}

@test "CVE-2021-30465: a mount destination that is a symlink out of the rootfs" {
	# Absolute and ../ forms; both must resolve inside the rootfs.
	ln -s "$OUTSIDE" "$BUNDLE/rootfs/abs-escape"
	ln -s "../../outside" "$BUNDLE/rootfs/rel-escape"
	add_mount '{"destination": "/abs-escape", "type": "tmpfs", "source": "tmpfs", "options": ["size=64k"]}'
	add_mount '{"destination": "/rel-escape", "type": "tmpfs", "source": "tmpfs", "options": ["size=64k"]}'
	sh_args '/init write /abs-escape/planted x; /init write /rel-escape/planted y; /init ls /abs-escape; /init ls /rel-escape; /init mountinfo'
	husk run cve_30465
	# The links resolve as they would inside the container, so the tmpfs
	# mounts landed inside the rootfs: the container sees its own tmpfs
	# there, never the host's files.
	[ "$status" -eq 0 ]
	[[ "$output" != *host-file* ]]
	[ "$(grep -c '^planted$' <<<"$output")" -eq 2 ]
	[ -d "$BUNDLE/rootfs$OUTSIDE" ]
	[ -d "$BUNDLE/rootfs/outside" ]
	[ ! -e "$BUNDLE/rootfs/outside/planted" ]
	assert_host_unchanged
}

@test "CVE-2021-30465: a bind destination through a symlinked parent" {
	mkdir "$HUSK_TMP/src"
	echo src-data >"$HUSK_TMP/src/file"
	ln -s "$OUTSIDE" "$BUNDLE/rootfs/link"
	add_mount '{"destination": "/link/mnt", "type": "bind", "source": "'"$HUSK_TMP/src"'", "options": ["rbind", "rw"]}'
	sh_args '/init cat /link/mnt/file'
	husk run cve_bindlink
	[ "$status" -eq 0 ]
	[ "$output" = src-data ]
	[ -d "$BUNDLE/rootfs$OUTSIDE/mnt" ]
	assert_host_unchanged
}

@test "CVE-2024-45310: mkdir of a mount target through a symlink stays inside" {
	ln -s "$OUTSIDE" "$BUNDLE/rootfs/mk-abs"
	ln -s "../../outside" "$BUNDLE/rootfs/mk-rel"
	add_mount '{"destination": "/mk-abs/new/deeper", "type": "tmpfs", "source": "tmpfs", "options": ["size=64k"]}'
	add_mount '{"destination": "/mk-rel/other/deeper", "type": "tmpfs", "source": "tmpfs", "options": ["size=64k"]}'
	husk run cve_45310
	[ "$status" -eq 0 ]
	# The directories were made inside the rootfs, never in $OUTSIDE.
	[ -d "$BUNDLE/rootfs$OUTSIDE/new/deeper" ]
	[ -d "$BUNDLE/rootfs/outside/other/deeper" ]
	[ ! -e "$OUTSIDE/new" ]
	[ ! -e "$OUTSIDE/other" ]
	assert_host_unchanged
}

@test "CVE-2026-41579: a rootfs whose /dev is a symlink is refused" {
	rm -rf "$BUNDLE/rootfs/dev"
	ln -s "$OUTSIDE" "$BUNDLE/rootfs/dev"
	husk run cve_devlink
	[ "$status" -ne 0 ]
	[[ "$output" == *"/dev"*symlink* ]]
	assert_host_unchanged

	# The same with ../ and with the image's own /dev (no tmpfs over it).
	rm "$BUNDLE/rootfs/dev"
	ln -s ../../outside "$BUNDLE/rootfs/dev"
	update_config '.mounts |= map(select(.destination | startswith("/dev") | not))'
	husk run cve_devlink2
	[ "$status" -ne 0 ]
	[[ "$output" == *"/dev"*symlink* ]]
	assert_host_unchanged
}

@test "CVE-2025-31133: /dev/null a symlink to a /proc file does not unmask it" {
	use_image_dev
	core=$(cat /proc/sys/kernel/core_pattern)
	ln -s /proc/sys/kernel/core_pattern "$BUNDLE/rootfs/dev/null"
	update_config '.linux.maskedPaths = ["/proc/keys", "/proc/timer_list"]'
	sh_args '/init stat /proc/keys; echo "[$(/init cat /proc/keys)]"; /init stat /dev/null; /init mountinfo'
	husk run cve_31133
	[ "$status" -eq 0 ]
	# The masks are the null device, whatever the image's /dev/null was.
	[ "${lines[0]}" = "mode=0666 uid=0 gid=0 type=char dev=1:3" ]
	[ "${lines[1]}" = "[]" ]
	[ "${lines[2]}" = "mode=0666 uid=0 gid=0 type=char dev=1:3" ]
	# Nothing from /proc/sys was bound anywhere.
	! grep -E ' /sys/kernel/core_pattern | /proc/keys .* proc ' <<<"$output" || false
	[ "$(cat /proc/sys/kernel/core_pattern)" = "$core" ]
	assert_host_unchanged
}

@test "CVE-2025-31133: /dev/null a symlink out of the rootfs is not followed" {
	use_image_dev
	ln -s "$OUTSIDE/host-file" "$BUNDLE/rootfs/dev/null"
	ln -s "$OUTSIDE/host-file" "$BUNDLE/rootfs/dev/zero"
	sh_args '/init stat /dev/null; /init stat /dev/zero; echo overwrite > /dev/null'
	husk run cve_nullout
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "mode=0666 uid=0 gid=0 type=char dev=1:3" ]
	[ "${lines[1]}" = "mode=0666 uid=0 gid=0 type=char dev=1:5" ]
	assert_host_unchanged
}

@test "CVE-2025-52565: /dev/console a symlink in the image is never followed" {
	use_image_dev
	ln -s "$OUTSIDE/host-file" "$BUNDLE/rootfs/dev/console"
	ln -s "$OUTSIDE/host-file" "$BUNDLE/rootfs/dev/tty"
	sh_args '/init stat /dev/tty; /init stat /dev/console; true'
	husk run cve_52565
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "mode=0666 uid=0 gid=0 type=char dev=5:0" ]
	# No terminal was asked for: /dev/console is left as the image had it,
	# and nothing was bound through it.
	[[ "${lines[1]}" == *"type=symlink"* ]]
	assert_host_unchanged
}

@test "CVE-2025-52881: /proc or /sys in the rootfs a symlink is refused" {
	rmdir "$BUNDLE/rootfs/proc"
	ln -s "$OUTSIDE" "$BUNDLE/rootfs/proc"
	update_config '.linux.sysctl = {"kernel.shmmax": "123456789"}'
	set_args /init nop
	host_shmmax=$(cat /proc/sys/kernel/shmmax)
	husk run cve_proclink
	[ "$status" -ne 0 ]
	[[ "$output" == *"mount \`proc\` onto \`/proc\`"*"must be mounted on an ordinary directory"* ]]
	[ "$(cat /proc/sys/kernel/shmmax)" = "$host_shmmax" ]
	assert_host_unchanged

	# Even when the link stays inside the rootfs.
	rm "$BUNDLE/rootfs/proc"
	mkdir "$BUNDLE/rootfs/fake-proc"
	ln -s fake-proc "$BUNDLE/rootfs/proc"
	husk run cve_proclink_in
	[ "$status" -ne 0 ]
	[[ "$output" == *"must be mounted on an ordinary directory"* ]]
	[ -z "$(ls -A "$BUNDLE/rootfs/fake-proc")" ]
	assert_host_unchanged

	rm "$BUNDLE/rootfs/proc"
	mkdir "$BUNDLE/rootfs/proc"
	rmdir "$BUNDLE/rootfs/sys"
	ln -s "$OUTSIDE" "$BUNDLE/rootfs/sys"
	husk run cve_syslink
	[ "$status" -ne 0 ]
	[[ "$output" == *"mount \`sysfs\` onto \`/sys\`"*"must be mounted on an ordinary directory"* ]]
	assert_host_unchanged
}

@test "CVE-2019-16884: a fake /proc over the real one does not redirect husk's writes" {
	# A tmpfs mounted over /proc/sys after proc: sysctls must still reach the
	# kernel (husk writes through its own verified procfs), not the tmpfs.
	add_mount '{"destination": "/proc/sys", "type": "tmpfs", "source": "tmpfs", "options": ["size=64k"]}'
	update_config '.linux.sysctl = {"kernel.shmmax": "123456789"} | .linux.readonlyPaths = []'
	sh_args '/bin/busybox stat -f -c %T /proc/sys; /init ls /proc/sys; echo ---; /init cat /proc/sysvipc/shm >/dev/null && echo ok'
	host_shmmax=$(cat /proc/sys/kernel/shmmax)
	husk run cve_16884
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = tmpfs ]
	# Nothing was written into the fake /proc/sys.
	[ "${lines[1]}" = --- ]
	[ "$(cat /proc/sys/kernel/shmmax)" = "$host_shmmax" ]
	assert_host_unchanged
}

@test "CVE-2024-21626: process.cwd through /proc/self/fd never lands on the host" {
	echo host-secret >"$OUTSIDE/secret-marker"
	snapshot_outside
	for n in 3 4 5 6 7 8; do
		update_config ".process.cwd = \"/proc/self/fd/$n\""
		sh_args 'pwd; ls; /init cwd'
		husk run --preserve-fds 1 cve_21626_$n 3<"$OUTSIDE"
		if [ "$status" -eq 0 ]; then
			[[ "$output" != *secret-marker* ]]
			[[ "$output" != *host-file* ]]
			[[ "$output" != *unreachable* ]]
		else
			[[ "$output" == *"/proc/self/fd/$n"* ]]
		fi
	done
	assert_host_unchanged
}

@test "CVE-2024-21626: no host descriptor reaches the container" {
	sh_args 'for f in /proc/self/fd/*; do /bin/busybox readlink $f; done; true'
	husk run cve_fds 3<"$OUTSIDE" 4<"$OUTSIDE/host-file" 5>"$HUSK_TMP/out" 9<"$BUNDLE"
	[ "$status" -eq 0 ]
	[[ "$output" != *"$HUSK_TMP"* ]]
	[[ "$output" != *"/sys/fs/cgroup"* ]]
	[[ "$output" != *"/proc/"[0-9]* ]]
	assert_host_unchanged
}

@test "CVE-2022-29162: no inheritable capability unless the config asks" {
	set_args /init caps
	update_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN", "CAP_NET_ADMIN"]
		| .process.capabilities.permitted += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"]
		| .process.noNewPrivileges = false'
	husk run cve_29162
	[ "$status" -eq 0 ]
	[[ "$output" == *"CapInh:	0000000000000000"* ]]
	[[ "$output" == *"CapAmb:	0000000000000000"* ]]
	# CAP_KILL 5, NET_BIND_SERVICE 10, NET_ADMIN 12, SYS_ADMIN 21, AUDIT_WRITE 29
	# (uid 0's exec makes the permitted set the bounding one: the kernel's rule)
	[[ "$output" == *"CapBnd:	0000000020201420"* ]]
	[[ "$output" == *"CapPrm:	0000000020201420"* ]]

	# A non-root user, where an inheritable set is what would hand file
	# capabilities out on exec: it has none at all.
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	husk run cve_29162_user
	[ "$status" -eq 0 ]
	[[ "$output" == *"CapInh:	0000000000000000"* ]]
	[[ "$output" == *"CapPrm:	0000000000000000"* ]]
	[[ "$output" == *"CapEff:	0000000000000000"* ]]
	[[ "$output" == *"CapAmb:	0000000000000000"* ]]
	[[ "$output" == *"CapBnd:	0000000020201420"* ]]

	# Asked for: exactly that.
	update_config '.process.capabilities.inheritable = ["CAP_KILL"]'
	husk run cve_29162_asked
	[ "$status" -eq 0 ]
	[[ "$output" == *"CapInh:	0000000000000020"* ]]
	[[ "$output" == *"CapAmb:	0000000000000000"* ]]
}

@test "CVE-2023-25809: cgroupfs is not writable without a cgroup namespace" {
	requires cgroups_v1
	add_mount '{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["rw", "nosuid", "noexec", "nodev"]}'
	# Only writes that a read-only mount refuses before the filesystem sees
	# them: creating a name in the tmpfs and in each hierarchy (cgroupfs
	# itself would refuse a plain file anyway, with another error).
	sh_args 'cd /sys/fs/cgroup; /init write husk-top x; for h in *; do [ -L "$h" ] || /init write "$h/husk-file" x; done; /init mountinfo; true'
	husk run cve_25809
	[ "$status" -eq 0 ]
	[[ "$output" == *"husk-top: Read-only file system"* ]]
	nh=$(awk '($3 == "cgroup" || $3 == "cgroup2") && index($2, "/sys/fs/cgroup/") == 1' /proc/self/mounts | wc -l)
	[ "$nh" -gt 0 ]
	[ "$(grep -c 'husk-file: Read-only file system' <<<"$output")" -eq "$nh" ]
	# Every cgroup mount the container has is read-only.
	while read -r opts; do
		[[ ",$opts," == *",ro,"* ]]
	done < <(awk 'index($5, "/sys/fs/cgroup") == 1 { print $6 }' <<<"$output")
	assert_host_unchanged
}

@test "a bind source that is a symlink is the config author's: it is followed on the host side only" {
	# The source is a host path (followed), the destination a rootfs path
	# (never followed out): a symlink at the destination in the image
	# pointing at the source's own directory changes nothing outside.
	ln -s "$OUTSIDE" "$BUNDLE/rootfs/dst-link"
	mkdir "$HUSK_TMP/empty"
	add_mount '{"destination": "/dst-link", "type": "bind", "source": "'"$HUSK_TMP/empty"'", "options": ["rbind", "ro"]}'
	sh_args '/init ls /dst-link; true'
	husk run bind_dstlink
	[[ "$output" != *host-file* ]]
	assert_host_unchanged
}

# The attack of CVE-2019-5736, against a copy of husk that only this test
# runs (so no other husk keeps it busy): the container's /evil is a script
# whose interpreter is /proc/self/exe, so `exec /evil` runs husk inside it
# (husk refuses a program that is itself a link through /proc, but a
# script's interpreter is the kernel's to resolve); tests/init's attack-exe
# holds that process's /proc/<pid>/exe, lets it exit and tries to open the
# binary for writing and overwrite it.
run_exe_attack() {
	VICTIM=$HUSK_TMP/husk-victim
	cp "$1" "$VICTIM"
	VICTIM_SUM=$(sha256sum <"$VICTIM")
	update_config '.root.readonly = false | .process.args = ["/init", "attack-exe", "/attack.fifo"]'
	printf '#!/proc/self/exe --log=/attack.fifo\n' >"$BUNDLE/rootfs/evil"
	chmod 0755 "$BUNDLE/rootfs/evil"
	# A dynamic husk needs its loader and libraries in the container to run.
	local lib
	for lib in $(ldd "$VICTIM" 2>/dev/null | grep -o '/[^ ]*'); do
		mkdir -p "$BUNDLE/rootfs$(dirname "$lib")"
		cp -L "$lib" "$BUNDLE/rootfs$lib"
	done
	# Without a monitor, the container's output is this file.
	"$VICTIM" --root "$HUSK_ROOT" run --detach --no-monitor attack </dev/null >"$HUSK_TMP/attack.out" 2>&1 || { cat "$HUSK_TMP/attack.out" >&2; return 1; }
	for _ in $(seq 100); do
		[ -p "$BUNDLE/rootfs/attack.fifo" ] && break
		sleep 0.05
	done
	# husk, run as /evil, opens the fifo as its log and blocks there.
	# The fifo named again, for attack-exe to find the process by.
	"$VICTIM" --root "$HUSK_ROOT" exec -d attack /evil /attack.fifo
	for _ in $(seq 200); do
		grep -q -e wrote -e refused -e init: "$HUSK_TMP/attack.out" && break
		sleep 0.05
	done
	cat "$HUSK_TMP/attack.out" >&2
}

@test "CVE-2019-5736: a container cannot overwrite husk through /proc/<pid>/exe" {
	run_exe_attack "$HUSK"
	grep -q "write refused: E" "$HUSK_TMP/attack.out"
	! grep -q wrote "$HUSK_TMP/attack.out" || false
	[ "$(sha256sum <"$VICTIM")" = "$VICTIM_SUM" ]
}

# A program only the host has, next to the bundle: a copy of the static test
# helper, which prints a file with `cat`.  The traps below reach it through
# a descriptor husk could hold at N: /proc/self/fd/N is a directory of the
# host's (the bundle, the state dir, a cgroup), enough `..` climb to the
# host's root, and the host's path leads down to the program.
plant_host_program() {
	cp "$INIT" "$OUTSIDE/evil"
	snapshot_outside
}

fd_trap() {
	echo "/proc/self/fd/$1/../../../../../../../../../../..$OUTSIDE/evil"
}

# Every descriptor husk could hold while it sets a process up: a few more
# than it ever has open.
FD_TRAP_MAX=24

@test "CVE-2024-21626 (3a): an entrypoint through /proc/self/fd/N never runs a host program" {
	local n
	plant_host_program
	for n in $(seq 3 $FD_TRAP_MAX); do
		# A symlink in the image, and the path itself as args[0].
		ln -sfn "$(fd_trap "$n")" "$BUNDLE/rootfs/x"
		set_args /x cat /proc/self/status
		husk run "cve_3a_link_$n"
		[ "$status" -ne 0 ]
		[[ "$output" == *'exec: "/x"'* ]]
		[[ "$output" != *"Name:"* ]]
		set_args "$(fd_trap "$n")" cat /proc/self/status
		husk run "cve_3a_path_$n"
		[ "$status" -ne 0 ]
		[[ "$output" != *"Name:"* ]]
	done
	# The error says why, for a descriptor that is open (stdin is).
	ln -sfn /proc/self/fd/0 "$BUNDLE/rootfs/x"
	set_args /x
	husk run cve_3a_why
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot be resolved inside the container"* ]]
	assert_host_unchanged
}

# A script's interpreter is resolved by the kernel during execve, which husk
# cannot check beforehand: only a descriptor that is closed, not merely
# close-on-exec, keeps it inside the container.
@test "CVE-2024-21626 (3b): a script whose interpreter is /proc/self/fd/N/... never runs a host program" {
	local n
	plant_host_program
	for n in $(seq 3 $FD_TRAP_MAX); do
		printf '#!%s cat\nsecret-script\n' "$(fd_trap "$n")" >"$BUNDLE/rootfs/s"
		chmod 0755 "$BUNDLE/rootfs/s"
		set_args /s
		# The interpreter is not found: 127 is the expected failure.
		run ! __husk run "cve_3b_$n"
		echo "husk run cve_3b_$n (status=$status): $output" >&2
		[[ "$output" != *secret-script* ]]
	done
	assert_host_unchanged
}

@test "CVE-2024-21626 (3a, 3b): an exec target through /proc/self/fd/N never runs a host program" {
	local n
	plant_host_program
	set_args /init sleep inf
	husk_detached run --detach cve_exec
	[ "$status" -eq 0 ]
	for n in $(seq 3 $FD_TRAP_MAX); do
		ln -sfn "$(fd_trap "$n")" "$BUNDLE/rootfs/x"
		husk exec cve_exec /x cat /proc/self/status
		[ "$status" -ne 0 ]
		[[ "$output" == *'exec: "/x"'* ]]
		[[ "$output" != *"Name:"* ]]
		printf '#!%s cat\nsecret-script\n' "$(fd_trap "$n")" >"$BUNDLE/rootfs/s"
		chmod 0755 "$BUNDLE/rootfs/s"
		husk exec cve_exec /s
		[ "$status" -ne 0 ]
		[[ "$output" != *secret-script* ]]
	done
	husk delete --force cve_exec
	assert_host_unchanged
}

@test "--preserve-fds beyond what the caller passed is refused by run and exec: no husk descriptor is ever preserved" {
	local n
	set_args /init sleep inf
	husk_detached run --detach pfds
	[ "$status" -eq 0 ]
	# (bats holds descriptor 3 of its own: closed for these.)
	for n in 1 2 3 5 8 16 32; do
		husk exec --preserve-fds "$n" pfds /init fds 3>&-
		[ "$status" -ne 0 ]
		[[ "$output" == *"--preserve-fds: descriptor 3 is not open in husk"* ]]
	done
	# Two passed, three asked for: the third would have been husk's.
	husk exec --preserve-fds 3 pfds /init fds 3<"$OUTSIDE/host-file" 4<"$OUTSIDE/host-file"
	[ "$status" -ne 0 ]
	[[ "$output" == *"descriptor 5 is not open in husk"* ]]
	husk exec --preserve-fds 2 pfds /bin/sh -c '/init fds; /bin/busybox readlink /proc/self/fd/3' \
		3<"$OUTSIDE/host-file" 4<"$OUTSIDE/host-file"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "0 1 2 3 4" ]
	[ "${lines[1]}" = "$OUTSIDE/host-file" ]
	husk delete --force pfds
	set_args /init fds
	husk run --preserve-fds 2 pfds_run 3<"$OUTSIDE/host-file" 4>&-
	[ "$status" -ne 0 ]
	[[ "$output" == *"descriptor 4 is not open in husk"* ]]
	assert_host_unchanged
}

@test "CVE-2024-21626: right after execve the process holds stdio and the preserved descriptors, nothing else" {
	set_args /init fds
	husk run fds_run
	[ "$status" -eq 0 ]
	[ "$output" = "0 1 2" ]
	husk run --preserve-fds 2 fds_run 3<"$OUTSIDE/host-file" 4<"$OUTSIDE/host-file"
	[ "$status" -eq 0 ]
	[ "$output" = "0 1 2 3 4" ]
	# Without noNewPrivileges the container's seccomp filter loads before
	# husk drops its capabilities, so the close runs under it: a profile
	# that refuses close_range (every one written before 2020) changes
	# nothing.
	update_config '.process.noNewPrivileges = false | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["close_range", "openat2", "faccessat2", "clone3"],
			      "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	husk run --preserve-fds 1 fds_run 3<"$OUTSIDE/host-file"
	[ "$status" -eq 0 ]
	[ "$output" = "0 1 2 3" ]
	set_args /init sleep inf
	husk_detached run --detach fds_exec
	[ "$status" -eq 0 ]
	husk exec fds_exec /init fds
	[ "$status" -eq 0 ]
	[ "$output" = "0 1 2" ]
	husk exec -t fds_exec /init fds
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | tr -d '\r')" = "0 1 2" ]
	husk exec --preserve-fds 1 fds_exec /init fds 3<"$OUTSIDE/host-file"
	[ "$status" -eq 0 ]
	[ "$output" = "0 1 2 3" ]
	husk delete --force fds_exec
	# The compiled filter stays in the state root's cache, as it should.
	rm -rf "$HUSK_ROOT/.seccomp-cache"
	assert_host_unchanged
}
