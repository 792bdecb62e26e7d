#!/usr/bin/env bats
# `husk spec` and `husk features` from the command line.

load helpers

setup() {
	setup_bundle
	SPECDIR=$HUSK_TMP/specdir
	mkdir -p "$SPECDIR"
}

teardown() {
	teardown_bundle
}

@test "spec writes runc's default config.json into --bundle" {
	husk spec --bundle "$SPECDIR"
	[ "$status" -eq 0 ]
	[ "$(jq -r .ociVersion "$SPECDIR/config.json")" = "1.3.0" ]
	[ "$(jq -r '.process.args[0]' "$SPECDIR/config.json")" = "sh" ]
	[ "$(jq -r .root.path "$SPECDIR/config.json")" = "rootfs" ]
	[ "$(jq -r '[.linux.namespaces[].type] | sort | join(",")' "$SPECDIR/config.json")" = "cgroup,ipc,mount,network,pid,uts" ]
}

@test "spec refuses to overwrite an existing config.json" {
	echo '{}' >"$SPECDIR/config.json"
	husk spec --bundle "$SPECDIR"
	[ "$status" -ne 0 ]
	[[ "$output" == *"config.json"*"already exists"* ]]
	[ "$(cat "$SPECDIR/config.json")" = "{}" ]
}

@test "spec --rootless adds a user namespace mapping the caller" {
	husk spec --rootless --bundle "$SPECDIR"
	[ "$status" -eq 0 ]
	jq -e '.linux.namespaces | map(.type) | index("user")' "$SPECDIR/config.json"
	[ "$(jq -r '.linux.uidMappings[0].hostID' "$SPECDIR/config.json")" = "$(id -u)" ]
	[ "$(jq -r '.linux.gidMappings[0].hostID' "$SPECDIR/config.json")" = "$(id -g)" ]
}

@test "spec with a missing bundle directory names it" {
	husk spec --bundle "$SPECDIR/nope"
	[ "$status" -ne 0 ]
	[[ "$output" == *"$SPECDIR/nope"*"no such file or directory"* ]]
}

@test "spec with an unknown flag names it" {
	husk spec --bogus
	[ "$status" -ne 0 ]
	[[ "$output" == *"unknown flag"*"--bogus"* ]]
}

@test "features prints JSON with the spec versions and the libseccomp actions" {
	husk features
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .ociVersionMax)" = "1.3.0" ]
	echo "$output" | jq -e '.linux.seccomp.actions | index("SCMP_ACT_ALLOW")'
	echo "$output" | jq -e '.linux.seccomp.archs | index("SCMP_ARCH_X86_64")'
}

@test "features claims what husk acts on: namespaces, hooks, capabilities, mount options" {
	husk features
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '.linux.namespaces | sort | join(",")')" = "cgroup,ipc,mount,network,pid,time,user,uts" ]
	[ "$(echo "$output" | jq -r '.hooks | length')" = 6 ]
	echo "$output" | jq -e '.linux.capabilities | index("CAP_SYS_ADMIN")'
	echo "$output" | jq -e '.mountOptions | index("rro")'
	# seccomp is acted on (seccomp/).
	[ "$(echo "$output" | jq -r '.linux.seccomp.enabled')" = true ]
	# Idmapped mounts are (rootfs/idmap.c).
	[ "$(echo "$output" | jq -r '.linux.mountExtensions.idmap.enabled')" = true ]
	echo "$output" | jq -e '.mountOptions | index("idmap")'
	echo "$output" | jq -e '.mountOptions | index("ridmap")'
}
