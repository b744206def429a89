#!/bin/sh
# Burst benchmark: 8 processes share one per-minute-shaped limit that the
# fake provider enforces (default 100 requests / 60 s, 200 requests: two
# windows' worth). Prints the utilisation of the limit in each window (aim:
# >= 90%) and the 429 count (must be 0). Takes about one window.
# Knobs: BURST_LIMIT, BURST_WINDOW_MS, BURST_PROCS, BURST_PER.
L=${BURST_LIMIT:-100}
W=${BURST_WINDOW_MS:-60000}
P=${BURST_PROCS:-8}
N=${BURST_PER:-25}
. "$(dirname "$0")/../cli/lib.sh"
fake_start
write_config "$TEST_DIR/llmr.conf" "  default:
    on_limit: wait
    max_wait: $((W * 3 / 1000))s
    tiers:
      simple: [openai/gpt-4o-mini]"
if [ "$W" = 60000 ]; then lim="rpm: $L"; else lim="rps: $L"; fi
[ "$W" = 60000 ] || [ "$W" = 1000 ] || { echo "burst.sh: BURST_WINDOW_MS must be 60000 or 1000" >&2; exit 64; }
sed -i "/api_key_env: TEST_OPENAI_KEY/a\\    limits: {$lim}" "$LLMR_CONFIG"
fake_limit "{\"family\":\"openai\",\"requests\":$L,\"window_ms\":$W}" || exit 1
p=1
while [ $p -le "$P" ]; do
	i=0
	while [ $i -lt "$N" ]; do
		printf '{"id":"p%s-%s","prompt":"burst %s %s"}\n' "$p" "$i" "$p" "$i"
		i=$((i + 1))
	done >"in.$p"
	p=$((p + 1))
done
t0=$(date +%s.%N)
pids=
p=1
while [ $p -le "$P" ]; do
	llmr-ask --jsonl --no-stream <"in.$p" >"out.$p" 2>"err.$p" &
	pids="$pids $!"
	p=$((p + 1))
done
for pid in $pids; do wait "$pid"; done
t1=$(date +%s.%N)
answered=$(cat out.* | jq -r 'select(.text != null) | .id' | wc -l)
fake_stats >stats.json
jq -r --argjson w "$W" --argjson l "$L" --arg n "$((P * N))" --arg a "$answered" --arg s "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" '
	[.log[] | select(.family == "openai" and .status == 200) | .t_ms] | sort as $t |
	($t[0]) as $t0 |
	[range(0; 2) as $k | [$t[] | select(. >= $t0 + $k * $w and . < $t0 + ($k + 1) * $w)] | length] as $win |
	"burst: \($n) requests from '"$P"' processes, \($a) answered in \($s | tonumber | . * 10 | round / 10) s",
	"burst: limit \($l) per \($w / 1000) s; window 1: \($win[0]) admitted (\($win[0] * 100 / $l | round)%), window 2: \($win[1]) (\($win[1] * 100 / $l | round)%)"
' stats.json
echo "burst: 429s from the fake: $(jq '[.log[] | select(.status == 429)] | length' stats.json) (must be 0)"
