#!/bin/sh
# The FrugalGPT cascade: an answer that fails the check (here: not JSON when
# JSON was asked for) climbs one tier and asks again; the skips say why.
. "$(dirname "$0")/lib.sh"
fake_start
write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [openai/gpt-4o-mini]
      medium: [groq/llama3-8b-8192]
      complex: [anthropic/claude-haiku-4-5]'

run llmr-ask --json --no-stream "Bonjour"
is "$(printf '%s' "$out" | jq -r '.model + " " + (.attempts | length | tostring)')" "openai/gpt-4o-mini 1" \
	"a good answer stays on the simple tier"

run llmr-ask --json --no-stream --expect-json "Bonjour"
is "$status" 69 "no tier answered with JSON: exit 69, not 0"
is "$(printf '%s' "$out" | jq -r .error.class)" protocol "... class protocol"
like "$err" "anthropic/claude-haiku-4-5: no JSON object in the answer" "... and one line that says so"
is "$(printf '%s' "$out" | jq -r '[.attempts[].model] | join(" ")')" \
	"openai/gpt-4o-mini groq/llama3-8b-8192 anthropic/claude-haiku-4-5" "not JSON: one tier up, then the next"
like "$(printf '%s' "$out" | jq -r '.skipped[0].why')" '^invalid JSON' "the skip says why"
is "$(printf '%s' "$out" | jq -r .complexity)" complex "the response names the tier that answered"
is "$(fake_count)" 4 "four calls in all"
run llmr-ask --no-stream --expect-json "Bonjour"
is "$status" 69 "without --json too"
is "$out" "" "... and nothing that is not JSON goes to stdout"

fake_reset
fake_script '{"family":"openai","status":200,"body":{"id":"c1","object":"chat.completion","model":"gpt-4o-mini",
	"choices":[{"index":0,"message":{"role":"assistant","content":"{\"ok\": true}"},"finish_reason":"stop"}],
	"usage":{"prompt_tokens":4,"completion_tokens":4,"total_tokens":8}}}'
run llmr-ask --no-stream --expect-json "Bonjour"
is "$status" 0 "a JSON answer: exit 0"
is "$out" '{"ok": true}' "... printed"
done_testing
