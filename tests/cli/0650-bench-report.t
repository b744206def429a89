#!/bin/sh
# llmr-bench report: scores per model and per skill (the suite's name) with
# each skill's Pareto frontier, trends across runs, the win matrix and the
# Bradley-Terry ratings, from one real run against the fake and runs,
# results and votes written into the state with known figures; --run and
# --since filter; --html is one self-contained page, rendered in headless
# Chromium whose DOM must show the figures of --json.
. "$(dirname "$0")/lib.sh"
. "$LLMR_SRC/tests/cli/bench.sh"

cat >live.yaml <<'EOF'
name: live
models: [openai/gpt-4o-mini, deepseek/deepseek-chat]
threshold: 0.5
cases:
  - prompt: "What is the capital of France? One word."
    assert:
      - {type: icontains, value: paris}
EOF
say gpt-4o-mini "Paris."
say deepseek-chat "Lyon."
run llmr-bench run live.yaml
is "$status" 1 "a real run to report on (deepseek fails its case: exit 1)"

# Known figures. Skill "search" (runs 2, 3), "extract" (run 4); run 5 is a
# judged comparison. m/a in search: (0.5*1 + 0.7*1 + 0.9*3) / 5 = 0.78.
day() { echo $(( ($(date -u -d "$1" +%s) ) * 1000 )); }
q "INSERT INTO bench_runs (id, suite, file, kind, threshold, started_ms) VALUES
 (2, 'search', 's.yaml', 'run', 0.6, $(day 2026-01-01)), (3, 'search', 's.yaml', 'run', 0.6, $(day 2026-01-02)),
 (4, 'extract', 'e.yaml', 'run', 0.6, $(day 2026-01-03)), (5, 'duel', 'd.yaml', 'compare', 0.6, $(day 2026-01-05))"
res() { # run model case score weight cost
	q "INSERT INTO bench_results (run, model, case_no, prompt, cost_usd, latency_ms, pass, score, weight, asserts)
	   VALUES ($1, '$2', $3, 'p', $6, 100, $4 >= 0.6, $4, $5, '[]')"
}
res 2 m/a 0 0.5 1 0.002; res 2 m/b 0 1.0 1 0.010; res 2 m/c 0 0.4 1 0.001; res 2 m/d 0 0.6 1 0.005
res 3 m/a 0 0.7 1 0.002; res 3 m/a 1 0.9 3 0.002; res 3 m/b 0 0.8 1 0.010; res 3 m/c 0 0.3 1 0.001
res 4 m/a 0 1.0 1 0.003; res 4 m/b 0 0.2 1 0.004; res 4 m/c 0 0.6 1 0.0005
pair() { # run ts source model_a model_b winner times
	i=0
	while [ $i -lt "$7" ]; do
		q "INSERT INTO bench_pairs (run, ts_ms, source, prompt, model_a, model_b, winner)
		   VALUES ($1, $2, '$3', 'p', '$4', '$5', '$6')"
		i=$((i + 1))
	done
}
# Run 5: m/a beats m/b 4 times (once listed second), loses twice.
J=$(day 2026-01-05)
pair 5 "$J" judge m/a m/b a 3; pair 5 "$J" judge m/b m/a b 1; pair 5 "$J" judge m/a m/b b 2
NOW=$(($(date +%s) * 1000))
pair NULL "$NOW" human m/a m/c a 3; pair NULL "$NOW" human m/c m/a tie 1
pair NULL "$NOW" human m/b m/c a 2; pair NULL "$NOW" human m/b m/c b 1
pair NULL "$NOW" human m/d m/c tie 2; pair NULL "$NOW" human m/a m/d a 2
# Run 6: an arena session; people's scores 0..10 with tags (a JSON array).
# m/c's one score predates --since 2026-01-02.
q "INSERT INTO bench_runs (id, suite, file, kind, threshold, started_ms) VALUES
 (6, 'arena', 'a.yaml', 'arena', 0.6, $(day 2026-01-06))"
score() { # model evaluator score tags [ts]
	q "INSERT INTO bench_arena_scores (run, case_no, evaluator, model, label, prompt, answer, score,
	   tags, comment, confidence, time_ms, ts_ms)
	   VALUES (6, 1, '$2', '$1', 'A', 'p', 'x', $3, '$4', '', 3, 1000, ${5:-$(day 2026-01-06)})"
}
score m/a alice 8 '["hallucination","too long"]'; score m/a bob 6 '["incomplete"]'
score m/b alice 3 '["hallucination","format error","hallucination"]'; score m/b bob 5 '[]'
score m/b carol 4 '["too long","rude"]'; score m/c alice 10 '["old"]' "$(day 2025-12-31)"

