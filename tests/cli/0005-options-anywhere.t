#!/bin/sh
# Options may follow operands in every program and subcommand, as GNU
# getopt_long permutes them; "--" ends them. A reader that has gone ends a
# program quietly, as git does.
. "$(dirname "$0")/lib.sh"
fake_start
write_config
ASK="llmr-ask --no-stream"

# llmr-ask: the flags after the prompt are options, not prompt text.
run llmr-ask "What is 2+2?" --json -m openai/gpt-4o-mini --no-stream
is "$status" 0 "llmr-ask PROMPT --json -m M: exit 0"
is "$(fake_last '.body.messages[-1].content')" "What is 2+2?" "... the prompt is only the operand"
is "$(fake_last .model)" "gpt-4o-mini" "... -m after the prompt is used"
is "$(jq_out .model)" "openai/gpt-4o-mini" "... --json after the prompt is used"
run $ASK -m openai/gpt-4o-mini -- -v is a flag --json
is "$(fake_last '.body.messages[-1].content')" "-v is a flag --json" "after --, dashes are prompt text"
is "$out" "Hello!" "... and no option"
run llmr ask "Say hi" -m openai/gpt-4o-mini --no-stream --json
is "$(jq_out .model)" "openai/gpt-4o-mini" "llmr ask PROMPT OPTIONS, through the dispatcher"

# llmr-route
run llmr-route "Hello there" --no-state -C complex
is "$status" 0 "llmr-route PROMPT --no-state -C TIER: exit 0"
is "$(jq_out .complexity)" "complex" "... -C after the prompt is used"
run llmr-route "Hello there" --no-state --expect-json --explain
like "$out" 'complex|simple|medium' "--explain after the prompt prints the table"
unlike "$out" '^\{' "... not JSON lines"
run llmr-route --no-state "x" --json-answer
is "$status" 0 "the old --json-answer still works (hidden alias)"

# llmr-quota and its subcommands
run llmr-quota budget open --calls 3
is "$status" 0 "llmr-quota budget open --calls 3: exit 0"
id=$out
run llmr-quota budget show "$id" --json
is "$(jq_out .calls_max)" 3 "budget show ID --json: --calls and --json after the operands"
run llmr-quota budget close --json "$id"
is "$(jq_out .closed)" true "budget close --json ID"
run llmr-quota reset openai --breaker
is "$status" 0 "llmr-quota reset PROVIDER --breaker"
run llmr-quota --provider openai --json
is "$(jq_out '.providers | length')" 1 "llmr-quota --provider P --json"

# llmr-cost and its subcommands
run llmr-cost simulate --replace openai/gpt-4o-mini=openai/gpt-4.1 --json
is "$status" 0 "llmr-cost simulate --replace ... --json: exit 0"
jq_out . >/dev/null 2>&1 && pass "... prints JSON" || fail "... prints JSON"
run llmr-cost report --json --since 7d
is "$status" 0 "llmr-cost report --json --since 7d"
jq_out .requests >/dev/null 2>&1 && pass "... prints JSON" || fail "... prints JSON"
run llmr-cost budget total 50 0.5
is "$status" 0 "llmr-cost budget total USD ALERT"
run llmr-cost --check --json
like "$out" '"cap_usd":50' "llmr-cost --check --json: the budget set"
run llmr-cost prices history openai/gpt-4o-mini --json
like "$out" '^\{.*"model":"openai/gpt-4o-mini"' "llmr-cost prices history P/M --json"
run llmr-cost prices import "$LLMR_SRC/tests/fixtures/litellm-model-prices.json" --json
is "$status" 0 "llmr-cost prices import FILE --json"
jq_out . >/dev/null 2>&1 && pass "... prints JSON" || fail "... prints JSON"
run llmr-cost versions --state "$TEST_DIR/other.db"
like "$out" '^\* 0  config as written$' "llmr-cost versions --state FILE: the other state"
run llmr-cost routing --config "$LLMR_CONFIG"
is "$(jq_out '.default.simple[0]')" "openai/gpt-4o-mini" "llmr-cost routing --config FILE: that config's routing"
run llmr-cost rollback 0 -q
is "$status$out" 0 "llmr-cost rollback 0 -q"

# llmr-index and llmr-search: -c after the path, and after the query.
mkdir docs
printf '# Textile\n\nLe textile se trie au fond de la cour.\n' >docs/textile.md
run llmr-index docs -c mine -q
is "$status" 0 "llmr-index DIR -c NAME -q: exit 0"
run llmr-index --stats --json -c mine
is "$(jq_out .documents)" 1 "... indexed into NAME, not default"
run llmr-search textile -c mine --json
is "$(jq_out .collection)" "mine" "llmr-search QUERY -c NAME --json"
run llmr search textile --json -c mine -k 1
is "$(jq_out .source | head -1)" "$(pwd -P)/docs/textile.md" "llmr search QUERY OPTIONS, through the dispatcher"

# A closed pipe: quiet, killed by SIGPIPE (141), as git does.
yes 'hello there' | head -2000 | sed 's/.*/{"prompt":"&"}/' >many.jsonl
llmr-route --no-state <many.jsonl 2>pipe.err | head -1 >first.json
is "$(cat pipe.err)" "" "llmr-route | head -1: nothing on stderr"
like "$(cat first.json)" '"model"' "... and the first decision"
(llmr-route --no-state <many.jsonl 2>pipe.err; echo $? >pipe.status) | head -1 >/dev/null
is "$(cat pipe.status)" 141 "... exit status 141 (SIGPIPE), as git"
(timeout 20 llmr-quota --watch 1 2>watch.err; echo $? >watch.status) | head -1 >/dev/null
is "$(cat watch.status)" 141 "llmr-quota --watch | head -1 ends (141), not redraws forever"
is "$(cat watch.err)" "" "... quietly"
if [ -w /dev/full ]; then
	llmr-route --no-state <many.jsonl >/dev/full 2>full.err
	is "$?" 74 "a full disk is still exit 74"
	like "$(cat full.err)" '^llmr-route: cannot write to standard output' "... with a message"
else
	skip "no /dev/full"
	skip "no /dev/full"
fi
done_testing
