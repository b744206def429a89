#!/bin/sh
# Degraded mode across hosts through Redis: host 1 meets a storm of 429s
# and degrades; host 2, calm, degrades too (P3 skipped), saying it comes
# from another host; a reset on host 2 switches it off for every host.
. "$(dirname "$0")/lib.sh"
. "$LLMR_SRC/tests/cli/redis.sh"
fake_start
redis_start
write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [openai/gpt-4o-mini, groq/llama3-8b-8192]'
sed -i '/api_key_env: TEST_OPENAI_KEY/a\    breaker: {failures: 100, cooldown: 1s}\n    max_retries: 0' "$LLMR_CONFIG"
redis_coordinate t0337:
deg() { on_host "$1" llmr-quota --json | jq -r .degraded.active; }

is "$(deg 2)" false "calm: host 2 not degraded"
fake_script '{"family":"openai","status":429,"times":-1}'
for i in 1 2 3 4 5 6 7 8; do on_host 1 llmr-ask --json --no-stream "storm $i" >/dev/null 2>&1; done
sleep 1.1 # the signals are measured at most once a second
is "$(deg 1)" true "host 1: degraded by its own 429s"
fake_reset
is "$(deg 2)" true "host 2: degraded too"
like "$(on_host 2 llmr-quota --json | jq -r .degraded.reason)" '^on another host: 429 rate' "saying where it comes from"
run on_host 2 llmr-ask --json --no-stream --priority P3 "cosmetic"
is "$status" 75 "host 2 skips P3 work"
is "$(jq_out .skipped)" degraded "... as skipped: degraded"
is "$(sqlite3 h2/state.db 'SELECT COUNT(*) FROM requests WHERE status = "rate_limited"')" 0 "with no 429 of its own"

ok on_host 2 llmr-quota reset --degraded
is "$(redis-cli -p "$REDIS_PORT" exists t0337:degraded)" 0 "a reset switches it off for every host"
done_testing
