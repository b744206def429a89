#!/bin/sh
# 0410-cost-simulate.t - llmr-cost simulate over the fixture log: model
# replacement per route, chains, prices, plans (fee and discount, committed
# credit, limits), cache hit rate, a synthetic profile; then --apply and
# rollback restore the exact previous routing. Figures computed by hand.
. "$(dirname "$0")/lib.sh"
. "$LLMR_SRC/tests/cli/0400-cost-fixture.sh"

# Opus -> Haiku for the analysis route: r4 and r5 become 2000/1000 on
# haiku = 0.002 + 0.005 = 0.007 each. After = 0.21395 - 0.21 + 0.014.
run "$COST" $JAN simulate --replace anthropic/claude-opus=anthropic/claude-haiku@analysis --json
is "$status" 0 "simulate exits 0"
cp "$OUT" s.json
is "$(field s.json .requests)" 5 "replayed the 5 answered requests"
is "$(field s.json .changed)" 2 "2 answered by another model"
near s.json .before.cost_usd 0.21395 "before: the logged spend"
near s.json .after.cost_usd 0.01795 "after"
near s.json .delta_usd -0.196 "delta"
near s.json .delta_pct -91.6101892966 "delta %"
# Quality 72,75,72,95,95 -> 72,75,72,75,75: 81.8 -> 73.8.
near s.json .before.avg_quality 81.8 "quality before"
near s.json .delta_quality -8 "quality delta"
# Latency 100,300,5,2000,1000 -> r4, r5 at haiku's measured median (300):
# 681 -> (100+300+5+300+300)/5 = 201.
near s.json .delta_latency_ms -480 "latency delta"
near s.json '[.routes[] | select(.route == "analysis")][0].after_usd' 0.014 "analysis after"
near s.json '[.routes[] | select(.route == "search")][0].after_usd' 0.00395 "search unchanged"
is "$(field s.json '[.models[] | select(.model == "anthropic/claude-opus")][0].after')" 0 "opus answers nothing after"

# Scoped to another route: nothing changes.
run "$COST" $JAN simulate --replace anthropic/claude-opus=anthropic/claude-haiku@search --json
near "$OUT" .delta_usd 0 "a replacement scoped to another route changes nothing"
# Scoped by complexity.
run "$COST" $JAN simulate --replace anthropic/claude-opus=anthropic/claude-haiku@analysis:simple --json
near "$OUT" .delta_usd 0 "a replacement scoped to another tier changes nothing"

# New chain for analysis: gpt-4o first. 2000/1000 on gpt-4o = 0.005 + 0.01
# = 0.015 each: after = 0.00395 + 0.03.
run "$COST" $JAN simulate --chain analysis:complex=openai/gpt-4o,anthropic/claude-opus --json
near "$OUT" .after.cost_usd 0.03395 "a new chain"

# New price for opus (7.5/37.5, half): r4, r5 = 0.0525 each.
run "$COST" $JAN simulate --price anthropic/claude-opus=7.5,37.5 --json
near "$OUT" .after.cost_usd 0.10895 "new prices"

# Plan: $20 a month and 10% off on anthropic over 31 days. Anthropic usage
# 0.0035 + 0.105 + 0.105 = 0.2135 -> 0.19215 + 20*31/30.
run "$COST" $JAN simulate --plan anthropic:fee=20,discount=10 --json
near "$OUT" .plan_fees_usd 20.6666666667 "plan fee prorated to 31 days"
near "$OUT" .after.cost_usd 20.8592666667 "plan: fee plus discounted usage"
# Committed credit of $30 a month, expiring: 31 days -> $31 owed, 30.7865 unused.
run "$COST" $JAN simulate --plan anthropic:credit=30 --json
near "$OUT" .after.cost_usd 31.00045 "committed credit: pay the credit"
near "$OUT" .credit_unused_usd 30.7865 "committed credit: unused part"
# Limits: openai rpm 0 -> r1 falls back to haiku (0.0035 instead of 0.00045).
run "$COST" $JAN simulate --plan openai:rpm=0 --json
is "$(field "$OUT" .after.limited)" 1 "one request over the new limit"
is "$(field "$OUT" .before.limited)" 0 "none over the current limit (rpm 2)"
near "$OUT" .after.cost_usd 0.217 "the fallback's cost"

