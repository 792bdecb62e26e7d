#!/bin/sh
# tests/mkrootfs.sh DEST INIT: build the rootfs test containers run, from
# Debian's busybox-static and the static helper INIT (built from tests/helpers/init.c),
# installed as DEST/init.  DEST is removed first, so a rebuild starts clean.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 DEST INIT" >&2
	exit 2
fi
dest=$1
init=$2
busybox=${BUSYBOX:-/bin/busybox}

if [ ! -x "$busybox" ]; then
	echo "mkrootfs: $busybox not found: install Debian's busybox-static package" >&2
	echo "          (apt-get install busybox-static)" >&2
	exit 1
fi
# A dynamically linked busybox (Debian's plain busybox package) would need
# libraries the rootfs does not have.
if ! "$busybox" --list >/dev/null 2>&1; then
	echo "mkrootfs: $busybox does not run: install Debian's busybox-static package" >&2
	exit 1
fi
if command -v file >/dev/null 2>&1 && file -L "$busybox" | grep -q 'dynamically linked'; then
	echo "mkrootfs: $busybox is dynamically linked: install Debian's busybox-static package" >&2
	exit 1
fi
if [ ! -f "$init" ]; then
	echo "mkrootfs: helper $init not found (make build/tests/init)" >&2
	exit 1
fi

rm -rf "$dest"
mkdir -p "$dest"
cp "$busybox" "$dest/busybox.new"
cp "$init" "$dest/init"
cd "$dest"

mkdir -p bin sbin usr/bin usr/sbin etc proc sys dev tmp run root home/test var/tmp
chmod 1777 tmp var/tmp
chmod 0700 root

mv busybox.new bin/busybox
chmod 0755 bin/busybox init

# One relative symlink per applet, where `busybox --list-full` puts it
# (/bin/sh, /sbin/init, /usr/bin/env ...); with only --list, all in bin/.
if applets=$(bin/busybox --list-full 2>/dev/null) && [ -n "$applets" ]; then
	:
else
	applets=$(bin/busybox --list | sed 's|^|bin/|')
fi
for path in $applets; do
	case $path in
	bin/busybox | linuxrc | */) continue ;;
	bin/*) target=busybox ;;
	sbin/*) target=../bin/busybox ;;
	usr/bin/* | usr/sbin/*) target=../../bin/busybox ;;
	*) continue ;;
	esac
	if [ ! -e "$path" ] && [ ! -L "$path" ]; then
		ln -s "$target" "$path"
	fi
done

cat >etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
test:x:1000:1000:test user:/home/test:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >etc/group <<'EOF'
root:x:0:
test:x:1000:
extra:x:1001:test
nogroup:x:65534:
EOF
chmod 0644 etc/passwd etc/group
chown 1000:1000 home/test 2>/dev/null || :

echo husk-test >etc/hostname
cat >etc/hosts <<'EOF'
127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
127.0.1.1	husk-test
EOF
: >etc/resolv.conf
