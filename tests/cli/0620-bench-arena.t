#!/bin/sh
# llmr-bench arena on a pseudo-terminal: a suite's answers shown anonymous
# (A, B, C) in a seeded order, side by side or one above the other; per
# answer a score, tags, comment and confidence, then a preference per pair,
# stored apart per evaluator; Ctrl-C and the end of input keep what was
# given. llmr-bench export: results, scores and votes as JSON lines or CSV,
# with the evaluator who disagrees with the others flagged.
. "$(dirname "$0")/lib.sh"
. "$LLMR_SRC/tests/cli/bench.sh"
M2=openai/gpt-4o-mini,deepseek/deepseek-chat
cat >s.yaml <<'EOF'
name: words
models: [openai/gpt-4o-mini, deepseek/deepseek-chat]
cases:
  - prompt: "Say a word."
  - prompt: "Say another word."
EOF

run llmr-bench arena -m "$M2" s.yaml
is "$status" 64 "arena without a terminal: exit 64"
like "$err" "standard input is not one" "... says why"
run llmr-bench arena -m openai/gpt-4o-mini s.yaml
is "$status" 64 "one model: exit 64"
like "$err" "not two or three models" "... says why"
run llmr-bench arena -m a/b,c/d,e/f,g/h s.yaml
is "$status" 64 "four models: exit 64"
run llmr-bench arena -m "$M2,openai/gpt-4o-mini" s.yaml
is "$status" 64 "a model twice: exit 64"
run llmr-bench arena -m "$M2"
is "$status" 64 "no SUITE and no --prompt: exit 64"

have_pty || { skip "no pseudo-terminal for the arena"; done_testing; exit 0; }

# One case: score, tags, comment, confidence per answer, then the vote.
steps() { # SCORE1 TAGS1 SCORE2 VOTE
	printf '%s\n' "expect score 0-10" "send $1" "expect tags" "send $2" "expect comment" \
		"send comment on $1" "expect confidence" "send" "expect score 0-10" "send $3" \
		"expect tags" "send" "expect comment" "send" "expect confidence" "send 5" \
		"expect Which is better" "send $4"
}
{ steps 8 "h, too long" 3 a; steps 6 "" 6 t; echo "expect done:"; } >alice.pty
say gpt-4o-mini ALPHA 2
say deepseek-chat BETA 2
pty_run --cols 60 alice.pty llmr-bench arena -m "$M2" --evaluator alice --seed 7 s.yaml
is "$status" 0 "arena: exit 0"
like "$out" "=== Answer A ===" "answers shown as A"
like "$out" "=== Answer B ===" "... and B"
unlike "$(printf '%s\n' "$out" | sed '/ was /,$d')" "gpt-4o-mini|deepseek" \
	"the models are not named before the case is done"
like "$out" "A was .*, B was " "... then they are"
like "$out" "done: 4 scores and 2 preferences in 2 cases" "a summary at the end"
is "$(q "SELECT count(*) FROM bench_arena_scores WHERE evaluator = 'alice'")" 4 "four scores stored"
is "$(q "SELECT model, answer FROM bench_arena_scores WHERE case_no = 1 ORDER BY model")" \
	"deepseek/deepseek-chat|BETA
openai/gpt-4o-mini|ALPHA" "each score names the model behind its answer"
la=$(q "SELECT label FROM bench_arena_scores WHERE case_no = 1 AND score = 8")
shown() { printf '%s\n' "$out" | tr -d '\r' | grep -A1 "=== Answer $1 ===" | sed -n 2p; }
is "$(shown "$la")" "$(q "SELECT answer FROM bench_arena_scores WHERE case_no = 1 AND score = 8")" \
	"... the answer shown under that label"
is "$(q "SELECT tags, comment, confidence FROM bench_arena_scores WHERE case_no = 1 AND score = 8")" \
	'["hallucination","too long"]|comment on 8|3' "tags (h expanded), comment, confidence (Enter: 3)"
is "$(q "SELECT confidence, tags FROM bench_arena_scores WHERE case_no = 1 AND score = 3")" '5|[]' \
	"confidence 5, no tags"
is "$(q "SELECT min(time_ms >= 0) FROM bench_arena_scores")" 1 "the time taken is recorded"
is "$(q "SELECT source, evaluator, case_no, winner FROM bench_pairs ORDER BY id")" \
	"human|alice|1|a
human|alice|2|tie" "the preferences: human, by alice, per case"
is "$(q "SELECT p.model_a = s.model FROM bench_pairs p JOIN bench_arena_scores s
	ON s.run = p.run AND s.case_no = p.case_no AND s.label = 'A' WHERE p.case_no = 1")" 1 \
	"a vote for A goes to the model shown as A"
