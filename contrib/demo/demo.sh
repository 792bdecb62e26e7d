#!/bin/sh
# contrib/demo/demo.sh BUILD: `make demo`.  Builds a bundle under BUILD/demo
# from Debian's busybox-static (the rootfs) and `husk spec` (the config, made
# non-interactive), then runs one container that shows what it is isolated
# from.  State goes to BUILD/demo/state, so nothing under /run is touched.
set -eu
BUILD=$(cd "${1:-build}" && pwd)
husk=$BUILD/husk
demo=$BUILD/demo
repo=$(cd "$(dirname "$0")/../.." && pwd)

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: run as root (a rootless demo needs a user namespace bundle: husk spec --rootless)" >&2
	exit 1
fi
rm -rf "$demo"
mkdir -p "$demo"
sh "$repo/tests/mkrootfs.sh" "$demo/rootfs" "$BUILD/tests/init"
"$husk" spec --bundle "$demo"

# What the container runs: a busybox shell script looking around.
cat >"$demo/rootfs/demo.sh" <<'SCRIPT'
echo "== inside a husk container =="
echo "hostname:       $(hostname)"
echo "my pid:         $$ (pid 1 of a pid namespace of its own)"
echo "processes seen: (only its own)"
ps -o pid,user,comm | sed 's/^/    /'
echo "user:           $(id)"
echo "network:        $(ls /sys/class/net | tr '\n' ' ')(loopback only: a network namespace of its own)"
echo "capabilities:   $(grep CapEff /proc/self/status | tr -d '\t')"
echo "root directory: $(ls / | tr '\n' ' ')"
echo "masked:         /proc/keys is char $(stat -c '%t:%T' /proc/keys) (/dev/null), /sys/firmware is $(ls -A /sys/firmware | wc -l) entries"
echo "mounts:"
sed 's/^/    /' /proc/self/mounts
SCRIPT

# The default config asks for a terminal; the demo runs without one (so
# `make demo` works from any caller) and shows the script's output.
jq '.process.terminal = false
    | .process.args = ["/bin/sh", "/demo.sh"]
    | .hostname = "husk-demo"' "$demo/config.json" >"$demo/config.json.new"
mv "$demo/config.json.new" "$demo/config.json"

echo "demo: $husk --root $demo/state run --bundle $demo husk-demo"
echo "demo: host hostname is $(hostname), host pid of this shell is $$"
"$husk" --root "$demo/state" run --bundle "$demo" husk-demo
echo "demo: the container exited with status $?; its state is gone:"
"$husk" --root "$demo/state" list
