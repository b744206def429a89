#!/bin/sh
# Hedging: when the first model sends nothing for hedge_after, the next one
# is asked too; the first answer is kept and the other call cancelled.
. "$(dirname "$0")/lib.sh"
fake_start
write_config "$TEST_DIR/llmr.conf" '  hedged:
    hedge_after: 300ms
    tiers:
      simple: [openai/gpt-4o-mini, anthropic/claude-sonnet-4-5, groq/llama3-8b-8192]
  plain:
    tiers:
      simple: [openai/gpt-4o-mini, anthropic/claude-sonnet-4-5]'
STATE=$XDG_DATA_HOME/llmr/state.db

run llmr-ask -r hedged --json "fast first model"
is "$(printf '%s' "$out" | jq -r .model)" openai/gpt-4o-mini "a prompt first model answers alone"
is "$(printf '%s' "$out" | jq '.attempts | length')" 1 "... with one attempt"
is "$(fake_count)" 1 "... and one request"

fake_reset
fake_script '{"family":"openai","hang":true}'
run llmr-ask -r hedged --json "slow first model"
is "$status" 0 "a silent first model: answered"
is "$(printf '%s' "$out" | jq -r .model)" anthropic/claude-sonnet-4-5 "... by the hedge"
is "$(printf '%s' "$out" | jq -r .text)" "Hello" "... with its text"
is "$(printf '%s' "$out" | jq -c '[.attempts[] | [.model, .status, (.hedged // false)]] | sort')" \
	'[["anthropic/claude-sonnet-4-5","ok",true],["openai/gpt-4o-mini","cancelled",false]]' \
	"both attempts reported: the hedge ok, the first cancelled"
is "$(printf '%s' "$out" | jq '[.attempts[] | select(.status == "cancelled") | .latency_ms < 9000] | all')" true \
	"the silent call was cancelled, not waited out to its 10 s timeout"
id=$(printf '%s' "$out" | jq -r .id)
is "$(sqlite3 "$STATE" "SELECT provider || ':' || status FROM requests WHERE request_id = '$id' ORDER BY provider")" \
	"anthropic:ok
openai:cancelled" "both attempts logged"
is "$(llmr-quota --json | jq -r '.providers[] | select(.name == "openai") | .breaker.state // .breaker' 2>/dev/null | head -1)" closed \
	"a cancelled call does not count against the provider's breaker"

fake_reset
fake_script '{"family":"openai","hang":true}'
run llmr-ask -r hedged --stream "streamed"
is "$out" "Hello" "streaming: only the winner's tokens reach stdout"

fake_reset
fake_script '[{"family":"openai","hang":true},{"family":"anthropic","status":500,"times":-1}]'
run llmr-ask -r hedged --json "both bad"
is "$status" 0 "first silent, hedge fails: the chain goes on"
is "$(printf '%s' "$out" | jq -r .model)" groq/llama3-8b-8192 "... to the model after the hedge"
fake_reset

fake_script '{"family":"openai","delay_ms":600}'
run llmr-ask -r plain --json "no hedge configured"
is "$(printf '%s' "$out" | jq -r .model)" openai/gpt-4o-mini "without hedge_after, a slow model is waited for"
done_testing