run llmr-bench report --json
is "$status" 0 "report --json exits 0"
cp "$OUT" r.json
is "$(jq -c '[.runs[].id]' r.json)" "[2,3,4,5,6,1]" "runs oldest first"
sk() { jq -r --arg s "$1" --arg m "$2" ".skills[] | select(.skill == \$s) | .models[] | select(.model == \$m) | $3" r.json; }
is "$(sk search m/a .mean_score)" 0.78 "m/a in search: case-weighted mean over runs 2 and 3"
is "$(sk search m/a .results)" 3 "m/a in search: 3 results"
is "$(sk search m/b .mean_score)" 0.9 "m/b in search: 0.9"
is "$(sk search m/a .pass_rate)" 0.8 "m/a in search: weighted pass rate (0 + 1 + 3) / 5"
is "$(jq -r '[.skills[] | select(.skill == "search") | .models[] | select(.frontier) | .model] | sort | join(" ")' r.json)" \
	"m/a m/b m/c" "search frontier: m/c cheapest, m/a, m/b best; m/d (dearer and worse than m/a) is off"
is "$(sk search m/d .frontier)" false "m/d is dominated"
is "$(jq -r '[.skills[] | select(.skill == "extract") | .models[] | select(.frontier) | .model] | sort | join(" ")' r.json)" \
	"m/a m/c" "extract frontier: m/c and m/a; m/b dominated"
is "$(jq -r '[.skills[].skill] | join(" ")' r.json)" "extract live search" "the skills are the suites with results"
is "$(jq -r '.skills[] | select(.skill == "live") | .models[] | "\(.model) \(.mean_score)"' r.json | sort)" \
	"deepseek/deepseek-chat 0
openai/gpt-4o-mini 1" "the real run's scores are reported"
is "$(jq -c '.trends[] | select(.model == "m/a") | [.points[] | [.run, .mean_score]]' r.json)" \
	"[[2,0.5],[3,0.85],[4,1]]" "m/a's trend: one mean score per run, oldest first"
