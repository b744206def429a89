#!/bin/sh
# Conversations and logs: each answer's prompt and text kept in the state,
# llmr-ask --continue / --cid sending the earlier turns, llmr-cost logs
# finding them, logs: off keeping none, key-like text redacted, templates.
. "$(dirname "$0")/lib.sh"
fake_start
write_config "" '  default:
    tiers:
      simple: [openai/gpt-4o-mini]
  tr:
    system: "You translate."
    template: "Translate into {{lang}}: {{input}}"
    tiers:
      simple: [openai/gpt-4o-mini]
  fixed:
    template: "Say hi in {{ lang }}"
    tiers:
      simple: [openai/gpt-4o-mini]'
M="-m openai/gpt-4o-mini --no-stream"

# A conversation over three invocations.
run llmr-ask $M --json "first question"
is "$status" 0 "a first question"
cid=$(jq_out .conversation)
is "$cid" "$(jq_out .id)" "a new conversation is named after its first request"
run llmr-ask $M -C "second question"
is "$status" 0 "--continue"
is "$(fake_last '.body.messages | length')" 3 "... sends the earlier turn and the new prompt"
is "$(fake_last '.body.messages[0].content')" "first question" "... the first prompt"
is "$(fake_last '.body.messages[1].role')" assistant "... then the answer"
is "$(fake_last '.body.messages[1].content')" "Hello!" "... with its text"
run llmr-ask $M --continue --json "third question"
is "$(jq_out .conversation)" "$cid" "a third turn stays in the conversation"
is "$(fake_last '.body.messages | map(.content) | join("|")')" \
	"first question|Hello!|second question|Hello!|third question" \
	"... and sends both earlier turns in order"

# A second conversation; --cid picks the first one back.
run llmr-ask $M --json "other topic"
cid2=$(jq_out .conversation)
isnt "$cid2" "$cid" "a question without -C starts a new conversation"
run llmr-ask $M -C "other follow-up"
is "$(fake_last '.body.messages[0].content')" "other topic" "--continue takes the newest conversation"
run llmr-ask $M --cid "$cid" "back to the first"
is "$(fake_last '.body.messages | length')" 7 "--cid sends that conversation's three turns"
is "$(fake_last '.body.messages[4].content')" "third question" "... its own, not the other's"
run llmr-ask $M --cid nosuch "x"
is "$status" 64 "--cid of an unknown conversation: exit 64"
like "$err" "^llmr-ask: no conversation 'nosuch'" "... saying so"

# Logs: newest first, searchable by a word of the prompt or the answer.
run llmr-cost logs
is "$status" 0 "llmr-cost logs"
like "$(head -1 "$OUT")" "openai/gpt-4o-mini" "... a header line with the model"
like "$out" "back to the first" "... and the prompt"
run llmr-cost logs --json -n 2
is "$(wc -l <"$OUT" | tr -d ' ')" 2 "-n 2: two requests"
is "$(jq -rs '.[0].prompt' "$OUT")" "back to the first" "... the newest first"
run llmr-cost logs --json topic
is "$(jq -rs 'map(.prompt) | join(",")' "$OUT")" "other topic" "a word finds the prompt that holds it"
run llmr-cost logs --json TOPIC OTHER
is "$(jq -rs length "$OUT")" 1 "every word must match, in any case"
run llmr-cost logs --json Hello
is "$(jq -rs length "$OUT")" 6 "a word of the answer finds the requests"
run llmr-cost logs --json nowhere-at-all
is "$out" "" "no match: nothing"

# Redaction: a key in the prompt never reaches the state.
run llmr-ask $M "my key is sk-proj-abcdefghijklmnop1234 keep it
second line"
run llmr-cost logs --json -n 1
is "$(jq_out .prompt)" "my key is [redacted] keep it
second line" "a key in the prompt is redacted, lines kept"
if command -v sqlite3 >/dev/null; then
	run sqlite3 "$XDG_DATA_HOME/llmr/state.db" "SELECT prompt FROM transcripts"
	unlike "$out" "abcdefghijklmnop1234" "the state file holds no key"
else
	skip "no sqlite3"
fi

# Templates.
run llmr-ask -r tr --no-stream -p lang French "good morning"
is "$status" 0 "a template filled with -p"
is "$(fake_last '.body.messages[-1].content')" "Translate into French: good morning" \
	"... {{lang}} and {{input}} replaced"
is "$(fake_last '.body.messages[0].content')" "You translate." "... the route's system prompt"
run llmr-ask -r tr --no-stream "good morning"
is "$status" 64 "a template variable without -p: exit 64"
like "$err" "needs \{\{lang\}\}: give -p lang VALUE" "... naming it"
run llmr-ask -r tr --no-stream -p lang French -p tone dry "good morning"
is "$status" 64 "a -p the template does not use: exit 64"
like "$err" "^llmr-ask: -p tone: the template of route 'tr' has no \{\{tone\}\}" "... naming it"
run llmr-ask --no-stream -p lang French "x"
is "$status" 64 "-p on a route without a template: exit 64"
run llmr-ask -r fixed --no-stream -p lang Welsh </dev/null
is "$status" 0 "a template without {{input}} takes no prompt"
is "$(fake_last '.body.messages[-1].content')" "Say hi in Welsh" "... and is sent as it is"
run llmr-ask -r tr --no-stream -p lang
is "$status" 64 "-p without VALUE: exit 64"

# A REPL session is one conversation, which --continue picks up.
if have_pty; then
	cat >repl.pty <<'EOF2'
expect llmr> 
send repl one
expect llmr> 
send repl two
expect llmr> 
send /quit
EOF2
	pty_run repl.pty llmr-ask -m openai/gpt-4o-mini
	is "$status" 0 "a REPL session of two questions"
	run llmr-ask $M -C "after the REPL"
	is "$(fake_last '.body.messages | map(.content) | join("|")')" \
		"repl one|Hello!|repl two|Hello!|after the REPL" "--continue takes up the REPL's conversation"
else
	skip "no pseudo-terminal for the REPL test"
	skip "no pseudo-terminal for the REPL test"
fi

# logs: off keeps only the metadata.
cp "$LLMR_CONFIG" off.conf
echo 'logs: off' >>off.conf
export LLMR_STATE=$TEST_DIR/off.db
run llmr-ask --config off.conf $M "secret plan zebra"
is "$status" 0 "an answer with logs: off"
run llmr-cost --config off.conf logs --json
is "$(jq_out .prompt)" null "... no prompt kept"
is "$(jq_out .model)" "openai/gpt-4o-mini" "... but the metadata is"
if command -v sqlite3 >/dev/null; then
	sqlite3 "$LLMR_STATE" .dump >dump.sql
	ok_cond "the state file holds no text" sh -c '! grep -q zebra dump.sql'
else
	skip "no sqlite3"
fi
run llmr-ask --config off.conf $M -C "more"
is "$status" 64 "--continue with logs: off cannot send the earlier turns: exit 64"
done_testing
