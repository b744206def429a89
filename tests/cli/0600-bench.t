#!/bin/sh
# llmr-bench: import-outcomes (CSV and JSON lines, errors by line that lose
# nothing), eval-router on RouteLLM's GSM8K sample and on a synthetic set
# where one known feature decides which model wins.
. "$(dirname "$0")/lib.sh"
OUT_DIR=$LLMR_SRC/tests/fixtures/outcomes
GSM=$OUT_DIR/gsm8k-sample.csv
DB=$TEST_DIR/state.db
count() { sqlite3 "$DB" "SELECT count(*) FROM $1"; }

run llmr-bench --help
is "$status" 0 "--help"
like "$out" "^usage: llmr-bench import-outcomes" "... shows the subcommands"
run llmr-bench
is "$status" 64 "no subcommand: exit 64"
run llmr-bench frobnicate
is "$status" 64 "an unknown subcommand: exit 64"
like "$err" "^llmr-bench: 'frobnicate' is not a command" "... says so"

# Import.
run llmr-bench --state "$DB" import-outcomes "$GSM"
is "$status" 0 "import RouteLLM's CSV"
is "$out" "imported 240 prompts (240 new, 0 already stored), 480 outcomes for 2 models" "... and say what was stored"
is "$(count outcome_prompts) $(count outcomes)" "240 480" "240 prompts, 2 outcomes each"
is "$(sqlite3 "$DB" "SELECT score FROM outcomes o JOIN outcome_prompts p ON p.id = o.prompt
	WHERE p.prompt LIKE 'Josh decides to try flipping a house.%' ORDER BY model")" "0.0
0.0" "a quoted prompt with commas keeps its text and its False outcomes"
run llmr-bench --state "$DB" --json import-outcomes "$GSM"
is "$(jq_out '[.prompts, .new, .updated, .outcomes] | join(" ")')" "240 0 240 480" "importing again replaces, --json says so"
is "$(count outcomes)" 480 "... and adds nothing"

printf 'prompt,weak,strong\n"A new question, with a comma",True,True\n"broken\nquestion",True,perhaps\n' >bad.csv
run llmr-bench --state "$DB" import-outcomes bad.csv
is "$status" 65 "a bad cell: exit 65"
is "$err" "llmr-bench: bad.csv:3: model 'strong': 'perhaps' is not True, False or a number" \
	"... naming the file and the line where the record starts"
is "$(count outcome_prompts)" 240 "... and storing nothing, not even the good lines"
printf 'prompt,weak,strong\nq1,True,False\n"unterminated,True\n' >bad2.csv
run llmr-bench --state "$DB" import-outcomes "$GSM" bad2.csv
is "$status" 65 "a bad second file"
like "$err" "bad2.csv:3: unterminated quoted field" "... is named"
printf '{"prompt":"p1","outcomes":{"a":true,"b":false}}\n{"prompt":"p2","outcomes":[1]}\n' >bad.jsonl
run llmr-bench --state "$DB" import-outcomes bad.jsonl
is "$status" 65 "bad JSON lines"
is "$err" "llmr-bench: bad.jsonl:2: \"outcomes\" must be an object of model: score" "... by line"
is "$(count outcome_prompts) $(count outcomes)" "240 480" "nothing already stored is lost"
run llmr-bench --state "$DB" import-outcomes nosuch.csv
is "$status" 66 "a missing file: exit 66"

printf '{"prompt":"Prove that there are infinitely many primes.","outcomes":{"small/m":0.2,"big/m":0.9}}\n' >ok.jsonl
run llmr-bench --state "$DB" --json import-outcomes - <ok.jsonl
is "$(jq_out '[.new, (.models | join(","))] | join(" ")')" "1 small/m,big/m" "JSON lines from standard input"
is "$(sqlite3 "$DB" "SELECT score FROM outcomes WHERE model = 'big/m'")" 0.9 "... numeric scores kept"

# Evaluate on the GSM8K sample.
run llmr-bench eval-router "$GSM"
is "$status" 0 "eval-router on the GSM8K sample"
for r in heuristic length learned neighbours structure random; do
	like "$out" "^$r +0\.[0-9]{3} +[0-9.]+% +[0-9.]+%$" "... reports $r: APGR, CPT(50%), CPT(80%)"
done
like "$out" "^240 prompts, 5 folds, seed 1$" "... with its folds and seed"
run llmr-bench eval-router --json --folds 4 --seed 9 "$GSM"
is "$(jq_out '[.prompts, .folds, .seed, .apgr_steps, (.routers.learned.folds | length)] | join(" ")')" \
	"240 4 9 20 4" "--json: prompts, folds, seed, steps and one entry per fold"
is "$(jq_out '[.routers[] | .apgr > 0.3 and .apgr < 1.5 and .cpt50 >= 0 and .cpt80 <= 1] | all')" true \
	"... every router has APGR and CPTs in range"
is "$(jq_out '.weak.model + " " + .strong.model')" \
	"mistralai/Mixtral-8x7B-Instruct-v0.1 gpt-4-1106-preview" "... the weak and strong models told apart by their means"
run llmr-bench eval-router --json --folds 4 --seed 9 "$GSM"
a=$out
run llmr-bench eval-router --json --folds 4 --seed 9 "$GSM"
is "$out" "$a" "a fixed seed gives the same figures"

# A synthetic set where the strong model wins only on astronomy.
awk -v n=600 -f "$OUT_DIR/topic.awk" >topic.csv
run llmr-bench eval-router --json topic.csv
is "$status" 0 "eval-router on the synthetic set"
is "$(jq_out '.routers.learned.apgr >= 0.85 * .routers.oracle.apgr')" true \
	"the learned router finds the topic: APGR near the oracle's ($(jq_out '.routers.learned.apgr') vs $(jq_out '.routers.oracle.apgr'))"
is "$(jq_out '.routers.learned.apgr > .routers.length.apgr + 0.2 and .routers.learned.apgr > .routers.heuristic.apgr + 0.2')" true \
	"... far above length and the heuristic, which cannot see it"
is "$(jq_out '.routers.learned.cpt80 < 0.3')" true "... and reaches 80% of the gap with few strong calls"

run llmr-bench eval-router --weak weak --strong nosuch topic.csv
is "$status" 65 "an unknown model: exit 65"
like "$err" "no outcomes for model 'nosuch'" "... says which"
run llmr-bench eval-router --folds 1 topic.csv
is "$status" 64 "--folds 1: exit 64"
printf 'prompt,a\nq,True\n' >one.csv
run llmr-bench eval-router one.csv
is "$status" 65 "one model only: exit 65"
if [ -w /dev/full ]; then
	run sh -c "llmr-bench eval-router '$GSM' >/dev/full"
	is "$status" 74 "a full disk: exit 74"
else
	skip "no /dev/full"
fi
done_testing
