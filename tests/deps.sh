#!/bin/sh
# Install every Debian package husk's build and tests need, once.
# Idempotent: when everything is present it touches nothing (not even apt's lists).
#   tests/deps.sh --list    print the packages, one a line; install nothing
set -eu

# The libraries husk links (their -dev packages) and libFuzzer's runtime;
# then the package of every program a lane runs (tests/programs, which each
# lane checks at its start with tests/require-programs.sh), but the clients
# and cri lanes': tests/clients/deps.sh and tests/cri/deps.sh install those,
# when those lanes run.
LIBRARIES="libc6-dev libseccomp-dev libcap-dev libyajl-dev libcgroup-dev libclang-rt-14-dev"
PACKAGES="$LIBRARIES $(awk '$1 !~ /^#/ && $1 != "clients" && $1 != "cri" && NF >= 3 { print $3 }' \
	"$(dirname "$0")/programs" | sort -u | tr '\n' ' ')"

if [ "${1:-}" = --list ]; then
	# shellcheck disable=SC2086
	printf '%s\n' $PACKAGES
	exit 0
fi

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
