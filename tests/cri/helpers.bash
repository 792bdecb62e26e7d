#!/bin/bash
# tests/cri/helpers.bash: what every tests/cri/*.bats file loads.
#
# tests/cri/run-lane.sh runs the files in a private pid, mount and network
# namespace and exports:
#   HUSK_BUILD           the build directory (husk, rootfs/)
#   HUSK_CRI_DIR         a private temporary directory for containerd, the
#                        registry, the CNI plugin and the pods' logs
#   HUSK_CRI_TAG         unique to this run; pods' cgroups go under
#                        /husk-cri-TAG
#   HUSK_CRI_ROOTFS_TAR  the test rootfs (tests/mkrootfs.sh) as a tar: the
#                        one layer of every image the registry serves
#   CRI_PB_DIR           cri.proto compiled for cri.py
#   HUSK_CRI_DEPS_LOG    what tests/cri/deps.sh said
#
# The daemon helpers (start_daemon, stop_daemon, processes_named,
# cgroup_dirs, mounts_under ...) are the clients lane's.

CRI_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../clients/helpers.bash
source "$CRI_ROOT/../clients/helpers.bash"

REGISTRY=127.0.0.1:5000
IMAGE=$REGISTRY/husk/test:1
PAUSE_IMAGE=$REGISTRY/husk/pause:1
# The address the CNI plugin gives every pod's eth0 (RFC 5737's
# documentation range: nothing is ever sent to it).
POD_ADDRESS=192.0.2.23/24

# The state root containerd's runc shim gives husk: the shipped config's
# Root, plus containerd's namespace for Kubernetes.
HUSK_CRI_ROOT=/run/containerd/husk/k8s.io

# cri_missing: why the lane cannot run here, or nothing.
function cri_missing() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "the cri lane needs root"
	elif [ -z "${HUSK_CRI_DIR:-}" ]; then
		echo "run through tests/cri/run-lane.sh (make cri-check)"
	fi
}

# cri METHOD [REQUEST-JSON]: one CRI call through bats' run; the response
# (JSON) is $output.
function cri() {
	run /usr/bin/python3 "$CRI_ROOT/cri.py" "$CDIR/containerd.sock" "$@"
	echo "cri $1 (status=$status): $output" | cut -c 1-2000 >&2
}

# cri_ok METHOD [REQUEST-JSON]: cri, and fail unless the call succeeded.
function cri_ok() {
	cri "$@"
	[ "$status" -eq 0 ]
}

# pod_config NAME NETWORK(NODE|POD) [jq filter]: a PodSandboxConfig as the
# kubelet makes one: its own cgroup parent under the lane's, its log
# directory, the pod's pid namespace shared by its containers; no hostname
# with the node's network (the kubelet sends none: the pod has the node's
# UTS namespace).
function pod_config() {
	local name=$1 net=$2 filter=${3:-.}
	mkdir -p "$CDIR/logs/$name"
	jq -cn --arg name "$name" --arg net "$net" --arg logs "$CDIR/logs/$name" \
		--arg parent "$(pod_cgroup "$name")" '{
		metadata: {name: $name, uid: ("uid-" + $name), namespace: "husk-cri"},
		log_directory: $logs,
		linux: {
			cgroup_parent: $parent,
			security_context: {namespace_options: {network: $net, pid: "POD", ipc: "POD"}}
		}
	} | if $net == "NODE" then . else .hostname = $name end' | jq -c "$filter"
}

# pod_cgroup NAME: the pod's cgroup parent.
function pod_cgroup() {
	echo "/husk-cri-$HUSK_CRI_TAG/$1"
}

# run_pod NAME NETWORK [jq filter]: RunPodSandbox with the husk handler;
# keeps the pod's config and id in $CDIR/pods/NAME.{json,id} and prints the
# id.
function run_pod() {
	local config
	config=$(pod_config "$@")
	cri_ok RunPodSandbox "$(jq -cn --argjson c "$config" '{config: $c, runtime_handler: "husk"}')" || return 1
	mkdir -p "$CDIR/pods"
	echo "$config" >"$CDIR/pods/$1.json"
	jq -r .pod_sandbox_id <<<"$output" | tee "$CDIR/pods/$1.id"
}

