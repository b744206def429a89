#!/bin/sh
# The learned router's figures on RouteLLM's whole GSM8K outcome file
# (tests/fixtures/outcomes/README), held out, over three fixed seeds: the
# issue's target (APGR >= 0.63; the best published router: 0.622), above
# prompt length on every seed, and the heuristic at least at length. Then
# the synthetic topic set, where the structure model must not get in the
# neighbours' way: APGR near the oracle's. The learned router's two parts
# are reported alone too (neighbours, structure): together they must beat
# either.
. "$(dirname "$0")/lib.sh"
OUT_DIR=$LLMR_SRC/tests/fixtures/outcomes

for seed in 1 2 3; do
	run llmr-bench eval-router --json --seed "$seed" "$OUT_DIR/gsm8k.csv"
	is "$status" 0 "eval-router, seed $seed"
	printf '%s\n' "$out" >>runs.json
	is "$(jq_out '.routers.learned.apgr > .routers.length.apgr + 0.01')" true \
		"... the learned router above prompt length ($(jq_out '.routers.learned.apgr') vs $(jq_out '.routers.length.apgr'))"
done
is "$(jq -s '.[0].prompts' runs.json)" 1319 "the whole file: 1319 prompts"
mean() { jq -s "[.[].routers.$1] | add / length" runs.json; }
is "$(jq -n "$(mean learned.apgr) >= 0.63")" true "learned APGR, mean of seeds 1-3: $(mean learned.apgr) >= 0.63"
is "$(jq -n "$(mean learned.cpt50) < $(mean length.cpt50) and $(mean learned.cpt80) < $(mean length.cpt80)")" true \
	"... fewer strong calls than length for 50% and 80% of the gap ($(mean learned.cpt50), $(mean learned.cpt80))"
is "$(jq -n "$(mean learned.apgr) > $(mean neighbours.apgr) + 0.02 and $(mean learned.apgr) > $(mean structure.apgr)")" true \
	"... above either of its parts alone (neighbours $(mean neighbours.apgr), structure $(mean structure.apgr))"
is "$(jq -n "$(mean heuristic.apgr) >= $(mean length.apgr)")" true \
	"the heuristic alone at least at prompt length ($(mean heuristic.apgr) vs $(mean length.apgr))"

awk -v n=600 -f "$OUT_DIR/topic.awk" >topic.csv
for seed in 1 2; do
	run llmr-bench eval-router --json --seed "$seed" topic.csv
	is "$(jq_out '.routers.learned.apgr >= 0.92 * .routers.oracle.apgr')" true \
		"synthetic topic, seed $seed: learned $(jq_out '.routers.learned.apgr'), oracle $(jq_out '.routers.oracle.apgr')"
	is "$(jq_out '.routers.structure.apgr < 0.65 and .routers.learned.apgr > .routers.neighbours.apgr - 0.01')" true \
		"... the structure model sees nothing there ($(jq_out '.routers.structure.apgr')) and costs the neighbours ($(jq_out '.routers.neighbours.apgr')) next to nothing"
done
done_testing
