#!/bin/sh
# llmr-route prints the decision llmr-ask follows: for each request and
# config, llmr-route's model is llmr-ask's first attempt, and both exit with
# the same code; both read the same spellings, one-shot and as JSON lines.
. "$(dirname "$0")/lib.sh"
fake_start
write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [groq/llama3-8b-8192, openai/gpt-4o-mini]
      medium: [openai/gpt-4o-mini, deepseek/deepseek-chat]
      complex: [anthropic/claude-sonnet-4-5, openai/gpt-4.1]
  tight:
    max_cost: 0.0005
    tiers:
      simple: [groq/llama3-8b-8192]
      complex: [anthropic/claude-sonnet-4-5]
  legal:
    force: complex'
LLMR_STATE=$TEST_DIR/state.db
export LLMR_STATE
easy="Bonjour, quelle heure est-il ?"
hard="Analyse et compare les deux offres, puis propose un plan de migration"

# parity DESC ARGS...: the same options and prompt to both programs.
# llmr-ask's first attempt is read from its response and, apart, from the
# first request the fake provider received ("/PROVIDER/..." and model).
parity() {
	_desc=$1
	shift
	run llmr-route "$@"
	_rs=$status
	_rm=$(jq_out '.model // "none"')
	fake_reset
	[ -z "${PARITY_SCRIPT:-}" ] || fake_script "$PARITY_SCRIPT"
	run llmr-ask --json --no-stream "$@"
	is "$(jq_out '.attempts[0].model // "none"')" "$_rm" "$_desc: llmr-ask first tries llmr-route's model ($_rm)"
	is "$status" "$_rs" "$_desc: both exit $_rs"
	_sent=$(fake_jq '.log[0] // {} | if .path then (.path | split("/")[1]) + "/" + .model else "none" end')
	is "$_sent" "$_rm" "$_desc: the provider's first request is for $_rm"
}

parity "a simple question" "$easy"
parity "a hard question" "$hard"
parity "a forced route (force: complex)" -r legal "$easy"
is "$(jq_out .complexity)" complex "... llmr-ask reports the forced tier"
parity "-m provider/model" -m deepseek/deepseek-chat "$easy"
parity "--complexity" --complexity medium "$easy"
# A JSON answer, so that llmr-ask has no reason to climb a tier or fail
# (an answer that is never JSON fails llmr-ask with exit 69).
PARITY_SCRIPT='{"family":"groq","status":200,"body":{"id":"c1","object":"chat.completion","model":"llama3-8b-8192",
	"choices":[{"index":0,"message":{"role":"assistant","content":"{\"ok\": true}"},"finish_reason":"stop"}],
	"usage":{"prompt_tokens":4,"completion_tokens":4,"total_tokens":8}}}'
parity "--expect-json" --expect-json "$easy"
PARITY_SCRIPT=
run llmr-route --expect-json "$easy"
like "$(jq_out .reason)" "JSON asked" "llmr-route --expect-json: the classifier weighs it"

# max_cost empties the tier: no candidate, and llmr-ask must not answer
# from another tier.
fake_reset
parity "max_cost empties the tier" -r tight "$hard"
is "$status" 69 "... exit 69"
is "$(fake_count)" 0 "... and no provider was called"
is "$(jq_out .error.class)" no_candidate "... error class no_candidate"
like "$err" "over max_cost" "... the message says why"

# A missing key: the next candidate; on the only candidate, exit 77.
unset TEST_GROQ_KEY
parity "a missing key" "$easy"
is "$(jq_out .model)" openai/gpt-4o-mini "... the next candidate answers"
parity "a missing key on the only candidate" -r tight "$easy"
is "$status" 77 "... exit 77"
TEST_GROQ_KEY=gsk_test_groq_0002
export TEST_GROQ_KEY

# An exhausted quota: both move to the next candidate.
rm -f "$LLMR_STATE"*
sed -i '/api_key_env: TEST_OPENAI_KEY/a\    limits: {rpd: 2}' "$LLMR_CONFIG"
llmr-ask -q --no-stream -m openai/gpt-4o-mini one >/dev/null
llmr-ask -q --no-stream -m openai/gpt-4o-mini two >/dev/null
parity "an exhausted quota" --complexity medium "$easy"
is "$(jq_out .model)" deepseek/deepseek-chat "... the next candidate answers"
like "$(jq_out '.skipped[0].why')" '^rpd exhausted' "... llmr-ask says why it skipped"
parity "an exhausted quota on the named model" -m openai/gpt-4o-mini "$easy"
is "$status" 75 "... exit 75"

