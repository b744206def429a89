#!/bin/sh
# tests/bench/cost.sh - llmr-cost over 1,000,000 logged requests: report
# (target <= 2 s) and simulate (target <= 10 s). Prints figures; run by
# make bench. N=... changes the number of requests.
set -e
: "${LLMR_BUILD:=$PWD/build}"
: "${N:=1000000}"
COST=$LLMR_BUILD/bin/llmr-cost
command -v sqlite3 >/dev/null || { echo "cost bench: sqlite3 is not installed"; exit 0; }
[ -x "$COST" ] || { echo "cost bench: no $COST"; exit 0; }
DIR=$(mktemp -d "${TMPDIR:-/tmp}/llmr-bench-cost.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
cat >"$DIR/llmr.conf" <<'CONF'
providers:
  openai:
    protocol: openai
    base_url: http://127.0.0.1:9/v1
    limits: {rpm: 500, tpm: 200000}
    models:
      gpt-4o-mini: {input: 0.15, output: 0.60, quality: 72}
      gpt-4o: {input: 2.50, output: 10.00, quality: 88}
  anthropic:
    protocol: anthropic
    base_url: http://127.0.0.1:9
    models:
      claude-haiku: {input: 1, output: 5, quality: 75}
      claude-sonnet: {input: 3, output: 15, quality: 85}
      claude-opus: {input: 15, output: 75, quality: 95}
routes:
  search: {tiers: {simple: [openai/gpt-4o-mini, anthropic/claude-haiku]}}
  creation: {tiers: {medium: [anthropic/claude-sonnet, openai/gpt-4o], complex: [anthropic/claude-opus]}}
  analysis: {tiers: {complex: [anthropic/claude-opus, anthropic/claude-sonnet]}}
CONF
export LLMR_CONFIG="$DIR/llmr.conf" LLMR_STATE="$DIR/state.db"
"$COST" versions >/dev/null

now() { date +%s.%N; }
# CPU seconds (user + system) used so far by the children of this shell:
# times(1) must run in this shell, not in a $(...) subshell.
cpu() { awk 'NR == 2 { split($1, u, "m"); split($2, s, "m"); print u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$1"; }
t0=$(now)
# 30 days of traffic from 2026-01-01: three routes, 5% failed attempts
# followed by a fallback, 10% cache hits.
sqlite3 "$LLMR_STATE" >/dev/null <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $N - 1)
INSERT INTO requests (request_id, attempt, ts_ms, route, complexity, provider, model, status,
	input_tokens, output_tokens, cost_usd, latency_ms, fallback_from, cache)
SELECT 'b' || (i - (i % 20 = 1)), 1 + (i % 20 = 1), 1767225600000 + i * (2592000000 / $N),
	CASE i % 10 WHEN 0 THEN 'analysis' WHEN 1 THEN 'creation' WHEN 2 THEN 'creation' ELSE 'search' END,
	CASE i % 10 WHEN 0 THEN 'complex' WHEN 1 THEN 'medium' WHEN 2 THEN 'complex' ELSE 'simple' END,
	CASE WHEN i % 10 IN (0, 1, 2) THEN 'anthropic' ELSE 'openai' END,
	CASE i % 10 WHEN 0 THEN 'claude-opus' WHEN 1 THEN 'claude-sonnet' WHEN 2 THEN 'claude-opus' ELSE 'gpt-4o-mini' END,
	CASE WHEN i % 20 = 0 THEN 'rate_limited' ELSE 'ok' END,
	500 + i % 700, 100 + i % 300, (500 + i % 700) * 1e-7 + (100 + i % 300) * 5e-7,
	200 + i % 1500, CASE WHEN i % 20 = 1 THEN 'openai/gpt-4o-mini' END,
	CASE WHEN i % 10 = 7 THEN 'exact' ELSE 'miss' END
FROM n;
SQL
t1=$(now)
times >"$DIR/c1"
"$COST" --since 2026-01-01 --until 2026-02-01 --by route --json >"$DIR/report.json"
t2=$(now)
times >"$DIR/c2"
"$COST" --since 2026-01-01 --until 2026-02-01 simulate \
	--replace anthropic/claude-opus=anthropic/claude-sonnet@analysis --plan openai:fee=20,rpm=5000 \
	--json >"$DIR/sim.json"
t3=$(now)
times >"$DIR/c3"
rows=$(sqlite3 "$LLMR_STATE" 'SELECT count(*) FROM requests')
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v rows="$rows" -v c1="$(cpu "$DIR/c1")" -v c2="$(cpu "$DIR/c2")" -v c3="$(cpu "$DIR/c3")" \
	-v req="$(jq .total.requests "$DIR/report.json")" -v sreq="$(jq .requests "$DIR/sim.json")" 'BEGIN {
	printf "cost bench: %d rows logged in %.2f s (setup)\n", rows, b - a
	printf "cost bench: report over %d requests: %.2f s wall, %.2f s CPU (target <= 2 s)%s\n", req, c - b, c2 - c1, c - b <= 2 ? "" : "  SLOW"
	printf "cost bench: simulate over %d answered requests: %.2f s wall, %.2f s CPU (target <= 10 s)%s\n", sreq, d - c, c3 - c2, d - c <= 10 ? "" : "  SLOW"
}'
