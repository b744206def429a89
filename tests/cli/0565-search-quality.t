#!/bin/sh
# 0565-search-quality.t - a quality floor on a shipped labelled set
# (tests/fixtures/retrieval-en, dev half: tests/bench/retrieval.sh prints
# the full figures): hybrid search ranks the answer no worse than either
# of its parts (MRR@10 and recall@5), keeps recall@5 above a floor, and
# the two copies of one page give one hit. Deterministic: no timing.
. "$(dirname "$0")/lib.sh"

[ -x "$LLMR_BUILD/bin/llmr-index" ] && [ -x "$LLMR_BUILD/bin/llmr-search" ] || skip_all "build first"
command -v jq >/dev/null 2>&1 || skip_all "jq is needed (make deps)"
LLMR_STATE=$TEST_DIR/state.db
LLMR_CONFIG=$TEST_DIR/none.conf
export LLMR_STATE LLMR_CONFIG
: >"$LLMR_CONFIG"
SET=$LLMR_SRC/tests/fixtures/retrieval-en
mkdir docs && cp "$SET"/docs/*.md docs/
run llmr-index -q docs
is "$status" 0 "indexed the English set"

. "$LLMR_SRC/tests/cli/retrieval.sh"
hybrid_beats_parts local
ok_cond "hybrid recall@5 >= 0.85 ($h_r5)" [ "$h_r5" -ge 850 ]

run llmr-search --json -k 10 "do I need a helmet on the club's weekend rides"
is "$(printf '%s\n' "$out" | jq -r .source | grep -c -E 'cycling-club|club-rides')" 1 \
	"copies of one page give one hit"
like "$(printf '%s\n' "$out" | jq -r '.also // [] | .[]')" 'club-rides|cycling-club' "the copy is listed in also"
run llmr-search --json -k 10 --by doc "allotment plot rent"
is "$(printf '%s\n' "$out" | jq -r .source | sort | uniq -d)" "" "--by doc: each document once"
done_testing
