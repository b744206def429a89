#!/bin/sh
# llmr-bench run, compare and ratings against the fake, whose answers are
# scripted so that assertions pass and fail, and whose judge is consistent
# or not.
. "$(dirname "$0")/lib.sh"
. "$LLMR_SRC/tests/cli/bench.sh"

cat >capitals.yaml <<'EOF'
name: capitals
models: [openai/gpt-4o-mini, deepseek/deepseek-chat]
threshold: 0.6
judge: {model: openai/gpt-4.1}
cases:
  - prompt: "What is the capital of {{country}}? One word."
    vars: {country: France}
    assert:
      - {type: icontains, value: paris, weight: 2}
      - {type: not-contains, value: sorry}
      - {type: max-latency, value: 10000}
  - prompt: "Give the city as JSON."
    assert:
      - type: json-schema
        value:
          type: object
          required: [city]
          properties: {city: {type: string, minLength: 2}}
  - prompt: "Explain recycling to a child."
    weight: 2
    assert:
      - {type: judge, value: "clear, kind, correct"}
      - {type: regex, value: "^[A-Z]"}
EOF

say gpt-4o-mini "Paris."
say gpt-4o-mini '{"city": "Paris"}'
say gpt-4o-mini "Recycling turns old things into new ones."
say gpt-4.1 "Clear and kind. Rating: [[8]]"
say deepseek-chat "Sorry, I think it is Lyon."
say deepseek-chat '{"city": 7}'
say deepseek-chat "recycling is when stuff"
say gpt-4.1 "Rambling. Rating: [[2]]"
run llmr-bench run capitals.yaml
is "$status" 1 "run: exit 1 when cases fall below the threshold"
like "$err" "^llmr-bench: run: capitals.yaml: below the threshold: 3 of 6 results passed$" "... and says so"
like "$out" "^openai/gpt-4o-mini +3/3 +100\.0% +0\.950 +[0-9.]+ +[0-9]+ +1\.000$" \
	"the first model passes all: mean score weighted by the cases (1+1+2*0.9)/4; format 1"
like "$out" "^deepseek/deepseek-chat +0/3 +0\.0% +0\.175 +[0-9.]+ +[0-9]+ +0\.875$" \
	"the second passes none: (0.5+0+2*0.1)/4, each case by its weighted assertions"
like "$out" "^FAIL deepseek/deepseek-chat case 1 \(score 0\.500\): icontains: no 'paris'$" "a failure says why"
like "$out" "^FAIL deepseek/deepseek-chat case 2 .*json-schema: /city: wrong type$" "... the schema's path"
like "$out" "^FAIL deepseek/deepseek-chat case 3 .*judge: the judge gave 2/10$" "... the judge's score"
is "$(fake_jq '[.log[] | select(.model == "gpt-4o-mini")][0].body.messages[0].content')" \
	"What is the capital of France? One word." "vars are substituted into the prompt"
like "$(fake_jq '[.log[] | select(.model == "gpt-4.1")][0].body.messages[0].content')" \
	"clear, kind, correct" "the judge is given the rubric"
is "$(fake_jq '[.log[] | select(.model == "gpt-4o-mini")][0].body.stream')" true \
	"answers are streamed, so TTFT is measured"
is "$(q "SELECT count(*) FROM bench_results WHERE run = 1")" 6 "six results stored"
is "$(q "SELECT group_concat(pass, '') FROM (SELECT pass FROM bench_results ORDER BY model DESC, case_no)")" \
	"111000" "with pass"
# A call answered within the millisecond has no rate to tell: null.
is "$(q "SELECT count(*) FROM bench_results WHERE cost_usd > 0 AND latency_ms >= 0 AND ttft_ms >= 0
	AND (output_tps > 0 OR output_tps IS NULL AND latency_ms - ttft_ms <= 0)")" 6 \
	"... cost, latency, TTFT and tokens/s"
is "$(q "SELECT count(*) FROM requests WHERE model = 'gpt-4.1'")" 2 "the judge's calls are logged like any call"

