#!/bin/sh
# 0400-cost-report.t - llmr-cost report over a log of known requests
# (0400-cost-fixture.sh): totals, previous period and % change, breakdowns,
# use cases, forecast, savings, CSV, text, and the error paths. Every
# expectation is computed by hand in the comments.
. "$(dirname "$0")/lib.sh"
. "$LLMR_SRC/tests/cli/0400-cost-fixture.sh"

run "$COST" $JAN --json
is "$status" 0 "report --json exits 0"
cp "$OUT" r.json

# Totals: 5 requests (r1..r5), 6 attempts, 1 error (r2 attempt 1).
is "$(field r.json .total.requests)" 5 "requests: distinct request ids"
is "$(field r.json .total.attempts)" 6 "attempts: one per row"
is "$(field r.json .total.errors)" 1 "errors: the rate-limited attempt"
near r.json .total.error_rate 0.1666666667 "error rate 1/6"
is "$(field r.json .total.cache_hits)" 1 "cache hits: r3"
is "$(field r.json .total.fallbacks)" 1 "fallbacks: r2 attempt 2"
# 1000+0+1000+1000+2000+2000 and 500+0+500+500+1000+1000
is "$(field r.json .total.input_tokens)" 7000 "input tokens"
is "$(field r.json .total.output_tokens)" 3500 "output tokens"
# 0.00045 + 0 + 0.0035 + 0 + 0.105 + 0.105
near r.json .total.cost_usd 0.21395 "spend"
# ok attempts: 100, 300, 5, 2000, 1000 -> avg 681; p95 = 5th of 5 = 2000
near r.json .total.avg_latency_ms 681 "average latency"
is "$(field r.json .total.p95_latency_ms)" 2000 "p95 latency (nearest rank)"

# Previous period: December (a whole month compares with a whole month).
is "$(field r.json .previous.since)" '"2025-12-01T00:00:00Z"' "previous period starts 2025-12-01"
near r.json .previous.cost_usd 0.105 "previous spend"
# (0.21395 - 0.105) / 0.105 * 100
near r.json .change.cost_usd_pct 103.7619047619 "spend change %"
near r.json .change.requests_pct 400 "requests change % (1 -> 5)"

# By route.
run "$COST" $JAN --by route --json
cp "$OUT" route.json
is "$(field route.json '[.groups[].key]')" '["analysis","search"]' "routes by spend"
near route.json '.groups[0].cost_usd' 0.21 "analysis spend"
is "$(field route.json '.groups[0].requests')" 2 "analysis requests"
near route.json '.groups[0].change_pct' 100 "analysis +100% (0.105 -> 0.21)"
near route.json '.groups[0].share' 0.9815377425 "analysis share 0.21/0.21395"
near route.json '.groups[1].cost_usd' 0.00395 "search spend"
is "$(field route.json '.groups[1].requests')" 3 "search requests"
near route.json '.groups[1].error_rate' 0.25 "search error rate 1/4"
near route.json '.groups[1].change_pct' null "search change: none before"
# search ok attempts 100, 300, 5 -> avg 135, p95 = 3rd of 3 = 300
near route.json '.groups[1].avg_latency_ms' 135 "search average latency"

# By model: a request with a fallback counts in both models.
run "$COST" $JAN --by model --json
cp "$OUT" model.json
is "$(field model.json '[.groups[] | [.key, .requests]]')" \
	'[["anthropic/claude-opus",2],["anthropic/claude-haiku",1],["openai/gpt-4o-mini",3]]' "models by spend"

# By provider, day, week, month.
run "$COST" $JAN --by provider --json
near "$OUT" '[.groups[] | select(.key == "openai")][0].cost_usd' 0.00045 "openai spend"
near "$OUT" '[.groups[] | select(.key == "anthropic")][0].cost_usd' 0.2135 "anthropic spend"
run "$COST" $JAN --by day --json
is "$(field "$OUT" '[.groups[].key]')" '["2026-01-05","2026-01-10","2026-01-20","2026-01-28"]' "days of the period"
near "$OUT" '[.groups[] | select(.key == "2026-01-05")][0].cost_usd' 0.00395 "2026-01-05 spend"
run "$COST" $JAN --by week --json
# 01-05 and 01-10 are in W02; 01-20 in W04; 01-28 in W05.
is "$(field "$OUT" '[.groups[].key]')" '["2026-W02","2026-W04","2026-W05"]' "ISO weeks"
run "$COST" $JAN --by month --json
is "$(field "$OUT" '[.groups[] | [.key, .requests]]')" '[["2026-01",5]]' "months"

