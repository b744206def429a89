#!/bin/sh
# Identical requests in flight on several hosts make one call through
# Redis: the first host takes the lease, the others wait for its answer
# (each host keeps its own cache). When the call fails, exactly one waiter
# takes over. Redis down: each host coalesces its own processes, as ever.
. "$(dirname "$0")/lib.sh"
. "$LLMR_SRC/tests/cli/redis.sh"
fake_start
redis_start
CACHE_TTL=1h write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [openai/gpt-4o-mini]'
# One call per request: a failure is the request's failure, not a retry.
sed -i '/base_url: .*\/openai\/v1/a\    max_retries: 0' "$LLMR_CONFIG"
redis_coordinate t0343:
for h in 1 2 3; do on_host $h llmr-ask --json --no-stream "warm-up $h" >/dev/null; done

# 3 hosts, 2 processes each, one question.
burst() {
	_pids=
	for p in 1 2 3 4 5 6; do
		on_host $((p % 3 + 1)) llmr-ask --json --no-stream "$1" >"out.$p" 2>"err.$p" &
		_pids="$_pids $!"
	done
	wait $_pids
}
fake_reset
fake_script '{"family":"openai","delay_ms":800}'
burst "A brand new question"
is "$(fake_count)" 1 "6 processes on 3 hosts, one new question: the provider sees one call"
is "$(cat out.* | jq -r .text | sort -u)" "Hello!" "... and all 6 get its answer"
is "$(cat out.* | jq -r .cache | sort | uniq -c | awk '{print $1 " " $2}' | tr '\n' ' ')" \
	"5 exact 1 miss " "... one miss, 5 answered from it"
is "$(redis-cli -p "$REDIS_PORT" --scan --pattern 't0343:co:*:l' | wc -l)" 0 "the lease in Redis is given back"
ok_cond "the answer in Redis expires by itself" \
	test "$(redis-cli -p "$REDIS_PORT" pttl "$(redis-cli -p "$REDIS_PORT" --scan --pattern 't0343:co:*:a' | head -1)")" -gt 0

fake_reset
fake_script '{"family":"openai","status":500,"delay_ms":800}'
burst "Another new question"
is "$(fake_count)" 2 "the call fails: exactly one retry follows, from any host"
is "$(cat out.* | jq -r '.error.class // .cache' | sort | uniq -c | awk '{print $1 " " $2}' | tr '\n' ' ')" \
	"4 exact 1 miss 1 server " "... one failure, one retried answer, 4 served from it"

# Redis down: the hosts no longer share, each coalesces its own processes.
redis_kill
fake_reset
fake_script '{"family":"openai","delay_ms":800}'
burst "A question during the outage"
is "$(fake_count)" 3 "Redis down: one call per host"
is "$(cat out.* | jq -r .text | sort -u)" "Hello!" "... and every process answered"
redis_restart
done_testing
