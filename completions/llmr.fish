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

for prog in llmr-ask llmr-route llmr-quota llmr-cost llmr-index llmr-search llmr-bench
    complete -c $prog -a "(__llmr_options $prog)"
end

# llmr-bench's subcommands.
complete -c llmr-bench -n __fish_use_subcommand -f -a 'run compare ratings report arena export import-outcomes eval-router recommend pending approve reject'

complete -c llmr -n __fish_use_subcommand -f -a "(llmr --list-commands 2>/dev/null)"