# pod_id NAME: the id run_pod kept.
function pod_id() {
	cat "$CDIR/pods/$1.id"
}

# create_container POD-NAME NAME [jq filter] -- COMMAND...: create (not
# start) a container of the test image in the pod, sharing the pod's pid
# and ipc namespaces; prints its id.
function create_container() {
	local pod=$1 name=$2 filter=. config req
	shift 2
	if [ "$1" != -- ]; then
		filter=$1
		shift
	fi
	shift
	config=$(jq -cn --arg name "$name" --arg image "$IMAGE" --argjson cmd "$(json_array "$@")" '{
		metadata: {name: $name},
		image: {image: $image},
		command: $cmd,
		log_path: ($name + ".log"),
		linux: {security_context: {namespace_options: {pid: "POD", ipc: "POD"}}}
	}' | jq -c "$filter")
	req=$(jq -cn --arg pod "$(pod_id "$pod")" --argjson c "$config" \
		--slurpfile s "$CDIR/pods/$pod.json" '{pod_sandbox_id: $pod, config: $c, sandbox_config: $s[0]}')
	cri_ok CreateContainer "$req" || return 1
	jq -r .container_id <<<"$output"
}

# start_container ID
function start_container() {
	cri_ok StartContainer "{\"container_id\": \"$1\"}"
}

# container_state ID: CONTAINER_RUNNING, CONTAINER_EXITED ...
function container_state() {
	/usr/bin/python3 "$CRI_ROOT/cri.py" "$CDIR/containerd.sock" ContainerStatus \
		"{\"container_id\": \"$1\"}" | jq -r .status.state
}

# wait_exited ID: until the container has exited (30 s at most).
function wait_exited() {
	local i
	for ((i = 0; i < 300; i++)); do
		[ "$(container_state "$1")" = CONTAINER_EXITED ] && return 0
		sleep 0.1
	done
	echo "container $1 did not exit in 30 s" >&2
	return 1
}

# container_pid ID / pod_pid ID: the host pid (in the lane's pid namespace)
# of a container's init or a pod's pause process, from the verbose status.
function container_pid() {
	/usr/bin/python3 "$CRI_ROOT/cri.py" "$CDIR/containerd.sock" ContainerStatus \
		"{\"container_id\": \"$1\", \"verbose\": true}" | jq -r '.info.info | fromjson | .pid'
}
function pod_pid() {
	/usr/bin/python3 "$CRI_ROOT/cri.py" "$CDIR/containerd.sock" PodSandboxStatus \
		"{\"pod_sandbox_id\": \"$1\", \"verbose\": true}" | jq -r '.info.info | fromjson | .pid'
}

# exec_sync ID COMMAND...: ExecSync; $output is the response.
function exec_sync() {
	local id=$1
	shift
	cri ExecSync "$(jq -cn --arg id "$id" --argjson cmd "$(json_array "$@")" \
		'{container_id: $id, cmd: $cmd, timeout: 30}')"
}

# json_array WORD...: the words as a JSON array of strings (jq's --args
# would take a word like -c as its own flag).
function json_array() {
	/usr/bin/python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@"
}

# ns_of PID TYPE: the namespace's identity (net:[4026...]).
function ns_of() {
	readlink "/proc/$1/ns/$2"
}

# remove_container ID / remove_pod ID: as the kubelet tears down: stop
# (with a grace period of SECONDS, default 2), then remove.
function remove_container() {
	cri_ok StopContainer "{\"container_id\": \"$1\", \"timeout\": ${2:-2}}" &&
		cri_ok RemoveContainer "{\"container_id\": \"$1\"}"
}
function remove_pod() {
	cri_ok StopPodSandbox "{\"pod_sandbox_id\": \"$1\"}" &&
		cri_ok RemovePodSandbox "{\"pod_sandbox_id\": \"$1\"}"
}
