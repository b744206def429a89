#!/bin/sh
# router: {classifier: provider/model}: a cheap model picks the tier, its
# call is logged with its cost, and the heuristic takes over when it fails.
. "$(dirname "$0")/lib.sh"
fake_start
write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [groq/llama3-8b-8192]
      complex: [anthropic/claude-haiku-4-5]'
sed -i 's/^routes:/router: {classifier: openai\/gpt-4o-mini}\nroutes:/' "$LLMR_CONFIG"
STATE=$XDG_DATA_HOME/llmr/state.db

fake_script '{"family":"openai","status":200,"body":{"id":"c1","object":"chat.completion","model":"gpt-4o-mini",
	"choices":[{"index":0,"message":{"role":"assistant","content":"Complex."},"finish_reason":"stop"}],
	"usage":{"prompt_tokens":40,"completion_tokens":2,"total_tokens":42}}}'
run llmr-ask --json --no-stream "Bonjour"
is "$status" 0 "answered"
is "$(printf '%s' "$out" | jq -r '.complexity + " " + .model')" "complex anthropic/claude-haiku-4-5" \
	"the classifier model's tier wins over the heuristic's"
is "$(fake_jq '.log[0].body.max_tokens')" 5 "the classifier call is tiny"
is "$(sqlite3 "$STATE" "SELECT route || ' ' || model || ' ' || (cost_usd > 0) FROM requests WHERE route = 'router'")" \
	"router gpt-4o-mini 1" "its call is logged with its cost"

fake_reset
fake_script '{"family":"openai","status":500}'
run llmr-ask --json --no-stream "Bonjour"
is "$(printf '%s' "$out" | jq -r '.complexity + " " + .model')" "simple groq/llama3-8b-8192" \
	"a failing classifier leaves the heuristic in charge"

fake_reset
run llmr-route "Bonjour"
is "$(fake_count)" 0 "llmr-route never calls the classifier"
done_testing
