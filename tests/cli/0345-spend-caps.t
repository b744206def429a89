#!/bin/sh
# Money guards: every call holds its estimated cost against every cap before
# it is made (provider monthly caps, route and total caps, request budgets,
# budget.calls_per_request), whatever chose the model: a route, -m, a JSONL
# "model", a hedge, a retry, the classifier. A call that would cross a cap
# falls back to a model within it, else the request ends with exit 75.
. "$(dirname "$0")/lib.sh"
fake_start
ROUTES='  default:
    tiers:
      simple: [openai/gpt-4o-mini, groq/llama3-8b-8192]
  solo:
    tiers:
      simple: [openai/gpt-4o-mini]
  hedged:
    hedge_after: 200ms
    tiers:
      simple: [openai/gpt-4o-mini, openai/gpt-4.1]
  failing:
    tiers:
      simple: [openai/gpt-4o-mini, mistral/mistral-large-latest, deepseek/deepseek-chat]'
# Prices that make the money easy to follow: the openai fixture bills 2
# output tokens, so with --max-tokens 2 a call costs (and is estimated at)
# exactly $1; groq answers for free.
priced() {
	write_config "$TEST_DIR/llmr.conf" "$ROUTES"
	sed -i -e 's/gpt-4o-mini: {input: 0.15, output: 0.60, cached_input: 0.075/gpt-4o-mini: {input: 0, output: 500000, cached_input: 0/' \
		-e 's/llama3-8b-8192: {input: 0.05, output: 0.08/llama3-8b-8192: {input: 0, output: 0/' \
		-e 's/gpt-4.1: {input: 2.00, output: 8.00, cached_input: 0.50/gpt-4.1: {input: 0, output: 500000, cached_input: 0/' \
		"$LLMR_CONFIG"
}
ncase=0
fresh() {
	ncase=$((ncase + 1))
	STATE=$TEST_DIR/state.$ncase.db
	LLMR_STATE=$STATE
	export LLMR_STATE
	fake_reset
}
spent() { sqlite3 "$STATE" "SELECT printf('%.2f', COALESCE(SUM(cost_usd),0)) FROM requests WHERE ${1:-1}"; }
ask() { llmr-ask --no-stream --max-tokens 2 --json "$@" >>asks.out 2>>asks.err; echo $? >>asks.rc; }
codes() { sort asks.rc | uniq -c | awk '{printf "%s:%s ", $2, $1}'; }
reset_asks() { rm -f asks.out asks.err asks.rc; }

# -m: the provider's monthly cap applies (it used to be ignored).
priced
sed -i '/api_key_env: TEST_OPENAI_KEY/a\    budget: {usd_per_month: 3}' "$LLMR_CONFIG"
fresh
reset_asks
for i in 1 2 3 4 5; do ask -m openai/gpt-4o-mini "q$i"; done
is "$(fake_count)" 3 "-m: a \$3 cap admits 3 calls of \$1"
is "$(spent)" 3.00 "-m: \$3 spent"
is "$(codes)" "0:3 75:2 " "-m: the others exit 75"
like "$(tail -n 1 asks.err)" "provider 'openai' monthly cap \\\$3.00" "-m: the message names the cap"

# A JSONL "model" is held to the same cap.
fresh
for i in 1 2 3 4 5; do printf '{"id":"j%s","prompt":"q","model":"openai/gpt-4o-mini","max_tokens":2}\n' "$i"; done >req.jsonl
run llmr-ask --jsonl <req.jsonl
is "$(fake_count)" 3 "JSONL model: 3 calls"
is "$(printf '%s\n' "$out" | jq -r '.error.class // "ok"' | sort | uniq -c | awk '{printf "%s:%s ", $2, $1}')" \
	"ok:3 rate_limited:2 " "JSONL model: 3 answers, 2 refused"
is "$status" 75 "JSONL model: exit 75"

# A route falls back to a model within the cap.
fresh
reset_asks
for i in 1 2 3 4 5; do ask "q$i"; done
is "$(fake_count '.family == "openai"')" 3 "route: 3 calls to the capped provider"
is "$(fake_count '.family == "groq"')" 2 "route: the others fall back to the free model"
is "$(codes)" "0:5 " "route: every request answered"

