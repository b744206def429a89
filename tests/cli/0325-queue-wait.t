#!/bin/sh
# The fair queue (on_limit: wait) waits for a request in flight to end at
# the time that model's recent latencies predict, not at the worst case
# of its lease (timeout + 10 s), which made it refuse to wait at all.
. "$(dirname "$0")/lib.sh"
fake_start
write_config "$TEST_DIR/llmr.conf" '  default:
    on_limit: wait
    max_wait: 15s
    tiers:
      simple: [openai/gpt-4o-mini]'
sed -i '/api_key_env: TEST_OPENAI_KEY/a\    limits: {rps: 1}' "$LLMR_CONFIG"
STATE=$XDG_DATA_HOME/llmr/state.db
held() { sqlite3 "$STATE" "SELECT COUNT(*) FROM quota_log WHERE held = 1" 2>/dev/null || echo 0; }

# Some history: this model answers in milliseconds.
llmr-ask --no-stream "warm up" >/dev/null
sleep 1.1

# A slow request holds the only per-second slot (its lease: 10 s + 10 s).
fake_script '{"family":"openai","delay_ms":2500}'
llmr-ask --no-stream --json "slow" >slow.out 2>slow.err &
slow=$!
i=0
while [ "$(held)" = 0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
is "$(held)" 1 "the slow request is in flight"

run llmr-quota --json
fa=$(printf '%s' "$out" | jq '.providers[] | select(.name == "openai") | .frees_at.rps')
ok_cond "llmr-quota expects the slot back soon, not at the lease ($fa)" \
	test "$(( (fa - $(date +%s%3N)) / 1000 ))" -lt 5

run llmr-ask --no-stream --json "queued"
is "$status" 0 "the next request waited in the queue and was answered"
is "$(printf '%s' "$out" | jq -r .model)" openai/gpt-4o-mini "... by the same model"
unlike "$err" "frees in" "... without refusing on the worst case"
wait "$slow"
is "$?" 0 "the slow request was answered too"
is "$(fake_count)" 3 "three calls in all"
done_testing
