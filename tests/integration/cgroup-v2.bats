#!/usr/bin/env bats
# lane: vm
# The cgroup v2 lane itself: what the VM (tests/vm/) promises the cgroup
# tests.  Skipped on a host without a cgroup v2 /sys/fs/cgroup.

load helpers

setup() {
	requires root cgroup2
	setup_bundle
}

teardown() {
	teardown_bundle
}

@test "v2 lane: /sys/fs/cgroup is cgroup2 and has no v1 hierarchy beside it" {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]
	! awk '$3 == "cgroup" { found = 1 } END { exit !found }' /proc/self/mounts || false
}

@test "v2 lane: the root offers and delegates every controller husk drives" {
	local c
	# Under systemd (the systemd lane) the root's subtree_control is
	# systemd's to set, for the units that ask; the lane's own service is
	# what is delegated.
	[ "$(cat /proc/1/comm)" != systemd ] || skip "systemd is PID 1: the root's controllers are its"
	for c in memory pids cpu io cpuset hugetlb; do
		grep -qw "$c" /sys/fs/cgroup/cgroup.controllers
		grep -qw "$c" /sys/fs/cgroup/cgroup.subtree_control
	done
}

@test "v2 lane: a test container runs (pid 1 of its pid namespace)" {
	update_config '.process.args = ["/init", "pid"]'
	husk run test_v2_lane
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
}
