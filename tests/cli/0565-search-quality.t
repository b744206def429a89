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
diag "recall@5 / MRR@10 x1000: bm25 $b_r5 / $b_mrr, vector $v_r5 / $v_mrr, hybrid $h_r5 / $h_mrr"
ok_cond "hybrid MRR@10 >= bm25's ($h_mrr >= $b_mrr)" [ "$h_mrr" -ge "$b_mrr" ]
ok_cond "hybrid MRR@10 >= vector's ($h_mrr >= $v_mrr)" [ "$h_mrr" -ge "$v_mrr" ]
ok_cond "hybrid recall@5 >= bm25's ($h_r5 >= $b_r5)" [ "$h_r5" -ge "$b_r5" ]
ok_cond "hybrid recall@5 >= vector's ($h_r5 >= $v_r5)" [ "$h_r5" -ge "$v_r5" ]
ok_cond "hybrid recall@5 >= 0.85 ($h_r5)" [ "$h_r5" -ge 850 ]

run llmr-search --json -k 10 "do I need a helmet on the club's weekend rides"
is "$(printf '%s\n' "$out" | jq -r .source | grep -c -E 'cycling-club|club-rides')" 1 \
	"copies of one page give one hit"
like "$(printf '%s\n' "$out" | jq -r '.also // [] | .[]')" 'club-rides|cycling-club' "the copy is listed in also"
run llmr-search --json -k 10 --by doc "allotment plot rent"
is "$(printf '%s\n' "$out" | jq -r .source | sort | uniq -d)" "" "--by doc: each document once"
done_testing
