#!/bin/sh
# llmr-quota: the status table and JSON, alerts and --check, --watch;
# persistence: quota state survives restarts (every llmr-ask is a new
# process), windows reset on time, limits learned from response headers are
# shown and used; resets by hand. The table shows tier, status, units, the
# reset of every window and of the one that binds; --json carries the same.
. "$(dirname "$0")/lib.sh"
fake_start
write_config "$TEST_DIR/llmr.conf" '  default:
    on_limit: wait
    max_wait: 5s
    tiers:
      simple: [openai/gpt-4o-mini, groq/llama3-8b-8192]'
sed -i '/api_key_env: TEST_OPENAI_KEY/a\    limits: {rpd: 5, rps: 2, rpm: 100}' "$LLMR_CONFIG"
sed -i '/api_key_env: TEST_DEEPSEEK_KEY/a\    limits: {tpd: 100000}' "$LLMR_CONFIG"
sed -i '/api_key_env: TEST_MISTRAL_KEY/{n;s/tier: paid/tier: enterprise/}' "$LLMR_CONFIG"
sed -i '/api_key_env: TEST_ANTHROPIC_KEY/a\    status: testing' "$LLMR_CONFIG"
q() { llmr-quota --json | jq -r ".providers[] | select(.name == \"$1\") | $2"; }
# Resets: relative, "in 41s" / "in 4m05s" / "in 3h12m", plus " (Mon DD HH:MM)"
# when not today.
DATE=' \([A-Z][a-z][a-z] [0-9][0-9] [0-9][0-9]:[0-9][0-9]\)'

run llmr-quota
is "$status" 0 "status: exit 0"
like "$out" '^Provider +Tier +Status +Quota today +Used +Remaining +RPM left +Breaker +Reset$' "the table's header"
like "$out" '^openai +paid +active +5 req/day +0 req +5 req +100/100 ' "a row per provider, used and left with their unit"
like "$out" '^groq +free +active +unlimited +0 tok ' "tier free, tokens used"
like "$out" '^mistral +enterprise +active ' "tier enterprise"
like "$out" '^anthropic +paid +testing ' "status testing"
like "$out" '^  rpd +0/5 req +resets -$' "a line per limited window: nothing used, nothing to reset"
is "$(q openai .tier)" paid "--json: tier"
is "$(q mistral .tier)" enterprise "--json: tier enterprise"
is "$(q anthropic .status)" testing "--json: status"
is "$(q openai '.windows.rpd | "\(.unit) \(.limit) \(.used) \(.remaining) \(.resets_at // "none")"')" \
	"req 5 0 5 none" "--json: a window with its unit, and no reset while empty"
is "$(q groq '.binding // "none"')" none "--json: no binding window without limits"

for i in 1 2 3 4; do llmr-ask --no-stream "hello $i" >/dev/null; done
is "$(q openai .used.rpd)" 4 "4 processes, 4 requests counted: the state survives restarts"
is "$(q openai .remaining.rpd)" 1 "1 left today"
run llmr-quota
like "$out" '^openai +paid +(active|warn) +5 req/day +4 req +1 req ' "the row counts them, with units"
like "$out" "^  rpd +4/5 req +resets in 2[34]h[0-5][0-9]m$DATE\$" "the day window resets tomorrow: relative, with the date"
like "$out" '^  rpm +4/100 req +resets in ([0-9]+s|1m00s)' "the minute window resets in seconds"
if [ "$(date -u +%H%M)" -lt 2358 ]; then
	unlike "$(printf '%s\n' "$out" | grep '^  rpm')" '\(' "... today: no date"
else
	skip "too close to midnight to tell today from tomorrow"
fi
is "$(q openai '.windows.rpd.resets_at == .frees_at.rpd')" true "--json: each window's reset"
llmr-ask -m deepseek/deepseek-chat --no-stream "tokens" >/dev/null
like "$(llmr-quota | grep '^deepseek')" '^deepseek +paid +active +100.0k tokens +[0-9]+ tok +[0-9.]+k tok ' "a token quota: tok units"
is "$(q deepseek .windows.tpd.unit)" tok "--json: unit tok"
like "$(llmr-quota | grep '^  tpd')" "^  tpd +[0-9]+/100.0k tok +resets in" "the token window's own reset"
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
# The day is spent, the minute is not: the reset that matters is the day's,
# though the minute window frees sooner.
is "$(q openai '"\(.binding.window) \(.binding.blocked)"')" "rpd true" "--json: the binding window is the exhausted one"
is "$(q openai '.binding.resets_at == .frees_at.rpd')" true "... with its reset"
like "$(q openai .binding.why)" '^rpd exhausted' "... and why it binds"
like "$(llmr-quota | grep '^openai')" "rpd full, in 2[34]h[0-5][0-9]m$DATE\$" "the table shows the day's reset, not the minute's"
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
like "$(llmr-quota | grep '^groq')" ' 0/3 hdr .*headers full, in ([0-9]+s|1m00s)$' "the table shows them, and that they bind"
like "$(llmr-quota | grep '^  headers')" '^  headers +0/3 req left +resets in ([0-9]+s|1m00s)$' "... with their reset"
is "$(q groq '"\(.binding.window) \(.binding.blocked)"')" "headers true" "--json: the headers bind"
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
