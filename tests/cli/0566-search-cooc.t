#!/bin/sh
# 0566-search-cooc.t - index.embedder: local-cooc (index/cooc.h): the run
# learns word vectors from the collection and stores them once; the same
# corpus gives the same vectors; switching a collection to it asks for
# --rebuild; hybrid search with it still ranks the answer no worse than
# either of its parts on the dev half of the shipped English set (as
# 0565 checks for the default embedder). Deterministic: no timing.
. "$(dirname "$0")/lib.sh"

[ -x "$LLMR_BUILD/bin/llmr-index" ] && [ -x "$LLMR_BUILD/bin/llmr-search" ] || skip_all "build first"
command -v jq >/dev/null 2>&1 || skip_all "jq is needed (make deps)"
command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 is needed (make deps)"
LLMR_STATE=$TEST_DIR/state.db
LLMR_CONFIG=$TEST_DIR/cooc.conf
export LLMR_STATE LLMR_CONFIG
printf 'index: {embedder: local-cooc}\n' >"$LLMR_CONFIG"
: >plain.conf
SET=$LLMR_SRC/tests/fixtures/retrieval-en
mkdir docs && cp "$SET"/docs/*.md docs/

run llmr-index -q --config plain.conf docs
is "$status" 0 "indexed with the hashing embedder"
run llmr-index -q docs
is "$status" 78 "switching to local-cooc without --rebuild is refused"
like "$err" "rerun with --rebuild" "and says how"
run llmr-index -q --rebuild docs
is "$status" 0 "--rebuild switches the collection to local-cooc"
run llmr-index --stats --json
is "$(printf '%s' "$out" | jq -r '[.embedder,.dim] | join(" ")')" "local-cooc 1024" "stats name it"
vecs() { sqlite3 "$LLMR_STATE" "SELECT nwords, dim, hex(vecs) FROM idx_cooc" | cksum; }
words=$(sqlite3 "$LLMR_STATE" "SELECT nwords || ' ' || dim FROM idx_cooc")
like "$words" '^[0-9]+ 64$' "word vectors stored: 64 dims"
ok_cond "at least 128 words learned ($words)" [ "${words% *}" -ge 128 ]
first=$(vecs)
run llmr-index -q --rebuild docs
is "$(vecs)" "$first" "the same corpus gives the same vectors"
run llmr-index -q --rebuild --config plain.conf docs
is "$(sqlite3 "$LLMR_STATE" "SELECT count(*) FROM idx_cooc")" 0 "back to local: the vectors are dropped"
run llmr-index -q --rebuild docs
is "$(vecs)" "$first" "and learned again on the way back"

. "$LLMR_SRC/tests/cli/retrieval.sh"
hybrid_beats_parts local-cooc
done_testing
