#!/usr/bin/env bats
# lane: vm
# husk sandbox's network: --net none (loopback only), --net pasta (user-mode
# networking through Debian's pasta, ended with the job) and the egress
# allowlist of --allow-host (husk's own proxy, outside the box, on
# 127.0.0.1:3128 in the job's network namespace), root and rootless.
#
# Every husk here runs in a network namespace of the test's own
# ($NETNS_PID holds it): loopback up, the servers the job may or may not
# reach on 127.0.0.1, and for pasta a veth pair with 192.0.2.2/24 and
# 192.0.2.3 (TEST-NET-1) and a default route through 192.0.2.1, none of
# which leads out of the namespace.

load helpers
bats_require_minimum_version 1.5.0
load sandbox

setup_file() {
	# Only inside the vm lane's throwaway guest: never load modules into
	# the host's kernel.
	if [ -d /run/vmlane ] && [ "$(hostname)" = vmlane ]; then
		busybox modprobe veth 2>/dev/null || :
		busybox modprobe tun 2>/dev/null || :
	fi
}

setup() {
	setup_sandbox
	NET=$HUSK_TMP/net
	mkdir -p -m 755 "$NET"
	mkdir -p -m 777 "$HUSK_TMP/rl"
	cp "$BATS_TEST_DIRNAME/sandbox-net.py" "$NET/"
	SERVER_PIDS=()
	make_netns
}

teardown() {
	local p left
	left=$(netns_leftovers)
	for p in "${SERVER_PIDS[@]}" "${NETNS_PID:-}"; do
		[ -n "$p" ] && kill -9 "$p" 2>/dev/null
	done
	wait 2>/dev/null || :
	teardown_sandbox || left+=" (and a sandbox left something)"
	if [ -n "$left" ]; then
		echo "left in the test's network namespace: $left" >&2
		return 1
	fi
}

# make_netns: the test's network (and mount) namespace, held by a process
# of the test's own.  Its /dev/net/tun is a node of mode 0666 on a tmpfs of
# its own, as a distribution's udev makes it, for rootless pasta.
function make_netns() {
	local _
	unshare -n -m --propagation private sh -c '
		ip link set lo up || exit 1
		if ip link add v0 type veth peer name v1 2>/dev/null; then
			ip addr add 192.0.2.2/24 dev v0 && ip addr add 192.0.2.3/24 dev v0 &&
				ip link set v0 up && ip link set v1 up &&
				ip route add default via 192.0.2.1 || exit 1
			echo veth >"$1/veth"
		fi
		if [ -c /dev/net/tun ]; then
			mkdir "$1/dev" && mount -t tmpfs -o mode=0755 tun "$1/dev" &&
				mknod -m 0666 "$1/dev/tun" c 10 200 &&
				mount --bind "$1/dev/tun" /dev/net/tun || exit 1
		fi
		echo ready >"$1/ready"
		exec sleep 3600' sh "$NET" </dev/null >/dev/null 2>&1 3>&- &
	NETNS_PID=$!
	for _ in $(seq 100); do
		[ -e "$NET/ready" ] && return 0
		sleep 0.05
	done
	echo "the test's network namespace was not made" >&2
	return 1
}

function in_netns() {
	nsenter -t "$NETNS_PID" -n -m "$@"
}

# Processes in the test's network namespace other than its holder and the
# servers: what a sandbox left (pasta, a keeper).
function netns_leftovers() {
	local ns p out=""
	[ -n "${NETNS_PID:-}" ] || return 0
	ns=$(readlink "/proc/$NETNS_PID/ns/net") || return 0
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$(readlink "/proc/$p/ns/net" 2>/dev/null)" = "$ns" ] || continue
		[ "$p" = "$NETNS_PID" ] && continue
		[[ " ${SERVER_PIDS[*]} " == *" $p "* ]] && continue
		out+=" $p($(cat "/proc/$p/comm" 2>/dev/null))"
	done
	echo "$out"
}

