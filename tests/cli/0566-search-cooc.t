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

# score MODE -> "recall@5 MRR@10" (x1000, integers) over the dev half.
score() {
	grep -v '^#' "$SET/questions.tsv" | awk 'NR % 2 == 1' |
	while IFS='	' read -r lang q rel; do
		llmr-search --json -k 10 --mode "$1" "$q" |
			jq -r '.source, (.also // [])[]' | sed 's|.*/||; s|\.md$||' | awk '!seen[$0]++' |
			awk -v rel=" $rel " 'index(rel, " " $0 " ") { print NR; f = 1; exit } END { if (!f) print 0 }'
	done | awk '{ n++; if ($1 > 0) { if ($1 <= 5) r5++; mrr += 1 / $1 } }
		END { printf "%d %d\n", 1000 * r5 / n, 1000 * mrr / n }'
}
set -- $(score bm25); b_r5=$1 b_mrr=$2
set -- $(score vector); v_r5=$1 v_mrr=$2
set -- $(score hybrid); h_r5=$1 h_mrr=$2
diag "local-cooc, recall@5 / MRR@10 x1000: bm25 $b_r5 / $b_mrr, vector $v_r5 / $v_mrr, hybrid $h_r5 / $h_mrr"
ok_cond "hybrid MRR@10 >= bm25's ($h_mrr >= $b_mrr)" [ "$h_mrr" -ge "$b_mrr" ]
ok_cond "hybrid MRR@10 >= vector's ($h_mrr >= $v_mrr)" [ "$h_mrr" -ge "$v_mrr" ]
ok_cond "hybrid recall@5 >= bm25's ($h_r5 >= $b_r5)" [ "$h_r5" -ge "$b_r5" ]
ok_cond "hybrid recall@5 >= vector's ($h_r5 >= $v_r5)" [ "$h_r5" -ge "$v_r5" ]
done_testing