# A model's own limit counts too: opus at 0 requests a day sends r4 and
# r5 down their chain (to haiku) in both worlds, unless opus is replaced.
sed 's/claude-opus: {input: 15, output: 75, quality: 95}/claude-opus: {input: 15, output: 75, quality: 95, limits: {rpd: 0}}/' \
	llmr.conf >limited.conf
run "$COST" --config limited.conf $JAN simulate --json
is "$(field "$OUT" '[.before.limited, .after.limited]')" '[2,2]' "a model's own limit: 2 requests fall back"
near "$OUT" .after.cost_usd 0.01795 "their cost on the fallback model"
run "$COST" --config limited.conf $JAN simulate --replace anthropic/claude-opus=anthropic/claude-haiku@analysis --json
is "$(field "$OUT" .after.limited)" 0 "replaced: no limit met"

# Cache hit rate 0.5: every answer's miss cost halved; r3's miss cost on
# gpt-4o-mini is 0.00045. (0.00045+0.0035+0.00045+0.21)/2.
run "$COST" $JAN simulate --cache-rate 0.5 --json
near "$OUT" .after.cost_usd 0.1072 "cache hit rate"

# Synthetic profile: 100 search requests a day for 30 days at 1000/500 on
# gpt-4o-mini (0.00045 each) = 1.35; on haiku (0.0035) = 10.5.
run "$COST" --since 2026-03-01 simulate --profile search=100,in=1000,out=500 \
	--replace openai/gpt-4o-mini=anthropic/claude-haiku --json
is "$(field "$OUT" .requests)" 3000 "profile: 3000 requests"
near "$OUT" .before.cost_usd 1.35 "profile: before"
near "$OUT" .after.cost_usd 10.5 "profile: after"

# Text output.
run "$COST" $JAN simulate --replace anthropic/claude-opus=anthropic/claude-haiku@analysis
like "$out" 'cost +\$0\.2139 -> \$0\.0179' "text: cost line"
like "$out" 'quality +avg 81\.8 -> 73\.8' "text: quality line"

# Bad changes.
for bad in "--replace nope" "--replace a/b=c@r:huge" "--chain analysis" "--price a/b=x,y" "--plan openai:fee=abc" "--cache-rate 2"; do
	run "$COST" simulate $bad
	is "$status" 64 "simulate $bad: exit 64"
done
run "$COST" simulate --replace anthropic/claude-opus=anthropic/unknown
is "$status" 64 "replacement with no known price: exit 64"

# --apply then rollback: the exact previous routing.
run "$COST" routing
cp "$OUT" before.json
is "$(field before.json .analysis.complex)" '["anthropic/claude-opus","anthropic/claude-haiku"]' "routing as configured"
run "$COST" $JAN simulate --replace anthropic/claude-opus=anthropic/claude-haiku@analysis \
	--chain search:medium=openai/gpt-4o --apply --note "cheaper analysis"
is "$status" 0 "--apply exits 0"
like "$err" "routing version 1 applied" "--apply names the version"
run "$COST" routing
is "$(field "$OUT" .analysis.complex)" '["anthropic/claude-haiku"]' "applied: analysis on haiku"
is "$(field "$OUT" .search.medium)" '["openai/gpt-4o"]' "applied: search medium chain"
run "$COST" versions
like "$out" '^\* 1 .* from 0 +cheaper analysis' "versions lists the applied one"
run "$COST" rollback
is "$status" 0 "rollback exits 0"
run "$COST" routing
if cmp -s "$OUT" before.json; then pass "rollback restores the exact routing"; else fail "rollback restores the exact routing"; diag "$out"; fi
run "$COST" rollback
is "$status" 65 "nothing left to roll back: exit 65"
run "$COST" rollback 1
run "$COST" routing
is "$(field "$OUT" .analysis.complex)" '["anthropic/claude-haiku"]' "rollback 1 goes forward to version 1"
run "$COST" rollback 0
run "$COST" routing
if cmp -s "$OUT" before.json; then pass "rollback 0: the config as written"; else fail "rollback 0: the config as written"; fi
run "$COST" rollback 9
is "$status" 65 "unknown version: exit 65"
run "$COST" simulate --price anthropic/claude-opus=1,2 --apply
is "$status" 64 "--apply with no routing change: exit 64"

done_testing