# serve ADDR:PORT...: servers in the test's namespace that answer any
# request with "hello from PORT" and the head they read.
function serve() {
	# nsenter execs python (no fork): the pid is the server's.  Not
	# holding bats' fd 3, so bats does not wait for it.
	nsenter -t "$NETNS_PID" -n -m /usr/bin/python3 "$NET/sandbox-net.py" serve "$NET/served" "$@" \
		</dev/null >"$NET/server.log" 2>&1 3>&- &
	SERVER_PIDS+=($!)
	local _
	for _ in $(seq 100); do
		[ "$(cat "$NET/served" 2>/dev/null)" = ready ] && return 0
		sleep 0.05
	done
	echo "the servers did not start: $(cat "$NET/server.log")" >&2
	return 1
}

function requires_veth() {
	[ -e "$NET/veth" ] || skip "no veth in this kernel (modprobe veth)"
}

# netsandbox ARGS...: husk sandbox in the test's namespace, as root.
function netsandbox() {
	run in_netns "$HUSK" --root "$HUSK_ROOT" sandbox --cgroup-parent "$SANDBOX_CG" \
		--report "$REPORT" --ro "$NET:/t" "$@"
	echo "husk sandbox $* (status=$status):" >&2
	echo "$output" >&2
}

# rootless ARGS...: the same as nobody (uid 65534), state of its own.
function rootless() {
	run in_netns setpriv --reuid 65534 --regid 65534 --clear-groups env -u XDG_RUNTIME_DIR \
		"$HUSK" --root "$HUSK_TMP/rl/state" sandbox --report "$HUSK_TMP/rl/report.json" \
		--ro "$NET:/t" "$@"
	echo "rootless husk sandbox $* (status=$status):" >&2
	echo "$output" >&2
	cp "$HUSK_TMP/rl/report.json" "$REPORT" 2>/dev/null || :
}

# The job's side: `/usr/bin/python3 /t/sandbox-net.py get MODE=HOST:PORT...` asks
# the proxy named in HTTPS_PROXY for each, by CONNECT or a plain http://
# request, and prints one line each.
function get() {
	echo /usr/bin/python3 /t/sandbox-net.py get "$@"
}

@test "sandbox net: --allow-host: a listed server is reached, an unlisted one refused, both in the report" {
	serve 127.0.0.1:8081 127.0.0.1:8082
	# shellcheck disable=SC2046
	netsandbox --allow-host 127.0.0.1:8081 -- $(get connect=127.0.0.1:8081 connect=127.0.0.1:8082 plain=127.0.0.1:8081)
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "connect 127.0.0.1:8081: 200 hello from 8081: GET /tunnel HTTP/1.1" ]
	[[ "${lines[1]}" == "connect 127.0.0.1:8082: 403 husk sandbox: 127.0.0.1:8082 refused: not in --allow-host" ]]
	[ "${lines[2]}" = "plain 127.0.0.1:8081: 200 hello from 8081: GET /plain HTTP/1.1" ]
	jq -e '.network.mode == "none" and .network.proxy == "127.0.0.1:3128"
		and .network.allow == ["127.0.0.1:8081"]' "$REPORT"
	jq -e '[.network.connections[] | [.method, .host, .port, .verdict]] ==
		[["CONNECT", "127.0.0.1", 8081, "allowed"], ["CONNECT", "127.0.0.1", 8082, "refused"],
		 ["GET", "127.0.0.1", 8081, "allowed"]]' "$REPORT"
	jq -e '.network.connections[0].address == "127.0.0.1" and .network.connections[0].bytes_received > 0
		and (.network.connections[1].reason | contains("not in --allow-host"))' "$REPORT"
	jq -e '.denials == [{"kind": "net", "what": "127.0.0.1:8082", "count": 1}]' "$REPORT"
}

