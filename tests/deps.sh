#!/bin/sh
# Install every Debian package husk's build and tests need, once.
# Idempotent: when everything is present it touches nothing (not even apt's lists).
set -eu

# build: compiler, pkg-config and the four libraries husk links
# tests: busybox-static (the test rootfs), bats and jq (integration tests),
#        util-linux (unshare), clang (libFuzzer), clang-format (fmt-check)
#        criu (checkpoint/restore: tests/cgroups/checkpoint.bats; husk runs it,
#        it is not linked), uidmap (newuidmap/newgidmap, which rootless husk
#        runs to map more ids than the caller's own: tests/integration/rootless.bats)
# vm lane (tests/vm/): qemu-system-x86 (the VM), cpio (its initramfs),
#        xz-utils (the kernel .deb's payload); busybox-static, above, is its
#        initramfs userland
PACKAGES="gcc make pkg-config libc6-dev libseccomp-dev libcap-dev libyajl-dev libcgroup-dev
busybox-static bats jq util-linux clang libclang-rt-14-dev clang-format criu uidmap
qemu-system-x86 cpio xz-utils"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "husk: missing Debian packages:$missing" >&2
	echo "husk: run \`make deps\` as root, or: apt-get install$missing" >&2
	exit 1
fi
echo "husk: installing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have stale or empty lists: update once, then install.
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