# Use cases (Scenario 3): 31 days.
is "$(field r.json '.use_cases[0].route')" '"analysis"' "use case analysis"
near r.json '.use_cases[0].avg_cost_usd' 0.105 "analysis avg per request 0.21/2"
near r.json '.use_cases[0].requests_per_day' 0.0645161290 "analysis per day 2/31"
near r.json '.use_cases[0].daily_cost_usd' 0.0067741935 "analysis daily 0.21/31"
near r.json '.use_cases[0].monthly_cost_usd' 0.2032258065 "analysis monthly daily*30"
is "$(field r.json '.use_cases[1].models')" '"openai/gpt-4o-mini (primary), anthropic/claude-haiku"' "search models, primary first"
near r.json '.use_cases[1].avg_cost_usd' 0.0013166667 "search avg per request 0.00395/3"

# Forecast at 2026-02-01: month 2026-01 is over (0 days left).
# last 7 days [01-25, 02-01): r5 0.105; the 7 before: r4 0.105 -> +0%.
# rate 7d = 0.105/7 = 0.015; rate 28d over [01-04, 02-01) = 0.21395/28.
# Next month (28 days): 28 * 0.21395/28 = 0.21395 .. 28 * 0.015 = 0.42.
near r.json '.forecast.spent_usd' 0.21395 "forecast: spent this month"
near r.json '.forecast.week_over_week_pct' 0 "trend: week over week"
near r.json '.forecast.rate_7d_usd' 0.015 "7-day rate"
near r.json '.forecast.rate_28d_usd' 0.0076410714 "28-day rate"
near r.json '.forecast.low_usd' 0.21395 "this month low"
near r.json '.forecast.high_usd' 0.21395 "this month high"
near r.json '.forecast.next_low_usd' 0.21395 "next month low"
near r.json '.forecast.next_high_usd' 0.42 "next month high"

# Mid-month forecast at 2026-01-21: spent 0.00045+0.0035+0.105 = 0.10895;
# days left 11; rate 7d [01-14, 01-21) = 0.105/7 = 0.015; rate 28d over
# [12-24, 01-21) (the log is older than that): 0.10895/28 = 0.0038910714.
# Low = 0.10895 + 11*0.0038910714 = 0.1517517857; high = 0.10895 + 0.165 = 0.27395.
run "$COST" --since 2026-01-01 --until 2026-01-21 --json
near "$OUT" '.forecast.low_usd' 0.1517517857 "mid-month forecast low"
near "$OUT" '.forecast.high_usd' 0.27395 "mid-month forecast high"
# Month to date compares with the same days of December (none there).
is "$(field "$OUT" .previous.until)" '"2025-12-21T00:00:00Z"' "month to date: previous = same days before"

# Savings against each route's dearest model: search -> openai/gpt-4o
# (2.5+10), analysis -> anthropic/claude-opus. Answers: r1, r2, r3 at
# 1000/500 on gpt-4o = 0.0075 each; r4, r5 = 0.105 each. Baseline 0.2325.
# Cache saved r3 on gpt-4o-mini = 0.00045. Routing = 0.2325-0.21395-0.00045.
near r.json '.savings.baseline_usd' 0.2325 "savings: baseline"
near r.json '.savings.actual_usd' 0.21395 "savings: actual"
near r.json '.savings.cache_saved_usd' 0.00045 "savings: cache"
near r.json '.savings.routing_saved_usd' 0.0181 "savings: routing"
near r.json '.savings.saved_pct' 7.9784946237 "savings: % of baseline"
# A named baseline: everything on claude-opus: 3*0.0525 + 0.21 = 0.3675.
run "$COST" $JAN --baseline anthropic/claude-opus --json
near "$OUT" '.savings.baseline_usd' 0.3675 "savings against a named model"
run "$COST" $JAN --baseline openai/nope
is "$status" 64 "unknown baseline: exit 64"

