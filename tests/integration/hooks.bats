#!/usr/bin/env bats
# OCI hooks: each kind runs at its point of the lifecycle, in its namespace,
# with the state JSON on stdin, its args and env, and the spec's failure
# semantics.  Hooks are host shell scripts (startContainer's lives in the
# rootfs: its path resolves in the container).

load helpers
bats_require_minimum_version 1.5.0

setup() {
	requires root
	setup_bundle
	HOOKS=$HUSK_TMP/hooks
	mkdir "$HOOKS"
	# record.sh NAME STATEDIR: what this hook saw goes to $HOOKS/NAME.*;
	# NAME is appended to $HOOKS/order.
	cat >"$HUSK_TMP/record.sh" <<EOF
#!/bin/sh
out=$HOOKS/\$1
cat >"\$out.state"
printf '%s\n' "\$@" >"\$out.args"
tr '\0' '\n' </proc/\$\$/cmdline | head -n 1 >"\$out.argv0"
env >"\$out.env"
readlink /proc/self/ns/mnt >"\$out.mntns"
readlink /proc/self/ns/pid >"\$out.pidns"
ls /proc/self/fd | tr '\n' ' ' >"\$out.fds"
if [ -e "\$2" ]; then echo yes; else echo no; fi >"\$out.statedir"
echo "\$1" >>$HOOKS/order
EOF
	chmod +x "$HUSK_TMP/record.sh"
}

teardown() {
	local pid
	# Only the timeout test's own hook, found by its unique path.
	for pid in $(pgrep -f "$HUSK_TMP/sleep-hook" 2>/dev/null); do
		kill -9 "$pid" 2>/dev/null || :
	done
	teardown_bundle
}

# hook NAME: a hooks entry running record.sh through /bin/sh with argv0
# husk-hook-NAME, one extra argument and its own env.
hook() {
	jq -n --arg s "$HUSK_TMP/record.sh" --arg n "$1" --arg d "$HUSK_ROOT/$2" \
		'{path: "/bin/sh", args: ["husk-hook-\($n)", $s, $n, $d],
		  env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HUSK_HOOK_VAR=\($n) value"]}'
}

assert_nothing_left() {
	[ ! -d "$HUSK_ROOT" ] || [ -z "$(ls -A "$HUSK_ROOT")" ]
	! grep -q "$BUNDLE" /proc/self/mountinfo || false
}

# wait_for FILE: poll (bounded) for a file a hook writes asynchronously.
wait_for() {
	for _ in $(seq 100); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	echo "wait_for: $1 never appeared" >&2
	return 1
}

@test "hooks: create runs prestart, createRuntime, createContainer in order, with the state" {
	update_config ".process.args = [\"/init\", \"sleep\", \"inf\"] |
		.hooks.prestart = [$(hook prestart hooks_order)] |
		.hooks.createRuntime = [$(hook createRuntime hooks_order)] |
		.hooks.createContainer = [$(hook createContainer hooks_order)]"
	husk_detached create --pid-file "$HUSK_TMP/pid" hooks_order
	[ "$status" -eq 0 ]
	pid=$(cat "$HUSK_TMP/pid")

	[ "$(tr '\n' ' ' <"$HOOKS/order")" = "prestart createRuntime createContainer " ]
	for h in prestart createRuntime createContainer; do
		[ "$(jq -r .id "$HOOKS/$h.state")" = hooks_order ]
		[ "$(jq -r .status "$HOOKS/$h.state")" = creating ]
		[ "$(jq -r .pid "$HOOKS/$h.state")" = "$pid" ]
		[ "$(jq -r .bundle "$HOOKS/$h.state")" = "$BUNDLE" ]
		[ "$(jq -r .ociVersion "$HOOKS/$h.state")" = 1.3.0 ]
	done
	# prestart and createRuntime in the runtime's namespaces,
	# createContainer in the container's.
	[ "$(cat "$HOOKS/createRuntime.mntns")" = "$(readlink /proc/self/ns/mnt)" ]
	[ "$(cat "$HOOKS/prestart.pidns")" = "$(readlink /proc/self/ns/pid)" ]
	[ "$(cat "$HOOKS/createContainer.mntns")" = "$(readlink "/proc/$pid/ns/mnt")" ]
	[ "$(cat "$HOOKS/createContainer.pidns")" = "$(readlink "/proc/$pid/ns/pid")" ]
	[ "$(cat "$HOOKS/createContainer.mntns")" != "$(readlink /proc/self/ns/mnt)" ]
}

@test "hooks: args (argv0 included) and env are the config's, and no descriptor leaks" {
	update_config ".hooks.createRuntime = [$(hook createRuntime hooks_args)]"
	husk_detached create hooks_args
	[ "$status" -eq 0 ]

	[ "$(cat "$HOOKS/createRuntime.argv0")" = husk-hook-createRuntime ]
	[ "$(sed -n 2p "$HOOKS/createRuntime.args")" = "$HUSK_ROOT/hooks_args" ]
	grep -qx 'HUSK_HOOK_VAR=createRuntime value' "$HOOKS/createRuntime.env"
	# Only the config's env: nothing of husk's own environment.
	! grep -q '^HUSK_ROOT=' "$HOOKS/createRuntime.env" || false
	# stdin, stdout, stderr and the directory ls reads.
	[ "$(cat "$HOOKS/createRuntime.fds")" = "0 1 2 3 " ]
	# Run while the container is being created: its state dir exists.
	[ "$(cat "$HOOKS/createRuntime.statedir")" = yes ]
}

