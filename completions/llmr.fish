# fish completion for llmr and llmr-ask, llmr-route, llmr-quota, llmr-cost,
# llmr-index, llmr-search, llmr-bench. Options come from --list-options.

function __llmr_options --argument-names prog
    $prog --list-options 2>/dev/null | while read -d \t opt help
        set -l name (string replace -r '^--' '' -- (string replace -r '=$' '' -- $opt))
        if string match -q -- '*=' $opt
            printf '%s\t%s\n' --$name $help
        else
            printf '%s\t%s\n' --$name $help
        end
    end
end

# The subcommands: the first word after the name in each usage line.
function __llmr_commands --argument-names prog
    $prog --help 2>&1 | sed -En 's/^ *(usage|or): [^ ]* ([a-z][a-z-]*).*/\2/p' | sort -u
end

for prog in llmr-ask llmr-route llmr-quota llmr-cost llmr-index llmr-search llmr-bench
    complete -c $prog -a "(__llmr_options $prog)"
    complete -c $prog -n __fish_use_subcommand -a "(__llmr_commands $prog)"
end

complete -c llmr -n __fish_use_subcommand -f -a "(llmr --list-commands 2>/dev/null)"
