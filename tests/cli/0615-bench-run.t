#!/bin/sh
# llmr-bench run against the fake scripted to answer well (gpt-4o-mini) or
# badly (deepseek-chat): every assertion type and its not- variant passes
# and fails where it should; the format score's figures for good JSON,
# prose, missing fields and wrong types, and prose flagged; the exit code
# against the threshold; -m; -P workers; Ctrl-C; the suite hash and the
# measures stored; the results fed to the learned router as outcomes.
. "$(dirname "$0")/lib.sh"
. "$LLMR_SRC/tests/cli/bench.sh"
# both GOOD BAD [DELAY_MS]: what the good and the bad model answer to one case.
GOOD=; BAD=
both() { GOOD="$GOOD$1
"; BAD="$BAD$2
"; }

# One case per assertion type, each with its not- variant: [T, not-T].
SCHEMA='{type: object, required: [city, pop, tags, kind], properties: {city: {type: string, minLength: 2, maxLength: 12},
          pop: {type: number, minimum: 0, maximum: 100}, tags: {type: array, items: {type: string}}, kind: {enum: [capital, town]}}}'
{
	printf 'name: every-assertion\nmodels: [openai/gpt-4o-mini, deepseek/deepseek-chat]\n'
	printf 'judge: {model: openai/gpt-4.1}\ncases:\n'
	pair() { printf '  - prompt: "case %s"\n    assert: [{type: %s, value: %s}, {type: not-%s, value: %s}]\n' "$1" "$2" "$3" "$2" "$3"; }
	pair 1 equals Paris
	pair 2 contains Paris
	pair 3 icontains paris
	pair 4 regex '"^[0-9]{4}$"'
	printf '  - prompt: "case 5"\n    assert: [{type: is-json}, {type: not-is-json}]\n'
	for k in 6 7 8 9 10 11 12 13; do pair $k json-schema "$SCHEMA"; done
	pair 14 max-cost 1
	pair 15 max-cost 0.0000000001
	pair 16 max-latency 100000
	pair 17 max-latency 200
	pair 18 judge '"correct and short"'
} >every.yaml
OK='{"city": "Paris", "pop": 2.1, "tags": ["fr"], "kind": "capital"}'
both "Paris" "Lyon"
both "It is Paris." "It is Lyon."
both "PARIS!" "Lyon"
both "1789" "in 1789"
both '{"a": 1}' 'a: 1'
both "$OK" '{"city": "Paris", "pop": 2.1, "tags": ["fr"], "kind": "village"}'
both "$OK" '{"city": "Paris", "pop": -1, "tags": ["fr"], "kind": "capital"}'
both "$OK" '{"city": "Paris", "pop": 200, "tags": ["fr"], "kind": "capital"}'
both "$OK" '{"city": "P", "pop": 2.1, "tags": ["fr"], "kind": "capital"}'
both "$OK" '{"city": "Parisparisparis", "pop": 2.1, "tags": ["fr"], "kind": "capital"}'
both "$OK" '{"city": "Paris", "pop": 2.1, "tags": [1], "kind": "capital"}'
both "$OK" '{"city": "Paris", "pop": 2.1, "tags": ["fr"]}'
both "$OK" '["Paris", 2.1]'
both "cheap" "cheap"
both "dear" "dear"
both "quick" "quick"
both "slow" "slow"
both "A short, right answer." "A long wrong ramble."
n=0
for m in gpt-4o-mini deepseek-chat; do
	[ $m = gpt-4o-mini ] && list=$GOOD || list=$BAD
	printf '%s' "$list" | while IFS= read -r t; do
		n=$((n + 1))
		[ $n = 17 ] && say $m "$t" 1 400 || say $m "$t"
		if [ $n = 18 ]; then
			[ $m = gpt-4o-mini ] && j=9 || j=2
			say gpt-4.1 "{\"score\": $j, \"reason\": \"as it is\"}"
			say gpt-4.1 "{\"score\": $j, \"reason\": \"as it is\"}"
		fi
	done
done
run llmr-bench run --json every.yaml
is "$status" 1 "a suite with failing cases: exit 1"
scores() { jq_out ".results[] | select(.model == \"$1\") | (.asserts | map(.score | tostring) | join(\",\"))" | tr '\n' ' '; }
is "$(scores openai/gpt-4o-mini)" \
	"1,0 1,0 1,0 1,0 1,0 1,0 1,0 1,0 1,0 1,0 1,0 1,0 1,0 1,0 0,1 1,0 0,1 0.9,0.1 " \
	"the good answers: each type passes and its not- variant fails (cost and latency limits as set)"
