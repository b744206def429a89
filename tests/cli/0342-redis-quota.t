#!/bin/sh
# llmr-quota with coordination shows the shared view: the rate-limit
# headers any host read (kept in Redis), what every host admitted since,
# a cooldown another host was told, and where each figure comes from, in
# --json and in the table. Redis down: this host's own figures, said so.
. "$(dirname "$0")/lib.sh"
. "$LLMR_SRC/tests/cli/redis.sh"
fake_start
redis_start
write_config
redis_coordinate t0342:
q() { on_host "$1" llmr-quota --json --provider openai | jq -r ".providers[0] | $2"; }

# Host 1 reads "3 of 10 requests remaining, reset in 10m".
fake_script '{"family":"openai","headers":{"x-ratelimit-limit-requests":"10","x-ratelimit-remaining-requests":"3","x-ratelimit-reset-requests":"10m"}}'
run on_host 1 llmr-ask -q --no-stream -m openai/gpt-4o-mini "first"
is "$status" 0 "host 1 is answered and reads the headers"
is "$(q 2 '.headers.requests_remaining // "none"')" 3 "host 2's llmr-quota: the 3 remaining host 1 read"
is "$(q 2 '.headers.requests_limit')" 10 "... of 10"
is "$(q 2 '.headers.source + " " + .headers.learned_by')" "redis another host" \
	"... from Redis, read by another host"
is "$(q 1 '.headers.source + " " + .headers.learned_by')" "redis this host" "host 1: read by this host"
is "$(q 2 '.headers.model')" gpt-4o-mini "... and names the model whose headers they are"
ok_cond "... the reset is about 10 minutes away, on this host's clock" \
	test "$(q 2 '((.headers.requests_reset_at - now * 1000) / 1000) | floor')" -ge 590 -a \
	"$(q 2 '((.headers.requests_reset_at - now * 1000) / 1000) | floor')" -le 600
is "$(q 2 '.sources | "\(.windows) \(.headers) \(.month_spend_usd)"')" "redis redis redis" \
	"sources: windows, headers and month spend all from Redis"

# Host 2 sends one more, answered without rate-limit headers (a 400):
# every host's admissions since the headers count.
fake_reset
fake_script '{"family":"openai","status":400}'
run on_host 2 llmr-ask -q --no-stream -m openai/gpt-4o-mini "second"
is "$(fake_count)" 1 "host 2's request reached the provider"
is "$(q 1 '.headers.admitted_since.requests')" 1 "host 1 sees host 2's request admitted since the headers"
run on_host 2 llmr-quota
like "$out" '^  headers +3/10 req left +resets in [0-9]+m[0-9]+s \(Redis: read by another host, 1 req since, every host\)$' \
	"the table: the headers line says where they come from"
like "$out" '^  from +windows redis, headers redis, month spend redis$' "the table: a line of sources"

# A 429 with retry-after on host 1 is a cooldown host 2's llmr-quota shows.
fake_script '{"family":"openai","status":429,"headers":{"retry-after":"600"}}'
run on_host 1 llmr-ask -q --no-stream -m openai/gpt-4o-mini "limited"
ok_cond "host 2's llmr-quota: a cooldown of about 600 s (host 1's 429)" \
	test "$(q 2 '(((.cooldown_until // 0) - now * 1000) / 1000) | floor')" -ge 590
is "$(q 2 '"\(.binding.window) \(.binding.blocked)"')" "cooldown true" "... which binds"
run on_host 2 llmr-quota
like "$(printf '%s\n' "$out" | grep '^openai')" 'cooldown in [0-9]+m' "the table shows the cooldown"

# Redis down: host 2 has read no headers itself; the report says the
# figures are this host's.
redis_kill
is "$(q 2 '.headers // "none"')" none "Redis down: host 2 shows no headers of its own"
is "$(q 2 '.sources | "\(.windows) \(.headers) \(.month_spend_usd)"')" "state state state" \
	"... and says every figure is from its state file"
is "$(q 1 '.headers.source')" state "host 1 shows the headers from its own state file"
redis_restart
done_testing
