#!/usr/bin/env bats
# Every lane installs what it runs, whatever ran before it: tests/programs
# names each program a lane runs and the Debian package that ships it;
# tests/deps.sh and tests/clients/deps.sh install those packages, and each
# lane's runner refuses to start without them (tests/require-programs.sh).

load helpers

PROGRAMS=$REPO_ROOT/tests/programs

# programs_of LANE|all: "LANE PROGRAM PACKAGE" lines of tests/programs.
function programs_of() {
	awk -v l="$1" '$1 !~ /^#/ && NF >= 3 && (l == "all" || $1 == l) { print $1, $2, $3 }' \
		"$PROGRAMS"
}

# owners PATH: the packages dpkg says own PATH or the file it resolves to
# (through symlinks and alternatives), each /usr-merged path tried both ways.
function owners() {
	local p
	for p in "$1" "$(readlink -f "$1")"; do
		dpkg-query -S "$p" "${p#/usr}" 2>/dev/null
	done | grep ': /' | sed 's/: \/.*//' | tr ',' '\n' | sed 's/:.*//; s/ //g' | sort -u
}

# debian_path PROGRAM: where Debian's packages put it, not whatever else is
# on PATH (a pyenv shim, a docker in /usr/local/bin).
function debian_path() {
	local d
	case $1 in /*)
		[ -e "$1" ] && echo "$1"
		return
		;;
	esac
	for d in /usr/sbin /usr/bin /sbin /bin; do
		[ -e "$d/$1" ] && echo "$d/$1" && return
	done
}

@test "each program in tests/programs is shipped by the Debian package named beside it" {
	local lane prog pkg path bad=0 checked=0
	while read -r lane prog pkg; do
		path=$(debian_path "$prog")
		if [ -z "$path" ]; then
			# The clients and cri lanes install their own when they run.
			[ "$lane" = clients ] || [ "$lane" = cri ] && continue
			echo "$lane: $prog is not installed: make deps should have installed $pkg" >&2
			bad=1
			continue
		fi
		if ! owners "$path" | grep -qx -- "$pkg"; then
			echo "$lane: $prog ($path) is not from $pkg but from: $(owners "$path" | tr '\n' ' ')" >&2
			bad=1
		fi
		checked=$((checked + 1))
	done < <(programs_of all)
	[ "$checked" -gt 30 ]
	[ "$bad" -eq 0 ]
}

@test "tests/deps.sh installs the package of every program a lane but the clients and cri lanes runs" {
	local want have missing
	run sh "$REPO_ROOT/tests/deps.sh" --list
	[ "$status" -eq 0 ]
	have=$output
	want=$(programs_of all | awk '$1 != "clients" && $1 != "cri" { print $3 }' | sort -u)
	missing=$(comm -23 <(echo "$want") <(echo "$have" | sort -u))
	[ -z "$missing" ] || {
		echo "tests/deps.sh does not install: $missing" >&2
		return 1
	}
	# And what husk links.
	for p in libseccomp-dev libcap-dev libyajl-dev libcgroup-dev; do
		grep -qx "$p" <<<"$have"
	done
}

@test "tests/clients/deps.sh installs the package of every program the clients lane runs" {
	local engines pkg bad=0
	engines=$(sed -n 's/^ENGINES="\(.*\)"$/\1/p' "$REPO_ROOT/tests/clients/deps.sh" |
		tr ' ' '\n' | sed 's/^[^:]*://' | tr ',' '\n')
	[ -n "$engines" ]
	while read -r pkg; do
		# Else tests/deps.sh installs it, or Debian never lacks it.
		grep -qx -- "$pkg" <<<"$engines" ||
			sh "$REPO_ROOT/tests/deps.sh" --list | grep -qx -- "$pkg" ||
			[ "$(dpkg-query -W -f '${Essential}' "$pkg" 2>/dev/null)" = yes ] || {
			echo "clients lane: nothing installs $pkg" >&2
			bad=1
		}
	done < <(programs_of clients | awk '{ print $3 }' | sort -u)
	[ "$bad" -eq 0 ]
}

@test "tests/cri/deps.sh installs the package of every program the cri lane runs, and Python's gRPC" {
	local groups pkg bad=0
	groups=$(sed -n 's/.*HUSK_DEPS_ENGINES="\(.*\)".*/\1/p' "$REPO_ROOT/tests/cri/deps.sh" |
		tr ' ' '\n' | sed 's/^[^:]*://' | tr ',' '\n')
	[ -n "$groups" ]
	while read -r pkg; do
		grep -qx -- "$pkg" <<<"$groups" ||
			[ "$(dpkg-query -W -f '${Essential}' "$pkg" 2>/dev/null)" = yes ] || {
			echo "cri lane: tests/cri/deps.sh does not install $pkg" >&2
			bad=1
		}
	done < <(programs_of cri | awk '{ print $3 }' | sort -u)
	# The client's modules, which are no programs.
	grep -qx python3-grpcio <<<"$groups"
	grep -qx python3-protobuf <<<"$groups"
	[ "$bad" -eq 0 ]
}