@test "sandbox net: the job is told where the proxy is, and holds none of husk's descriptors" {
	netsandbox --allow-host example.com -- sh -c 'env | grep -i _proxy='
	[ "$status" -eq 0 ]
	for v in HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy; do
		[[ "$output" == *"$v=http://127.0.0.1:3128"* ]]
	done
	[[ "$output" == *"NO_PROXY=localhost,127.0.0.1,::1"* ]]
	[[ "$output" == *"no_proxy=localhost,127.0.0.1,::1"* ]]
	# Right after execve: stdio only; then what ls itself opens.
	netsandbox --allow-host example.com --ro "$HUSK_BUILD/tests:/h" -- /h/init fds
	[ "$output" = "0 1 2" ]
	netsandbox --allow-host example.com -- ls -l /proc/self/fd
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c -- '->')" -eq 4 ]
	[[ "$output" != *socket:* ]]
}

@test "sandbox net: a name is resolved by husk; one that resolves to loopback is refused unless listed as an address" {
	serve 127.0.0.1:8081
	# shellcheck disable=SC2046
	netsandbox --allow-host localhost:8081 --allow-host '*.localhost:*' -- \
		$(get connect=localhost:8081 connect=LocalHost.:8081 connect=[::ffff:127.0.0.1]:8081 connect=127.1:8081 connect=0x7f000001:8081)
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "connect localhost:8081: 403 "*"localhost resolves only to addresses a sandbox may not reach (loopback 127.0.0.1)"* ]]
	[[ "${lines[1]}" == "connect LocalHost.:8081: 403 "*"resolves only to"* ]]
	[[ "${lines[2]}" == "connect [::ffff:127.0.0.1]:8081: 403 "*"not in --allow-host"* ]]
	[[ "${lines[3]}" == "connect 127.1:8081: 400 "*"dotted-quad"* ]]
	[[ "${lines[4]}" == "connect 0x7f000001:8081: 400 "* ]]
	jq -e '[.denials[] | [.what, .count]] == [["localhost:8081", 2], ["127.0.0.1:8081", 1], ["(malformed request)", 2]]' "$REPORT"
	# Listed as the address, it is reached, in any of its spellings.
	# shellcheck disable=SC2046
	netsandbox --allow-host 127.0.0.1:8081 -- $(get connect=[::ffff:127.0.0.1]:8081 connect=localhost:8081)
	[[ "${lines[0]}" == "connect [::ffff:127.0.0.1]:8081: 200 hello from 8081"* ]]
	[[ "${lines[1]}" == "connect localhost:8081: 403 "*"not in --allow-host"* ]]
}

@test "sandbox net: a plain request goes to its URL's host only, once, with that host as Host" {
	serve 127.0.0.1:8081
	netsandbox --allow-host 127.0.0.1:8081 -- /usr/bin/python3 /t/sandbox-net.py smuggle 127.0.0.1:8081
	[ "$status" -eq 0 ]
	# The server saw one request, with the URL's host, not the job's
	# Host nor the second request pipelined behind the first's body.
	[[ "$output" == *"GET /a HTTP/1.1"* ]]
	[[ "$output" == *"Host: 127.0.0.1:8081"* ]]
	[[ "$output" != *evil* ]]
	[[ "$output" != *"/b HTTP"* ]]
	[ "$(grep -c 'request from' "$NET/server.log")" -eq 1 ]
}

@test "sandbox net: the proxy is bounded: 64 connections at once, 10 s for a head, and never holds up the job's end" {
	local t0 t1
	serve 127.0.0.1:8081
	t0=$(date +%s%N)
	netsandbox --allow-host 127.0.0.1:8081 --time 20s -- /usr/bin/python3 /t/sandbox-net.py flood 127.0.0.1:8081
	t1=$(date +%s%N)
	[ "$status" -eq 0 ]
	# The 65th waits for nothing: 503 at once.  The 64 silent ones are
	# answered 408 and closed after 10 s, not held for ever.
	[[ "$output" == *"extra: 503"* ]]
	[[ "$output" == *"silent: 64 closed with 408 after 9"* ]] || [[ "$output" == *"silent: 64 closed with 408 after 1"[0-2]* ]]
	[[ "$output" == *"after: 200 hello from 8081"* ]]
	jq -e '[.denials[] | select(.what == "(more than 64 connections at once)")][0].count == 1' "$REPORT"
	jq -e '[.denials[] | select(.what == "(no request within 10 s)")][0].count == 64' "$REPORT"
	# A job that leaves its connections open still ends when it does.
	t0=$(date +%s%N)
	netsandbox --allow-host 127.0.0.1:8081 --time 1s -- /usr/bin/python3 /t/sandbox-net.py hold 127.0.0.1:8081
	t1=$(date +%s%N)
	[ "$status" -eq 124 ]
	[ $(((t1 - t0) / 1000000)) -lt 5000 ]
	jq -e '.network.connections[0].verdict == "allowed"' "$REPORT"
}

