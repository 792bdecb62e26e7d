#!/bin/sh
# tests/conformance/build.sh BUILD: build the conformance programs
# (tests/conformance/oci, one Go binary that is both the programs and the
# checker run inside containers) with Debian's Go, offline, against the Go
# sources Debian's -dev packages put under /usr/share/gocode (GOPATH mode:
# no module proxy, no network).  Prints the binary's path.
#
# The binary is kept under BUILD/conformance, named by a hash of the Debian
# packages' versions and of the sources, so a later run with nothing changed
# does not rebuild; Go's build cache (BUILD/conformance/gocache) keeps the
# library packages compiled between source changes.
set -eu

[ $# -eq 1 ] || {
	echo "usage: $0 BUILD" >&2
	exit 2
}
repo=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$1/conformance"
out=$(cd "$1/conformance" && pwd)
src=$repo/tests/conformance/oci
gocode=/usr/share/gocode

fail() {
	echo "conformance build: $*" >&2
	exit 1
}

command -v go >/dev/null 2>&1 || fail "go not found: install Debian's golang-go package (tests/conformance/deps.sh)"
[ -d "$gocode/src/github.com/opencontainers/runtime-tools/generate" ] ||
	fail "no $gocode/src/github.com/opencontainers/runtime-tools: install Debian's golang-github-opencontainers-runtime-tools-dev package (tests/conformance/deps.sh)"

versions=$(dpkg-query -W -f='${Package} ${Version}\n' golang-go golang-github-opencontainers-runtime-tools-dev \
	golang-github-opencontainers-specs-dev golang-golang-x-sys-dev golang-gocapability-dev 2>/dev/null || :)
key=$({
	echo "$versions"
	go version
	cat "$src"/*.go
} | sha256sum | cut -c1-16)
bin=$out/oci-conformance-$key
if [ ! -x "$bin" ]; then
	# GOPATH mode: the package's import path is husk-conformance/oci, a
	# link to the sources; everything it imports comes from /usr/share/gocode.
	mkdir -p "$out/gopath/src/husk-conformance"
	ln -sfn "$src" "$out/gopath/src/husk-conformance/oci"
	echo "conformance build: building $bin" >&2
	# A static binary: it is also the checker that runs in the containers'
	# busybox root filesystems.
	env GO111MODULE=off GOFLAGS= GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=0 \
		GOPATH="$out/gopath:$gocode" GOCACHE="$out/gocache" \
		go build -trimpath -o "$bin.tmp" husk-conformance/oci >&2 ||
		fail "go build failed (the Go -dev packages it needs come with golang-github-opencontainers-runtime-tools-dev)"
	mv "$bin.tmp" "$bin"
	# Older builds are of no further use.
	for old in "$out"/oci-conformance-*; do
		[ "$old" = "$bin" ] || rm -f "$old"
	done
fi
echo "$bin"