# CSV: header + one line per group; the analysis line's fields.
run "$COST" $JAN --by route --csv
is "$(printf '%s\n' "$out" | head -1 | cut -d, -f1-3)" "route,requests,attempts" "CSV header"
is "$(printf '%s\n' "$out" | grep '^analysis,' | cut -d, -f2,11)" "2,0.21000000" "CSV analysis requests and spend"
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 3 "CSV: header and two routes"

# Text: not a TTY, so no bars; the figures are there.
run "$COST" $JAN --by route
like "$out" '^spend +\$0\.2139 +\+103\.8%' "text: spend and change"
like "$out" 'savings vs route max: baseline \$0\.2325' "text: savings line"
unlike "$out" "$(printf '\342\226\210')" "text: no bars when not a TTY"

# On a terminal: a sparkline and bars; colour unless NO_COLOR.
# script(1) needs a pseudo-terminal (/dev/pts), which a bare chroot lacks.
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
	script -qec "$COST $JAN --by route" /dev/null >tty.out 2>&1
	like "$(grep '^daily' tty.out)" "$(printf '\342\226[\201-\210]')" "TTY: a sparkline of daily spend"
	like "$(grep '^analysis' tty.out)" "$(printf '\342\226\210')" "TTY: share bars"
	ok_cond "TTY with NO_COLOR: no escape sequences" sh -c "! grep -q \"$(printf '\033')\\[\" tty.out"
	NO_COLOR= script -qec "$COST $JAN --by route" /dev/null >color.out 2>&1
	ok_cond "TTY without NO_COLOR: colour" grep -q "$(printf '\033')\[3[12]m" color.out
else
	skip "no script(1) or no pseudo-terminal: TTY output"
	skip "no script(1) or no pseudo-terminal: TTY output"
	skip "no script(1) or no pseudo-terminal: TTY output"
	skip "no script(1) or no pseudo-terminal: TTY output"
fi

# Names from the log never drive the terminal.
add_row evil 1 '2026-03-02 10:00:00' "ro$(printf '\033')[31mute" simple openai gpt-4o-mini ok 1 1 0.001 10 - miss
run "$COST" --since 2026-03-01 --until 2026-04-01 --by route
like "$out" '^ro\?\[31mute ' "control characters in names are replaced"

# Errors.
run "$COST" --since yesterday
is "$status" 64 "bad --since: exit 64"
like "$err" "^llmr-cost: --since: 'yesterday' is not a time" "bad --since: message"
run "$COST" --since 2026-02-01 --until 2026-01-01
is "$status" 64 "empty period: exit 64"
run "$COST" --by colour
is "$status" 64 "bad --by: exit 64"
run "$COST" frobnicate
is "$status" 64 "unknown subcommand: exit 64"
if [ -w /dev/full ]; then
	"$COST" $JAN --json >/dev/full 2>/dev/null
	is "$?" 74 "a write to /dev/full exits 74"
fi
run "$COST" --help
like "$out" '^usage: llmr-cost' "--help"
# Every option the program knows is in its man page, and every subcommand
# of the man page's SYNOPSIS is in --help.
missing=
if command -v mandoc >/dev/null 2>&1; then
	MANPAGE_TEXT=$(mandoc -Tascii "$LLMR_SRC/man/llmr-cost.1" | sed 's/.\x08//g')
	for o in $("$COST" --list-options | cut -f1 | sed 's/=$//'); do
		[ "$o" = --help ] && continue
		printf '%s\n' "$MANPAGE_TEXT" | grep -q -- "$o\\>" || missing="$missing $o"
	done
fi
is "$missing" "" "every option is documented in llmr-cost(1)"
missing=
for c in report simulate prices import rollback versions routing budget; do
	printf '%s\n' "$out" | grep -q "\\<$c\\>" || missing="$missing $c"
done
is "$missing" "" "every subcommand is in --help"

done_testing
