#!/bin/sh
# llmr CMD runs llmr-CMD, as git does.
. "$(dirname "$0")/lib.sh"
run llmr ask --help
is "$status" 0 "llmr ask --help runs llmr-ask"
like "$out" '^usage: llmr-ask' "... and prints its usage"
run llmr --list-commands
is "$(printf '%s\n' "$out" | tr '\n' ' ')" "ask route quota cost index search bench " "--list-commands"
for c in $out; do
	ok_cond "llmr-$c is built" test -x "$LLMR_BUILD/bin/llmr-$c"
done
run llmr nosuch
is "$status" 64 "an unknown command: exit 64"
like "$err" "^llmr: 'nosuch' is not an llmr command" "... with a message"
run llmr ../bin/sh
is "$status" 64 "a path is not a command"
run llmr
is "$status" 64 "no command: usage, exit 64"
done_testing
