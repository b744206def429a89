#!/bin/sh
# Degraded mode switches itself on from measured signals (here: the 429
# rate of the last minute), shows in llmr-quota and in every response, sends
# routes to the cheapest candidate and skips P3 work; it can be reset by hand.
. "$(dirname "$0")/lib.sh"
fake_start
write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [openai/gpt-4o-mini, groq/llama3-8b-8192]'
sed -i '/api_key_env: TEST_OPENAI_KEY/a\    breaker: {failures: 100, cooldown: 1s}\n    max_retries: 0' "$LLMR_CONFIG"
deg() { llmr-quota --json | jq -r .degraded.active; }

run llmr-ask --json --no-stream "calm"
is "$(printf '%s' "$out" | jq -r '.degraded // false')" false "calm: not degraded"
is "$(deg)" false "llmr-quota: off"

fake_script '{"family":"openai","status":429,"times":-1}'
for i in 1 2 3 4 5 6 7 8; do llmr-ask --json --no-stream "storm $i" >/dev/null 2>&1; done
sleep 1.1 # the signals are measured at most once a second
run llmr-ask --json --no-stream "during"
is "$status" 0 "still answered"
is "$(printf '%s' "$out" | jq -r .degraded)" true "the response says degraded"
is "$(printf '%s' "$out" | jq -r .model)" groq/llama3-8b-8192 "... and comes from the cheapest model"
is "$(deg)" true "llmr-quota: on"
like "$(llmr-quota --json | jq -r .degraded.reason)" '^429 rate' "with the signal that switched it on"
like "$(llmr-quota)" 'degraded mode: ON' "the table says so"
run llmr-ask --json --no-stream --priority P3 "cosmetic"
is "$status" 75 "P3 work is skipped while degraded: exit 75"
is "$(printf '%s' "$out" | jq -r .skipped)" degraded "... as skipped: degraded"
is "$(llmr-route --priority P3 x | jq -r .skip)" degraded "llmr-route shows it too"

ok llmr-quota reset --degraded
# Read the stored state: the next measurement (a second later) may well
# switch it on again, since the last minute still holds the storm.
is "$(sqlite3 "$XDG_DATA_HOME/llmr/state.db" "SELECT active || ' ' || reason FROM degrade")" \
	"0 reset by hand" "reset by hand"
done_testing
