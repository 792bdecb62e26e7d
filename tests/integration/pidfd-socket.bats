#!/usr/bin/env bats
# --pidfd-socket on create, run and exec: the process's pidfd reaches the
# unix socket, with runc's names for it ("standard" for the init, "setns"
# for an exec'd process), and it is a working handle: the receiver kills
# the process through it, as containerd does.

load helpers

setup() {
	requires root
	setup_bundle
	update_config '.process.args = ["/init", "sleep", "1000"]'
}

teardown() {
	[ -z "${RECV_PID:-}" ] || kill "$RECV_PID" 2>/dev/null || :
	teardown_bundle
}

# start_receiver: a receiver on $HUSK_TMP/pidfd.sock that takes one
# descriptor, writes "NAME PID" (the pid the pidfd refers to, from its
# fdinfo) to $HUSK_TMP/pidfd.out, then kills that process through the
# pidfd when $HUSK_TMP/pidfd.kill appears.
start_receiver() {
	rm -f "$HUSK_TMP/pidfd.out" "$HUSK_TMP/pidfd.kill" "$HUSK_TMP/pidfd.ready"
	/usr/bin/python3 - "$HUSK_TMP" <<-'EOF' &
		import os, signal, socket, sys, time
		d = sys.argv[1]
		s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
		s.bind(d + "/pidfd.sock")
		s.listen(1)
		open(d + "/pidfd.ready", "w").close()
		c, _ = s.accept()
		msg, fds, _, _ = socket.recv_fds(c, 64, 1)
		pid = [l.split()[1] for l in open("/proc/self/fdinfo/%d" % fds[0]) if l.startswith("Pid:")][0]
		with open(d + "/pidfd.out.tmp", "w") as f:
		    f.write("%s %s\n" % (msg.decode(), pid))
		os.rename(d + "/pidfd.out.tmp", d + "/pidfd.out")
		for _ in range(300):
		    if os.path.exists(d + "/pidfd.kill"):
		        signal.pidfd_send_signal(fds[0], signal.SIGKILL)
		        break
		    time.sleep(0.1)
	EOF
	RECV_PID=$!
	for _ in $(seq 100); do
		[ -e "$HUSK_TMP/pidfd.ready" ] && return 0
		sleep 0.05
	done
	return 1
}

# wait_file FILE: until it exists (10 s at most).
wait_file() {
	for _ in $(seq 200); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

@test "--pidfd-socket: create sends the init's pidfd, named standard; killing through it stops the container" {
	start_receiver
	husk_detached create --pidfd-socket "$HUSK_TMP/pidfd.sock" --pid-file "$HUSK_TMP/pid" pfd_create
	[ "$status" -eq 0 ]
	wait_file "$HUSK_TMP/pidfd.out"
	[ "$(cat "$HUSK_TMP/pidfd.out")" = "standard $(cat "$HUSK_TMP/pid")" ]
	touch "$HUSK_TMP/pidfd.kill"
	for _ in $(seq 100); do
		[ "$(__husk state pfd_create | jq -r .status)" = stopped ] && break
		sleep 0.05
	done
	[ "$(__husk state pfd_create | jq -r .status)" = stopped ]
}

@test "--pidfd-socket: run --detach sends the init's pidfd" {
	start_receiver
	husk_detached run --detach --pidfd-socket "$HUSK_TMP/pidfd.sock" --pid-file "$HUSK_TMP/pid" pfd_run
	[ "$status" -eq 0 ]
	wait_file "$HUSK_TMP/pidfd.out"
	[ "$(cat "$HUSK_TMP/pidfd.out")" = "standard $(cat "$HUSK_TMP/pid")" ]
	[ "$(__husk state pfd_run | jq -r .status)" = running ]
}

@test "--pidfd-socket: exec sends the process's pidfd, named setns" {
	husk_detached run --detach pfd_exec
	[ "$status" -eq 0 ]
	start_receiver
	husk_detached exec --detach --pidfd-socket "$HUSK_TMP/pidfd.sock" --pid-file "$HUSK_TMP/xpid" \
		pfd_exec /init sleep 1000
	[ "$status" -eq 0 ]
	wait_file "$HUSK_TMP/pidfd.out"
	[ "$(cat "$HUSK_TMP/pidfd.out")" = "setns $(cat "$HUSK_TMP/xpid")" ]
	touch "$HUSK_TMP/pidfd.kill"
	for _ in $(seq 100); do
		[ -d "/proc/$(cat "$HUSK_TMP/xpid")" ] || break
		sleep 0.05
	done
	[ ! -d "/proc/$(cat "$HUSK_TMP/xpid")" ]
	# The container itself runs on.
	[ "$(__husk state pfd_exec | jq -r .status)" = running ]
}

@test "--pidfd-socket: nobody listening fails create, naming the flag and the path, and leaves nothing" {
	husk_detached create --pidfd-socket "$HUSK_TMP/nobody.sock" pfd_nobody
	[ "$status" -ne 0 ]
	[[ "$output" == *"--pidfd-socket \`$HUSK_TMP/nobody.sock\`: connect: "* ]]
	[ ! -d "$HUSK_ROOT/pfd_nobody" ]
}
