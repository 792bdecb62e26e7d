#!/bin/bash
# tests/unit/dbus/capture.sh BUILD OUTDIR: record D-Bus sessions with the
# system bus and systemd, for tests/unit/test-dbus.c.  Run once, in the
# systemd VM lane, where systemd 252 is PID 1:
#
#   mkdir -p /tmp/cap && tests/vm/run --systemd --share /tmp/cap -- \
#       bash tests/unit/dbus/capture.sh build /tmp/cap
#
# then copy the sessions test-dbus.c reads (OUTDIR/index says which is
# which) to tests/unit/dbus/ under their names there.  Every connection goes
# through relay.py, which keeps both directions byte for byte:
#   busctl (sd-bus, an independent marshaller) sends the calls husk makes,
#   with the same values, so that test-dbus.c can hold husk's bytes to
#   sd-bus's; husk itself makes, updates, finds taken and deletes a scope, so
#   that the replies, errors and JobRemoved signals are systemd's own.
set -eu
[ $# -eq 2 ] || {
	echo "usage: $0 BUILD OUTDIR" >&2
	exit 2
}
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
out=$(cd "$2" && pwd)
sock=/run/husk-dbus-relay.sock
husk=$build/husk

python3 "$here/relay.py" "$sock" /run/dbus/system_bus_socket "$out" &
relay=$!
trap 'kill $relay' EXIT
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$sock
# One relayed connection per step, numbered as relay.py numbers them.
n=0
step() { # NAME COMMAND...: run it, as connection N
	n=$((n + 1))
	echo "$n $1" >>"$out/index"
	shift
	"$@" || :
	[ -e "$out/$n.client" ] || {
		echo "capture: step $n made no connection" >&2
		exit 1
	}
}
sd() { busctl call -- org.freedesktop.systemd1 /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager "$@"; }

# What husk_sd_put_resources makes of test-dbus.c's resources.
step busctl-resources sd SetUnitProperties 'sba(sv)' husk-capture.scope true 11 \
	MemoryMax t 67108864 MemoryLow t 33554432 MemorySwapMax t 0 TasksMax t 32 \
	CPUWeight t 59 CPUQuotaPeriodUSec t 100000 CPUQuotaPerSecUSec t 500000 \
	AllowedCPUs ay 1 1 AllowedMemoryNodes ay 1 1 IOWeight t 4950 MemoryHigh t 52428800
# What husk_sd_put_annotations makes of test-dbus.c's annotations.
step busctl-annotations sd SetUnitProperties 'sba(sv)' husk-capture.scope true 6 \
	TimeoutStopUSec t 7000000 CollectMode s inactive-or-failed \
	Wants as 2 a.service b.service SendSIGHUP b true Nice i -5 CPUWeight u 7
step busctl-version busctl get-property org.freedesktop.systemd1 /org/freedesktop/systemd1 \
	org.freedesktop.systemd1.Manager Version
step busctl-no-such-unit sd StopUnit ss husk-no-such.scope replace

bundle=$(mktemp -d)
mkdir "$bundle/rootfs"
cp -a "$build/rootfs/." "$bundle/rootfs/"
jq '.process.args = ["/init", "sleep", "inf"] | .process.terminal = false
	| .linux.cgroupsPath = "system.slice:husk-capture:c1"
	| .linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 32}}' \
	"$here/../../integration/config.json" >"$bundle/config.json"
cd "$bundle"
h() { "$husk" --root "$bundle/state" "$@" </dev/null; }
step husk-run h --systemd-cgroup run --detach c1
step husk-run-taken h --systemd-cgroup run --detach c2
step husk-update h update --memory 134217728 c1
step husk-delete h delete --force c1