@test "hooks: start runs startContainer in the container, then poststart; delete runs poststop" {
	requires busybox
	# startContainer's path resolves in the container: a copy of the
	# recorder inside the rootfs, writing into the rootfs, run by the
	# rootfs's busybox (which picks its applet by argv0: "sh").
	sed "s,$HOOKS,/hookout," "$HUSK_TMP/record.sh" >"$BUNDLE/rootfs/record.sh"
	mkdir "$BUNDLE/rootfs/hookout"
	start_hook=$(jq -n '{path: "/bin/busybox", args: ["sh", "/record.sh",
		"startContainer", "/nonexistent"], env: ["PATH=/bin:/sbin"]}')
	update_config ".root.readonly = false | .process.args = [\"/init\", \"sleep\", \"inf\"] |
		.hooks.startContainer = [$start_hook] |
		.hooks.poststart = [$(hook poststart hooks_start)] |
		.hooks.poststop = [$(hook poststop hooks_start)]"
	husk_detached create --pid-file "$HUSK_TMP/pid" hooks_start
	[ "$status" -eq 0 ]
	pid=$(cat "$HUSK_TMP/pid")
	[ ! -e "$BUNDLE/rootfs/hookout/startContainer.state" ]
	[ ! -e "$HOOKS/poststart.state" ]

	husk start hooks_start
	[ "$status" -eq 0 ]
	[ "$(jq -r .status "$HOOKS/poststart.state")" = running ]
	[ "$(jq -r .pid "$HOOKS/poststart.state")" = "$pid" ]
	wait_for "$BUNDLE/rootfs/hookout/startContainer.state"
	[ "$(jq -r .status "$BUNDLE/rootfs/hookout/startContainer.state")" = created ]
	[ "$(jq -r .id "$BUNDLE/rootfs/hookout/startContainer.state")" = hooks_start ]
	[ "$(jq -r .pid "$BUNDLE/rootfs/hookout/startContainer.state")" = "$pid" ]
	[ "$(cat "$BUNDLE/rootfs/hookout/startContainer.argv0")" = sh ]
	# In the container's namespaces.
	[ "$(cat "$BUNDLE/rootfs/hookout/startContainer.mntns")" = "$(readlink "/proc/$pid/ns/mnt")" ]
	[ ! -e "$HOOKS/poststop.state" ]

	husk delete --force hooks_start
	[ "$status" -eq 0 ]
	[ "$(jq -r .status "$HOOKS/poststop.state")" = stopped ]
	[ "$(jq -r .id "$HOOKS/poststop.state")" = hooks_start ]
	# After the container is gone.
	[ "$(cat "$HOOKS/poststop.statedir")" = no ]
	assert_nothing_left
}

@test "hooks: run runs poststart with the running container's state, then poststop" {
	update_config ".process.args = [\"/init\", \"exit\", \"3\"] |
		.hooks.poststart = [$(hook poststart hooks_run)] |
		.hooks.poststop = [$(hook poststop hooks_run)]"
	husk run hooks_run
	[ "$status" -eq 3 ]
	[ "$(jq -r .status "$HOOKS/poststart.state")" = running ]
	[ "$(jq -r .id "$HOOKS/poststart.state")" = hooks_run ]
	[ "$(jq -r .pid "$HOOKS/poststart.state")" -gt 1 ]
	[ "$(jq -r .bundle "$HOOKS/poststart.state")" = "$BUNDLE" ]
	[ "$(jq -r .status "$HOOKS/poststop.state")" = stopped ]
	[ "$(cat "$HOOKS/order")" = "$(printf 'poststart\npoststop')" ]
	assert_nothing_left
}

@test "hooks: a hook past its timeout is killed and create fails, leaving nothing" {
	cp "$(command -v sleep)" "$HUSK_TMP/sleep-hook"
	update_config ".hooks.createRuntime = [{\"path\": \"$HUSK_TMP/sleep-hook\",
		\"args\": [\"$HUSK_TMP/sleep-hook\", \"30\"], \"timeout\": 1}]"
	husk_detached create --pid-file "$HUSK_TMP/pid" hooks_timeout
	[ "$status" -ne 0 ]
	[[ "$output" == *"createRuntime hook 0 \`$HUSK_TMP/sleep-hook\`: killed after its timeout of 1 s"* ]]
	[ ! -e "$HUSK_TMP/pid" ]
	! pgrep -f "$HUSK_TMP/sleep-hook" || false
	assert_nothing_left
}

@test "hooks: a failing createRuntime hook fails create, leaving nothing" {
	update_config '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "echo no network for you >&2; exit 3"]}]'
	husk_detached create --pid-file "$HUSK_TMP/pid" hooks_fail
	[ "$status" -ne 0 ]
	[[ "$output" == *"createRuntime hook 0 \`/bin/sh\`: exited with status 3: no network for you"* ]]
	[ ! -e "$HUSK_TMP/pid" ]
	assert_nothing_left
}

