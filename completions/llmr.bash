# bash completion for llmr and llmr-ask, llmr-route, llmr-quota, llmr-cost,
# llmr-index, llmr-search, llmr-bench.
# Options come from each program's --list-options, so they cannot drift.

_llmr_options()
{
	"$1" --list-options 2>/dev/null | while IFS='	' read -r opt _; do
		printf '%s\n' "${opt%=}"
	done
}

# llmr-bench's subcommands, offered for the word after the program's name.
_llmr_bench_commands='run compare ratings report arena export import-outcomes eval-router recommend pending approve reject'

_llmr_prog()
{
	local cur prev prog=$1
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	if [[ $prog == llmr-bench && ( ${prev##*/} == llmr-bench || $prev == bench ) && $cur != -* ]]; then
		COMPREPLY=($(compgen -W "$_llmr_bench_commands" -- "$cur"))
		return
	fi
	case $prev in
	--config|--state|--html|-o|--output|-a|--attach) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_llmr_options "$prog")" -- "$cur"))
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
	fi
	_llmr_prog "$prog"
}

complete -o filenames -F _llmr llmr llmr-ask llmr-route llmr-quota llmr-cost llmr-index llmr-search llmr-bench
