#!/bin/sh
# tests/cri/deps.sh: install from Debian what the cri lane runs: containerd
# 1.6 (its CRI plugin and runc shim), tini (the lane's reaper), gRPC and
# protobuf for Python (the lane's CRI client) and protoc (which compiles the
# client's message definitions), through tests/clients/deps.sh's installer:
# idempotent, no service started, each group tried alone when the whole set
# cannot be installed, non-zero when anything is missing.  Every package of
# the cri lane in tests/programs must be in this list
# (tests/integration/lanes.bats checks).
HUSK_DEPS_WHAT="cri deps" \
	HUSK_DEPS_ENGINES="containerd:containerd tini:tini grpc:python3-minimal,python3-grpcio,python3-protobuf protoc:protobuf-compiler ip:iproute2 jq:jq bats:bats" \
	exec sh "$(dirname "$0")/../clients/deps.sh"
