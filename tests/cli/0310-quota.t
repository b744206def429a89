#!/bin/sh
# llmr-quota: the status table and JSON, alerts and --check, --watch;
# persistence: quota state survives restarts (every llmr-ask is a new
# process), windows reset on time, limits learned from response headers are
# shown and used; resets by hand.
. "$(dirname "$0")/lib.sh"
fake_start
write_config "$TEST_DIR/llmr.conf" '  default:
    on_limit: wait
    max_wait: 5s
    tiers:
      simple: [openai/gpt-4o-mini, groq/llama3-8b-8192]'
sed -i '/api_key_env: TEST_OPENAI_KEY/a\    limits: {rpd: 5, rps: 2}' "$LLMR_CONFIG"
q() { llmr-quota --json | jq -r ".providers[] | select(.name == \"$1\") | $2"; }

run llmr-quota
is "$status" 0 "status: exit 0"
like "$out" '^Provider +Status +Quota today +Used +Remaining +RPM left +Next reset +Breaker' "the table's header"
like "$out" 'openai +active +5 req/day +0 +5 ' "a row per provider"

for i in 1 2 3 4; do llmr-ask --no-stream "hello $i" >/dev/null; done
is "$(q openai .used.rpd)" 4 "4 processes, 4 requests counted: the state survives restarts"
is "$(q openai .remaining.rpd)" 1 "1 left today"
run llmr-quota --check
is "$status" 0 "--check: 20% left is not below the default 20%"
is "$out" "" "--check prints nothing when all is well"
sed -i 's/^routes:/quota: {alert_below: 0.3}\nroutes:/' "$LLMR_CONFIG"
run llmr-quota --check
is "$status" 75 "--check: exit 75 below a configured alert_below"
like "$out" '^openai: 20% of rpd left' "the alert says which quota"

# The 1 s window empties on time; the day window does not.
llmr-ask --no-stream "a" >/dev/null
sleep 1.1
is "$(q openai .used.rps)" 0 "the rps window reset on time"
is "$(q openai .used.rpd)" 5 "the day window did not"
run llmr-ask --json --no-stream "over"
is "$(printf '%s' "$out" | jq -r .model)" groq/llama3-8b-8192 "rpd spent: the next model answers"
like "$(printf '%s' "$out" | jq -r '.skipped[0].why')" '^rpd exhausted' "... and the skip says why"
is "$(fake_count '.family == "openai"')" 5 "openai never called over its quota"

# Limits learned from the headers: the fake allows 3 a minute on groq and
# says so in every answer; the config says nothing about groq.
fake_reset
fake_limit '{"family":"groq","requests":3,"window_ms":60000}'
for i in 1 2 3 4 5; do llmr-ask --no-stream "g $i" >/dev/null 2>&1; done
is "$(q groq .headers.requests_remaining)" 0 "headers shown: 0 requests remaining"
is "$(q groq .headers.requests_limit)" 3 "... of 3"
like "$(llmr-quota | grep '^groq')" ' 0/3 hdr ' "the table shows them"
is "$(fake_count '.family == "groq" and .status == 429')" 0 "headers used: no request sent once they said 0"
like "$(llmr-route Bonjour | jq -r '.skipped[] | select(.model | startswith("groq")) | .why')" \
	'^provider headers: no requests remaining' "llmr-route explains it"
ok llmr-quota reset --cooldown groq
is "$(q groq '.headers // "none"')" none "reset --cooldown forgets them"

run llmr-quota --watch 1 --count 2
is "$(printf '%s\n' "$out" | grep -c '^Provider')" 2 "--watch --count 2: two tables"
run llmr-quota --provider nope
is "$status" 64 "unknown provider: exit 64"
run llmr-quota budget show b-nope
is "$status" 65 "unknown budget: exit 65"
if [ -w /dev/full ]; then
	llmr-quota >/dev/full 2>/dev/null
	is "$?" 74 "a write to /dev/full: exit 74"
fi
done_testing