is "$(scores deepseek/deepseek-chat)" \
	"0,1 0,1 0,1 0,1 0,1 0,1 0,1 0,1 0,1 0,1 0,1 0,1 0,1 1,0 0,1 1,0 0,1 0.2,0.8 " \
	"the bad answers: each type fails and its not- variant passes"
why() { jq_out ".results[] | select(.model == \"deepseek/deepseek-chat\" and .case == $1) | .asserts[0].why"; }
is "$(why 6)" "json-schema: /kind: not one of the enum's values" "enum"
is "$(why 7)" "json-schema: /pop: -1 is below the minimum" "minimum"
is "$(why 8)" "json-schema: /pop: 200 is above the maximum" "maximum"
is "$(why 9)" "json-schema: /city: a string of 1 characters is shorter than minLength" "minLength"
is "$(why 10)" "json-schema: /city: a string of 15 characters is longer than maxLength" "maxLength"
is "$(why 11)" "json-schema: /tags/0: wrong type" "items"
is "$(why 12)" "json-schema: /: required property 'kind' is missing" "required"
is "$(why 13)" "json-schema: /: wrong type" "type"
like "$(why 17)" "^max-latency: latency [0-9]+ ms, limit 200$" "max-latency over the limit"
is "$(why 18)" "judge: the judge gave 2/10" "judge: the judge's JSON score"
is "$(fake_count '.model == "gpt-4.1"')" 4 "a judge call per judge assertion"
is "$(q "SELECT count(*) FROM requests WHERE model = 'gpt-4.1' AND cost_usd > 0")" 4 \
	"the judge's calls are logged with their cost, like any llmr request"

# Measures and the suite's hash, stored.
is "$(q "SELECT suite_hash FROM bench_runs WHERE id = 1")" "$(sha256sum every.yaml | cut -c1-64)" \
	"the run keeps the suite file's SHA-256"
is "$(q "SELECT status, finished_ms >= started_ms FROM bench_runs WHERE id = 1")" "failed|1" "... its end and status"
is "$(q "SELECT count(*) FROM bench_results WHERE run = 1 AND input_tokens = 10 AND output_tokens = 4
	AND itl_ms >= 0 AND ttft_ms >= 0 AND latency_ms >= ttft_ms AND cost_usd > 0
	AND (output_tps > 0 OR output_tps IS NULL AND latency_ms = ttft_ms)")" 36 \
	"every result: tokens, TTFT, inter-token latency, latency, tokens/s, cost"
is "$(q "SELECT count(*) FROM bench_results WHERE run = 1 AND latency_ms >= 400 AND case_no = 17")" 2 \
	"... the slow answers' latency"
is "$(q "SELECT json_extract(asserts, '$[1].type') FROM bench_results WHERE run = 1 AND case_no = 1 LIMIT 1")" \
	"not-equals" "... each assertion's type and score"

is "$(jq_out '[.models[] | (.p50_ttft_ms >= 0) and (.mean_itl_ms >= 0) and (.mean_output_tps > 0)] | all')" true \
	"each model's summary: median TTFT, mean inter-token latency and tokens/s"

# Outcomes for the learned router.
is "$(jq_out .outcomes)" 36 "36 results become outcomes"
is "$(q "SELECT round(score, 1) FROM outcomes o JOIN outcome_prompts p ON p.id = o.prompt
	WHERE p.prompt = 'case 1' ORDER BY model")" "0.5
0.5" "each the case's score, by the model that answered"
is "$(q "SELECT count(*) FROM outcome_vectors")" 18 "... their prompts embedded for the router"

# The format score and prose flagged.
cat >format.yaml <<'EOF'
name: format
models: [openai/gpt-4o-mini, deepseek/deepseek-chat, groq/llama3-8b-8192, mistral/mistral-large-latest]
threshold: 0.5
cases:
  - prompt: "Ada as JSON"
    assert:
      - type: json-schema
        value:
          type: object
          required: [name, age, address]
          properties:
            name: {type: string}
            age: {type: integer}
            address: {type: object, required: [city], properties: {city: {type: string}}}
