#!/bin/sh
# 0540-extractive.t - offline answers and RAG through llmr-ask: with the
# built-in config (no key, no network) llmr-ask answers from the index with
# local/extractive at $0, labelled, with sources; with --collection and a
# provider, the passages reach the prompt and the response lists them.
. "$(dirname "$0")/lib.sh"

[ -x "$LLMR_BUILD/bin/llmr-index" ] && [ -x "$LLMR_BUILD/bin/llmr-ask" ] || skip_all "build llmr-index and llmr-ask first"
# By name, through PATH, so that LLMR_VALGRIND=1 wrappers apply.
IDX=llmr-index
ASK=llmr-ask
command -v jq >/dev/null 2>&1 || skip_all "jq is needed (make deps)"
LLMR_STATE=$TEST_DIR/state.db
export LLMR_STATE

run "$ASK" --json "Que faire d'une chaussure seule ?"
is "$status" 0 "a fresh install answers"
like "$(printf '%s' "$out" | jq -r .text)" "aucun document|holds no documents" "and says there is nothing indexed yet"
like "$(printf '%s' "$out" | jq -r .text)" "llmr-index" "and how to index"

cp -R "$LLMR_SRC/tests/demo/corpus" corpus
run "$IDX" -q corpus
is "$status" 0 "demo corpus indexed"
run "$ASK" --json "Que faire d'une chaussure seule ?"
is "$status" 0 "llmr-ask answers offline"
is "$(printf '%s' "$out" | jq -r .model)" "local/extractive" "with local/extractive"
is "$(printf '%s' "$out" | jq -r .cost_usd)" 0 "for \$0"
like "$(printf '%s' "$out" | jq -r .text)" "^Réponse extractive" "labelled as extractive"
like "$(printf '%s' "$out" | jq -r .text)" "Une chaussure seule, ou une paire trop usée, part au recyclage" "quoting the passage"
is "$(printf '%s' "$out" | jq -r '.sources[0].source + " " + .sources[0].heading')" \
	"$(pwd -P)/corpus/tri-textile.docx Procédure de tri textile > Chaussures" "best source first"
run "$ASK" --json "Who can volunteer?"
like "$(printf '%s' "$out" | jq -r .text)" "^Extractive answer" "English question, English label"
like "$(printf '%s' "$out" | jq -r .text)" "aged 16 or over" "quoting the English FAQ"

fake_start
write_config
run "$ASK" --json --collection default -m openai/gpt-4o-mini "Où est la trousse de premiers secours ?"
is "$status" 0 "RAG with a provider"
is "$(printf '%s' "$out" | jq -r .model)" "openai/gpt-4o-mini" "answered by the model"
like "$(printf '%s' "$out" | jq -r '.sources | map(.heading) | join("|")')" "Assurance et accidents" "sources list the passages used"
like "$(fake_last '.body.messages | map(.content) | join(" ")')" "trousse de premiers secours se trouve dans le bureau" \
	"the passage is in the prompt"
done_testing
