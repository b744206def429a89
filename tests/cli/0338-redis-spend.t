#!/bin/sh
# Monthly spending caps across hosts through Redis: two hosts (two state
# files, one Redis) with 8 concurrent processes never spend more than a
# provider, route or total cap between them; what each host spent stays in
# its own log (llmr-cost over both gives the sum); a hold is released on
# Ctrl-C, and a killed process's hold ends at its lease; while Redis is
# down, stopped between calls or in the middle of a burst, each host
# spends only its allowance and together they stay within the cap.
. "$(dirname "$0")/lib.sh"
. "$LLMR_SRC/tests/cli/redis.sh"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"
fake_start
redis_start
ROUTES='  default:
    tiers:
      simple: [openai/gpt-4o-mini]
      medium: [openai/gpt-4o-mini]
      complex: [openai/gpt-4o-mini]'
# The openai fixture bills 2 output tokens: with --max-tokens 2 a call
# costs, and is estimated at, exactly $1.
priced() {
	write_config "$TEST_DIR/llmr.conf" "$ROUTES"
	sed -i 's/gpt-4o-mini: {input: 0.15, output: 0.60, cached_input: 0.075/gpt-4o-mini: {input: 0, output: 500000, cached_input: 0/' \
		"$LLMR_CONFIG"
	redis_coordinate "$1"
}
spent() { sqlite3 "$TEST_DIR/h$1/state.db" "SELECT printf('%.2f', COALESCE(SUM(cost_usd),0)) FROM requests"; }
both() { echo "$(spent 1) $(spent 2)" | awk '{printf "%.2f", $1 + $2}'; }
for i in 1 2 3; do printf '{"prompt":"q %s","model":"openai/gpt-4o-mini","max_tokens":2}\n' "$i"; done >three.jsonl
# 8 processes, 4 a host, 3 calls each: 24 wanted.
burst() {
	pids=
	for p in 1 2 3 4 5 6 7 8; do
		on_host $((p % 2 + 1)) llmr-ask --jsonl "$@" <three.jsonl >"par.$p.out" 2>"par.$p.err" &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p"; done
}

# A provider cap of $10 shared by two hosts.
priced t0338a:
sed -i '/api_key_env: TEST_OPENAI_KEY/a\    budget: {usd_per_month: 10}' "$LLMR_CONFIG"
burst
# Within the cap always; most of it: each hold keeps room for the other
# host's outage allowance (half of what is left), and a call logged but
# not yet released counts twice for a moment (as in one state file).
n=$(fake_count)
ok_cond "provider cap: $n calls reached the provider from two hosts, at most 10, at least 7" \
	test "$n" -le 10 -a "$n" -ge 7
is "$(both)" "$n.00" "provider cap: \$$n spent between the hosts (host 1 $(spent 1), host 2 $(spent 2))"
is "$(cat par.*.out | jq -r 'select(.error) | .error.class' | sort -u)" rate_limited "the rest refused as temporary"
like "$(cat par.*.out)" "provider 'openai' monthly cap \\\$10.00: .*\\(all hosts\\)" "the refusal names the cap across hosts"
is "$(redis-cli -p "$REDIS_PORT" zcard t0338a:spend:holds)" 0 "no money left held in Redis"
is "$(sqlite3 "$TEST_DIR/h1/state.db" 'SELECT COUNT(*) FROM spend_holds') $(sqlite3 "$TEST_DIR/h2/state.db" 'SELECT COUNT(*) FROM spend_holds')" \
	"0 0" "no money left held in either state file"
month=$(date -u +%Y%m)
is "$(redis-cli -p "$REDIS_PORT" hvals "t0338a:spend:$month:p:openai" | awk '{s += $1} END {printf "%.2f", s}')" "$n.00" \
	"Redis holds each host's spend, from its log"
run llmr-cost --json --state "$TEST_DIR/h1/state.db" --state "$TEST_DIR/h2/state.db"
ok_cond "llmr-cost over both state files: \$$n" \
	test "$(printf '%s' "$out" | jq '[.. | objects | (.cost_usd? // empty)] | max | . * 100 | round')" = "${n}00"
