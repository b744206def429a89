#!/bin/sh
# Outage: openai answers 429, 529, 500 and a timeout for a stretch. Every
# request is still answered (by groq); the breaker opens after its threshold
# (4), so later requests skip openai without calling it; once openai is back
# and the cooldown has passed, one half-open probe closes the breaker.
. "$(dirname "$0")/lib.sh"
fake_start
write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [openai/gpt-4o-mini, groq/llama3-8b-8192]'
sed -i '/api_key_env: TEST_OPENAI_KEY/a\    breaker: {failures: 4, cooldown: 60s}\n    max_retries: 0' "$LLMR_CONFIG"
sed -i '0,/timeout: 10s/s//timeout: 1s/' "$LLMR_CONFIG"
STATE=$XDG_DATA_HOME/llmr/state.db
breaker() { llmr-quota --json --provider openai | jq -r '.providers[0].breaker.state'; }

fake_script '[{"family":"openai","status":429},{"family":"openai","status":529},
	{"family":"openai","hang":true},{"family":"openai","status":500},
	{"family":"openai","status":503,"times":-1}]'
answered=0
for i in 1 2 3 4 5 6; do
	run llmr-ask --json --no-stream "hello $i"
	[ "$status" = 0 ] && [ "$(printf '%s' "$out" | jq -r .model)" = groq/llama3-8b-8192 ] &&
		answered=$((answered + 1))
	[ $i = 3 ] && is "$(breaker)" closed "closed after 3 failures"
	[ $i = 4 ] && is "$(breaker)" open "open after 4 (its threshold)"
done
is "$answered" 6 "every request answered through the chain during the outage"
is "$(fake_count '.family == "openai"')" 4 "openai called 4 times, then skipped"
like "$(printf '%s' "$out" | jq -r '.skipped[0].why')" '^breaker open' "the skip says why"
is "$(sqlite3 "$STATE" "SELECT group_concat(status, ',') FROM (SELECT status FROM requests WHERE provider = 'openai' ORDER BY id)")" \
	"rate_limited,overloaded,timeout,server" "every openai attempt logged with its class"
is "$(sqlite3 "$STATE" "SELECT COUNT(*) FROM requests WHERE provider = 'groq' AND status = 'ok'")" 6 "and every groq answer"
run llmr-quota --check
is "$status" 75 "llmr-quota --check: alert while the breaker is open"
like "$out" 'openai: breaker open' "the alert names the provider"

# Recovery: openai is back; after the cooldown (shortened now, so that a
# slow run, under valgrind say, cannot reach it early) one probe closes it.
fake_reset
sed -i 's/cooldown: 60s/cooldown: 1s/' "$LLMR_CONFIG"
sleep 1.2
run llmr-ask --json --no-stream "hello again"
is "$(printf '%s' "$out" | jq -r .model)" openai/gpt-4o-mini "the half-open probe goes to openai"
is "$(breaker)" closed "a successful probe closes the breaker"
run llmr-ask --json --no-stream "and again"
is "$(printf '%s' "$out" | jq -r .model)" openai/gpt-4o-mini "openai serves again"

# A breaker can be opened by failures and reset by hand.
fake_script '{"family":"openai","status":500,"times":4}'
sed -i 's/cooldown: 1s/cooldown: 60s/' "$LLMR_CONFIG"
for i in 1 2 3 4; do llmr-ask --json --no-stream "x $i" >/dev/null 2>&1; done
is "$(breaker)" open "open again"
ok llmr-quota reset --breaker openai
is "$(breaker)" closed "closed by hand"
done_testing
