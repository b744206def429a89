#!/bin/sh
# Through Redis, what one host learns from a provider's rate-limit headers
# holds for the other hosts ("0 requests remaining, reset in 10m", a token
# bucket in Anthropic's spelling, a 429's retry-after, a lower limit), and llmr-quota reset --cooldown forgets it
# for all; daily windows with a calendar reset (rpd_reset) count in Redis
# since the last reset, not over a sliding 24 h.
. "$(dirname "$0")/lib.sh"
. "$LLMR_SRC/tests/cli/redis.sh"
fake_start
redis_start
write_config
redis_coordinate t0339:
ask() { on_host "$@" --no-stream --json; }

# "0 requests remaining, resets in 30s", seen by host 1.
fake_script '{"family":"openai","headers":{"x-ratelimit-remaining-requests":"0","x-ratelimit-reset-requests":"10m"}}'
run ask 1 llmr-ask -m openai/gpt-4o-mini "first"
is "$status" 0 "host 1 is answered, and told nothing is left"
is "$(redis-cli -p "$REDIS_PORT" hget t0339:rl:openai/gpt-4o-mini req_rem)" 0 "the headers are in Redis"
run ask 2 llmr-ask -m openai/gpt-4o-mini "second"
is "$status" 75 "host 2 does not send: the provider said none is left (75)"
like "$(jq_out '.skipped[0].why')" 'provider headers: no requests remaining \(resets in [0-9.]+s, all hosts\)' \
	"host 2 says why"
is "$(fake_count)" 1 "only host 1's request reached the provider"
run on_host 2 llmr-quota reset --cooldown openai
is "$status" 0 "host 2 forgets the header-learned limits"
run ask 1 llmr-ask -m openai/gpt-4o-mini "third"
is "$status" 0 "... for host 1 too"
is "$(fake_count)" 2 "which then reaches the provider"

# Anthropic's spelling, a token bucket: 5 tokens left for 10 minutes.
at=$(date -u -d '+10 min' +%Y-%m-%dT%H:%M:%SZ)
fake_script "{\"family\":\"anthropic\",\"headers\":{\"anthropic-ratelimit-tokens-limit\":\"100000\",\"anthropic-ratelimit-tokens-remaining\":\"5\",\"anthropic-ratelimit-tokens-reset\":\"$at\"}}"
run ask 1 llmr-ask -m anthropic/claude-haiku-4-5 "tokens"
is "$status" 0 "host 1 is told only 5 tokens are left (anthropic-ratelimit-tokens-*)"
run ask 2 llmr-ask -m anthropic/claude-haiku-4-5 "more tokens"
is "$status" 75 "host 2 does not send a request of more than 5 tokens (75)"
like "$(jq_out '.skipped[0].why')" 'provider headers: 5 tokens remaining, ~[0-9]+ needed \(resets in [0-9.]+s, all hosts\)' \
	"... and says why"
is "$(fake_count '.family == "anthropic"')" 1 "only host 1's request reached Anthropic"

# A 429 with retry-after on host 2 is a cooldown for host 1.
fake_reset
fake_script '{"family":"openai","status":429,"headers":{"retry-after":"600"}}'
run ask 2 llmr-ask -m openai/gpt-4o-mini "limited"
is "$(fake_count '.status == 429')" 1 "host 2 gets a 429 with retry-after: 600"
run ask 1 llmr-ask -m openai/gpt-4o-mini "after"
is "$status" 75 "host 1 waits out the cooldown (75)"
like "$(jq_out '.skipped[0].why')" 'cooldown: provider said retry after [0-9.]+s \(all hosts\)' "... and says so"
is "$(fake_count)" 1 "nothing more reached the provider"

# A lower per-minute limit in the headers replaces the config's for all
# (on mistral, which nothing above used; a short max_wait).
fake_reset
sed -i '/api_key_env: TEST_MISTRAL_KEY/a\    limits: {rpm: 100}' "$LLMR_CONFIG"
sed -i 's/^    priority: P1/    priority: P1\n    max_wait: 1s/' "$LLMR_CONFIG"
fake_script '{"family":"mistral","headers":{"x-ratelimit-limit-requests":"2","x-ratelimit-remaining-requests":"50","x-ratelimit-reset-requests":"1s"}}'
run ask 1 llmr-ask -m mistral/mistral-large-latest "a"
run ask 2 llmr-ask -m mistral/mistral-large-latest "b"
is "$status" 0 "a limit of 2 a minute: host 2's call is the second"
run ask 1 llmr-ask -m mistral/mistral-large-latest "c"
is "$status" 75 "... and a third, on either host, waits (75)"
like "$(jq_out '.skipped[0].why')" 'rpm exhausted \(2/2, all hosts\)' "... for rpm"

# Calendar resets: groq's day began an hour ago (UTC); deepseek's slides.
reset=$(date -u -d '-1 hour' +%H:%M)
sed -i "/^  groq:/,/^    models:/s|^    timeout: 10s|    timeout: 10s\n    limits: {rpd: 3, rpd_reset: \"$reset UTC\"}|" "$LLMR_CONFIG"
sed -i "/^  deepseek:/,/^    models:/s|^    timeout: 10s|    timeout: 10s\n    limits: {rpd: 3}|" "$LLMR_CONFIG"
# Three requests two hours ago, in Redis, on each provider.
rnow=$(redis-cli -p "$REDIS_PORT" time | head -1)
for p in groq deepseek; do
	for i in 1 2 3; do
		redis-cli -p "$REDIS_PORT" zadd "t0339:q:$p" $(( (rnow - 7200 + i) * 1000 )) "old$i" >/dev/null
		redis-cli -p "$REDIS_PORT" hset "t0339:q:$p:h" "old$i" "0 10" >/dev/null
	done
done
run on_host 2 llmr-quota --json
is "$(jq_out '.providers[] | select(.name == "groq") | .used.rpd')" 0 "groq: nothing since the reset, on every host"
is "$(jq_out '.providers[] | select(.name == "deepseek") | .used.rpd')" 3 "deepseek: three in the last 24 h"
codes=
for h in 1 2 1 2; do
	on_host $h llmr-ask --no-stream -m groq/llama3-8b-8192 "g$h" >/dev/null 2>&1
	codes="$codes$? "
done
is "$codes" "0 0 0 75 " "groq: 3 calls since the reset from two hosts, then 75"
run ask 1 llmr-ask -m deepseek/deepseek-chat "d"
is "$status" 75 "deepseek: the sliding day is full (75)"
like "$(jq_out '.skipped[0].why')" 'rpd exhausted \(3/3, all hosts\)' "... for rpd"
run on_host 1 llmr-quota --json
next=$(( $(date -u -d "tomorrow $reset" +%s) * 1000 ))
got=$(jq_out '.providers[] | select(.name == "groq") | .frees_at.rpd')
ok_cond "groq: frees at the next reset ($got, want $next)" test $((got - next)) -le 2000 -a $((next - got)) -le 2000
done_testing
