#!/bin/sh
# router: {learned: true}: llmr-route and llmr-ask take the tier from the
# learned router over the outcomes in the state, from embeddings cached at
# import; without the key, or without outcomes, nothing changes.
. "$(dirname "$0")/lib.sh"
fake_start
write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [groq/llama3-8b-8192]
      complex: [anthropic/claude-haiku-4-5]'
STATE=$XDG_DATA_HOME/llmr/state.db
ASTRO="notes on astronomy"
OTHER="notes on cooking"

# The strong model wins on astronomy only (tests/fixtures/outcomes/README).
awk -v n=600 -f "$LLMR_SRC/tests/fixtures/outcomes/topic.awk" >topic.csv
run llmr-route "$ASTRO"
is "$(jq_out '.complexity')" simple "before any outcome: the heuristic says simple"
run llmr-bench -q import-outcomes topic.csv
is "$status" 0 "outcomes imported"
is "$(sqlite3 "$STATE" "SELECT count(*), count(DISTINCT tag), min(length(vec)), min(length(sketch)) FROM outcome_vectors")" \
	"600|1|1024|32" "... with their embeddings cached, one per prompt"

run llmr-route "$ASTRO"
is "$(jq_out '.complexity + " " + (.reason | test("learned") | tostring)')" "simple false" \
	"without router.learned the outcomes change nothing"

sed -i 's/^routes:/router: {learned: true}\nroutes:/' "$LLMR_CONFIG"
run llmr-route "$ASTRO"
is "$status" 0 "llmr-route with router.learned"
is "$(jq_out '.complexity + " " + .model')" "complex anthropic/claude-haiku-4-5" \
	"a prompt of the winning topic goes to the complex tier"
like "$(jq_out .reason)" "^complex by the learned router: strong model wins with p 0\.[0-9]+, 24 neighbours of 600 outcomes" \
	"... and the reason says the learned router decided"
is "$(jq_out '.score > 0.2 and ((.reason | capture("p (?<p>[0-9.]+)").p | tonumber) - .score | fabs) < 0.006')" true \
	"... the score is the learned estimate, well over the base rate ($(jq_out .score))"
run llmr-route "$OTHER"
is "$(jq_out '.complexity + " " + (.score < 0.35 | tostring)')" "simple true" "another topic stays simple"
run llmr-route -C simple "$ASTRO"
like "$(jq_out '.complexity + " " + .reason')" "^simple simple asked by the request;" "a tier the request fixes is left alone"

run llmr-ask --json --no-stream "$ASTRO"
is "$status" 0 "llmr-ask with router.learned"
is "$(jq_out '.complexity + " " + .model')" "complex anthropic/claude-haiku-4-5" "... follows the same decision"

# The REPL asks as the one-shot llmr-ask does (on a pseudo-terminal).
if have_pty; then
	printf 'expect llmr> \nsend %s\nexpect llmr> \nsend /quit\n' "$ASTRO" >repl.pty
	pty_run repl.pty llmr-ask -v
	like "$out" "\\[anthropic/claude-haiku-4-5, " "the REPL follows the learned tier too"
else
	skip "no pseudo-terminal for the REPL test"
fi

# Without the cache (an older state), the prompts are embedded at load.
sqlite3 "$STATE" "DELETE FROM outcome_vectors"
run llmr-route "$ASTRO"
is "$(jq_out '.complexity')" complex "without cached embeddings the decision is the same"
run llmr-bench -q import-outcomes topic.csv
is "$(sqlite3 "$STATE" "SELECT count(*) FROM outcome_vectors")" 600 "importing again fills the cache"

run llmr-route --no-state "$ASTRO"
is "$(jq_out '.complexity')" simple "--no-state: no outcomes, the heuristic decides"

sed -i 's/^router: {learned: true}/router: {learned: yes}/' "$LLMR_CONFIG"
run llmr-route "$ASTRO"
is "$status" 78 "router.learned must be true or false"
like "$err" "'learned': unknown value 'yes' \(valid: false, true\)" "... and the message says so"
done_testing
