#!/usr/bin/env bats
# contrib/completion/husk.bash: bash completes husk's commands, their flags,
# flag values and the ids of real containers, under the --root on the line.

load helpers

setup() {
	setup_bundle
	# shellcheck source=../../contrib/completion/husk.bash
	source "$REPO_ROOT/contrib/completion/husk.bash"
}

teardown() {
	teardown_bundle
}

# complete WORD...: complete the last WORD (the cursor's) of the line
# `$HUSK WORD...` as bash would, into $COMPREPLY; $completed is it sorted,
# on one line.
function complete_line() {
	COMP_WORDS=("$HUSK" "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_husk
	completed=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//')
	echo "completing ${COMP_WORDS[*]}: [$completed]" >&2
}

@test "completion: the script is registered for husk" {
	run complete -p husk
	[ "$status" -eq 0 ]
	[ "$output" = "complete -F _husk husk" ]
}

@test "completion: a container's id, from husk list -q under the --root on the line" {
	requires root
	update_config '.process.args = ["/init", "sleep", "inf"]'
	husk_detached run --detach completion_ct
	[ "$status" -eq 0 ]

	complete_line --root "$HUSK_ROOT" kill comp
	[ "$completed" = completion_ct ]
	complete_line --root "$HUSK_ROOT" exec ""
	[ "$completed" = completion_ct ]
	# Flags before the id, and the root as go-runc spells it or split
	# at `=` by bash.
	complete_line -root "$HUSK_ROOT" delete --force c
	[ "$completed" = completion_ct ]
	complete_line --root = "$HUSK_ROOT" state ""
	[ "$completed" = completion_ct ]
	complete_line "--root=$HUSK_ROOT" pause ""
	[ "$completed" = completion_ct ]
	# A second operand is not an id; list takes none.
	complete_line --root "$HUSK_ROOT" kill completion_ct ""
	[ -z "$completed" ]
	complete_line --root "$HUSK_ROOT" list ""
	[ -z "$completed" ]
	# Under another root the container is not there.
	mkdir "$HUSK_TMP/other"
	complete_line --root "$HUSK_TMP/other" kill ""
	[ -z "$completed" ]
}

@test "completion: commands, a command's flags and their values" {
	complete_line ru
	[ "$completed" = run ]
	complete_line ""
	[[ " $completed " == *" sandbox "* && " $completed " == *" checkpoint "* ]]
	[ "$(wc -w <<<"$completed")" -eq "$("$HUSK" help --complete | grep -c '^command ')" ]
	complete_line --log-format j
	[ "$completed" = json ]
	complete_line --log-format=
	[ "$completed" = "--log-format=json --log-format=text" ]
	complete_line --cgroup-manager d
	[ "$completed" = disabled ]
	complete_line --ro
	[ "$completed" = "--root --rootless" ]
	complete_line run --no-
	[ "$completed" = "--no-monitor --no-new-keyring --no-pivot --no-subreaper" ]
	complete_line sandbox --net ""
	[ "$completed" = "host none pasta" ]
	complete_line list --format j
	[ "$completed" = json ]
	complete_line help sa
	[ "$completed" = sandbox ]
	# A directory for --bundle.
	mkdir "$HUSK_TMP/bundle-dir"
	complete_line run --bundle "$HUSK_TMP/bundle-d"
	[ "$completed" = "$HUSK_TMP/bundle-dir" ]
	# After `--`, sandbox runs a command.
	complete_line sandbox --time 1s -- ech
	[[ " $completed " == *" echo "* ]]
}