# Route and total caps set with llmr-cost budget.
priced
fresh
reset_asks
llmr-cost budget route solo 2 >/dev/null
for i in 1 2 3 4; do ask -r solo "q$i"; done
is "$(fake_count)" 2 "route cap: \$2 admits 2 calls"
is "$(codes)" "0:2 75:2 " "route cap: then exit 75"
like "$(tail -n 1 asks.err)" "route 'solo' monthly cap \\\$2.00" "route cap: named"
fresh
reset_asks
llmr-cost budget total 1 >/dev/null
for i in 1 2 3; do ask -m openai/gpt-4o-mini "q$i"; done
is "$(fake_count)" 1 "total cap: \$1 admits 1 call"
like "$(tail -n 1 asks.err)" "total monthly cap \\\$1.00" "total cap: named"

# A request budget's dollars hold for every attempt, -m included.
fresh
reset_asks
b=$(llmr-quota budget open --usd 2)
for i in 1 2 3 4; do ask -m openai/gpt-4o-mini --priority P2 --budget "$b" "q$i"; done
is "$(fake_count)" 2 "request budget: \$2 admits 2 calls"

# A hedge holds money for both legs: a \$3 cap answers 3 requests, and the
# second leg is only started while the cap can pay for both (a cancelled
# leg is billed nothing and gives its hold back).
fresh
reset_asks
llmr-cost budget total 3 >/dev/null
for i in 1 2 3 4; do
	fake_script '{"family":"openai","model":"gpt-4o-mini","delay_ms":600}'
	ask -r hedged "q$i"
done
is "$(codes)" "0:3 75:1 " "hedge: 3 answers under a \$3 cap, then exit 75"
is "$(spent)" 3.00 "hedge: \$3 spent"
is "$(sqlite3 "$STATE" "SELECT COUNT(*) FROM requests WHERE cost_usd > 0")" 3 "hedge: 3 billed calls"
is "$(fake_count '.model == "gpt-4.1"')" 2 "hedge: the third request's hedge was not started (no money for both)"

# The classifier's call holds money too: under a \$5 cap on its provider
# (calls estimated at \$2.50, billed \$1) it runs while the cap allows.
priced
sed -i '/api_key_env: TEST_OPENAI_KEY/a\    budget: {usd_per_month: 5}' "$LLMR_CONFIG"
sed -i 's/^routes:/router: {classifier: openai\/gpt-4o-mini}\nroutes:/' "$LLMR_CONFIG"
fresh
for i in 1 2 3 4 5 6 7 8; do llmr-ask -r default --no-stream --json "Bonjour $i" >/dev/null 2>&1; done
n=$(fake_count '.family == "openai"')
ok_cond "classifier: the cap stops its calls ($n of 8)" test "$n" -ge 1 -a "$n" -le 5
ok_cond "classifier: spending within the cap ($(spent "provider = 'openai'"))" \
	test "$(spent "provider = 'openai'" | tr -d .)" -le 500
is "$(fake_count '.family == "groq"')" 8 "classifier: every request still answered"

# budget.calls_per_request: 1 with every provider failing: exactly one call.
priced
printf 'budget: {calls_per_request: 1}\n' >>"$LLMR_CONFIG"
fresh
fake_script '{"status":500,"times":-1}'
run llmr-ask -r failing --no-stream --json "q"
is "$(fake_count)" 1 "calls_per_request 1: one paid call down a failing chain"
like "$(printf '%s' "$out" | jq -r '.skipped[]?.why')" 'calls_per_request \(1\) reached' "the others are skipped, and say why"
run llmr-ask -r solo --no-stream --json "q"
is "$(fake_count)" 2 "calls_per_request 1: no retry on the last model either"

# Eight processes at once against a cap that allows 10 calls: spending
# stays within the cap (the estimate is exact here), the rest exit 75.
priced
sed -i '/api_key_env: TEST_OPENAI_KEY/a\    budget: {usd_per_month: 10}' "$LLMR_CONFIG"
fresh
for i in 1 2 3; do printf '{"prompt":"q","model":"openai/gpt-4o-mini","max_tokens":2}\n'; done >three.jsonl
pids=
for p in 1 2 3 4 5 6 7 8; do
	llmr-ask --jsonl <three.jsonl >"par.$p.out" 2>/dev/null &
	pids="$pids $!"
done
for p in $pids; do wait "$p"; done
is "$(fake_count)" 10 "8 processes: exactly 10 calls made"
is "$(spent)" 10.00 "8 processes: \$10 spent of a \$10 cap"
is "$(cat par.*.out | jq -r 'select(.error) | .error.class' | sort -u)" rate_limited "8 processes: the rest refused as temporary"
is "$(sqlite3 "$STATE" "SELECT COUNT(*) FROM spend_holds")" 0 "no money left held"
done_testing