EOF
say gpt-4o-mini '{"name": "Ada", "age": 36, "address": {"city": "Paris"}}'
say deepseek-chat 'Ada is 36 and lives in Paris.'
say llama3-8b-8192 '{"name": "Ada", "address": {}}'
say mistral-large-latest '{"name": 7, "age": "36", "address": {"city": "Paris"}}'
run llmr-bench run --json format.yaml
is "$(jq_out '[.results[].format_score | tostring] | join(" ")')" "1 0 0.875 0.9" \
	"format score: good JSON 1, prose 0, missing fields 0.875, wrong types 0.9"
is "$(jq_out '.results[2].format | [.parseable, .required, .nested, .types] | map(tostring) | join(" ")')" \
	"1 0.5 1 1" "missing fields: 2 of 4 required present"
is "$(jq_out '.results[3].format | [.parseable, .required, .nested, .types] | map(tostring) | join(" ")')" \
	"1 1 1 0.6" "wrong types: 3 of 5 typed values right"
is "$(jq_out '[.results[].format.flag] | map(tostring) | join(" ")')" "null prose null null" \
	"--json flags the prose"
is "$(jq_out '[.models[].prose] | map(tostring) | join(" ")')" "0 1 0 0" "... and counts it per model"
say gpt-4o-mini '{"name": "Ada", "age": 36, "address": {"city": "Paris"}}'
say deepseek-chat 'Ada is 36 and lives in Paris.'
say llama3-8b-8192 'Here: ```json
{"name": "Ada", "age": 36, "address": {"city": "Paris"}}
```'
say mistral-large-latest '{"name": 7, "age": "36", "address": {"city": "Paris"}}'
run llmr-bench run format.yaml
like "$out" "^PROSE deepseek/deepseek-chat case 1: prose where JSON was asked \(format score 0\.000\)$" \
	"the table flags prose"
like "$out" "^WRAPPED groq/llama3-8b-8192 case 1: JSON inside text \(format score 0\.875\)$" "... and wrapped JSON"
like "$out" "^deepseek/deepseek-chat +0/1 .* 0\.000$" "the format column"
if command -v script >/dev/null 2>&1; then
	say deepseek-chat 'plain words'
	NO_COLOR= script -qec "llmr-bench run -m deepseek/deepseek-chat format.yaml" /dev/null >tty.out 2>&1
	ok_cond "on a terminal, prose is flagged red" grep -q "$(printf '\033\\[31mPROSE')" tty.out
else
	skip "no script(1)"
fi
unset NO_COLOR

# The exit code: 0 at the threshold, 1 below, for cron.
say gpt-4o-mini '{"name": "Ada", "age": 36, "address": {"city": "Paris"}}'
run llmr-bench run -m openai/gpt-4o-mini format.yaml
is "$status" 0 "-m one model that meets the threshold: exit 0"
is "$err" "" "... nothing on stderr"
is "$(q "SELECT status FROM bench_runs ORDER BY id DESC LIMIT 1")" passed "... stored as passed"
say gpt-4o-mini 'Ada, 36.'
run llmr-bench run --models openai/gpt-4o-mini format.yaml </dev/null
is "$status" 1 "below the threshold: exit 1"
is "$err" "llmr-bench: run: format.yaml: below the threshold: 0 of 1 results passed" "... one line on stderr"
run llmr-bench run -m openai/gpt-4o-mini,openai/gpt-4o-mini format.yaml
is "$status" 64 "-m with a model twice: exit 64"
run llmr-bench run -m openai/nosuch format.yaml
is "$status" 65 "-m with an unknown model: exit 65"
run llmr-bench run -P 0 format.yaml
is "$status" 64 "-P 0: exit 64"

# -P: cases x models at once, each worker its own state connection.
fake_reset
cat >par.yaml <<'EOF'
name: par
models: [openai/gpt-4o-mini, deepseek/deepseek-chat]
threshold: 0
cases: [{prompt: "p1"}, {prompt: "p2"}, {prompt: "p3"}]
EOF
fake_script '{"model": "gpt-4o-mini", "delay_ms": 300, "times": -1}'
fake_script '{"model": "deepseek-chat", "delay_ms": 300, "times": -1}'
before=$(q "SELECT count(*) FROM requests")
run llmr-bench run --json -P 3 par.yaml
is "$status" 0 "-P 3: exit 0"
is "$(jq_out '[.parallel, .answered, (.results | length)] | join(" ")')" "3 6 6" "three workers, six answers"
is "$(jq_out '[.results[] | .model + ":" + (.case | tostring)] | join(" ")')" \
	"openai/gpt-4o-mini:1 openai/gpt-4o-mini:2 openai/gpt-4o-mini:3 deepseek/deepseek-chat:1 deepseek/deepseek-chat:2 deepseek/deepseek-chat:3" \
	"results in the suite's order"
ok_cond "the calls overlapped (the fake saw $(fake_jq .max_concurrent) at once)" \
	[ "$(fake_jq .max_concurrent)" -ge 2 ]
is "$(q "SELECT count(*) FROM bench_results WHERE run = (SELECT max(id) FROM bench_runs)")" 6 "six results stored"
is "$(( $(q "SELECT count(*) FROM requests") - before ))" 6 "six calls logged through the llmr-ask path"
is "$(q "PRAGMA integrity_check")" ok "the state is sound"

# Quotas hold across the workers, and over the judge's calls (its own
# state file: mistral answered above today).
fake_reset
cp "$LLMR_CONFIG" limited.conf
sed -i '/api_key_env: TEST_OPENAI_KEY/a\    limits: {concurrent: 2}' limited.conf
sed -i '/api_key_env: TEST_MISTRAL_KEY/a\    limits: {rpd: 1}' limited.conf
sed 's/deepseek\/deepseek-chat/openai\/gpt-4.1/' par.yaml >par2.yaml
fake_script '{"family": "openai", "delay_ms": 300, "times": -1}'
run llmr-bench --config limited.conf run --json -P 4 par2.yaml
is "$(jq_out '.answered')" 6 "-P 4 under a provider limit of 2 calls at once: every case answered"
is "$(fake_jq .max_concurrent)" 2 "... never more than 2 at the provider"
fake_reset
printf 'name: j\nmodels: [deepseek/deepseek-chat]\njudge: {model: mistral/mistral-large-latest}\nthreshold: 0\ncases:\n' >j.yaml
printf '  - {prompt: a, assert: [{type: judge, value: ok}]}\n  - {prompt: b, assert: [{type: judge, value: ok}]}\n' >>j.yaml
say mistral-large-latest '{"score": 7, "reason": "fine"}'
run llmr-bench --config limited.conf --state "$TEST_DIR/judge.db" run --json j.yaml
is "$(jq_out '.results[0].asserts[0].score')" 0.7 "the judge's first call is within its quota"
like "$(jq_out '.results[1].asserts[0].why')" "^judge mistral/mistral-large-latest: .*rpd exhausted" \
	"... its second is refused by the quota, like any llmr request"
is "$(fake_count '.family == "mistral"')" 1 "... and never reaches the provider"

# Ctrl-C: what finished is kept, the call in flight is dropped.
fake_reset
cat >int.yaml <<'EOF'
name: int
models: [openai/gpt-4o-mini]
threshold: 0
cases: [{prompt: "first"}, {prompt: "second"}, {prompt: "third"}]
EOF
say gpt-4o-mini "one"
fake_script '{"model": "gpt-4o-mini", "hang": true}'
llmr-bench run int.yaml >int.out 2>int.err &
pid=$!
n=0
while [ "$(fake_count '.model == "gpt-4o-mini"')" -lt 2 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
kill -INT $pid
wait $pid
is "$?" 130 "SIGINT: exit 130"
is "$(q "SELECT status FROM bench_runs ORDER BY id DESC LIMIT 1")" interrupted "the run is stored as interrupted"
is "$(q "SELECT group_concat(case_no) FROM bench_results WHERE run = (SELECT max(id) FROM bench_runs)")" 1 \
	"the finished case is kept, the stopped one is not"
is "$(fake_count '.model == "gpt-4o-mini"')" 2 "no case starts after Ctrl-C"
like "$(cat int.out)" "^interrupted: 1 of 1 results passed stored$" "the report says so"

# ... with -P 2: both calls in flight are stopped, what finished is kept.
fake_reset
say gpt-4o-mini "one"
fake_script '{"model": "gpt-4o-mini", "hang": true, "times": 2}'
llmr-bench run -P 2 int.yaml >int2.out 2>int2.err &
pid=$!
n=0
while [ "$(fake_count '.model == "gpt-4o-mini"')" -lt 3 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
kill -INT $pid
wait $pid
is "$?" 130 "-P 2, SIGINT: exit 130"
is "$(q "SELECT count(*) || ' ' || min(output) FROM bench_results WHERE run = (SELECT max(id) FROM bench_runs)")" "1 one" \
	"... the one finished case is kept"
is "$(q "SELECT count(*) FROM requests WHERE status = 'cancelled'")" 3 "... the two calls in flight are logged cancelled (one more than above)"
done_testing
