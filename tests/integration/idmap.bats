#!/usr/bin/env bats
# Idmapped mounts: mounts[].uidMappings/gidMappings and the idmap and ridmap
# options.  The mapping is runc's and crun's: an id stored on the filesystem
# as containerID + n is seen through the mount as host id hostID + n, and a
# file made through the mount by host id hostID + n is stored as
# containerID + n.  Every owner is read inside the container with busybox
# stat and, for what the container made, on the host.

load helpers

setup() {
	requires root busybox
	setup_bundle
	OVERFLOW=$(cat /proc/sys/kernel/overflowuid):$(cat /proc/sys/kernel/overflowgid)
}

teardown() {
	teardown_bundle
}

sh_args() {
	local json
	json=$(jq -n --arg a "$1" '["/bin/busybox", "sh", "-c", $a]')
	update_config ".process.args = $json"
}

add_mount() {
	update_config ".mounts += [$1]"
}

# maps CONTAINER_ID HOST_ID SIZE: uidMappings and gidMappings, both the same.
maps() {
	local m='[{"containerID": '"$1"', "hostID": '"$2"', "size": '"$3"'}]'
	echo '"uidMappings": '"$m"', "gidMappings": '"$m"
}

# A copy of the rootfs owned by the container's root (host uid 100000), and a
# tmp dir the container's root can search, as in isolation.bats.
userns_config() {
	chmod 0711 "$HUSK_TMP"
	chown -R 100000:100000 "$BUNDLE/rootfs"
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

# No state, no mount of the bundle, and no process of this test's husk
# (a container init or the helper that held an idmapping) left.
assert_nothing_left() {
	[ ! -d "$HUSK_ROOT" ] || [ -z "$(ls -A "$HUSK_ROOT")" ]
	! grep -q "$BUNDLE" /proc/self/mountinfo || false
	! pgrep -f -- "--root $HUSK_ROOT" || false
}

@test "idmap: uidMappings show the host's owner as another id, and store the mapped one" {
	mkdir "$HUSK_TMP/src"
	touch "$HUSK_TMP/src/by-1000" "$HUSK_TMP/src/by-0"
	chown 1000:1000 "$HUSK_TMP/src" "$HUSK_TMP/src/by-1000"
	# Stored 1000 is seen as host id 0.
	add_mount '{"destination": "/data", "type": "bind", "source": "'"$HUSK_TMP/src"'", "options": ["bind", "idmap"], '"$(maps 1000 0 1)"'}'
	sh_args 'stat -c "by-1000=%u:%g" /data/by-1000; stat -c "by-0=%u:%g" /data/by-0; touch /data/made-inside && stat -c "made=%u:%g" /data/made-inside; grep " /data " /proc/self/mountinfo'
	husk run idmap_basic
	[ "$status" -eq 0 ]
	[[ "$output" == *"by-1000=0:0"* ]]
	# Outside the mapping: the kernel's overflow ids.
	[[ "$output" == *"by-0=$OVERFLOW"* ]]
	[[ "$output" == *"made=0:0"* ]]
	[[ "$output" == *"idmapped"* ]]
	# The host sees the stored owners, untouched by the mount.
	[ "$(stat -c %u:%g "$HUSK_TMP/src/by-1000")" = 1000:1000 ]
	[ "$(stat -c %u:%g "$HUSK_TMP/src/by-0")" = 0:0 ]
	[ "$(stat -c %u:%g "$HUSK_TMP/src/made-inside")" = 1000:1000 ]
	assert_nothing_left
}

@test "idmap: mappings on a bind without the idmap option apply too (runc)" {
	mkdir "$HUSK_TMP/src"
	touch "$HUSK_TMP/src/by-0"
	add_mount '{"destination": "/data", "type": "bind", "source": "'"$HUSK_TMP/src"'", "options": ["rbind"], '"$(maps 0 2000 10)"'}'
	# A plain bind of the same source beside it.
	add_mount '{"destination": "/plain", "type": "bind", "source": "'"$HUSK_TMP/src"'", "options": ["rbind"]}'
	sh_args 'stat -c "mapped=%u:%g" /data/by-0; stat -c "plain=%u:%g" /plain/by-0'
	husk run idmap_noopt
	[ "$status" -eq 0 ]
	[[ "$output" == *"mapped=2000:2000"* ]]
	[[ "$output" == *"plain=0:0"* ]]
	assert_nothing_left
}

@test "idmap: ridmap maps the submounts of an rbind, idmap only its top" {
	mkdir -p "$HUSK_TMP/src/sub" "$HUSK_TMP/other"
	touch "$HUSK_TMP/src/top" "$HUSK_TMP/other/below"
	chown 1000:1000 "$HUSK_TMP/src/top" "$HUSK_TMP/other/below"
	# A submount inside the source (this file runs in a private mount
	# namespace; teardown_bundle undoes it).
	mount --bind "$HUSK_TMP/other" "$HUSK_TMP/src/sub"
	add_mount '{"destination": "/one", "type": "bind", "source": "'"$HUSK_TMP/src"'", "options": ["rbind", "idmap"], '"$(maps 1000 0 1)"'}'
	add_mount '{"destination": "/all", "type": "bind", "source": "'"$HUSK_TMP/src"'", "options": ["rbind", "ridmap"], '"$(maps 1000 0 1)"'}'
	sh_args 'for f in /one/top /one/sub/below /all/top /all/sub/below; do stat -c "$f=%u:%g" $f; done'
	husk run idmap_rec
	[ "$status" -eq 0 ]
	[[ "$output" == *"/one/top=0:0"* ]]
	[[ "$output" == *"/one/sub/below=1000:1000"* ]]
	[[ "$output" == *"/all/top=0:0"* ]]
	[[ "$output" == *"/all/sub/below=0:0"* ]]
	umount "$HUSK_TMP/src/sub"
	assert_nothing_left
}

@test "idmap: in a user namespace, idmap without mappings takes the container's (runc)" {
	requires userns
	userns_config
	mkdir "$HUSK_TMP/src"
	touch "$HUSK_TMP/src/by-0"
	add_mount '{"destination": "/data", "type": "bind", "source": "'"$HUSK_TMP/src"'", "options": ["bind", "idmap"]}'
	add_mount '{"destination": "/plain", "type": "bind", "source": "'"$HUSK_TMP/src"'", "options": ["bind"]}'
	sh_args 'stat -c "mapped=%u:%g" /data/by-0; stat -c "plain=%u:%g" /plain/by-0; touch /data/made-inside && stat -c "made=%u:%g" /data/made-inside'
	husk run idmap_userns
	[ "$status" -eq 0 ]
	# The host's root owns it, and so does the container's.
	[[ "$output" == *"mapped=0:0"* ]]
	[[ "$output" == *"plain=$OVERFLOW"* ]]
	[[ "$output" == *"made=0:0"* ]]
	[ "$(stat -c %u:%g "$HUSK_TMP/src/made-inside")" = 0:0 ]
	assert_nothing_left
}

@test "idmap: explicit mappings in a user namespace (runc's 0 -> 100000)" {
	requires userns
	userns_config
	mkdir "$HUSK_TMP/src"
	touch "$HUSK_TMP/src/by-0" "$HUSK_TMP/src/by-5"
	chown 5:5 "$HUSK_TMP/src/by-5"
	add_mount '{"destination": "/data", "type": "bind", "source": "'"$HUSK_TMP/src"'", "options": ["rbind", "idmap"], '"$(maps 0 101000 100)"'}'
	sh_args 'stat -c "by-0=%u:%g" /data/by-0; stat -c "by-5=%u:%g" /data/by-5'
	husk run idmap_userns2
	[ "$status" -eq 0 ]
	# Stored 0 is host 101000, the container's 1000.
	[[ "$output" == *"by-0=1000:1000"* ]]
	[[ "$output" == *"by-5=1005:1005"* ]]
	assert_nothing_left
}

@test "idmap: idmap without mappings and without a user namespace is refused" {
	mkdir "$HUSK_TMP/src"
	add_mount '{"destination": "/data", "type": "bind", "source": "'"$HUSK_TMP/src"'", "options": ["bind", "idmap"]}'
	husk run idmap_nomaps
	[ "$status" -ne 0 ]
	[[ "$output" == *"mount \`$HUSK_TMP/src\` onto \`/data\`"*"option \`idmap\` needs uidMappings and gidMappings"* ]]
	assert_nothing_left
}

@test "idmap: an idmapped tmpfs is refused: idmapped mounts are for bind mounts" {
	add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["idmap"], '"$(maps 0 1000 1)"'}'
	husk run idmap_tmpfs
	[ "$status" -ne 0 ]
	[[ "$output" == *"onto \`/scratch\`: idmapped mounts are for bind mounts only"* ]]
	assert_nothing_left
}

