# bash completion for husk: its commands, their flags, the values of flags
# that take a fixed set, files or directories, and container ids (from
# `husk list -q`, under a --root given earlier on the line).  The words
# come from husk itself (`husk help --complete`), printed from the tables
# its command line is parsed by, so they are those of the husk installed.
# `make install` puts this file where bash-completion looks for it.

# _husk_arg WORDS FLAG: the name of FLAG's value ("DIR", "text|json"), or
# nothing when FLAG takes none or is not in WORDS.
_husk_arg() {
	local kind name arg
	while read -r kind name arg; do
		if [[ $kind == flag && ($name == "$2" || $name == "-$2") ]]; then
			printf '%s\n' "$arg"
			return 0
		fi
	done <<<"$1"
	return 1
}

# _husk_list WORDS KIND: the names of WORDS' lines of KIND (flag, command).
_husk_list() {
	local kind name rest
	while read -r kind name rest; do
		[[ $kind == "$2" ]] && printf '%s\n' "$name"
	done <<<"$1"
}

# _husk_value ARG [CUR]: complete CUR (the word under the cursor) as a
# value named ARG.
_husk_value() {
	local cur=${2-${COMP_WORDS[COMP_CWORD]}}
	# Right after `--flag=`, which bash made a word of its own.
	[[ $cur == = ]] && cur=""
	case $1 in
	*FILE* | *PATH* | *SOCKET*)
		compopt -o filenames 2>/dev/null || :
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		;;
	*DIR*)
		compopt -o filenames 2>/dev/null || :
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		;;
	*'|'*) mapfile -t COMPREPLY < <(compgen -W "${1//|/ }" -- "$cur") ;;
	*) COMPREPLY=() ;;
	esac
}

_husk() {
	local cur=${COMP_WORDS[COMP_CWORD]} husk=husk
	local words verb="" root="" ops=0 dashdash="" i w arg value
	COMPREPLY=()
	# The husk on the line, when it is named by its path.
	if [[ ${COMP_WORDS[0]} == */* && -x ${COMP_WORDS[0]} ]]; then
		husk=${COMP_WORDS[0]}
	fi
	words=$("$husk" help --complete 2>/dev/null) || return 0

	# The words before the cursor: global flags and their values, the
	# command, its flags and values, then its operands.  bash may have
	# split --flag=value at the `=`.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ -z $dashdash && $w == -?* ]]; then
			[[ -n $verb && $w == -- ]] && dashdash=1 && continue
			arg=$(_husk_arg "$words" "${w%%=*}") || arg=""
			value=""
			if [[ $w == *=* ]]; then
				value=${w#*=}
			elif [[ -n $arg ]]; then
				[[ ${COMP_WORDS[i + 1]} == = ]] && i=$((i + 1))
				if [[ $((i + 1)) -ge $COMP_CWORD ]]; then
					_husk_value "$arg"
					return 0
				fi
				value=${COMP_WORDS[++i]}
			fi
			if [[ -z $verb && (${w%%=*} == --root || ${w%%=*} == -root) ]]; then
				root=$value
			fi
		elif [[ -z $verb ]]; then
			verb=$w
			words=$("$husk" help --complete "$verb" 2>/dev/null) || return 0
		else
			ops=$((ops + 1))
		fi
	done

	if [[ -z $dashdash && $cur == -*=* ]]; then
		# --flag=value in one word: its values, after the flag.
		arg=$(_husk_arg "$words" "${cur%%=*}") || return 0
		_husk_value "$arg" "${cur#*=}"
		COMPREPLY=("${COMPREPLY[@]/#/${cur%%=*}=}")
	elif [[ -z $dashdash && $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_husk_list "$words" flag)" -- "$cur")
	elif [[ -z $verb || $verb == help ]]; then
		[[ $ops -gt 0 ]] && return 0
		mapfile -t COMPREPLY < <(compgen -W "$(_husk_list "$("$husk" help --complete 2>/dev/null)" command)" -- "$cur")
	elif [[ -n $dashdash && $ops -eq 0 ]]; then
		mapfile -t COMPREPLY < <(compgen -c -- "$cur" | sort -u)
	elif [[ $ops -eq 0 ]] && grep -q '^operands ID' <<<"$words"; then
		mapfile -t COMPREPLY < <(compgen -W "$("$husk" ${root:+--root "$root"} list -q 2>/dev/null)" -- "$cur")
	fi
	return 0
}

complete -F _husk husk
