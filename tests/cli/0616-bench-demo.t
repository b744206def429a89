#!/bin/sh
# The example suites of tests/demo/bench/ (shown in llmr-bench(1)) run
# against the fake: a search skill (simple), a JSON extraction skill
# (format) and a multi-step analysis with a judge (complex).
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || skip_all "jq is not installed"
fake_start
write_config
export LLMR_STATE=$TEST_DIR/state.db
D=$LLMR_SRC/tests/demo/bench

say() {
	fake_script "$(jq -cn --arg m "$1" --arg t "$2" '{model: $m, body: (
		"data: " + ({choices: [{index: 0, delta: {content: $t}, finish_reason: null}]} | tojson) +
		"\n\ndata: " + ({choices: [{index: 0, delta: {}, finish_reason: "stop"}],
			usage: {prompt_tokens: 30, completion_tokens: 12, total_tokens: 42}} | tojson) +
		"\n\ndata: [DONE]\n\n")}')" || bail_out "cannot script the fake"
}
# content MODEL: the scores of the assertions on the answer's text
# (not the limits), case by case.
content() {
	jq_out ".results[] | select(.model == \"$1\") | [.asserts[] |
		select(.type | test(\"latency|cost\") | not) | .score | tostring] | join(\",\")" | tr '\n' ' '
}

for f in search format complex; do
	run llmr-bench run --json --judge openai/gpt-4.1 "$D/$f.yaml" </dev/null
	is "$(jq_out .suite_hash | wc -c)" 65 "$f.yaml reads and runs (unscripted answers)"
done
fake_reset

# search: both models answer well.
for m in gpt-4o-mini llama-3.3-70b-versatile; do
	say $m "Dans la cour."
	say $m "72 hours."
	say $m "Les responsables d'ouverture."
done
run llmr-bench run --json "$D/search.yaml"
is "$status" 0 "search: both models meet the threshold: exit 0"
is "$(content openai/gpt-4o-mini)" "1 1,1 1 " "search: the answers hold what they should"
is "$(jq_out '[.models[].pass_rate] | map(tostring) | join(" ")')" "1 1" "... every case passes"

# format: one model answers JSON, the other fences it, then writes prose.
GOOD='{"query_original": "Où se trouve le règlement intérieur ?", "complexity_detected": "simple",
 "results": [{"source": "reglement-interieur.pdf", "snippet": "Ce règlement s applique...", "relevance_score": 0.93}],
 "metadata": {"tokens_used": 245, "fallback_triggered": false}}'
say gpt-4o-mini "$GOOD"
say gpt-4o-mini '{"donor": "Mme Roux", "bags": 3, "damp": true}'
say deepseek-chat "Here it is:
\`\`\`json
$GOOD
\`\`\`"
say deepseek-chat "Mme Roux gave three bags, one damp."
run llmr-bench run --json "$D/format.yaml"
is "$status" 1 "format: a model below the threshold: exit 1"
like "$(fake_jq '.log[].body.messages[0].content')" "The query: \"Où se trouve le règlement intérieur \?\"" \
	"the vars are substituted"
is "$(jq_out '[.results[].format_score | tostring] | join(" ")')" "1 1 0.875 0" \
	"format scores: JSON 1 and 1; fenced JSON 0.875; prose 0"
is "$(jq_out '[.results[].format.flag | tostring] | join(" ")')" "null null wrapped prose" "... flagged"
is "$(jq_out '[.models[].passed] | map(tostring) | join(" ")')" "2 0" "... the model that fences fails both"

# complex: a judge grades the steps.
say mistral-large-latest "2 x 3 x 40 = 240 kg a day, 1200 kg in 5 days.
Answer: yes"
say gpt-4.1 '{"score": 9, "reason": "right steps"}'
say mistral-large-latest "Recycle the damp bag unopened; double-bag the other, tell the lead, log it, 72 hours in the freezer."
say gpt-4.1 '{"score": 8, "reason": "complete"}'
say deepseek-chat "I think so."
say gpt-4.1 '{"score": 3, "reason": "no steps"}'
say deepseek-chat "Wash everything."
say gpt-4.1 '{"score": 1, "reason": "wrong"}'
run llmr-bench run --json --judge openai/gpt-4.1 "$D/complex.yaml"
is "$status" 1 "complex: one model fails: exit 1"
is "$(content mistral/mistral-large-latest)" "1,0.9 0.8,1 " "complex: the judge's grades, the regex"
is "$(content deepseek/deepseek-chat)" "0,0.3 0.1,0 " "... for the weak answers too"
is "$(jq_out '[.models[].mean_score * 1000 | round] | map(tostring) | join(" ")')" "910 278" \
	"mean scores weighted by case: (2*0.94+0.85)/3, (2*0.38+0.075)/3"
like "$(fake_jq '[.log[] | select(.model == "mistral-large-latest")][0].body.messages[1].content')" \
	"^1100 kg of clothes arrived" "messages get the vars"
done_testing
