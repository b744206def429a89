#!/bin/sh
# A request budget opened on one host is drawn on from every host and
# spent for all, through Redis: 3 calls opened on host 1, 6 concurrent
# agents on three hosts, exactly 3 run; its dollars, charged on host 2,
# are seen on host 3; closed on one host, closed for all.
. "$(dirname "$0")/lib.sh"
. "$LLMR_SRC/tests/cli/redis.sh"
fake_start
redis_start
write_config
redis_coordinate t0336:

id=$(on_host 1 llmr-quota budget open --calls 3)
like "$id" '^b-' "budget open on host 1"
is "$(redis-cli -p "$REDIS_PORT" hget "t0336:budget:$id" calls_max)" 3 "the budget is in Redis"
pids=
for i in 1 2 3 4 5 6; do
	h=$(((i - 1) % 3 + 1))
	on_host $h llmr-ask --json --no-stream --budget "$id" --priority P2 "agent $i" >"a$i.out" 2>"a$i.err" &
	pids="$pids $!"
done
for pid in $pids; do
	wait "$pid"
done
is "$(cat a*.out | jq -r 'select(.text != null) | .id' | wc -l | tr -d ' ')" 3 "exactly 3 of 6 agents on three hosts ran"
is "$(cat a*.out | jq -r 'select(.skipped == "budget") | .id' | wc -l | tr -d ' ')" 3 "the other 3 skipped: budget"
run on_host 2 llmr-quota budget show --json "$id"
is "$(jq -c '[.calls_used, .skipped, .calls_in_flight]' "$OUT")" "[3,3,0]" "host 2 sees the budget: 3 used, 3 skipped, none in flight"
ok_cond "its dollars charged: $(jq_out .usd_used)" test "$(jq_out '.usd_used > 0')" = true

# Dollars: a budget of one call's worth, spent on host 2, is spent on host 3.
usd=$(on_host 1 llmr-quota budget open --usd 0.0002)
run on_host 2 llmr-ask --json --no-stream --budget "$usd" --priority P2 "one"
is "$status" 0 "host 2 spends the budget's dollars"
run on_host 3 llmr-quota budget show --json "$usd"
ok_cond "host 3 sees them spent ($(jq_out .usd_used))" test "$(jq_out '.usd_used > 0')" = true
run on_host 3 llmr-ask --json --no-stream --budget "$usd" --priority P2 "two"
is "$status" 75 "host 3: the budget is spent (75)"

run on_host 3 llmr-quota budget close "$id"
like "$out" closed "closed on host 3"
run on_host 1 llmr-ask --json --no-stream --budget "$id" --priority P2 "after close"
is "$(jq_out .skipped)" budget "closed for host 1"
done_testing
