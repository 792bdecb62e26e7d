#!/usr/bin/env bats
# make install and make uninstall into a DESTDIR, and the man pages they
# install: made by husk from its own tables, so they say what it parses.

load helpers

setup() {
	HUSK_TMP=$(mktemp -d "${TMPDIR:-/tmp}/husk-install.XXXXXX")
	DEST=$HUSK_TMP/dest
	export HUSK_TMP DEST
}

teardown() {
	rm -rf --one-file-system "${HUSK_TMP:?}"
}

# husk_make TARGET VAR=VALUE...: make in the repository, as a user would,
# with the test's build directory (relative to the repository when it is
# under it, as make check's own is), outside the make that runs the tests.
function husk_make() {
	local build=$HUSK_BUILD
	[[ $build == "$REPO_ROOT"/* ]] && build=${build#"$REPO_ROOT"/}
	run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -C "$REPO_ROOT" --no-print-directory BUILD="$build" "$@"
	echo "make $* (status=$status):" >&2
	echo "$output" | tail -n 20 >&2
}

# commands: every command husk has.
function commands() {
	"$HUSK" help --complete | sed -n 's/^command //p'
}

# pages: the man pages, as they should be installed (man8/husk.8 ...).
function pages() {
	local c
	echo man8/husk.8
	for c in $(commands); do
		if [ "$c" = sandbox ]; then
			echo man1/husk-sandbox.1
		else
			echo "man8/husk-$c.8"
		fi
	done
}

# render PAGE: man -l PAGE as plain text, with groff's warnings on stderr.
function render() {
	# Not to a terminal, man-db leaves out bold and underlining.
	env -u MAN_KEEP_FORMATTING MANWIDTH=100 man --warnings -l "$1" 2>"$HUSK_TMP/render.err"
	if [ -s "$HUSK_TMP/render.err" ]; then
		echo "man -l $1 warned:" >&2
		cat "$HUSK_TMP/render.err" >&2
		return 1
	fi
}

@test "make install DESTDIR=D PREFIX=/usr: the static husk, its man pages, the completion, the configs" {
	local want have f
	husk_make install DESTDIR="$DEST" PREFIX=/usr
	[ "$status" -eq 0 ]

	# Exactly these files, nothing else.
	want=$({
		echo usr/bin/husk
		pages | sed 's|^|usr/share/man/|'
		echo usr/share/bash-completion/completions/husk
		(cd "$REPO_ROOT/contrib" && find engines seccomp -type f) | sed 's|^|usr/share/husk/|'
	} | sort)
	have=$(cd "$DEST" && find . -type f | sed 's|^\./||' | sort)
	[ "$have" = "$want" ] || {
		diff <(echo "$want") <(echo "$have") >&2
		return 1
	}

	# The binary: executable, static, and it runs.
	[ "$(stat -c %a "$DEST/usr/bin/husk")" = 755 ]
	run "$DEST/usr/bin/husk" --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "husk version "* ]]
	[[ "$output" == *$'\nstatic: yes'* ]]
	run ldd "$DEST/usr/bin/husk"
	[ "$status" -ne 0 ]

	# The configs as they are in contrib/.
	diff -r "$REPO_ROOT/contrib/engines" "$DEST/usr/share/husk/engines"
	diff "$REPO_ROOT/contrib/seccomp/sandbox.json" "$DEST/usr/share/husk/seccomp/sandbox.json"
	diff "$REPO_ROOT/contrib/completion/husk.bash" \
		"$DEST/usr/share/bash-completion/completions/husk"

	# man finds the page by name, and renders it.
	run env MANPATH="$DEST/usr/share/man" MANWIDTH=100 man husk-sandbox
	[ "$status" -eq 0 ]
	[[ "$output" == *"HUSK-SANDBOX(1)"* ]]
	render "$DEST/usr/share/man/man1/husk-sandbox.1" >"$HUSK_TMP/sandbox.txt"
	for f in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES "IN A SCRIPT" \
		"THE REPORT" "SEE ALSO"; do
		grep -qx "$f" "$HUSK_TMP/sandbox.txt"
	done
	grep -q -- '--memory SIZE' "$HUSK_TMP/sandbox.txt"
	grep -q 'measured_by' "$HUSK_TMP/sandbox.txt"

	husk_make uninstall DESTDIR="$DEST" PREFIX=/usr
	[ "$status" -eq 0 ]
	[ -z "$(find "$DEST" -type f)" ]
	[ -z "$(find "$DEST" -name '*husk*')" ]
}

@test "make install honours BINDIR and MANDIR, and make uninstall with them takes all back" {
	husk_make install DESTDIR="$DEST" PREFIX=/opt/h BINDIR=/opt/sbin MANDIR=/opt/man
	[ "$status" -eq 0 ]
	[ -x "$DEST/opt/sbin/husk" ]
	[ ! -e "$DEST/opt/h/bin/husk" ]
	[ -f "$DEST/opt/man/man1/husk-sandbox.1" ]
	[ -f "$DEST/opt/man/man8/husk-run.8" ]
	[ -f "$DEST/opt/h/share/bash-completion/completions/husk" ]
	[ -f "$DEST/opt/h/share/husk/seccomp/sandbox.json" ]
	husk_make uninstall DESTDIR="$DEST" PREFIX=/opt/h BINDIR=/opt/sbin MANDIR=/opt/man
	[ "$status" -eq 0 ]
	[ -z "$(find "$DEST" -type f)" ]
	[ -z "$(find "$DEST" -name '*husk*')" ]
}