# The judge: --judge, else the suite's, else the config's.
sed '/^judge:/d' capitals.yaml >nojudge.yaml
run llmr-bench run nojudge.yaml
is "$status" 65 "a judge assertion and no judge anywhere: exit 65"
like "$err" "^llmr-bench: nojudge.yaml:[0-9]+:[0-9]+: a judge assertion needs a judge model" "... at the assertion"
cp "$LLMR_CONFIG" judged.conf
printf 'judge: {model: groq/llama3-8b-8192}\n' >>judged.conf
say gpt-4o-mini "Recycling." ; say deepseek-chat "Recycling."
say llama3-8b-8192 "Rating: [[9]]" ; say llama3-8b-8192 "Rating: [[9]]"
sed -n '1,4p;/Explain recycling/,$p' nojudge.yaml >judged.yaml  # the judged case only
run llmr-bench --config judged.conf run --json judged.yaml
is "$(jq_out '[.results[].asserts[0].score] | join(" ")')" "0.9 0.9" "the config's judge stands in for the suite's"
say gpt-4o-mini "Recycling." ; say deepseek-chat "Recycling."
say gpt-4.1 "Rating: [[3]]" ; say gpt-4.1 "Rating: [[3]]"
run llmr-bench --config judged.conf run --json --judge openai/gpt-4.1 judged.yaml
is "$(jq_out '[.results[].asserts[0].score] | join(" ")')" "0.3 0.3" "--judge overrides it"
say gpt-4o-mini "Recycling." ; say deepseek-chat "Recycling."
say gpt-4.1 "A fine answer, I like it." ; fake_script '{"model": "gpt-4.1", "status": 400}'
run llmr-bench run --json --judge openai/gpt-4.1 judged.yaml
is "$(jq_out '.results[0].asserts[0] | [.score, .why] | join(" ")')" \
	"0 judge openai/gpt-4.1 gave no score from 0 to 10" "a judge reply without a score: 0, and why"
like "$(jq_out '.results[1].asserts[0] | [.score, .why] | join(" ")')" "^0 judge openai/gpt-4.1: ." \
	"a failed judge call: 0, with its error"
is "$(jq_out '[.results[].score] | join(" ")')" "0.5 0.5" "... the other assertion still counts"
printf 'judge: {model: groq/nosuch}\n' >>"$TEST_DIR/bad.conf"
cat "$LLMR_CONFIG" "$TEST_DIR/bad.conf" >badjudge.conf
run llmr-bench --config badjudge.conf ratings
is "$status" 78 "a config's judge that does not exist: exit 78"

# --json, and a cost cap.
cat >cheap.yaml <<'EOF'
name: cheap
models: [openai/gpt-4o-mini]
cases:
  - prompt: "Hi"
    assert: [{type: max-cost, value: 0.0000001}]
  - prompt: "Hi again"
    assert: [{type: not-max-cost, value: 0.0000001}, {type: is-json}]
EOF
say gpt-4o-mini "Hello"
say gpt-4o-mini '["ok"]'
run llmr-bench run --json cheap.yaml
is "$status" 1 "--json: exit 1 (a case below the threshold)"
is "$(jq_out '[.models[0].cases, .models[0].passed, .models[0].pass_rate, .threshold] | join(" ")')" \
	"2 1 0.5 1" "one JSON object: cases, passed, pass rate; the default threshold is 1"
like "$(jq_out '.results[0].asserts[0].why')" "^max-cost: cost [0-9.e-]+ USD, limit 1e-07$" "max-cost over the cap fails"
is "$(jq_out '.results[1].pass')" true "not-max-cost and is-json pass"
is "$(jq_out '.models[0] | [has("p50_latency_ms"), has("cost_usd"), has("mean_score")] | all')" true \
	"the summary has p50 latency, cost, mean score"

# A route instead of models; messages instead of a prompt.
cat >route.yaml <<'EOF'
name: by-route
route: default
cases:
  - messages:
      - {role: system, content: "Answer in {{lang}}."}
      - {role: user, content: "Hi"}
    vars: {lang: French}
    assert: [{type: icontains, value: bonjour}]
