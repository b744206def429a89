#!/bin/sh
# Redis killed mid-run, then started again: no crash and no hang past the
# bound; while it is down each host goes on alone under its share of the
# limit (0.33 of 30 a second: 9) and never more; every process warns once;
# the outage is recorded; when Redis is back coordination resumes there.
. "$(dirname "$0")/lib.sh"
. "$LLMR_SRC/tests/cli/redis.sh"
fake_start
redis_start
write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [openai/gpt-4o-mini]
      medium: [openai/gpt-4o-mini]
      complex: [openai/gpt-4o-mini]
    max_wait: 60s'
sed -i '/api_key_env: TEST_OPENAI_KEY/a\    limits: {rps: 30}' "$LLMR_CONFIG"
redis_coordinate t0333: 'coordination_share: 0.33'
fake_limit '{"family":"openai","requests":30,"window_ms":1000}'

for p in 1 2 3 4 5 6 7 8; do
	i=0
	while [ $i -lt 14 ]; do
		printf '{"id":"p%s-%s","prompt":"hello %s %s"}\n' "$p" "$i" "$p" "$i"
		i=$((i + 1))
	done >"in.$p"
done
start=$(date +%s)
pids=
for h in 1 2 3; do
	for p in 1 2 3 4 5 6 7 8; do
		on_host $h timeout 120 llmr-ask --jsonl --no-stream <"in.$p" >"out.$h.$p" 2>"err.$h.$p" &
		pids="$pids $!"
	done
done
sleep 2
redis_kill
sleep 4
redis_restart
codes=
for pid in $pids; do
	wait "$pid"
	codes="$codes $?"
done
took=$(($(date +%s) - start))

cat out.* >all.out
is "$(echo $codes | tr ' ' '\n' | grep -cvE '^(0|75)$')" 0 "every process ended 0 or 75 (no crash, no timeout:$codes)"
ok_cond "the run ended in bounded time (${took}s)" test "$took" -lt 100
is "$(wc -l <all.out | tr -d ' ')" 336 "336 responses"
is "$(jq -r 'select(.text == null and .error.class != "rate_limited") | .id' all.out | wc -l | tr -d ' ')" 0 \
	"every request answered, or refused as rate-limited (75)"
diag "$(jq -r 'select(.text != null) | .id' all.out | wc -l) answered; the fake refused $(fake_count '.status == 429')" \
	"(while Redis dies, what it admitted that second and the hosts' shares add up)"
warned=0
for f in err.*; do
	n=$(grep -c 'coordination: redis' "$f")
	[ "$n" -le 1 ] || fail "$f warned $n times"
	warned=$((warned + n))
done
ok_cond "processes warned of the outage, each at most once ($warned)" test "$warned" -ge 1
like "$(cat err.* | head -1)" 'llmr-ask: coordination: redis.*33% of each limit' "the warning names the fallback"
# While Redis was down each host reserved in its own state file: at most
# its share (9) in any second.
for h in 1 2 3; do
	rows=$(sqlite3 h$h/state.db 'SELECT COUNT(*) FROM quota_log')
	worst=$(sqlite3 h$h/state.db 'SELECT COALESCE(MAX(n), 0) FROM (SELECT (SELECT COUNT(*) FROM quota_log b
		WHERE b.t_start >= a.t_start AND b.t_start < a.t_start + 1000) AS n FROM quota_log a)')
	ok_cond "host $h: $rows local reservations, at most 9 in any second (saw $worst)" test "$worst" -le 9
done
ok_cond "some requests went through the local share" test "$(cat h*/state.db >/dev/null; sqlite3 h1/state.db 'SELECT COUNT(*) FROM quota_log')" -gt 0
run on_host 1 llmr-quota --json
is "$(jq_out .coordination.mode)" redis "llmr-quota: Redis in force again"
is "$(jq_out .coordination.healthy)" true "llmr-quota: Redis healthy again"
ok_cond "llmr-quota: the outage recorded, and ended" test "$(jq_out '.coordination.last_outage.ended_at > .coordination.last_outage.started_at')" = true
run on_host 2 llmr-quota
like "$out" '^last outage: ' "the table shows the outage"
ok_cond "coordination resumed in the new Redis" test "$(redis-cli -p "$REDIS_PORT" get t0333:seq)" -gt 0
# Redis down: a request is not held past the bound.
redis_kill
t0=$(date +%s%N)
run on_host 3 llmr-ask --no-stream "one more"
t1=$(date +%s%N)
is "$status" 0 "with Redis down, llmr-ask answers under the local share"
ok_cond "in $(((t1 - t0) / 1000000)) ms" test $(((t1 - t0) / 1000000)) -lt 3000
run on_host 3 llmr-quota --json
is "$(jq_out .coordination.healthy)" false "llmr-quota: Redis down"
is "$(jq_out .coordination.mode)" fallback "llmr-quota: fallback in force"
done_testing
