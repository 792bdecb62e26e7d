#!/usr/bin/env bats
# Tolerate what runc tolerates: configs other tools write, run as runc runs
# them.  Where runc warns and goes on, husk warns (a `warning` line in the
# --log format engines read) and goes on.  Each test here was a refusal or
# a difference from runc in husk 0.1.0 (issue 19).

load helpers

setup() {
	requires root
	setup_bundle
}

teardown() {
	stop_recvtty
	teardown_bundle
}

set_args() {
	local json
	json=$(for a in "$@"; do jq -n --arg a "$a" '$a'; done | jq -cs .)
	update_config ".process.args = $json"
}

# husk with a JSON log: its warnings are what engines show.
husk_logged() {
	husk --log "$HUSK_TMP/log.json" --log-format json "$@"
}

warned() {
	jq -e -s --arg m "$1" 'map(select(.level == "warning" and (.msg | contains($m)))) | length > 0' \
		"$HUSK_TMP/log.json" >/dev/null
}

@test "compat: ambient capabilities with an empty inheritable set (crun spec's) run, with a warning" {
	set_args /init caps
	update_config '.process.capabilities.ambient = ["CAP_KILL", "CAP_AUDIT_WRITE"] |
		.process.capabilities.inheritable = []'
	husk_logged run amb
	[ "$status" -eq 0 ]
	[[ "$output" == *"CapAmb:	0000000000000000"* ]]
	warned "can't raise ambient capability CAP_KILL"
}

@test "compat: a capability name this husk or kernel does not know is ignored, with a warning" {
	set_args /init caps
	update_config '.process.capabilities.bounding += ["CAP_FROM_THE_FUTURE"] |
		.process.capabilities.effective += ["CAP_FROM_THE_FUTURE"]'
	husk_logged run capfuture
	[ "$status" -eq 0 ]
	warned 'ignoring unknown or unavailable capability'
	warned 'CAP_FROM_THE_FUTURE'
}

@test "compat: linux.resources.memory.kernel and kernelTCP are ignored, with a warning" {
	set_args /init nop
	update_config '.linux.resources.memory = {"kernel": 1048576, "kernelTCP": 1048576}'
	husk_logged run kmem
	[ "$status" -eq 0 ]
	warned 'kernel memory settings are ignored'
}

@test "compat: HOME comes from the container's /etc/passwd when process.env has none, / for an unknown uid" {
	set_args /bin/sh -c 'echo "$HOME"'
	update_config '.process.env = ["PATH=/bin:/sbin"]'
	husk run home_root
	[ "$status" -eq 0 ]
	[ "$output" = /root ]
	update_config '.process.user = {"uid": 65534, "gid": 65534}'
	husk run home_nobody
	[ "$output" = /nonexistent ]
	update_config '.process.user = {"uid": 4242, "gid": 4242}'
	husk run home_unknown
	[ "$output" = / ]
	# An empty one counts as none; a set one is kept.
	update_config '.process.user = {"uid": 0, "gid": 0} | .process.env = ["HOME="]'
	husk run home_empty
	[ "$output" = /root ]
	update_config '.process.env = ["HOME=/srv"]'
	husk run home_set
	[ "$output" = /srv ]
	# exec too.
	update_config '.process.env = ["PATH=/bin"] | .process.args = ["/init", "sleep", "inf"]'
	husk_detached run --detach home_exec
	husk exec home_exec /bin/sh -c 'echo "$HOME"'
	[ "$output" = /root ]
	husk exec -u 65534 home_exec /bin/sh -c 'echo "$HOME"'
	[ "$output" = /nonexistent ]
	husk delete --force home_exec
}

@test "compat: a process.cwd missing from the rootfs is made, as runc does" {
	set_args /init cwd
	update_config '.process.cwd = "/made/by/husk" | .root.readonly = true'
	husk run mkcwd
	[ "$status" -eq 0 ]
	[ "$output" = /made/by/husk ]
	[ -d "$BUNDLE/rootfs/made/by/husk" ]
}

@test "compat: lo is up in a network namespace of the container's own" {
	set_args /bin/sh -c 'cat /sys/class/net/lo/operstate; cat /sys/class/net/lo/flags'
	husk run loup
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = unknown ]
	# IFF_UP is bit 0.
	[ $((${lines[1]} & 1)) -eq 1 ]
}

@test "compat: stdio that is the host's /dev/null becomes the container's own /dev/null" {
	set_args /bin/sh -c 'grep -E " /dev( |/null )" /proc/self/mountinfo | head -1 >/dev/null;
		/bin/busybox stat -L -c "%d" /proc/self/fd/0 /dev/null'
	husk run devnull </dev/null
	[ "$status" -eq 0 ]
	# The same device number: the container's /dev (a tmpfs), not the host's.
	[ "${lines[0]}" = "${lines[1]}" ]
}

# A profile from before 2020 (the OCI generator's, which the validation
# suite uses, is one): it lists none of close_range, clone3, openat2,
# faccessat2 or the pidfd calls, and answers EPERM for what it does not list.
OLD_PROFILE='{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["close_range", "clone3",
	"openat2", "faccessat2", "pidfd_open", "pidfd_send_signal", "pidfd_getfd"],
	"action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'

@test "compat: a seccomp profile older than close_range, clone3 and openat2 runs, noNewPrivileges off, with a startContainer hook" {
	set_args /bin/sh -c 'echo ran in $(pwd); /init fds'
	update_config ".process.noNewPrivileges = false | .process.cwd = \"/tmp\" |
		.linux.seccomp = $OLD_PROFILE |
		.hooks.startContainer = [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo hook >/dev/null\"]}]"
	husk run oldprofile
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "ran in /tmp" ]
	[ "${lines[1]}" = "0 1 2" ]
	# exec under it too.
	set_args /init sleep inf
	husk_detached run --detach oldprofile_exec
	[ "$status" -eq 0 ]
	husk exec --cwd /tmp oldprofile_exec /bin/sh -c 'pwd; /init fds'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = /tmp ]
	[ "${lines[1]}" = "0 1 2" ]
	husk delete --force oldprofile_exec
}

# runc's and crun's own `spec`, unchanged: a terminal, `sh`, their
# capabilities (crun's with ambient ones and no inheritable set), masks.
# Its terminal goes to a console socket, as an engine's shim takes it.
run_spec_of() {
	local tool=$1 pid
	rm -f "$BUNDLE/config.json"
	(cd "$BUNDLE" && "$tool" spec)
	start_recvtty
	husk_logged create --console-socket "$SOCK" "from_$tool"
	[ "$status" -eq 0 ]
	husk start "from_$tool"
	[ "$status" -eq 0 ]
	husk state "from_$tool"
	[ "$(jq -r .status <<<"$output")" = running ]
	pid=$(jq -r .pid <<<"$output")
	# The program of the config, as the config says.
	[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sh " ]
	husk delete --force "from_$tool"
	[ "$status" -eq 0 ]
	stop_recvtty
}

@test "compat: a runc spec bundle runs unchanged" {
	run_spec_of runc
}

@test "compat: a crun spec bundle runs unchanged" {
	run_spec_of crun
	warned "can't raise ambient capability"
}
