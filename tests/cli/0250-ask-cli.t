#!/bin/sh
# llmr-ask's command line: prompt sources, usage errors, exit codes, output
# errors, REPL.
. "$(dirname "$0")/lib.sh"
fake_start
write_config

run llmr-ask -m openai/gpt-4o-mini --no-stream Say hello
is "$out" "Hello!" "operands are the prompt"
is "$(fake_last .body.messages[0].content)" "Say hello" "operands joined by spaces"
printf 'from stdin\n' | llmr-ask -m openai/gpt-4o-mini --no-stream >o
is "$(fake_last .body.messages[0].content)" "from stdin" "the prompt comes from stdin when there is no operand"
run llmr-ask -m openai/gpt-4o-mini </dev/null
is "$status" 64 "an empty prompt is a usage error"
run llmr-ask -m nosuch/model "x"
is "$status" 64 "an unknown model: exit 64"
like "$err" "^llmr-ask: .*nosuch/model" "... naming it"
run llmr-ask -r nosuch "x"
is "$status" 64 "an unknown route: exit 64"
run llmr-ask --bogus "x"
is "$status" 64 "an unknown option: exit 64"
run llmr-ask --priority P9 "x"
is "$status" 64 "a bad priority: exit 64"
run llmr-ask --config "$TEST_DIR/none.conf" "x"
is "$status" 66 "a missing config file: exit 66"
like "$err" "none.conf" "... naming it"
printf 'providers: [\n' >bad.conf
run llmr-ask --config bad.conf "x"
is "$status" 78 "a broken config: exit 78"
like "$err" '^llmr-ask: bad.conf:[0-9]+:[0-9]+: ' "... with file:line:col"

if [ -w /dev/full ]; then
	llmr-ask -m openai/gpt-4o-mini --no-stream "x" >/dev/full 2>e
	is "$?" 74 "writing to /dev/full: exit 74"
	like "$(cat e)" "llmr-ask: cannot write" "... with a message"
else
	skip "no /dev/full"
	skip "no /dev/full"
fi

run llmr-ask -m openai/gpt-4o-mini --no-stream -v "x"
like "$err" 'openai/gpt-4o-mini: 1144 in \(1024 cached\) \+ 2 out tokens, \$0\.000096' "-v prints tokens and cost"
run llmr-ask --help
is "$status" 0 "--help: exit 0"
like "$out" '^usage: llmr-ask' "--help prints the usage"
run llmr-ask --list-options
like "$out" '^--model=' "--list-options lists options for completions"

run llmr-ask --check-config
is "$status" 0 "--check-config on a good config"
like "$out" 'ok \([0-9]+ providers' "... prints a summary"
run env -u LLMR_CONFIG llmr-ask --check-config
like "$out" '^<built-in>: ok \(1 providers, 1 models, 1 routes\)' "no config file: the built-in default"

# The REPL, on a pseudo-terminal.
# A bare chroot has no /dev/pts: then the REPL cannot be driven.
if have_pty; then
	cat >repl.pty <<'EOF2'
expect llmr> 
send hello there
expect llmr> 
send /cost
expect llmr> 
send /model nosuch/x
expect llmr> 
send /quit
EOF2
	pty_run repl.pty llmr-ask -m openai/gpt-4o-mini
	is "$status" 0 "REPL: /quit exits 0"
	like "$out" 'Hello!' "REPL: a question is answered"
	like "$out" 'this session: \$0\.000096' "REPL: /cost shows the session's spend"
	like "$out" "unknown .*nosuch/x" "REPL: /model checks the model"
	like "$(cat "$XDG_STATE_HOME/llmr/history")" 'hello there' "REPL: history saved under XDG_STATE_HOME"
else
	skip "no pseudo-terminal for the REPL test"
fi
done_testing
