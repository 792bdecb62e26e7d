#!/usr/bin/env bats
# lane: vm
# husk sandbox's workspace (issue 24): --overlay (a host directory the job
# writes to, its writes in a throwaway layer), --diff (that layer kept as a
# reviewable diff), --disk-limit, and the protected paths of every
# writable mount (.git/hooks, .git/config, shell rc files, --protect).  Each
# test runs as root and as uid 65534 (rootless: a user namespace of the
# job's own).  Runs on the host and in the VM lane (v2, Debian's kernel).

load helpers
bats_require_minimum_version 1.5.0
load sandbox

setup() {
	setup_sandbox
	command -v setpriv >/dev/null || skip "no setpriv"
	# What the rootless runs may write: their state root, the report,
	# the sources and the diffs.
	WS=$HUSK_TMP/ws
	mkdir -m 777 "$WS"
	RL_ROOT=$WS/state
	REPORT=$WS/report.json
	export WS RL_ROOT REPORT
}

teardown() {
	local left=""
	if [ -n "${RL_ROOT:-}" ]; then
		for d in "$RL_ROOT"/* "$RL_ROOT"/.sandbox-*; do
			[ -e "$d" ] && left+="left behind by a rootless sandbox: $d"$'\n'
		done
	fi
	teardown_sandbox || left+="teardown_sandbox failed"
	if [ -n "$left" ]; then
		echo "$left" >&2
		return 1
	fi
}

# ws MODE FLAGS... -- CMD...: husk sandbox as root (MODE root) or as uid
# 65534 (MODE rootless), with --report $REPORT; stdout and stderr apart.
function ws() {
	local mode=$1
	shift
	if [ "$mode" = root ]; then
		run --separate-stderr "$HUSK" --root "$HUSK_ROOT" sandbox --cgroup-parent "$SANDBOX_CG" \
			--report "$REPORT" "$@"
	else
		run --separate-stderr setpriv --reuid 65534 --regid 65534 --clear-groups \
			env -u XDG_RUNTIME_DIR "$HUSK" --root "$RL_ROOT" sandbox --report "$REPORT" "$@"
	fi
	echo "sandbox ($mode) $* (status=$status):" >&2
	echo "$output" >&2
	echo "stderr: $stderr" >&2
}

# A source tree, the job's (uid 65534) as a checkout would be its user's.
function make_src() {
	mkdir -p "$1/gone_dir" "$1/sub" "$1/.git/hooks"
	echo a >"$1/keep"
	echo b >"$1/change"
	echo c >"$1/del"
	echo y >"$1/gone_dir/y"
	printf '[core]\n\tbare = false\n' >"$1/.git/config"
	echo '#!/bin/sh' >"$1/.git/hooks/pre-commit.sample"
	chown -R 65534:65534 "$1"
}

# Everything about a tree a job could change: names, types, modes, sizes,
# times, link targets, contents.
function snapshot() {
	(cd "$1" && find . -printf '%p|%y|%m|%s|%T@|%l\n' | LC_ALL=C sort &&
		find . -type f -exec sha256sum {} + | LC_ALL=C sort)
}

# A field of DIR's manifest (jq -c), for the first overlay.
function manifest() {
	jq -c ".overlays[0] | $1" "$DIFF/manifest.json"
}

# Whether the kernel's tmpfs takes user.* xattrs (6.6): a rootless
# overlay needs them for an opaque directory.
function tmpfs_user_xattrs() {
	local v
	v=$(uname -r)
	[ "${v%%.*}" -gt 6 ] || { [ "${v%%.*}" -eq 6 ] && [ "$(echo "$v" | cut -d. -f2)" -ge 6 ]; }
}

# ---- --overlay and --diff ----

function overlay_and_diff() {
	local src=$WS/src before
	DIFF=$WS/diff
	make_src "$src"
	src=$(realpath "$src")
	before=$(snapshot "$src")
	ws "$1" --overlay "$src:/work" --diff "$DIFF" -- sh -c '
		cd /work && echo new >new && echo more >>change && rm del && rm -r gone_dir &&
		mkdir nd && echo f >nd/f && ln -s keep lnk && touch keep && cat keep change new'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\nb\nmore\nnew')" ]
	# The host's source is as it was.
	[ "$(snapshot "$src")" = "$before" ]
	# Exactly the job's changes: `touch keep` rewrote nothing.
	[ "$(manifest '[.added[] | [.path, .type]]')" = \
		'[["lnk","symlink"],["nd","directory"],["nd/f","file"],["new","file"]]' ]
	[ "$(manifest '[.changed[] | [.path, .type, .size]]')" = '[["change","file",7]]' ]
	[ "$(manifest '[.deleted[] | [.path, .type]]')" = '[["del","file"],["gone_dir","directory"]]' ]
	[ "$(manifest '.skipped')" = '[]' ]
	[ "$(manifest '[.source, .destination, .tree]')" = "[\"$src\",\"/work\",\"overlay-0\"]" ]
	[ "$(jq .version "$DIFF/manifest.json")" = 1 ]
	[ "$(cat "$DIFF/overlay-0/new")" = new ]
	[ "$(cat "$DIFF/overlay-0/change")" = "$(printf 'b\nmore')" ]
	[ "$(cat "$DIFF/overlay-0/nd/f")" = f ]
	[ "$(readlink "$DIFF/overlay-0/lnk")" = keep ]
	[ ! -e "$DIFF/overlay-0/keep" ] && [ ! -e "$DIFF/overlay-0/del" ]
	# The upper layer was in memory: the report says how much.
	[ "$(report disk_used)" -gt 0 ]
}

@test "workspace: --overlay leaves the source unchanged and --diff shows exactly the job's changes (root)" {
	overlay_and_diff root
}

@test "workspace: --overlay leaves the source unchanged and --diff shows exactly the job's changes (rootless)" {
	overlay_and_diff rootless
}

function opaque_dir() {
	local src=$WS/src
	DIFF=$WS/diff
	make_src "$src"
	ws "$1" --overlay "$src:/work" --diff "$DIFF" -- sh -c '
		cd /work && rm -r gone_dir && mkdir gone_dir && echo q >gone_dir/q && ls gone_dir'
	[ "$status" -eq 0 ]
	[ "$output" = q ]
	[ "$(cat "$src/gone_dir/y")" = y ]
	[ "$(manifest '[.added[].path]')" = '["gone_dir/q"]' ]
	[ "$(manifest '[.deleted[].path]')" = '["gone_dir/y"]' ]
}

@test "workspace: a directory removed and made again: --diff deletes what the source had in it (root)" {
	opaque_dir root
}

@test "workspace: a directory removed and made again: --diff deletes what the source had in it (rootless)" {
	tmpfs_user_xattrs || skip "tmpfs has user xattrs from Linux 6.6, which a rootless overlay needs for this"
	opaque_dir rootless
}

# What a hostile job leaves in its layer: nothing is followed or opened
# that is not a file or a directory, holes stay holes, links stay links.
function hostile_layer() {
	local src=$WS/src
	DIFF=$WS/diff
	make_src "$src"
	ws "$1" --overlay "$src:/work" --diff "$DIFF" -- sh -c '
		cd /work && mkfifo fifo && ln -s /etc/shadow shadow && ln -s ../../../../../etc escape &&
		head -c 100000 /dev/urandom >big && ln big big2 && ln big big3 &&
		truncate -s 20G sparse && echo end >>sparse &&
		printf x >"$(printf "nl\nname")" && printf y >"$(printf "bad\377")" &&
		echo s >suid && chmod 4755 suid &&
		mkdir locked && echo secret >locked/s && chmod 000 locked/s locked'
	[ "$status" -eq 0 ]
	[ "$(manifest '[.skipped[] | [.path, .type]]')" = '[["fifo","fifo"]]' ]
	[ ! -e "$DIFF/overlay-0/fifo" ]
	[ "$(readlink "$DIFF/overlay-0/shadow")" = /etc/shadow ]
	[ "$(readlink "$DIFF/overlay-0/escape")" = ../../../../../etc ]
	[ "$(manifest '[.added[] | select(.link != null) | [.path, .link]]')" = '[["big2","big"],["big3","big"]]' ]
	[ "$(stat -c %i "$DIFF/overlay-0/big")" = "$(stat -c %i "$DIFF/overlay-0/big3")" ]
	[ "$(stat -c %s "$DIFF/overlay-0/sparse")" = $((20 * 1024 * 1024 * 1024 + 4)) ]
	[ "$(tail -c 4 "$DIFF/overlay-0/sparse")" = end ]
	# 100 KB of data and a few pages: not 20 GB, not 300 KB.
	[ "$(du -sk "$DIFF" | cut -f1)" -lt 1000 ]
	[ "$(cat "$DIFF/overlay-0/$(printf 'nl\nname')")" = x ]
	[ "$(manifest '[.added[] | select(.path == "nl\nname") | .size]')" = '[1]' ]
	[ "$(manifest '[.added[] | select(.path_hex == "626164ff") | .path]')" = "[\"bad$(printf '\357\277\275')\"]" ]
	[ "$(cat "$DIFF/overlay-0/$(printf 'bad\377')")" = y ]
	# Set-id bits are named, never copied.
	[ "$(manifest '[.added[] | select(.path == "suid") | .mode]')" = '["4755"]' ]
	[ "$(stat -c %a "$DIFF/overlay-0/suid")" = 755 ]
	[ "$(manifest '[.added[] | select(.path | startswith("locked")) | [.path, .mode]]')" = \
		'[["locked","0000"],["locked/s","0000"]]' ]
	[ "$(cat "$DIFF/overlay-0/locked/s")" = secret ]
}

@test "workspace: --diff copies a hostile job's layer safely: fifo, symlinks out, hard links, holes, odd names (root)" {
	hostile_layer root
}

@test "workspace: --diff copies a hostile job's layer safely: fifo, symlinks out, hard links, holes, odd names (rootless)" {
	hostile_layer rootless
}

# A DIR the job could write to (an --rw mount holds it) must hold only
# what husk wrote: a file the job slipped in fails the diff.
function diff_dir_written() {
	local src=$WS/src
	DIFF=$WS/out/review
	make_src "$src"
	mkdir -m 777 "$WS/out" "$DIFF"
	ws "$1" --rw "$WS/out:/out" --overlay "$src:/work" --diff "$DIFF" -- sh -c '
		echo new >/work/new && echo "{}" >/out/review/manifest.json'
	[ "$status" -eq 125 ]
	[ "$stderr" = "husk: sandbox: --diff \`$DIFF\`: \`manifest.json\` appeared in it while the job ran" ]
	[ "$(report status)" = exited ]
	[ "$(cat "$DIFF/manifest.json")" = "{}" ]
	[ ! -e "$DIFF/overlay-0" ]
}

@test "workspace: --diff fails when the job wrote into DIR (root)" {
	diff_dir_written root
}

@test "workspace: --diff fails when the job wrote into DIR (rootless)" {
	diff_dir_written rootless
}

# ---- protected paths ----

# The attacks, in each writable mount: write a hook and the config; rename
# .git (or its hooks) away and make a new one; a hard link or a symlink into
# the hooks; a .bashrc, there or missing, written, replaced, moved.
ATTACKS='
for d in "$@"; do
	echo evil >"$d/.git/hooks/pre-commit"
	echo "[core] fsmonitor = evil" >>"$d/.git/config"
	mv "$d/.git" "$d/.git-old" && mkdir -p "$d/.git/hooks" && echo evil >"$d/.git/hooks/pre-commit"
	rm -rf "$d/.git"
	mv "$d/.git/hooks" "$d/hooks-old" && mkdir "$d/.git/hooks" && echo evil >"$d/.git/hooks/pre-commit"
	echo evil >/tmp/pc && ln /tmp/pc "$d/.git/hooks/pre-commit"
	ln -s /tmp/pc "$d/.git/hooks/pre-commit"
	echo evil >>"$d/.bashrc"
	mv "$d/.bashrc" "$d/bashrc-old" && echo evil >"$d/.bashrc"
	rm -f "$d/.bashrc" && echo evil >"$d/.bashrc"
	ln -s /tmp/pc "$d/.bashrc"
	[ -e "$d/.git/hooks/pre-commit" ] && echo "planted: $d/.git/hooks/pre-commit"
	grep -q evil "$d/.git/config" "$d/.bashrc" && echo "planted: $d"
done
exit 0'

function protected_paths() {
	local d rw=$WS/rw wd=$WS/wd ov=$WS/ov snap=()
	DIFF=$WS/diff
	for d in "$rw" "$wd" "$ov"; do
		make_src "$d"
	done
	echo '# rc' >"$rw/.bashrc"
	echo '# rc' >"$wd/.bashrc"
	chown 65534:65534 "$rw/.bashrc" "$wd/.bashrc"
	for d in "$rw" "$wd"; do
		snap+=("$(snapshot "$d/.git")" "$(cat "$d/.bashrc")")
	done
	snap+=("$(snapshot "$ov")")
	ws "$1" --rw "$rw:/rw" --workdir "$wd" --overlay "$ov:/ov" --diff "$DIFF" -- \
		sh -c "$ATTACKS" sh /rw "$(realpath "$wd")" /ov
	[ "$status" -eq 0 ]
	[[ "$output" != *planted* ]]
	# Nothing reached the host: not a hook, not a byte of a config or a
	# .bashrc, not a rename (what the job copied elsewhere in --rw and
	# --workdir is its to write), and nothing at all through --overlay.
	[ "$(snapshot "$rw/.git")" = "${snap[0]}" ]
	[ "$(cat "$rw/.bashrc")" = "${snap[1]}" ]
	[ "$(snapshot "$wd/.git")" = "${snap[2]}" ]
	[ "$(cat "$wd/.bashrc")" = "${snap[3]}" ]
	[ "$(snapshot "$ov")" = "${snap[4]}" ]
	# And nothing of it is in the overlay's diff, which someone may apply.
	[ "$(jq '[.overlays[0][][]? | .path | select(startswith(".git") or startswith(".bashrc"))]' \
		"$DIFF/manifest.json")" = '[]' ]
	[ "$(report protected_created)" = '[]' ]
}

@test "workspace: a planted .git/hooks/pre-commit, .git/config or .bashrc is refused in --rw, --workdir and --overlay (root)" {
	protected_paths root
}

@test "workspace: a planted .git/hooks/pre-commit, .git/config or .bashrc is refused in --rw, --workdir and --overlay (rootless)" {
	protected_paths rootless
}

function protect_flag() {
	local src=$WS/src
	make_src "$src"
	mkdir "$src/bin"
	echo 'echo tool' >"$src/bin/tool"
	chown -R 65534:65534 "$src"
	ws "$1" --rw "$src:/r" --protect bin/tool --protect /r/sub/ -- sh -c '
		echo evil >>/r/bin/tool || echo refused tool
		touch /r/sub/x || echo refused sub
		echo ok >/r/other && echo wrote other'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'refused tool\nrefused sub\nwrote other')" ]
	[ "$(cat "$src/bin/tool")" = 'echo tool' ]
	# --protect none drops the defaults.
	ws "$1" --rw "$src:/r" --protect none -- sh -c 'echo "# ok" >>/r/.git/config'
	[ "$status" -eq 0 ]
	grep -q '# ok' "$src/.git/config"
}

@test "workspace: --protect PATH (relative, absolute) and --protect none (root)" {
	protect_flag root
}

@test "workspace: --protect PATH (relative, absolute) and --protect none (rootless)" {
	protect_flag rootless
}

# What an --rw mount lacks cannot be made impossible to create without
# making something on the host: husk makes nothing, and names what the job
# made.
function missing_in_rw() {
	local src=$WS/src
	make_src "$src"
	ws "$1" --rw "$src:/r" -- sh -c '
		echo evil >/r/.bashrc && mkdir /r/.config && echo /r/evil >/r/.git/commondir'
	[ "$status" -eq 0 ]
	[ "$(jq -c .protected_created "$REPORT")" = '["/r/.bashrc","/r/.git/commondir"]' ]
	[[ "$stderr" == *"the job made the protected path \`/r/.bashrc\`"* ]]
}

@test "workspace: a protected path missing from --rw that the job makes is in the report (root)" {
	missing_in_rw root
}

@test "workspace: a protected path missing from --rw that the job makes is in the report (rootless)" {
	missing_in_rw rootless
}

# ---- --disk-limit ----

function disk_limit() {
	local src=$WS/src
	make_src "$src"
	# /tmp and the overlay share the limit: the second write fails.
	ws "$1" --disk-limit 1M --overlay "$src:/work" -- sh -c '
		head -c 700000 /dev/zero >/tmp/a || exit 5
		head -c 700000 /dev/zero >/work/b || exit 6'
	[ "$status" -eq 6 ]
	[[ "$stderr" == *"No space left on device"* ]]
	[ "$(report status)" = disk-limit ]
	[ "$(report exit_code)" = 6 ]
	[ "$(report 'limits."disk-limit".value')" = 1M ]
	[[ "$(report 'limits."disk-limit".mechanism')" == "tmpfs size="* ]]
	[ "$(report disk_used)" -eq 1048576 ]
	[ ! -e "$src/b" ]
	# Without an overlay it is /tmp's size.
	ws "$1" --disk-limit 512k -- sh -c 'head -c 1000000 /dev/zero >/tmp/a'
	[ "$status" -eq 1 ]
	[ "$(report status)" = disk-limit ]
	# A job that stays below it ends as it ends.
	ws "$1" --disk-limit 1M -- sh -c 'head -c 1000 /dev/zero >/tmp/a; exit 3'
	[ "$status" -eq 3 ]
	[ "$(report status)" = exited ]
}

@test "workspace: --disk-limit stops a job writing past it, and the report says so (root)" {
	disk_limit root
}

@test "workspace: --disk-limit stops a job writing past it, and the report says so (rootless)" {
	disk_limit rootless
}

# ---- bad input ----

# One line naming what was wrong, 125, and nothing left: no state, no
# bundle, no mount, no --diff DIR made, a non-empty one untouched.
function bad_input() {
	local src=$WS/src full=$WS/full
	make_src "$src"
	mkdir -m 777 "$full"
	echo keep >"$full/x"
	ws "$1" --overlay "$WS/nope:/work" --diff "$WS/d1" -- true
	[ "$status" -eq 125 ]
	[ "$stderr" = "husk: sandbox: --overlay \`$WS/nope\`: no such file or directory" ]
	ws "$1" --overlay "$src:work" --diff "$WS/d2" -- true
	[ "$status" -eq 125 ]
	[ "$stderr" = "husk: sandbox: --overlay: destination \`work\` is not absolute" ]
	ws "$1" --diff "$WS/d3" -- true
	[ "$status" -eq 125 ]
	[ "$stderr" = "husk: sandbox: --diff \`$WS/d3\`: needs an --overlay" ]
	ws "$1" --overlay "$src:/work" --diff "$full" -- true
	[ "$status" -eq 125 ]
	[ "$stderr" = "husk: sandbox: --diff \`$full\`: not empty (it must be missing or an empty directory)" ]
	[ "$(ls "$full")" = x ]
	# A DIR husk made for a job that never ran goes too.
	ws "$1" --overlay "$src:/work" --diff "$WS/d4" --seccomp "$WS/nope.json" -- true
	[ "$status" -eq 125 ]
	[ ! -e "$WS/d1" ] && [ ! -e "$WS/d2" ] && [ ! -e "$WS/d3" ] && [ ! -e "$WS/d4" ]
	[ "$(report status)" = setup-error ]
}

@test "workspace: bad --overlay, --diff input: one clear error, 125, nothing left behind (root)" {
	bad_input root
}

@test "workspace: bad --overlay, --diff input: one clear error, 125, nothing left behind (rootless)" {
	bad_input rootless
}