run on_host 2 llmr-quota --json
is "$(jq_out '.providers[] | select(.name == "openai") | .month_spend_usd')" "$n" \
	"llmr-quota on host 2: this month's spend is both hosts' (host 2 alone: $(spent 2))"
run on_host 1 llmr-ask --no-stream --max-tokens 2 -m openai/gpt-4o-mini "one more"
is "$status" 75 "host 1 later: the cap is spent (75)"

# Route and total caps (llmr-cost budget, set on each host).
fake_reset
priced t0338b:
for h in 1 2; do rm -f "$TEST_DIR/h$h/state.db"*; on_host $h llmr-cost budget route default 7 >/dev/null; done
burst -r default
n=$(fake_count)
ok_cond "route cap: \$7 admits $n calls from two hosts (4 to 7)" test "$n" -le 7 -a "$n" -ge 4
fake_reset
priced t0338c:
for h in 1 2; do rm -f "$TEST_DIR/h$h/state.db"*; on_host $h llmr-cost budget total 5 >/dev/null; done
burst
n=$(fake_count)
ok_cond "total cap: \$5 admits $n calls from two hosts (3 to 5)" test "$n" -le 5 -a "$n" -ge 3
is "$(both)" "$n.00" "total cap: \$$n spent"
like "$(cat par.*.out)" "total monthly cap \\\$5.00" "total cap: named"

