#!/bin/sh
# A breaker opened by one host is open for the others, through Redis: host
# 1 sees openai fail and opens it; host 2 then skips openai without calling
# it; a half-open probe on host 2 closes it for host 1; a reset on one host
# closes it for all.
. "$(dirname "$0")/lib.sh"
. "$LLMR_SRC/tests/cli/redis.sh"
fake_start
redis_start
write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [openai/gpt-4o-mini, groq/llama3-8b-8192]'
sed -i '/api_key_env: TEST_OPENAI_KEY/a\    breaker: {failures: 3, cooldown: 60s}\n    max_retries: 0' "$LLMR_CONFIG"
redis_coordinate t0335:
breaker() { on_host "$1" llmr-quota --json --provider openai | jq -r '.providers[0].breaker.state'; }

fake_script '{"family":"openai","status":500,"times":3}'
for i in 1 2 3; do on_host 1 llmr-ask --json --no-stream "hello $i" >/dev/null 2>&1; done
is "$(breaker 1)" open "host 1: open after 3 failures"
is "$(breaker 2)" open "host 2: open too, without a failure of its own"
is "$(redis-cli -p "$REDIS_PORT" hget t0335:b:openai state)" 1 "the breaker is in Redis"
is "$(sqlite3 h1/state.db 'SELECT COUNT(*) FROM breakers')" 0 "and not in host 1's state file"
before=$(fake_count '.family == "openai"')
run on_host 2 llmr-ask --json --no-stream "hello from 2"
is "$status" 0 "host 2 answered"
is "$(jq_out .model)" groq/llama3-8b-8192 "by groq"
like "$(jq_out '.skipped[0].why')" '^breaker open after 3 failures' "host 2 skipped openai: breaker open"
is "$(fake_count '.family == "openai"')" "$before" "host 2 never called openai"

# The cooldown passes (Redis's clock: shorten it); a probe on host 2 closes
# it for host 1.
sed -i 's/cooldown: 60s/cooldown: 1s/' "$LLMR_CONFIG"
sleep 1.2
run on_host 2 llmr-ask --json --no-stream "probe"
is "$(jq_out .model)" openai/gpt-4o-mini "the half-open probe from host 2 goes to openai"
is "$(breaker 1)" closed "closed for host 1 too"
is "$(redis-cli -p "$REDIS_PORT" exists t0335:b:openai)" 0 "a closed, clean breaker leaves no key"

fake_script '{"family":"openai","status":500,"times":3}'
sed -i 's/cooldown: 1s/cooldown: 60s/' "$LLMR_CONFIG"
for i in 1 2 3; do on_host 3 llmr-ask --json --no-stream "x $i" >/dev/null 2>&1; done
is "$(breaker 1)" open "opened by host 3, open for host 1"
ok on_host 2 llmr-quota reset --breaker openai
is "$(breaker 3)" closed "reset on host 2 closes it for host 3"
run on_host 3 llmr-ask --json --no-stream "after reset"
is "$(jq_out .model)" openai/gpt-4o-mini "openai serves again"
done_testing
