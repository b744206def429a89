#!/bin/sh
# llmr-route: decisions in the DESIGN.md shape, from an argument or JSON
# lines; every dropped candidate explained; exit codes.
. "$(dirname "$0")/lib.sh"
fake_start
write_config "$TEST_DIR/llmr.conf" '  default:
    max_cost: 0.05
    tiers:
      simple: [openai/gpt-4o-mini, groq/llama3-8b-8192, local/extractive]
      medium: [anthropic/claude-haiku-4-5, openai/gpt-4o-mini]
      complex: [anthropic/claude-sonnet-4-5, openai/gpt-4.1]
  legal:
    force: complex
  cheap:
    strategy: cheapest
    tiers:
      simple: [openai/gpt-4o-mini, groq/llama3-8b-8192]'

run llmr-route "Bonjour, quelle heure est-il ?"
is "$status" 0 "a simple question: exit 0"
is "$(printf '%s' "$out" | jq -r '[.route, .complexity, .task, .model] | join(" ")')" \
	"default simple chat openai/gpt-4o-mini" "route, tier, task and model"
is "$(printf '%s' "$out" | jq -c .chain)" '["openai/gpt-4o-mini","groq/llama3-8b-8192","local/extractive"]' "the chain"
ok_cond "score in [0,1], estimates, reason" test "$(printf '%s' "$out" |
	jq '.score >= 0 and .score <= 1 and .est_input_tokens > 0 and .est_cost_usd > 0 and (.reason | length) > 0')" = true

run llmr-route "Analyse et compare les deux offres, puis propose un plan de migration"
is "$(printf '%s' "$out" | jq -r '.complexity + " " + .model')" "complex anthropic/claude-sonnet-4-5" "a hard question goes to the complex tier"
like "$(printf '%s' "$out" | jq -r .reason)" "analysis 'analyse'" "the reason names the features"

run llmr-route -r legal "Bonjour"
is "$(printf '%s' "$out" | jq -r .complexity)" complex "a route can force its tier"
run llmr-route -r cheap "Bonjour"
is "$(printf '%s' "$out" | jq -r .model)" groq/llama3-8b-8192 "strategy cheapest"

unset TEST_OPENAI_KEY
run llmr-route "Bonjour"
is "$(printf '%s' "$out" | jq -r .model)" groq/llama3-8b-8192 "no key: the next candidate"
is "$(printf '%s' "$out" | jq -r '.skipped[0].why')" "no key: set TEST_OPENAI_KEY" "the skip names the variable"
TEST_OPENAI_KEY=sk-test-openai-0001
export TEST_OPENAI_KEY

printf '%s\n' '{"id":"a","prompt":"hello"}' 'not json' '{"id":"c","messages":[{"role":"user","content":"hi"}],"priority":"P3"}' \
	'{"id":"d","prompt":"x","route":"nope"}' >req.jsonl
run llmr-route <req.jsonl
is "$status" 65 "bad lines: exit 65"
is "$(printf '%s\n' "$out" | jq -r .id | tr '\n' ' ')" "a c " "the good lines are decided"
like "$err" '^llmr-route: <stdin>:2: invalid JSON' "the bad line is named"
like "$err" "unknown route 'nope'" "an unknown route is named"
is "$(printf '%s\n' "$out" | jq -r 'select(.id == "c") | .priority')" P3 "priority from the line"

run llmr-route --explain "Bonjour"
like "$out" 'openai/gpt-4o-mini +[0-9.]+ +chosen' "--explain: a table"

# A provider whose quota is spent is dropped, and says which window.
sed -i '/api_key_env: TEST_OPENAI_KEY/a\    limits: {rpd: 2}' "$LLMR_CONFIG"
llmr-ask --no-stream "one" >/dev/null && llmr-ask --no-stream "two" >/dev/null
run llmr-route "Bonjour"
is "$(printf '%s' "$out" | jq -r .model)" groq/llama3-8b-8192 "rpd spent: openai dropped"
like "$(printf '%s' "$out" | jq -r '.skipped[0].why')" '^rpd exhausted \(2/2' "the skip names the window"

# Nothing left, only for reasons that pass: exit 75.
write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [openai/gpt-4o-mini]'
sed -i '/api_key_env: TEST_OPENAI_KEY/a\    limits: {rpd: 2}' "$LLMR_CONFIG"
run llmr-route "Bonjour"
is "$status" 75 "every candidate over quota: exit 75"
is "$(printf '%s' "$out" | jq -r .model)" null "model null"
run llmr-route --no-state "Bonjour"
is "$status" 0 "--no-state ignores the live state"

run llmr-route --priority P9 "x"
is "$status" 64 "bad --priority: exit 64"
if [ -w /dev/full ]; then
	llmr-route "Bonjour" >/dev/full 2>/dev/null
	is "$?" 74 "a write to /dev/full: exit 74"
fi
# A valid config: a provider with no models, a route with no tiers. The
# provider has nothing to call, so it is skipped, not called without a
# model (llmr-ask used to crash here).
cat >nomodels.conf <<EOF
providers:
  openai:
    protocol: openai
    base_url: $FAKE_URL/openai/v1
    api_key_env: TEST_OPENAI_KEY
routes:
  default:
    priority: P1
EOF
run llmr-route --config nomodels.conf "Bonjour"
is "$(printf '%s' "$out" | jq -r '.skipped[0] | .model + ": " + .why')" \
	"openai/*: provider has no models configured" "a provider without models is skipped"
is "$(printf '%s' "$out" | jq -c .chain)" '["local/extractive"]' "the offline answer is left"
fake_reset
run llmr-ask --config nomodels.conf --json "Bonjour"
is "$status" 0 "llmr-ask does not crash on it"
is "$(jq_out .model)" local/extractive "llmr-ask answers offline"
is "$(fake_count)" 0 "nothing was sent to the provider"
done_testing
