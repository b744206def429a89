#!/bin/sh
# 0430-cost-check.t - budgets: llmr-cost --check exits 75 when a monthly cap
# is reached or forecast to be, 0 otherwise (alerts are reported, not
# fatal). Provider caps come from the config; route and total caps from
# llmr-cost budget. Reference time 2026-01-21 (see the fixture).
. "$(dirname "$0")/lib.sh"
. "$LLMR_SRC/tests/cli/0400-cost-fixture.sh"

NOW="--now 2026-01-21"

# openai: $10 cap, spent 0.00045 in January: ok.
run "$COST" $NOW --check
is "$status" 0 "under every cap: exit 0"
like "$out" '^provider openai: spent \$0\.00 of \$10\.00 \(0%\), forecast .*: ok$' "provider cap from the config"
run "$COST" $NOW --check --json
is "$(field "$OUT" '[.scope, .name, .cap_usd, .alert_at, .status]')" '["provider","openai",10,0.5,"ok"]' "--check --json"
near "$OUT" .spent_usd 0.00045 "openai spent this month"

# analysis spent 0.105 by 01-21.
run "$COST" budget route analysis 0.1 0.5
is "$status" 0 "budget route: exit 0"
run "$COST" $NOW --check
is "$status" 75 "route cap reached: exit 75"
like "$out" '^route analysis: spent \$0\.10 of \$0\.10 .*: over$' "route cap: over"
like "$err" 'budget: a cap is reached' "stderr says why"

# Forecast for analysis: 7-day rate 0.105/7 = 0.015, 28-day rate
# 0.105/28 = 0.00375, 11 days left: 0.14625 .. 0.27, middle 0.208125.
run "$COST" budget route analysis 0.2
run "$COST" $NOW --check --json
is "$status" 75 "forecast over the cap: exit 75"
near "$OUT" 'select(.name == "analysis") | .forecast_low_usd' 0.14625 "route forecast low"
near "$OUT" 'select(.name == "analysis") | .forecast_high_usd' 0.27 "route forecast high"
is "$(field "$OUT" 'select(.name == "analysis") | .status')" '"forecast over"' "status: forecast over"

# Alert at 40% of 0.25 = 0.1 <= 0.105 spent; forecast 0.208 < 0.25.
run "$COST" budget route analysis 0.25 0.4
run "$COST" $NOW --check
is "$status" 0 "an alert alone exits 0"
like "$out" '^route analysis: .*: alert$' "alert reported"
run "$COST" budget route analysis 1
run "$COST" $NOW --check -q
is "$status" 0 "well under: exit 0"
is "$out" "" "-q prints only caps that need attention"

# A total cap: everything spent in January by the 21st is 0.10895.
run "$COST" budget total 0.1
run "$COST" $NOW --check
is "$status" 75 "total cap reached: exit 75"
like "$out" '^total all: spent \$0\.11 of \$0\.10' "total cap line"
run "$COST" budget total off
run "$COST" $NOW --check
is "$status" 0 "a removed cap no longer counts"

run "$COST" budget provider openai 5
is "$status" 64 "provider caps live in the config: exit 64"
run "$COST" budget route analysis
is "$status" 64 "budget without USD: exit 64"

done_testing
