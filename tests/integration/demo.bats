#!/usr/bin/env bats
# `make demo`, the README's first command, shows a real container.

load helpers

setup() {
	requires root
}

teardown() {
	# The demo's container lived in /husk/husk-demo; husk leaves the
	# parent, which rmdir removes only when empty.
	rmdir /sys/fs/cgroup/*/husk /sys/fs/cgroup/husk 2>/dev/null || :
}

@test "the demo runs a container that is pid 1 with its own hostname and network" {
	run sh "$REPO_ROOT/contrib/demo/demo.sh" "$HUSK_BUILD"
	echo "$output" >&2
	[ "$status" -eq 0 ]
	[[ "$output" == *"hostname:       husk-demo"* ]]
	[[ "$output" == *"my pid:         1 "* ]]
	[[ "$output" == *"network:        lo (loopback only"* ]]
	[[ "$output" == *"/proc/keys is char 1:3"* ]]
	[[ "$output" == *"the container exited with status 0"* ]]
	# The demo's state root is empty again.
	[ -z "$(ls -A "$HUSK_BUILD/demo/state")" ]
}
