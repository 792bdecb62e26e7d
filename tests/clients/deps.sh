#!/bin/sh
# tests/clients/deps.sh: install from Debian the engines the clients lane
# drives husk through: podman 4.3 with conmon, containerd 1.6 with ctr, and
# docker 20.10 (docker.io), plus tini, the reaper the lane runs under.
# Idempotent: when everything is present it touches nothing.  When the whole
# set cannot be installed, each engine is tried alone, so one that cannot be
# had does not take the others with it, and what is missing is named.  Exits
# non-zero when anything is missing at the end; the lane then fails at its
# start, naming each program and its package (tests/require-programs.sh
# clients, from tests/programs, whose clients packages must all be in
# ENGINES: tests/integration/lanes.bats checks).
#
# No service is started: packages install daemons that would otherwise start
# system-wide (docker.service, containerd.service) and take /run/docker.sock.
# Unless the host already has a policy, a policy-rc.d that refuses every start
# is in place for the install and removed afterwards.
set -u

ENGINES="podman:podman,conmon containerd:containerd docker:docker.io tini:tini"
# Another lane's deps.sh installs its own groups through this script
# (tests/cri/deps.sh): HUSK_DEPS_ENGINES replaces the list, HUSK_DEPS_WHAT
# the name its messages start with.
ENGINES=${HUSK_DEPS_ENGINES:-$ENGINES}
WHAT=${HUSK_DEPS_WHAT:-clients deps}

installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

missing=""
for e in $ENGINES; do
	for p in $(echo "${e#*:}" | tr , ' '); do
		installed "$p" || missing="$missing $p"
	done
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "$WHAT: missing Debian packages:$missing (run as root, or apt-get install$missing)" >&2
	exit 1
fi

policy=/usr/sbin/policy-rc.d
made_policy=
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# husk tests/clients/deps.sh: no service starts during its install\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	made_policy=1
fi
cleanup() { [ -n "$made_policy" ] && rm -f "$policy"; }
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

export DEBIAN_FRONTEND=noninteractive
echo "$WHAT: installing Debian packages:$missing" >&2
apt-get update -qq >&2 || echo "$WHAT: apt-get update failed" >&2
# shellcheck disable=SC2086
if ! apt-get install -y -qq --no-install-recommends $missing >&2; then
	for e in $ENGINES; do
		pkgs=$(echo "${e#*:}" | tr , ' ')
		# shellcheck disable=SC2086
		apt-get install -y -qq --no-install-recommends $pkgs >&2 ||
			echo "$WHAT: cannot install ${e%%:*} ($pkgs)" >&2
	done
fi

status=0
for e in $ENGINES; do
	for p in $(echo "${e#*:}" | tr , ' '); do
		installed "$p" || {
			echo "$WHAT: $p is not installed" >&2
			status=1
		}
	done
done
exit $status