# Ctrl-C while a call is in flight: its hold is given back at once.
fake_reset
priced t0338d:
rm -f "$TEST_DIR"/h*/state.db*
sed -i '/api_key_env: TEST_OPENAI_KEY/a\    budget: {usd_per_month: 10}' "$LLMR_CONFIG"
fake_script '{"family":"openai","delay_ms":4000}'
on_host 1 llmr-ask --no-stream --max-tokens 2 -m openai/gpt-4o-mini "slow" >/dev/null 2>&1 &
pid=$!
n=0
while [ "$(redis-cli -p "$REDIS_PORT" zcard t0338d:spend:holds)" != 1 ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
is "$(redis-cli -p "$REDIS_PORT" zcard t0338d:spend:holds)" 1 "a call in flight holds its cost in Redis"
kill -INT "$pid"
wait "$pid"
is "$(redis-cli -p "$REDIS_PORT" zcard t0338d:spend:holds)" 0 "Ctrl-C: the hold is released"

# kill -9: the hold stays until its lease (timeout 1s + 10s), then ends.
sed -i '/^  openai:/,/^    models:/s|^    timeout: 10s|    timeout: 1s|' "$LLMR_CONFIG"
fake_script '{"family":"openai","delay_ms":30000}'
on_host 1 llmr-ask --no-stream --max-tokens 2 -m openai/gpt-4o-mini "slow" >/dev/null 2>&1 &
pid=$!
n=0
while [ "$(redis-cli -p "$REDIS_PORT" zcard t0338d:spend:holds)" != 1 ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
kill -9 "$pid"
wait "$pid" 2>/dev/null
rnow=$(redis-cli -p "$REDIS_PORT" time | head -1)
lease=$(redis-cli -p "$REDIS_PORT" zrange t0338d:spend:holds 0 -1 withscores | sed -n 2p)
is "$(redis-cli -p "$REDIS_PORT" zcard t0338d:spend:holds)" 1 "kill -9: the hold stays for now"
ok_cond "kill -9: the hold ends at its lease, within 11 s (${lease:-none})" \
	test -n "$lease" && test $(( ${lease%.*} / 1000 - rnow )) -le 11
# Past the lease, the next hold from any host forgets it.
n=0
while [ "$(redis-cli -p "$REDIS_PORT" time | head -1)" -le $(( ${lease%.*} / 1000 + 1 )) ] && [ $n -lt 150 ]; do
	sleep 0.1
	n=$((n + 1))
done
fake_reset
on_host 2 llmr-ask --no-stream --max-tokens 2 -m openai/gpt-4o-mini "after" >/dev/null 2>&1
is "$(redis-cli -p "$REDIS_PORT" zcard t0338d:spend:holds)" 0 "past its lease the dead process's hold is gone"

# Redis stopped mid-run: each host spends only its allowance (its share,
# 0.5, of what was left at its last hold, which the other host counted as
# held), so together they stay within the cap; when Redis is back empty, a
# host not heard from since keeps its share held until it speaks, then
# coordination goes on.
fake_reset
priced t0338e:
printf 'coordination_share: 0.5\n' >>"$LLMR_CONFIG"
sed -i '/api_key_env: TEST_OPENAI_KEY/a\    budget: {usd_per_month: 12}' "$LLMR_CONFIG"
rm -f "$TEST_DIR"/h*/state.db*
one() { on_host "$1" llmr-ask --no-stream --max-tokens 2 --json -m openai/gpt-4o-mini "$2"; }
for i in 1 2 3; do one 1 "a$i" >/dev/null 2>&1; one 2 "b$i" >/dev/null 2>&1; done
one 1 a4 >/dev/null 2>&1
one 2 b4 >/dev/null 2>&1
is "$(spent 1) $(spent 2)" "4.00 4.00" "before the outage: \$8 of \$12 spent"
redis_kill
burst
ok_cond "Redis down: each host spent its allowance, no more ($(spent 1), $(spent 2))" \
	test "$(spent 1 | tr -d .)" -le 600 -a "$(spent 2 | tr -d .)" -le 600 -a "$(spent 1 | tr -d .)" -gt 400
total=$(both)
ok_cond "... and together they stayed within the \$12 cap (\$$total)" test "$(echo "$total" | tr -d .)" -le 1200
like "$(cat par.*.out)" "provider 'openai' \\(this host's allowance, Redis down\\) monthly cap" "the refusal says it is the host's allowance"
redis_restart
run one 1 back1
is "$status" 75 "Redis back empty: host 1 does not spend what host 2 may have spent alone"
for h in 2 1 2 1; do one $h "back$h" >/dev/null 2>&1; done
ok_cond "Redis back: the hosts together still within the \$12 cap (\$$(both))" test "$(both | tr -d .)" -le 1200
total=$(both)
sed -i "s/usd_per_month: 12/usd_per_month: $(echo "$total" | awk '{print $1 + 4}')/" "$LLMR_CONFIG"
for h in 1 2 1 2 1 2; do one $h "c$h" >/dev/null 2>&1; done
more=$(echo "$(both) $total" | awk '{printf "%d", $1 - $2}')
ok_cond "a cap raised by \$4: coordination goes on, \$$more more spent, not more than \$4" \
	test "$more" -ge 1 -a "$more" -le 4

# Stopped in the middle of a burst (calls of 1.5 s): no hang, every
# process ends 0 or 75, and the two hosts together stay within \$20.
fake_reset
priced t0338f:
printf 'coordination_share: 0.5\n' >>"$LLMR_CONFIG"
sed -i '/api_key_env: TEST_OPENAI_KEY/a\    budget: {usd_per_month: 20}' "$LLMR_CONFIG"
rm -f "$TEST_DIR"/h*/state.db*
fake_script '{"family":"openai","delay_ms":1500,"times":-1}'
pids=
for p in 1 2 3 4 5 6 7 8; do
	on_host $((p % 2 + 1)) timeout 60 llmr-ask --jsonl <three.jsonl >"mid.$p.out" 2>/dev/null &
	pids="$pids $!"
done
sleep 1
redis_kill
codes=
for p in $pids; do wait "$p"; codes="$codes $?"; done
is "$(echo $codes | tr ' ' '\n' | grep -cvE '^(0|75)$')" 0 "killed mid-run: every process ended 0 or 75 ($codes)"
ok_cond "killed mid-run: \$$(both) spent between the hosts, within the \$20 cap" \
	test "$(both | tr -d .)" -le 2000
after=0
for h in 1 2; do
	n=$(sqlite3 "$TEST_DIR/h$h/state.db" "SELECT COUNT(*) FROM requests WHERE cost_usd > 0 AND ts_ms >=
		(SELECT MIN(started_ms) FROM coord_outages)")
	after=$((after + n))
done
ok_cond "calls went on under the hosts' shares after Redis died ($after)" test "$after" -gt 0
redis_restart
done_testing