EOF
say gpt-4o-mini "Bonjour !"
run llmr-bench run --json route.yaml
is "$(jq_out '.results[0] | [.model, .answered_by, .pass] | join(" ")')" "route:default openai/gpt-4o-mini true" \
	"route: the route picks the model; the contestant is the route"
is "$(fake_jq '.log[-1].body.messages | map(.role + ":" + .content) | join("|")')" \
	"system:Answer in French.|user:Hi" "messages are sent as written, vars substituted"

# A bad suite: 65, with the position.
printf 'name: t\nmodels: [openai/gpt-4o-mini]\ncases:\n  - prompt: x\n    assert:\n      - {type: startswith, value: a}\n' >bad.yaml
run llmr-bench run bad.yaml
is "$status" 65 "an unknown assertion type: exit 65"
like "$err" "^llmr-bench: bad.yaml:6:16: unknown assertion type 'startswith'" "... at its line and column"
printf 'name: t\ncases:\n  - prompt: "x\n' >bad2.yaml
run llmr-bench run bad2.yaml
is "$status" 65 "broken YAML: exit 65"
like "$err" "^llmr-bench: bad2.yaml:[0-9]+:[0-9]+: " "... with a position"
printf 'name: t\nmodels: [openai/gpt-5-imaginary]\ncases: [{prompt: x}]\n' >bad3.yaml
run llmr-bench run bad3.yaml
is "$status" 65 "an unknown model: exit 65"
like "$err" "^llmr-bench: bad3.yaml: .*gpt-5-imaginary" "... named"
run llmr-bench run nosuch.yaml
is "$status" 66 "a missing suite: exit 66"
run llmr-bench run
is "$status" 64 "no suite: exit 64"

# No model answers: 69.
fake_script '{"model": "gpt-4o-mini", "status": 401, "times": -1}'
run llmr-bench run cheap.yaml
is "$status" 69 "no model could answer: exit 69"
like "$err" "^llmr-bench: run: no model could answer: " "... says so"
fake_reset

# compare: MT-Bench's two verdicts.
cat >pair.yaml <<'EOF'
name: pair
models: [openai/gpt-4o-mini, deepseek/deepseek-chat]
judge: {model: openai/gpt-4.1}
cases:
  - prompt: "Name a colour."
  - prompt: "Name a fruit."
  - prompt: "Name a tree."
EOF
say gpt-4o-mini "Blue."
say deepseek-chat "Dunno."
say gpt-4.1 "Assistant A answers. [[A]]"
say gpt-4.1 "Assistant B answers. [[B]]"
say gpt-4o-mini "Apple."
say deepseek-chat "Pear."
say gpt-4.1 "The first is better. [[A]]"
say gpt-4.1 "The first is better. [[A]]"
say gpt-4o-mini "Oak."
say deepseek-chat "Nothing."
say gpt-4.1 "[[A]]"
say gpt-4.1 "[[B]]"
run llmr-bench compare pair.yaml
is "$status" 0 "compare: exit 0"
like "$out" "^case 1: openai/gpt-4o-mini wins \(verdicts A, then B with the answers swapped\)$" \
	"a consistent judge: a win"
like "$out" "^case 2: tie \(verdicts A, then A with the answers swapped\): inconsistent$" \
	"a judge that prefers what it reads first: a tie, counted as inconsistent"
like "$out" "^case 1: .*swapped\)$" "... a consistent pair is not"
like "$out" "openai/gpt-4o-mini: 2 wins; deepseek/deepseek-chat: 0 wins; 1 ties \(1 inconsistent\); 0 skipped" "the tally"
is "$(q "SELECT group_concat(json_extract(detail, '$.inconsistent'), ',') FROM bench_pairs")" "0,1,0" \
	"the state keeps which verdicts were inconsistent"
is "$(fake_jq '[.log[] | select(.model == "gpt-4.1")][1].body.messages[0].content' | grep -c 'Dunno.')" 1 \
	"the second asking shows the answers swapped"
