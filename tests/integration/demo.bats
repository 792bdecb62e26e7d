#!/usr/bin/env bats
# `make demo`, the README's first command, shows a real container.

load helpers

setup() {
	requires root
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
