#!/bin/sh
# 0560-search-ranking.t - what llmr-search makes of a collection beyond
# BM25 itself: identical documents give one hit listing the others
# (also), --by doc gives one hit per document, a title match outranks a
# body match, and stop words or French elisions in the query do not change
# the ranking.
. "$(dirname "$0")/lib.sh"

[ -x "$LLMR_BUILD/bin/llmr-index" ] && [ -x "$LLMR_BUILD/bin/llmr-search" ] || skip_all "build first"
command -v jq >/dev/null 2>&1 || skip_all "jq is needed (make deps)"
LLMR_STATE=$TEST_DIR/state.db
export LLMR_STATE

mkdir -p d/archive
printf '# Horaires\n\nLa piscine ouvre à sept heures.\n' >d/piscine.md
cp d/piscine.md d/archive/piscine-old.md
printf '# Compost\n\nLes épluchures vont au composteur du jardin.\n' >d/compost.md
printf '# Jardin partagé\n\nUne parcelle coûte vingt euros.\n' >d/jardin.md
# The body says "jardin partagé" more often, but only in passing.
printf '# Notes diverses\n\nRéunion : le jardin partagé, encore le jardin partagé, le jardin du voisin.\n' >d/notes.md
# A long document, many chunks, each about the garden.
for i in $(seq 1 60); do
	printf '## Partie %s\n\nLe jardin et la parcelle numéro %s, arrosage et outils du jardin. %s\n\n' \
		"$i" "$i" "$(printf 'Texte de remplissage sans rapport. %.0s' $(seq 1 30))"
done >d/long.md
printf 'index:\n  chunk_tokens: 64\n' >small.conf
LLMR_CONFIG=$TEST_DIR/small.conf
export LLMR_CONFIG
run llmr-index -q d
is "$status" 0 "indexed"

for mode in bm25 vector hybrid; do
	run llmr-search --json --mode $mode piscine
	is "$(printf '%s' "$out" | jq -r .source | grep -c piscine)" 1 "$mode: identical documents give one hit"
	like "$(printf '%s' "$out" | jq -c '.also // empty')" 'piscine' "$mode: it lists the copy in also"
done

run llmr-search --json -k 20 --mode bm25 jardin parcelle
many=$(printf '%s' "$out" | jq -r .source | grep -c long.md)
run llmr-search --json -k 20 --mode bm25 --by doc jardin parcelle
is "$status" 0 "--by doc"
is "$(printf '%s' "$out" | jq -r .source | grep -c long.md)" 1 "--by doc: one hit for the long document (not $many)"
is "$(printf '%s' "$out" | jq -r .source | sort | uniq -d)" "" "--by doc: no document twice"
run llmr-search --by page x
is "$status" 64 "--by: an unknown unit is a usage error"

run llmr-search --json -k 1 --mode bm25 jardin partagé
like "$(printf '%s' "$out" | jq -r .source)" 'jardin.md' "a title match outranks body matches"

a=$(llmr-search --json --mode bm25 composteur | jq -r .source)
b=$(llmr-search --json --mode bm25 "qu'est-ce que le composteur, et où est l'accès ?" | jq -r .source | head -1)
is "$b" "$(printf '%s\n' "$a" | head -1)" "stop words and elisions do not change the ranking"
printf '# Vélo\n\nComment réparer une roue voilée.\n' >d/velo.md
run llmr-index -q d
run llmr-search --json -k 1 --mode bm25 réparation
like "$(printf '%s' "$out" | jq -r .source)" 'velo.md' "a longer form of a word finds it (prefix of five letters)"
done_testing