is "$(q "SELECT evaluator, seed, length(suite_hash), models FROM bench_arena_sessions")" \
	"alice|7|64|$M2" "the session: evaluator, seed, suite hash, models"

# The same seed shows the same order; the end of input stops cleanly.
fake_reset
say gpt-4o-mini ALPHA 2
say deepseek-chat BETA 2
printf 'expect score 0-10\neof\n' >eof.pty
pty_run --cols 60 eof.pty llmr-bench arena -m "$M2" --evaluator alice --seed 7 s.yaml
is "$status" 0 "end of input at a question: exit 0"
like "$out" "stopped: 0 scores" "... the session stops"
is "$(shown "$la")" ALPHA "the same seed shows the same order"

# A second evaluator, three models side by side; Ctrl-C in the second case.
fake_reset
say gpt-4o-mini ALPHA 2
say deepseek-chat BETA 2
say llama3-8b-8192 GAMMA 2
M3=$M2,groq/llama3-8b-8192
{
	for l in A B C; do
		printf '%s\n' "expect score 0-10" "send 5" "expect tags" "send f" "expect comment" \
			"send" "expect confidence" "send 2"
	done
	printf '%s\n' "expect Which is better, A or B" "send b" "expect Which is better, A or C" "send s" \
		"expect Which is better, B or C" "send c" "expect Case 2" "expect score 0-10" "send 9" \
		"expect tags" "intr"
} >bob.pty
pty_run --cols 130 bob.pty llmr-bench arena -m "$M3" --evaluator bob s.yaml
is "$status" 130 "Ctrl-C: exit 130"
like "$out" "stopped: 3 scores and 2 preferences in 1 case " "... what was given is counted"
like "$out" "(ALPHA|BETA|GAMMA) .*\| (ALPHA|BETA|GAMMA) .*\| (ALPHA|BETA|GAMMA)" \
	"three answers side by side on a wide terminal"
is "$(q "SELECT count(*), min(tags), max(tags) FROM bench_arena_scores WHERE evaluator = 'bob'")" \
	'3|["format error"]|["format error"]' "bob's scores are kept, with their tags"
is "$(q "SELECT count(*) FROM bench_pairs WHERE evaluator = 'bob'")" 2 "bob's votes (one pair skipped)"
is "$(q "SELECT count(*) FROM bench_arena_scores WHERE evaluator = 'alice'")" 4 "alice's are apart"
run llmr-bench ratings --json
is "$(jq_out '.games')" 4 "the ratings count every human vote"

# --prompt: one prompt, no suite.
fake_reset
say gpt-4o-mini ALPHA
say deepseek-chat BETA
{ steps 1 i 2 b; echo "expect done:"; } >one.pty
pty_run --cols 60 one.pty llmr-bench arena -m "$M2" --evaluator carol --prompt "Hi"
is "$status" 0 "--prompt: exit 0"
is "$(q "SELECT count(*), max(prompt) FROM bench_arena_scores WHERE evaluator = 'carol'")" "2|Hi" \
	"--prompt: scored as one case"