is "$(fake_jq '[.log[] | select(.model == "gpt-4.1")][1].body.messages[0].content' |
	sed -n '/Assistant A.s Answer\]/{n;p;q;}')" "Dunno." "... B's answer first"
is "$(q "SELECT group_concat(winner, ',') FROM bench_pairs")" "a,tie,a" "the pairs are stored"

say deepseek-chat "Red."
say gpt-4o-mini "Colour."
say gpt-4.1 "[[A]]"
say gpt-4.1 "[[B]]"
run llmr-bench compare --json --models deepseek/deepseek-chat,openai/gpt-4o-mini pair.yaml
is "$(jq_out '[.model_a, .a, .b, .tie, .inconsistent] | join(" ")')" "deepseek/deepseek-chat 1 0 2 0" \
	"--models A,B in that order; --json (unscripted, the judge answers no verdict: ties, not inconsistent)"
run llmr-bench compare --models openai/gpt-4o-mini pair.yaml
is "$status" 64 "--models needs two"

# The verdict asked as JSON, validated; MT-Bench's brackets stay a fallback.
fake_reset
say gpt-4o-mini "Blue."; say deepseek-chat "Dunno."
say gpt-4.1 '{"winner": "A", "reason": "it names one"}'; say gpt-4.1 '{"winner": "B", "reason": "it names one"}'
say gpt-4o-mini "Apple."; say deepseek-chat "Pear."
say gpt-4.1 '{"winner": "tie", "reason": "both fruits"}'; say gpt-4.1 'Same again. {"winner": "TIE", "reason": "x"}'
say gpt-4o-mini "Oak."; say deepseek-chat "Elm."
say gpt-4.1 '{"winner": "A", "reason": "first"}'; say gpt-4.1 '{"winner": "maybe", "reason": "[[B]]"}'
run llmr-bench compare --json pair.yaml
is "$(jq_out '[.pairs[] | [.winner, .first, .second, .inconsistent]]' | jq -c .)" \
	'[["a","A","B",false],["tie","tie","tie",false],["tie","A","unreadable",false]]' \
	"JSON verdicts: a win, an agreed tie; a winner that is not A, B or tie is unreadable (no fallback inside JSON)"
is "$(jq_out '[.pairs[].reasons]' | jq -c .)" '[["it names one","it names one"],["both fruits","x"],["first",null]]' \
	"the JSON verdicts' reasons are kept; a verdict not valid has none"
is "$(llmr-bench export | jq -c 'select(.kind == "pair") | .judge_reasons' | tail -3 | paste -sd' ')" \
	'["it names one","it names one"] ["both fruits","x"] ["first",null]' "export carries the judge's reasons"
like "$(fake_jq '[.log[] | select(.model == "gpt-4.1")][0].body.messages[0].content')" \
	'\{"winner": "A", "reason": "a short explanation"\}' "the judge is asked for a JSON object"
say gpt-4o-mini "Blue."; say deepseek-chat "Dunno."
say gpt-4.1 '{"winner": "B", "reason": "x"}'; say gpt-4.1 '{"winner": "B", "reason": "x"}'
say gpt-4o-mini "Apple."; say deepseek-chat "Pear."
say gpt-4.1 '{"winner": "A", "reason": 5}'; say gpt-4.1 '{"winner": "B"}'
say gpt-4o-mini "Oak."; say deepseek-chat "Elm."
say gpt-4.1 '[[A]]'; say gpt-4.1 '{"winner": "b", "reason": "lower case"}'
run llmr-bench compare --json pair.yaml
is "$(jq_out '[.pairs[] | [.winner, .first, .second, .inconsistent]]' | jq -c .)" \
	'[["tie","B","B",true],["tie","unreadable","B",false],["a","A","B",false]]' \
	"JSON: B both ways is inconsistent; a reason not a string is unreadable; brackets and JSON mix"