is "$(jq -c '.pairs' r.json)" '{"judge":6,"human":11}' "pairs counted by source"
cell() { jq -r --arg a "$1" --arg b "$2" '.win_matrix as $w | ($w.models | index($a)) as $i
	| ($w.models | index($b)) as $j | $w.cells[$i][$j] | "\(.wins)-\(.losses)-\(.ties) \(.rate)"' r.json; }
is "$(cell m/a m/b)" "4-2-0 0.666667" "win matrix: m/a against m/b, either order"
is "$(cell m/b m/a)" "2-4-0 0.333333" "win matrix: m/b against m/a"
is "$(cell m/c m/a)" "0-3-1 0.125" "win matrix: a tie is half a win"
is "$(jq -r '.win_matrix as $w | ($w.models | index("m/b")) as $i | ($w.models | index("m/d")) as $j | $w.cells[$i][$j]' r.json)" \
	null "win matrix: no games, no cell"
is "$(jq -r '.ratings.models[0] | "\(.model) \(.rank)"' r.json)" "m/a 1" "ratings: m/a, undefeated but by m/b, is first"
is "$(jq -r '[.ratings.models[] | select(.ci_low <= .rating and .rating <= .ci_high)] | length' r.json)" 4 \
	"ratings: four models, each inside its interval"
is "$(jq -c '[.ratings.models[].model]' r.json)" "$(jq -c '.win_matrix.models' r.json)" "the win matrix in rating order"
is "$(jq -c '.arena | [.answers, [.models[] | [.model, .answers, .evaluators, .mean_human_score]]]' r.json)" \
	'[6,[["m/c",1,1,10],["m/a",2,2,7],["m/b",3,3,4]]]' "arena: answers, people and mean human score per model, best first"
is "$(jq -c '.arena.models[] | select(.model == "m/b") | [.tags[] | [.tag, .count]]' r.json)" \
	'[["hallucination",1],["format error",1],["incomplete",0],["rude",1],["too long",1]]' \
	"arena: m/b's tags, the three canonical first; a tag given twice to one answer counts once"
is "$(jq -c '[.arena.tags[] | "\(.tag)=\(.count)"]' r.json)" \
	'["hallucination=2","format error=1","incomplete=1","too long=2","old=1","rude=1"]' \
	"arena: tags over every answer, free text most given first"

run llmr-bench report --json --run 5
cp "$OUT" r5.json
# Two players, 4-2, with the prior's tenth of a game drawn between them:
# 1000 + 200 log10(4.05 / 2.05) = 1059.140 (tests/unit/bench_bt.c).
is "$(jq -r '.ratings.models[] | "\(.model) \(.rating * 1000 | round / 1000)"' r5.json)" "m/a 1059.14
m/b 940.86" "--run 5: the two players' ratings as computed by hand"
is "$(jq -c '[.runs[].id, .pairs.human, (.models | length), .arena.answers]' r5.json)" "[5,0,0,0]" \
	"--run 5: that run only, no human votes, no results, no arena scores"
run llmr-bench report --since 2026-01-02 --json
cp "$OUT" rs.json
is "$(jq -c '[.runs[].id]' rs.json)" "[3,4,5,6,1]" "--since: the runs started since"
is "$(jq -c '[.arena.answers, [.arena.tags[].tag | select(. == "old")]]' rs.json)" '[5,[]]' \
	"--since: the arena scores given since"
is "$(jq -r '.skills[] | select(.skill == "search") | .models[] | select(.model == "m/a") | .mean_score' rs.json)" \
	0.85 "--since: m/a in search from run 3 only"
run llmr-bench report --since 2099-01-01
is "$status" 0 "--since in the future: an empty report, exit 0"
like "$out" '^no results recorded$' "... that says there are no results"
like "$out" '^no pairwise results recorded$' "... and no pairwise results"
run llmr-bench report --since 2099-01-01 --html
unlike "$out" 'nan|inf' "an empty HTML report has no NaN or infinity"
like "$out" 'id="no-pairs"' "... and says there are no pairwise results"
like "$out" 'id="no-arena"' "... nor arena scores"
run llmr-bench report --run 99
is "$status" 66 "--run of no run: exit 66"
is "$err" "llmr-bench: run 99: no such run" "... and says so"
run llmr-bench report --json --html
is "$status" 64 "--json with --html: a usage error"
run llmr-bench report --since yesterday-ish
is "$status" 64 "--since that is not a time: a usage error"

run llmr-bench report
is "$status" 0 "the text report exits 0"
like "$out" '^ *1 m/a +1[0-9]{3} ' "text: m/a ranked 1 with its rating"
like "$out" '^  m/d +1 +0\.600 +100\.0% +0\.005000 +100$' "text: m/d in search, off the frontier (no *)"
like "$out" '^  m/c +2 +0\.350 .*  \*$' "text: m/c in search, on the frontier"
like "$out" '^ 1 m/a +- +0\.67 \(  6\)' "text: the win matrix row of m/a"
like "$out" '^m/a +2 +2 +7\.00 +1 +0 +1 +1$' "text: m/a in the arena: answers, people, human score, tags"
like "$out" '^  other tags: rude 1, too long 1$' "text: m/b's free-text tags"
like "$out" '^tags over all answers: hallucination 2, format error 1, incomplete 1, too long 2, old 1, rude 1$' \
	"text: the tags over every answer"

run llmr-bench report --html
is "$status" 0 "--html exits 0"
cp "$OUT" report.html
like "$(head -1 report.html)" '^<!DOCTYPE html>' "an HTML document"
is "$(grep -c '<svg id="chart-' report.html)" 6 "six charts: ratings, trends, a Pareto chart per skill (3), tags"
is "$(grep -c '<rect class="tag-bar"' report.html)" "$(jq '.arena.tags | length' r.json)" "one bar per tag"
is "$(grep -Eo '(src|href)=' report.html | wc -l | tr -d ' ')" 0 "self-contained: nothing fetched"
is "$(grep -Eo 'https?://[^"]*' report.html | sort -u)" "http://www.w3.org/2000/svg" "no URL but the SVG namespace"
is "$(grep -c '<line class="interval"' report.html)" 4 "one interval bar per rated model"
is "$(grep -c '<circle class="frontier"' report.html)" "$(jq '[.skills[].models[] | select(.frontier)] | length' r.json)" \
	"one frontier point per frontier model of each skill"
