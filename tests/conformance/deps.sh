#!/bin/sh
# tests/conformance/deps.sh [--runc]: install from Debian what the conformance
# lane needs: Debian's Go (golang-go), the OCI runtime-tools library with the
# Go -dev packages it depends on (golang-github-opencontainers-runtime-tools-dev:
# the config generator, the config validator, the cgroup readers and the spec's
# error codes, all under /usr/share/gocode, so the lane builds offline), and
# tini, the reaper the lane runs under.  --runc adds Debian's runc (1.1.5), for
# comparing counts only (tests/conformance/run-lane.sh --runtime runc); `make
# check` never installs it.
#
# Idempotent: when everything is present it touches nothing; package lists are
# updated once, and only when something is missing.  Exits non-zero, naming
# the packages, when anything is still missing at the end.
set -eu

PACKAGES="golang-go golang-github-opencontainers-runtime-tools-dev tini"
[ "${1:-}" = --runc ] && PACKAGES="$PACKAGES runc"

installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

missing=""
for p in $PACKAGES; do
	installed "$p" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "conformance deps: missing Debian packages:$missing (run as root, or apt-get install$missing)" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "conformance deps: installing Debian packages:$missing" >&2
# shellcheck disable=SC2086
if ! apt-get install -y -qq --no-install-recommends $missing >&2; then
	apt-get update -qq >&2 || echo "conformance deps: apt-get update failed" >&2
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >&2 || :
fi

status=0
for p in $missing; do
	installed "$p" || {
		echo "conformance deps: Debian package $p is not installed" >&2
		status=1
	}
done
exit $status