@test "sandbox net: with --tcp-connect (Landlock), the proxy stays the job's way out, and nothing else is" {
	local abi
	# landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION), as
	# tests/integration/landlock.bash asks it: ABI 4 has TCP ports.
	abi=$(perl -e '$r = syscall(444, 0, 0, 1); print $r > 0 ? $r : 0, "\n"')
	[ "$abi" -ge 4 ] || skip "needs Landlock ABI 4; this kernel has ${abi/#0/none}"
	serve 127.0.0.1:8081
	# shellcheck disable=SC2046
	netsandbox --allow-host 127.0.0.1:8081 --tcp-connect none -- \
		$(get connect=127.0.0.1:8081)
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "connect 127.0.0.1:8081: 200 hello from 8081: GET /tunnel HTTP/1.1" ]
	# A port of the job's own loopback that it did not name: refused by
	# Landlock (EACCES), not merely closed (ECONNREFUSED).
	netsandbox --allow-host 127.0.0.1:8081 --tcp-connect none -- \
		/usr/bin/python3 /t/sandbox-net.py reach 127.0.0.1:8081
	[ "${lines[0]}" = "127.0.0.1:8081: PermissionError" ]
}

@test "sandbox net: --net none reaches nothing, and no proxy is there" {
	serve 127.0.0.1:8081
	netsandbox -- /usr/bin/python3 /t/sandbox-net.py reach 127.0.0.1:8081 127.0.0.1:3128 192.0.2.3:8081
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "127.0.0.1:8081: ConnectionRefusedError" ]
	[ "${lines[1]}" = "127.0.0.1:3128: ConnectionRefusedError" ]
	[[ "${lines[2]}" == "192.0.2.3:8081: OSError"* ]]
	[ "$(echo "$output" | grep -c _PROXY)" -eq 0 ]
	jq -e '.network == {"mode": "none"} and .denials == []' "$REPORT"
}

@test "sandbox net: --net pasta reaches a server of the host's, not the host's loopback, and pasta ends with the job" {
	requires_veth
	serve 192.0.2.3:8083 127.0.0.1:8081
	netsandbox --net pasta -- /usr/bin/python3 /t/sandbox-net.py reach 192.0.2.3:8083 192.0.2.1:8081
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "192.0.2.3:8083: hello from 8083" ]
	[[ "${lines[1]}" != *hello* ]]
	jq -e '.network == {"mode": "pasta"}' "$REPORT"
	[ -z "$(netns_leftovers)" ]
}

@test "sandbox net: rootless: --allow-host and --net pasta" {
	requires userns
	requires_veth
	serve 127.0.0.1:8081 127.0.0.1:8082 192.0.2.3:8083
	# shellcheck disable=SC2046
	rootless --allow-host 127.0.0.1:8081 -- $(get connect=127.0.0.1:8081 connect=127.0.0.1:8082)
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "connect 127.0.0.1:8081: 200 hello from 8081: GET /tunnel HTTP/1.1" ]
	[[ "${lines[1]}" == "connect 127.0.0.1:8082: 403 "*"not in --allow-host"* ]]
	jq -e '[.network.connections[].verdict] == ["allowed", "refused"]' "$REPORT"
	jq -e '.denials == [{"kind": "net", "what": "127.0.0.1:8082", "count": 1}]' "$REPORT"
	rootless --net pasta -- /usr/bin/python3 /t/sandbox-net.py reach 192.0.2.3:8083
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "192.0.2.3:8083: hello from 8083" ]
	[ -z "$(netns_leftovers)" ]
	[ -z "$(ls "$HUSK_TMP/rl/state")" ]
}