is "$(grep -c '<polyline class="trend"' report.html)" "$(jq '.trends | length' r.json)" "one trend line per model"

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	skip "chromium is not installed: render"
	skip "chromium is not installed: DOM figures"
	done_testing
	exit 0
fi
flags="--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --user-data-dir=$TEST_DIR/chromium"
offline='--host-resolver-rules=MAP * ~NOTFOUND'
timeout 120 "$CHROMIUM" $flags "$offline" --window-size=1000,2400 --screenshot="$TEST_DIR/report.png" \
	"file://$TEST_DIR/report.html" >chromium.log 2>&1
is "$(od -An -tx1 -N8 report.png | tr -d ' \n')" 89504e470d0a1a0a "chromium rendered a PNG"
size=$(wc -c <report.png)
ok_cond "the page is not blank ($size bytes)" test "$size" -gt 20000
timeout 120 "$CHROMIUM" $flags "$offline" --dump-dom "file://$TEST_DIR/report.html" >dom.html 2>chromium.log
for c in chart-ratings chart-trends chart-pareto-1 chart-pareto-2 chart-pareto-3 chart-tags; do
	ok_cond "the DOM holds $c" grep -q "<svg id=\"$c\"" dom.html
done
text() { grep -o "id=\"$1\">[^<]*" dom.html | sed 's/.*>//'; }
is "$(text runs)" 6 "runs match --json"
is "$(text arena-answers)" "$(jq '.arena.answers' r.json)" "arena answers match --json"
is "$(text human-pairs)" 11 "human votes match --json"
sed -n '/<table id="ratings">/,/<\/table>/p' dom.html | grep -o '<tr><td>[^<]*</td><td>[^<]*</td><td>[^<]*</td><td>[^<]*</td><td>[^<]*' |
	sed 's/<tr><td>//; s/<\/td><td>/ /g' >ratings.txt
is "$(cat ratings.txt)" "$(jq -r '.ratings.models[] | "\(.rank) \(.model) \(.rating | round) \(.ci_low | round) \(.ci_high | round)"' r.json)" \
	"the ratings table: ranks, models, ratings and intervals match --json"
sed -n '/<table id="models">/,/<\/table>/p' dom.html | grep -o '<tr><td>[^<]*</td><td>[^<]*</td><td>[^<]*' |
	sed 's/<tr><td>//; s/<\/td><td>/ /g' >models.txt
is "$(cat models.txt)" "$(jq -r '.models[] | "\(.model) \(.results) \(.mean_score * 1000 | round / 1000)"' r.json |
	awk '{printf "%s %s %.3f\n", $1, $2, $3}')" "the model table matches --json"
is "$(grep -o '<td>\*</td></tr>' dom.html | wc -l | tr -d ' ')" \
	"$(jq '[.skills[].models[] | select(.frontier)] | length' r.json)" "the skill tables star the frontier models of --json"
is "$(sed -n '/<table id="win-matrix">/,/<\/table>/p' dom.html | grep -o '<td style=' | wc -l | tr -d ' ')" \
	"$(jq '[.win_matrix.cells[][] | select(. != null)] | length' r.json)" "one shaded win-matrix cell per pair that played"
sed -n '/<table id="arena">/,/<\/table>/p' dom.html | grep -o '<tr><td>.*</td></tr>' |
	sed 's/<tr><td>//; s/<\/td><\/tr>//; s/<\/td><td>/|/g' >arena.txt
is "$(cat arena.txt)" "$(jq -r '.arena.models[] | [.model, .answers, .evaluators, (.mean_human_score * 100 | round / 100),
	.tags[0].count, .tags[1].count, .tags[2].count, ([.tags[3:][] | "\(.tag) \(.count)"] | join(", "))] | join("|")' r.json |
	awk -F'|' -v OFS='|' '{$4 = sprintf("%.2f", $4); print}')" "the arena table: scores and tags match --json"
sed -n '/<svg id="chart-tags"/,/<\/svg>/p' dom.html | grep -o '<rect class="tag-bar"[^>]*width="[0-9.]*"' |
	sed 's/.*width="//; s/"//' >bars.txt
is "$(sort -n bars.txt | tail -1)" 400.0 "the longest tag bar is the most given tag's"
done_testing