# The same spellings and codes, as options and as JSON lines.
sed -i '/limits: {rpd: 2}/d' "$LLMR_CONFIG"
run llmr-route -p p2 "$easy"
is "$(jq_out .priority)" P2 "llmr-route: -p p2 is P2"
run llmr-ask --json --no-stream --priority p2 --complexity SIMPLE "$easy"
is "$status" 0 "llmr-ask: --priority p2 and --complexity SIMPLE are accepted"
is "$(jq_out '.priority + " " + .complexity')" "P2 simple" "... and printed canonical"
for prog in llmr-route llmr-ask; do
	run $prog -r nosuch "$easy"
	is "$status" 64 "$prog: an unknown route on the command line: exit 64"
	like "$err" "^$prog: unknown route 'nosuch'" "... named"
	run $prog --priority P9 "$easy"
	is "$status" 64 "$prog: a bad --priority: exit 64"
	like "$err" "^$prog: --priority: 'P9' is not P0, P1, P2 or P3" "... same message"
	run $prog --max-tokens -3 "$easy"
	is "$status" 64 "$prog: a bad --max-tokens: exit 64"
	like "$err" "^$prog: --max-tokens: '-3' is not a non-negative integer" "... same message"
	run $prog --max-tokens 99999999999999999999 "$easy"
	is "$status" 64 "$prog: --max-tokens past a long: exit 64"
done

# JSON lines: each decision's model is the first attempt of the answer
# with the same id; a bad line is bad input for that line; both exit with
# the highest code of any line.
rm -f "$LLMR_STATE"*
cat >req.jsonl <<EOF
{"id":"easy","prompt":"$easy"}
{"id":"hard","prompt":"$hard"}
{"id":"forced","prompt":"$easy","route":"legal","priority":"p3"}
{"id":"model","prompt":"$easy","model":"deepseek/deepseek-chat"}
{"id":"tight","prompt":"$hard","route":"tight"}
{"id":"msgs","messages":[{"role":"user","content":"$easy"}],"complexity":"Medium"}
{"id":"badroute","prompt":"x","route":"nosuch"}
{"id":"badprio","prompt":"x","priority":"P7"}
EOF
run llmr-route <req.jsonl
is "$status" 69 "llmr-route: the highest code of any line (69, tight)"
cp "$OUT" decisions.jsonl
cp "$ERR" route.err
run llmr-ask --jsonl <req.jsonl
is "$status" 69 "llmr-ask --jsonl: the same"
grep -v tight req.jsonl >req2.jsonl
run llmr-route <req2.jsonl
is "$status" 65 "llmr-route: bad lines: exit 65"
run llmr-ask --jsonl <req2.jsonl
is "$status" 65 "llmr-ask --jsonl: bad lines: exit 65"
rm -f "$LLMR_STATE"*
run llmr-ask --jsonl <req.jsonl
for id in easy hard forced model tight msgs; do
	want=$(jq -r "select(.id == \"$id\") | .model // \"none\"" decisions.jsonl)
	got=$(jq -r "select(.id == \"$id\") | .attempts[0].model // \"none\"" "$OUT")
	is "$got" "$want" "JSON line $id: llmr-ask first tries $want"
done
is "$(jq -r 'select(.id == "forced") | .priority' decisions.jsonl)" P3 "\"p3\" in a line is P3 (llmr-route)"
is "$(jq -r 'select(.id == "forced") | .priority' "$OUT")" P3 "... and P3 (llmr-ask)"
is "$(jq -r 'select(.id == "badroute") | .error.class' "$OUT")" bad_input "an unknown route is bad input for its line"
like "$(cat route.err)" "^llmr-route: <stdin>:7: unknown route 'nosuch'" "... llmr-route names it"
like "$err" "^llmr-ask: <stdin>:7: unknown route 'nosuch'" "... llmr-ask in the same words"
like "$(cat route.err)" "^llmr-route: <stdin>:8: \"priority\": 'P7' is not P0, P1, P2 or P3" \
	"a bad priority: llmr-route's message"
like "$err" "^llmr-ask: <stdin>:8: \"priority\": 'P7' is not P0, P1, P2 or P3" "... llmr-ask's is the same"

# Every class has one exit code: a request wrong in itself is bad_input, 65.
run llmr-ask --json --budget nosuch "$easy"
is "$status" 65 "an unknown budget id: exit 65"
is "$(jq_out .error.class)" bad_input "... class bad_input, as a bad JSON line's"
done_testing