# compare -P: cases judged at once through run -P's pool.
fake_reset
cat >pair4.yaml <<'EOF'
name: pair4
models: [openai/gpt-4o-mini, deepseek/deepseek-chat]
judge: {model: openai/gpt-4.1}
cases: [{prompt: "c1"}, {prompt: "c2"}, {prompt: "c3"}, {prompt: "c4"}]
EOF
fake_script '{"model": "gpt-4o-mini", "delay_ms": 300, "times": -1}'
fake_script '{"model": "deepseek-chat", "delay_ms": 300, "times": -1}'
fake_script "$(jq -cn '{model: "gpt-4.1", times: -1, body: ({choices: [{index: 0, message: {role: "assistant",
	content: "{\"winner\": \"tie\", \"reason\": \"alike\"}"}, finish_reason: "stop"}],
	usage: {prompt_tokens: 10, completion_tokens: 4, total_tokens: 14}} | tojson)}')"
before=$(q "SELECT count(*) FROM bench_pairs")
run llmr-bench compare --json -P 3 pair4.yaml
is "$status" 0 "compare -P 3: exit 0"
is "$(jq_out '[.parallel, .tie, .inconsistent, .skipped, ([.pairs[].case] | join(","))] | join(" ")')" "3 4 0 0 1,2,3,4" \
	"-P 3: three workers, every case judged, the pairs in case order"
ok_cond "the calls overlapped (the fake saw $(fake_jq .max_concurrent) at once)" \
	[ "$(fake_jq .max_concurrent)" -ge 2 ]
is "$(( $(q "SELECT count(*) FROM bench_pairs") - before ))" 4 "four pairs stored"
is "$(q "PRAGMA integrity_check")" ok "the state is sound"
run llmr-bench compare -P 0 pair4.yaml
is "$status" 64 "compare -P 0: exit 64"

# Ctrl-C: the case judged is kept, the one in flight is dropped, no new one starts.
fake_reset
say gpt-4o-mini "Blue."; say deepseek-chat "Red."
say gpt-4.1 '{"winner": "A", "reason": "x"}'; say gpt-4.1 '{"winner": "B", "reason": "x"}'
fake_script '{"model": "gpt-4o-mini", "hang": true}'
before=$(q "SELECT count(*) FROM bench_pairs")
llmr-bench compare pair.yaml >cint.out 2>cint.err &
pid=$!
n=0
while [ "$(fake_count '.model == "gpt-4o-mini"')" -lt 2 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
kill -INT $pid
wait $pid
is "$?" 130 "compare, SIGINT: exit 130"
is "$(( $(q "SELECT count(*) FROM bench_pairs") - before ))" 1 "the case judged before is stored"
like "$(cat cint.out)" "^interrupted: 1 cases compared$" "the report says so"
unlike "$(cat cint.out)" "^case 2:" "... and does not call the stopped case skipped"
is "$(fake_count '.model == "gpt-4o-mini"')" 2 "no case starts after Ctrl-C"

# ratings
run llmr-bench ratings --json
is "$status" 0 "ratings: exit 0"
is "$(jq_out '.models[0].model')" "openai/gpt-4o-mini" "the model that won more rates higher"
is "$(jq_out '.games')" "$(q "SELECT count(*) FROM bench_pairs")" "over every pairwise result"
is "$(jq_out '.models | map(.rating) | add / length | round')" 1000 "two models: ratings average 1000"
is "$(jq_out '[.models[] | .ci_low <= .rating and .rating <= .ci_high] | all')" true "each rating lies in its interval"
first=$out
run llmr-bench ratings --json
is "$out" "$first" "the bootstrap is seeded: the same output twice"
run llmr-bench ratings
like "$out" "^ +1 openai/gpt-4o-mini +1[0-9]{3} +[0-9]+\.\.[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+$" "a table, the rank first"
like "$out" "^rank model +rating" "... under a header naming it"
is "$(printf '%s\n' "$out" | awk 'NR > 1 && $1 ~ /^[0-9]+$/ {print $1}' | paste -sd' ')" \
	"$(llmr-bench ratings --json | jq -r '[.models[].rank] | join(" ")')" "the ranks are the JSON's"
run llmr-bench ratings --state "$TEST_DIR/empty.db"
like "$out" "no pairwise results yet" "no results yet: said"

done_testing