# The evaluator who disagrees: dave, erin and fred score two answers
# alike, gil far off. The medians are 5 and 6: gil's mean deviation is 5,
# fred's 1, dave's and erin's 0; the median evaluator's 0.5.
hash=$(q "SELECT suite_hash FROM bench_arena_sessions WHERE evaluator = 'alice' LIMIT 1")
for who in dave:5 erin:5 fred:6 gil:0; do
	q "INSERT INTO bench_runs (suite, file, kind, threshold, started_ms) VALUES ('words', 's.yaml', 'arena', 1, 0);
	   INSERT INTO bench_arena_sessions VALUES (last_insert_rowid(), '${who%:*}', '$hash', 1, '$M2');
	   INSERT INTO bench_arena_scores (run, case_no, evaluator, model, label, prompt, answer, score, tags,
		comment, confidence, time_ms, ts_ms)
	   SELECT (SELECT max(run) FROM bench_arena_sessions), 9, '${who%:*}', m, 'A', 'p', 'x',
		${who#*:} + (m = 'b'), '[]', '', 3, 10, 0 FROM (SELECT 'a' AS m UNION SELECT 'b')"
done
fake_reset
say gpt-4o-mini ALPHA
say deepseek-chat BETA
pty_run --cols 60 eof.pty llmr-bench arena -m "$M2" --evaluator carol --prompt "Hi"
like "$out" "^evaluator gil disagrees with the others: 5.00 points from the consensus \(median evaluator 0.50\)" \
	"the end of a session names the evaluator who disagrees"
unlike "$out" "evaluator (dave|erin|fred) disagrees" "... and nobody else"
run llmr-bench export
is "$status" 0 "export: exit 0"
ev() { printf '%s\n' "$out" | jq -r "select(.kind == \"evaluator\" and .evaluator == \"$1\") | $2"; }
is "$(ev gil .flagged)" true "the evaluator far from the consensus is flagged"
is "$(ev gil .deviation)" 5 "... by their mean distance to the median score"
is "$(ev dave .flagged)" false "the others are not"
is "$(ev alice .flagged)" false "... nor one whose answers too few others scored"
is "$(printf '%s\n' "$out" | jq -r 'select(.kind == "score" and .evaluator == "gil") | .outlier' | sort -u)" \
	true "each of the outlier's scores says so"
is "$(printf '%s\n' "$out" | jq -c 'select(.kind == "score" and .evaluator == "alice" and .score == 8) |
	[.case, .tags, .comment, .confidence, .suite, (.suite_hash | length), (.time_ms >= 0), .run > 0]')" \
	'[1,["hallucination","too long"],"comment on 8",3,"words",64,true,true]' \
	"a score: case, tags, comment, confidence, and the audit trail"
is "$(printf '%s\n' "$out" | jq -c 'select(.kind == "pair" and .evaluator == "alice" and .case == 1) |
	[.source, .label_a, .label_b, (.answer_a | length > 0), .winner, (.suite_hash | length)]')" \
	'["human","A","B",true,"a",64]' "a preference: labels, answers, winner, the audit trail"

# Results of runs export as before.
cat >r.yaml <<'EOF'
name: s
models: [openai/gpt-4o-mini]
cases:
  - prompt: "Say \"hi\", then a comma"
    assert: [{type: contains, value: hi}]
EOF
fake_reset
say gpt-4o-mini 'hi, there'
run llmr-bench run r.yaml
run llmr-bench export
is "$(printf '%s\n' "$out" | jq -r 'select(.kind == "result") | [.suite, .model, .case, .output, .pass] | join("|")')" \
	"s|openai/gpt-4o-mini|1|hi, there|true" "JSON lines: the result"
is "$(printf '%s\n' "$out" | jq -r 'select(.kind == "result") | [.run_started_ms > 0, (.suite_hash | length)] | @tsv')" \
	"$(printf 'true\t64')" "... with when its run started and its suite's hash"
is "$(printf '%s\n' "$out" | jq -c 'select(.kind == "result") |
	[.answered_by, .run_status, .run_finished_ms > 0, .input_tokens > 0, .output_tokens > 0, .format]')" \
	'["openai/gpt-4o-mini","passed",true,true,true,null]' \
	"... who answered, the run's status and end, the tokens; no format score where no JSON was asked"
cat >j.yaml <<'EOF'
name: j
models: [openai/gpt-4o-mini]
threshold: 0
cases:
  - prompt: "Give JSON"
    assert: [{type: is-json}]
EOF
say gpt-4o-mini 'no JSON here'
run llmr-bench run j.yaml
run llmr-bench export
itl=$(q "SELECT CASE WHEN r.itl_ms IS NULL THEN 'null' ELSE 'number' END FROM bench_results r JOIN bench_runs b ON b.id = r.run WHERE b.suite = 'j'")
is "$(printf '%s\n' "$out" | jq -c 'select(.kind == "result" and .suite == "j") |
	[.format_score, .format.parseable, .format.flag, (.itl_ms | type), .run_status]')" \
	'[0,0,"prose","'"$itl"'","passed"]' \
	"... its format score, the parts and flag as an object, the inter-token latency as stored"
run llmr-bench export --format csv
is "$(printf '%s\n' "$out" | python3 -c 'import csv,sys; r=list(csv.DictReader(sys.stdin)); x=[d for d in r if d["suite"]=="j"][0]; print(float(x["format_score"]), x["run_status"], "prose" in x["format"])')" \
	"0.0 passed True" "CSV: the new columns too"
run llmr-bench export
n=$(q "SELECT count(*) FROM bench_pairs")
is "$(printf '%s\n' "$out" | jq -s 'map(select(.kind == "pair")) | length')" "$n" "... and every pairwise result"
run llmr-bench export --format csv
is "$(printf '%s\n' "$out" | head -1 | cut -d, -f1-6)" "kind,run,suite,source,ts_ms,model" "CSV: a header"
like "$out" '^result,[0-9]+,s,,,openai/gpt-4o-mini,1,,,"Say ""hi"", then a comma","hi, there",' \
	"CSV: quotes doubled, fields with commas quoted"
like "$out" '^score,.*,alice,[AB],' "CSV: the scores too"
is "$(printf '%s\n' "$out" | python3 -c 'import csv,sys; r=list(csv.reader(sys.stdin)); print(len(set(map(len,r))))')" 1 \
	"CSV: every row has the header's columns (Python's csv reads it)"
run llmr-bench export --format xml
is "$status" 64 "--format xml: exit 64"
done_testing