@test "idmap: a filesystem without idmapped mounts is refused and nothing is left" {
	mkdir "$HUSK_TMP/proc"
	# procfs cannot be idmapped.
	mount -t proc proc "$HUSK_TMP/proc"
	add_mount '{"destination": "/data", "type": "bind", "source": "'"$HUSK_TMP/proc"'", "options": ["bind", "idmap"], '"$(maps 0 1000 1)"'}'
	husk run idmap_nofs
	[ "$status" -ne 0 ]
	[[ "$output" == *"mount \`$HUSK_TMP/proc\` onto \`/data\`: idmapped mounts are not supported by this filesystem"* ]]
	umount "$HUSK_TMP/proc"
	assert_nothing_left
}

@test "idmap: a mapping the kernel refuses is reported and nothing is left" {
	mkdir "$HUSK_TMP/src"
	# Two ranges that overlap on the filesystem's side.
	add_mount '{"destination": "/data", "type": "bind", "source": "'"$HUSK_TMP/src"'", "options": ["bind", "idmap"],
		"uidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}, {"containerID": 5, "hostID": 2000, "size": 10}],
		"gidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}]}'
	husk run idmap_overlap
	[ "$status" -ne 0 ]
	[[ "$output" == *"mount \`$HUSK_TMP/src\` onto \`/data\`: uidMappings: write \`/proc/"*"/uid_map\`: invalid argument"* ]]
	assert_nothing_left
}

@test "idmap: a mapping of size 0 is refused when the config is read" {
	mkdir "$HUSK_TMP/src"
	add_mount '{"destination": "/data", "type": "bind", "source": "'"$HUSK_TMP/src"'", "options": ["bind", "idmap"], '"$(maps 0 1000 0)"'}'
	husk run idmap_size0
	[ "$status" -ne 0 ]
	[[ "$output" == *"mounts[1].uidMappings[0].size: must be positive"* || "$output" == *"uidMappings[0].size: must be positive"* ]]
	assert_nothing_left
}
