#!/usr/bin/env bats
# The man pages: husk prints them from the tables its command line is
# parsed by (husk help --man); the sections written by hand (man/*.roff)
# may name only flags those tables have.

load helpers

setup() {
	HUSK_TMP=$(mktemp -d "${TMPDIR:-/tmp}/husk-man.XXXXXX")
	export HUSK_TMP
}

teardown() {
	rm -rf --one-file-system "${HUSK_TMP:?}"
}

# commands: every command husk has.
function commands() {
	"$HUSK" help --complete | sed -n 's/^command //p'
}

# render PAGE: man -l PAGE as plain text; groff's warnings fail it.
function render() {
	# Not to a terminal, man-db leaves out bold and underlining.
	env -u MAN_KEEP_FORMATTING MANWIDTH=100 man --warnings -l "$1" 2>"$HUSK_TMP/render.err"
	if [ -s "$HUSK_TMP/render.err" ]; then
		echo "man -l $1 warned:" >&2
		cat "$HUSK_TMP/render.err" >&2
		return 1
	fi
}

@test "the Makefile's COMMANDS is every command husk has, so each gets its page" {
	local listed
	listed=$(sed -n '/^COMMANDS :=/,/[^\\]$/p' "$REPO_ROOT/Makefile" |
		sed 's/^COMMANDS :=//; s/\\$//' | tr -s ' \t\n' '\n' | sed '/^$/d' | sort)
	[ "$listed" = "$(commands | sort)" ]
}

@test "every man page renders without a warning, and lists every flag its command takes" {
	local c page flag n=0
	mkdir -p "$HUSK_TMP/man"
	"$HUSK" help --man >"$HUSK_TMP/man/husk.8"
	render "$HUSK_TMP/man/husk.8" >"$HUSK_TMP/husk.txt"
	grep -q '^HUSK(8)' "$HUSK_TMP/husk.txt"
	for c in $(commands); do
		# husk(8) names each command's page.
		grep -qE "husk-$c\\([18]\\)" "$HUSK_TMP/husk.txt"
		"$HUSK" help --man "$c" >"$HUSK_TMP/man/$c.roff"
		render "$HUSK_TMP/man/$c.roff" >"$HUSK_TMP/$c.txt"
		grep -qE "^HUSK-${c^^}\\([18]\\)" "$HUSK_TMP/$c.txt"
		while read -r flag; do
			grep -qE -- "(^| )$flag( |,|$)" "$HUSK_TMP/$c.txt" || {
				echo "husk-$c's page lacks $flag" >&2
				return 1
			}
			n=$((n + 1))
		done < <("$HUSK" help --complete "$c" | awk '$1 == "flag" { print $2 }')
	done
	[ "$n" -gt 100 ]
	# And husk(8) every global flag.
	while read -r flag; do
		grep -qE -- "(^| )$flag( |,|$)" "$HUSK_TMP/husk.txt"
	done < <("$HUSK" help --complete | awk '$1 == "flag" { print $2 }')
}

@test "the hand-written sections of the man pages name only flags their command takes" {
	local roff page c flag flags n=0
	for roff in "$REPO_ROOT"/man/*.roff; do
		page=$(basename "$roff" .roff)
		c=${page#husk-}
		c=${c%.[18]}
		flags=$( ("$HUSK" help --complete "$c" && "$HUSK" help --complete) |
			awk '$1 == "flag" { print $2 }')
		# In roff a flag is \-\-name\-more.
		for flag in $(grep -oE '\\-\\-[a-z0-9]+(\\-[a-z0-9]+)*' "$roff" | sed 's/\\-/-/g' |
			sort -u); do
			grep -qx -- "$flag" <<<"$flags" || {
				echo "$roff names $flag, which husk $c does not take" >&2
				return 1
			}
			n=$((n + 1))
		done
	done
	[ "$n" -gt 10 ]
}