@test "sandbox net: a husk killed with SIGKILL takes pasta and the proxy with it" {
	requires_veth
	local pid _
	for net in "--net pasta" "--allow-host example.com"; do
		# shellcheck disable=SC2086
		# nsenter execs husk: the pid killed is husk's own.
		nsenter -t "$NETNS_PID" -n -m "$HUSK" --root "$HUSK_ROOT" sandbox --cgroup-parent "$SANDBOX_CG" \
			$net -- sleep 60 </dev/null >"$HUSK_TMP/out" 2>&1 3>&- &
		pid=$!
		wait_for_job
		[ -n "$(netns_leftovers)" ]
		kill -KILL "$pid"
		wait "$pid" || :
		for _ in $(seq 60); do
			[ -z "$(netns_leftovers)" ] && break
			sleep 0.05
		done
		[ -z "$(netns_leftovers)" ]
		"$HUSK" --root "$HUSK_ROOT" delete --force "$(basename "$(dirname "$(ls "$HUSK_ROOT"/sandbox-*/state.json)")")"
	done
}

# wait_for_job: until a sandbox's state dir says its job runs.
function wait_for_job() {
	local _
	for _ in $(seq 100); do
		compgen -G "$HUSK_ROOT/sandbox-*/state.json" >/dev/null && return 0
		sleep 0.05
	done
	return 1
}

@test "sandbox net: bad input is one clear error, exit 125, and leaves nothing" {
	local args want
	local -
	set -f # `*.` is an argument, not a pattern
	while IFS='|' read -r args want; do
		rm -f "$REPORT"
		# shellcheck disable=SC2086 # the flags split on purpose
		run -125 --separate-stderr in_netns "$HUSK" --root "$HUSK_ROOT" sandbox \
			--cgroup-parent "$SANDBOX_CG" --report "$REPORT" $args -- true
		echo "$args: $stderr" >&2
		[ "$(echo "$stderr" | wc -l)" -eq 1 ]
		[[ "$stderr" == *"$want"* ]]
		[ ! -e "$REPORT" ] || [ "$(jq -r .status "$REPORT")" = setup-error ]
		check_clean
		[ -z "$(netns_leftovers)" ]
	done <<-'EOF'
		--allow-host example.com --net host|--allow-host needs --net none (the default): with --net host
		--net pasta --allow-host example.com|--allow-host needs --net none (the default): with --net pasta
		--allow-host exa_mple.com|--allow-host `exa_mple.com`: not a host name
		--allow-host example.com:0|--allow-host `example.com:0`: the port is not a number from 1 to 65535
		--allow-host example.com:65536|--allow-host `example.com:65536`: the port is not a number from 1 to 65535
		--allow-host *.|--allow-host `*.`: no host
		--allow-host ::1|--allow-host `::1`: an IPv6 address goes in brackets
		--allow-host 127.1|--allow-host `127.1`: a number where a name's last label goes
		--net bridge|--net `bridge`: none, host or pasta
	EOF
	# No pasta where husk looks for it.
	run -125 --separate-stderr in_netns env PATH=/nonexistent "$HUSK" --root "$HUSK_ROOT" sandbox \
		--cgroup-parent "$SANDBOX_CG" --net pasta -- /bin/true
	[ "$stderr" = "husk: sandbox: --net pasta: no \`pasta\` in PATH (Debian's package passt has it)" ] ||
		[[ "$stderr" == *"--net pasta: no \`pasta\` in PATH"* ]]
	check_clean
	[ -z "$(netns_leftovers)" ]
}
