#!/usr/bin/env bats
# linux.netDevices (runtime-spec 1.3): a host interface moved into the
# container's network namespace, renamed, its addresses kept, set up.  The
# "host" of every test is a network namespace of the test's own (unshare
# --net), where it makes a veth pair: the machine's own interfaces are never
# touched.

load helpers

setup() {
	requires root
	setup_bundle
	update_config '.process.args = ["/bin/sh", "-c", "ip -o link show; ip -o addr show"]'
}

teardown() {
	teardown_bundle
}

# in_own_netns SCRIPT: SCRIPT under sh in a new network namespace with a
# veth pair hv0 (192.0.2.5/24, 2001:db8::5/64) and hv1, both up; husk is
# $HUSK with the test's root.  Through bats' run.
in_own_netns() {
	run env HUSK="$HUSK" HUSK_ROOT="$HUSK_ROOT" unshare --net -- sh -c '
		husk() { "$HUSK" --root "$HUSK_ROOT" "$@"; }
		ip link set lo up &&
		ip link add hv0 type veth peer name hv1 &&
		ip addr add 192.0.2.5/24 dev hv0 &&
		ip -6 addr add 2001:db8::5/64 dev hv0 nodad &&
		ip link set hv0 up && ip link set hv1 up || exit 99
		# The kernel frees a network namespace (and destroys its veths) on
		# a work queue, a moment after its last process has gone.
		gone() { for _ in $(seq 100); do ip link show "$1" >/dev/null 2>&1 || return 0; sleep 0.05; done; return 1; }
		'"$1"
	echo "in a network namespace of its own: $1 (status=$status):" >&2
	echo "$output" >&2
}

@test "netDevices: the device moves in, renamed, with its addresses, up; it leaves the host's namespace" {
	update_config '.linux.netDevices = {"hv0": {"name": "ceth0"}}'
	in_own_netns 'husk run nd_move; echo "exit=$?"; gone hv1; echo "host:"; ip -o link show'
	[ "$status" -eq 0 ]
	[[ "$output" == *"exit=0"* ]]
	local inside=${output%%host:*} host=${output#*host:}
	# Inside: ceth0, up, both addresses (the kernel drops them on a move:
	# husk adds them back).
	[[ "$inside" == *": ceth0@"*"UP"* ]]
	[[ "$inside" == *"ceth0"*"inet 192.0.2.5/24"* ]]
	[[ "$inside" == *"ceth0"*"inet6 2001:db8::5/64"* ]]
	[[ "$inside" != *hv0* ]]
	# After delete the namespace is gone, and the kernel destroyed the veth
	# with it: its peer hv1 went too (nothing is moved back by husk, as
	# runtime-spec 1.3 says).
	[[ "$host" != *hv0* ]]
	[[ "$host" != *hv1* ]]
}

@test "netDevices: while the container runs the device is its, and the host has it back never" {
	update_config '.process.args = ["/init", "sleep", "1000"] | .linux.netDevices = {"hv0": {}}'
	in_own_netns '
		husk run --detach nd_keep >/dev/null 2>&1 </dev/null || exit 98
		pid=$(husk state nd_keep | sed -n "s/.*\"pid\": *\([0-9]*\).*/\1/p")
		echo "host-before:"; ip -o link show
		echo "inside:"; nsenter --net=/proc/$pid/ns/net ip -o link show
		husk delete --force nd_keep; echo "deleted=$?"
		gone hv1; echo "host-after:"; ip -o link show'
	[ "$status" -eq 0 ]
	local before=${output#*host-before:} inside=${output#*inside:} after=${output#*host-after:}
	before=${before%%inside:*}
	inside=${inside%%deleted=*}
	[[ "$output" == *"deleted=0"* ]]
	# No name given: it keeps its own.
	[[ "$inside" == *": hv0@"*"UP"* ]]
	[[ "$before" != *": hv0@"* ]]
	[[ "$before" == *": hv1@"* ]]
	[[ "$after" != *hv0* ]]
	[[ "$after" != *hv1* ]]
}

@test "netDevices: refused, naming the device, with nothing left: absent on the host, or no network namespace" {
	update_config '.linux.netDevices = {"hv9": {}}'
	in_own_netns 'husk run nd_absent'
	[ "$status" -ne 0 ]
	[[ "$output" == *'linux.netDevices["hv9"]: no such network device on the host'* ]]

	update_config '.linux.netDevices = {"hv0": {}} | .linux.namespaces |= map(select(.type != "network"))'
	in_own_netns 'husk run nd_nonet; echo "exit=$?"; ip -o link show hv0'
	[[ "$output" == *"linux.netDevices: needs a network namespace in linux.namespaces"* ]]
	[[ "$output" == *"exit=1"* ]]
	[[ "$output" == *": hv0@"* ]]
	[ ! -d "$HUSK_ROOT" ] || [ -z "$(ls -A "$HUSK_ROOT")" ]
}

@test "netDevices: a name the container has already fails create, naming both, leaving nothing" {
	update_config '.linux.netDevices = {"hv0": {"name": "lo"}}'
	in_own_netns 'husk run nd_clash; echo "exit=$?"; gone hv1; ip -o link show'
	[[ "$output" == *'linux.netDevices["hv0"]: move `hv0` into the container as `lo`: file exists'* ]]
	[[ "$output" == *"exit=1"* ]]
	# The kernel moves the device before it renames it, and refuses only
	# the name: the failed container's namespace goes, and the veth with
	# it (a physical device would come back to the host's namespace).
	[[ "${output#*exit=1}" != *hv* ]]
	[ ! -d "$HUSK_ROOT" ] || [ -z "$(ls -A "$HUSK_ROOT")" ]
}