@test "hooks: a failing prestart hook fails create; the poststop hooks still run, the lifecycle's end" {
	update_config ".hooks.prestart = [{\"path\": \"/bin/false\"}] |
		.hooks.poststop = [$(hook poststop hooks_prefail)]"
	husk_detached create hooks_prefail
	[ "$status" -ne 0 ]
	[[ "$output" == *"prestart hook 0 \`/bin/false\`: exited with status 1"* ]]
	[ "$(jq -r .status "$HOOKS/poststop.state")" = stopped ]
	[ "$(jq -r .id "$HOOKS/poststop.state")" = hooks_prefail ]
	assert_nothing_left
}

@test "hooks: a failing createContainer hook fails create, leaving nothing" {
	update_config '.hooks.createContainer = [{"path": "/bin/false"}]'
	husk_detached create hooks_ccfail
	[ "$status" -ne 0 ]
	[[ "$output" == *"createContainer hook 0 \`/bin/false\`: exited with status 1"* ]]
	assert_nothing_left
}

@test "hooks: a hook that cannot be executed fails create" {
	update_config ".hooks.prestart = [{\"path\": \"$HUSK_TMP/no-such-hook\"}]"
	husk_detached create hooks_noexec
	[ "$status" -ne 0 ]
	[[ "$output" == *"prestart hook 0"*"cannot exec: ENOENT"* ]]
	assert_nothing_left
}

@test "hooks: a failing startContainer hook stops the container" {
	requires busybox
	update_config '.hooks.startContainer = [{"path": "/bin/false"}]'
	# 127, the init's status when it cannot go on to exec (bats' `run -127`
	# says it is expected).
	run -127 __husk run hooks_scfail
	echo "$output" >&2
	[ "$status" -eq 127 ]
	[[ "$output" == *"startContainer hook 0 \`/bin/false\`: exited with status 1"* ]]
	assert_nothing_left
}

@test "hooks: a failing poststart hook fails start and stops the container (runtime-spec 1.3); poststop only warns" {
	update_config '.process.args = ["/init", "sleep", "inf"] |
		.hooks.poststart = [{"path": "/bin/false"}] |
		.hooks.poststop = [{"path": "/bin/false"}, {"path": "/bin/sh", "args": ["sh", "-c", "cat >'"$HOOKS"'/second.state"]}]'
	husk_detached create hooks_psfail
	[ "$status" -eq 0 ]
	husk start hooks_psfail
	[ "$status" -ne 0 ]
	[[ "$output" == *"poststart hook 0 \`/bin/false\`: exited with status 1"* ]]
	for _ in $(seq 50); do
		husk state hooks_psfail
		[ "$(jq -r .status <<<"$output")" = stopped ] && break
		sleep 0.1
	done
	[ "$(jq -r .status <<<"$output")" = stopped ]

	husk delete hooks_psfail
	[ "$status" -eq 0 ]
	[[ "$output" == *"poststop hook 0 \`/bin/false\`: exited with status 1"* ]]
	# The failure of one does not skip the next.
	[ "$(jq -r .status "$HOOKS/second.state")" = stopped ]
	assert_nothing_left
	# run fails the same way, and deletes what it made.
	husk run hooks_psfail_run
	[ "$status" -ne 0 ]
	[[ "$output" == *"poststart hook 0"* ]]
	assert_nothing_left
}

@test "a create killed mid-way leaves no process, and the next command no state" {
	cat >"$HUSK_TMP/stall-hook" <<EOF
#!/bin/sh
echo \$\$ >"$HUSK_TMP/stall.pid"
exec sleep 60
EOF
	chmod +x "$HUSK_TMP/stall-hook"
	update_config ".hooks.createRuntime = [{\"path\": \"$HUSK_TMP/stall-hook\"}]"
	"$HUSK" --root "$HUSK_ROOT" create hk_killed </dev/null >/dev/null 2>&1 &
	local husk_pid=$! init_pid hook_pid
	wait_for "$HUSK_TMP/stall.pid"
	hook_pid=$(cat "$HUSK_TMP/stall.pid")
	# The init waits before pivot_root while the hook runs: it is husk's
	# other child.
	init_pid=$(tr ' ' '\n' <"/proc/$husk_pid/task/$husk_pid/children" | grep -vx "$hook_pid" | head -n 1)
	[ -n "$init_pid" ]
	kill -KILL "$husk_pid"
	wait "$husk_pid" || :
	for _ in $(seq 100); do
		{ [ ! -d "/proc/$hook_pid" ] && [ ! -d "/proc/$init_pid" ]; } && break
		sleep 0.1
	done
	[ ! -d "/proc/$hook_pid" ]
	[ ! -d "/proc/$init_pid" ]
	# The state dir of the dead create is not a container, and goes.
	husk list -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	assert_nothing_left
	update_config 'del(.hooks)'
	husk_detached create hk_killed
	[ "$status" -eq 0 ]
}