@test "a missing program fails its lane loudly, naming the package" {
	local list=$BATS_TEST_TMPDIR/programs
	cat >"$list" <<-'EOF'
		# a comment
		one    sh                         dash
		one    husk-no-such-program       husk-no-such-package
		one    husk-no-such-program       husk-no-such-package
		two    /husk/no/such/file         husk-other-package
		three  sh                         dash
	EOF
	HUSK_PROGRAMS=$list run sh "$REPO_ROOT/tests/require-programs.sh" one
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "Bail out! the one lane needs programs that are not installed: husk-no-such-program (Debian package husk-no-such-package); run \`make deps\`"* ]]
	# Named once, though listed twice.
	[ "$(grep -o 'husk-no-such-program (' <<<"${lines[0]}" | wc -l)" -eq 1 ]

	HUSK_PROGRAMS=$list run sh "$REPO_ROOT/tests/require-programs.sh" two one
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == *"husk-no-such-program (Debian package husk-no-such-package)"* ]]
	[[ "${lines[0]}" == *"/husk/no/such/file (Debian package husk-other-package)"* ]]
	[[ "${lines[0]}" == *"apt-get install husk-no-such-package husk-other-package" ]]

	HUSK_PROGRAMS=$list run sh "$REPO_ROOT/tests/require-programs.sh" three
	[ "$status" -eq 0 ]
	[ -z "$output" ]

	# A lane the list does not know is a mistake, not a pass.
	HUSK_PROGRAMS=$list run sh "$REPO_ROOT/tests/require-programs.sh" four
	[ "$status" -eq 1 ]
	[[ "$output" == *"no lane \`four\`"* ]]
}

@test "every lane's runner asserts its programs before it runs anything" {
	local script lanes
	while read -r script lanes; do
		grep -q "require-programs.sh\" $lanes || exit 1" "$REPO_ROOT/$script" ||
			grep -q "require-programs.sh\" $lanes || {" "$REPO_ROOT/$script" || {
			echo "$script does not run require-programs.sh $lanes" >&2
			return 1
		}
		# And the list knows each of those lanes.
		for lane in $lanes; do
			[ -n "$(programs_of "$lane")" ]
		done
	done <<-'EOF'
		tests/run-unit.sh unit
		tests/run-integration.sh integration
		tests/vm/run-lane.sh vm integration
		tests/vm/run-systemd-lane.sh systemd vm integration
		tests/run-fuzz.sh fuzz
		tests/clients/run-lane.sh clients
		tests/cri/run-lane.sh cri
	EOF
	# The lanes here run right now, so their programs are there.
	run sh "$REPO_ROOT/tests/require-programs.sh" unit integration
	[ "$status" -eq 0 ]
}
