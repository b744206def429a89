# bash completion for llmr and llmr-ask, llmr-route, llmr-quota, llmr-cost,
# llmr-index, llmr-search, llmr-bench.
# Options come from each program's --list-options, so they cannot drift.

_llmr_options()
{
	"$1" --list-options 2>/dev/null | while IFS='	' read -r opt _; do
		printf '%s\n' "${opt%=}"
	done
}

# The subcommands (llmr-bench arena, llmr-quota reset...): the first word
# after the program's name in each usage line of its --help.
_llmr_commands()
{
	"$1" --help 2>&1 | sed -En 's/^ *(usage|or): [^ ]* ([a-z][a-z-]*).*/\2/p' | sort -u
}

_llmr_prog()
{
	local cur prev prog=$1 first=$2 i cmds
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	case $prev in
	--config|--state|--html|-o|--output|-a|--attach) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_llmr_options "$prog")" -- "$cur"))
		return
	fi
	# No operand yet: a subcommand, when the program has any.
	for ((i = first; i < COMP_CWORD; i++)); do
		[[ ${COMP_WORDS[i]} == -* ]] || break
	done
	if ((i == COMP_CWORD)) && cmds=$(_llmr_commands "$prog") && [[ -n $cmds ]]; then
		COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}

_llmr()
{
	local prog=${COMP_WORDS[0]##*/}
	if [[ $prog == llmr ]]; then
		if [[ $COMP_CWORD -eq 1 ]]; then
			COMPREPLY=($(compgen -W "$(llmr --list-commands 2>/dev/null)" -- "${COMP_WORDS[1]}"))
			return
		fi
		prog=llmr-${COMP_WORDS[1]}
		_llmr_prog "$prog" 2
		return
	fi
	_llmr_prog "$prog" 1
}

complete -o filenames -F _llmr llmr llmr-ask llmr-route llmr-quota llmr-cost llmr-index llmr-search llmr-bench
