#!/bin/sh
# Request budgets: --calls 3 and six agents from P0 to P3. Exactly what the
# policy says runs: the first three calls, then P2/P3 are skipped (exit 75,
# "skipped":"budget"), P1 degrades to the offline answer, P0 still runs on
# the cheapest capable model. Concurrent draws never overspend.
. "$(dirname "$0")/lib.sh"
fake_start
write_config "$TEST_DIR/llmr.conf" '  default:
    max_wait: 1s
    tiers:
      simple: [openai/gpt-4o-mini, groq/llama3-8b-8192, local/extractive]'

id=$(llmr-quota budget open --calls 3 --usd 0.05)
like "$id" '^b-' "budget open prints an id"

agent() { # NAME PRIORITY
	llmr-ask --json --no-stream --budget "$id" --priority "$2" "agent $1: hello" >"$1.out" 2>"$1.err"
	echo $? >"$1.rc"
}
agent a1 P1; agent a2 P2; agent a3 P3; agent a4 P2; agent a5 P1; agent a6 P0

is "$(cat a1.rc a2.rc a3.rc | tr -d '\n')" 000 "the first three calls run (P1, P2, P3)"
is "$(jq -r .model a1.out)" openai/gpt-4o-mini "... on the route's first model"
is "$(cat a4.rc)" 75 "P2 on a spent budget: exit 75"
is "$(jq -r .skipped a4.out)" budget "... reported as skipped: budget"
is "$(cat a5.rc)" 0 "P1 on a spent budget: answered"
is "$(jq -r '.model + " " + (.degraded|tostring)' a5.out)" "local/extractive true" "... degraded to the offline answer"
is "$(cat a6.rc)" 0 "P0 on a spent budget: still runs"
is "$(jq -r .model a6.out)" groq/llama3-8b-8192 "... on the cheapest capable model"
is "$(fake_count)" 4 "four provider calls in all"
run llmr-quota budget show --json "$id"
is "$(printf '%s' "$out" | jq -c '[.calls_used, .over_budget_calls, .skipped, .calls_in_flight]')" "[3,1,2,0]" \
	"budget show: 3 used, 1 over (P0), 2 skipped or degraded, none in flight"
ok_cond "dollars counted" test "$(printf '%s' "$out" | jq '.usd_used > 0')" = true

# Six P2 agents at once on --calls 3: exactly three run.
id=$(llmr-quota budget open --calls 3)
pids=
for i in 1 2 3 4 5 6; do
	llmr-ask --json --no-stream --budget "$id" --priority P2 "together $i" >"c$i.out" 2>/dev/null &
	pids="$pids $!"
done
for pid in $pids; do wait "$pid"; done
is "$(cat c*.out | jq -r 'select(.text != null) | .id' | wc -l | tr -d ' ')" 3 "concurrent agents: exactly 3 ran"
is "$(cat c*.out | jq -r 'select(.skipped == "budget") | .id' | wc -l | tr -d ' ')" 3 "the other 3 skipped"

run llmr-ask --json --budget b-nope "hello"
is "$status" 65 "an unknown budget id: exit 65"
run llmr-quota budget close "$id"
like "$out" 'closed' "budget close"
done_testing
