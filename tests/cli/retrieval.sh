# tests/cli/retrieval.sh - sourced after lib.sh by the search-quality
# tests, with $SET a labelled set (tests/fixtures/retrieval-*) indexed:
#
#   score MODE        "recall@5 MRR@10" (x1000, integers) over the dev half
#   hybrid_beats_parts LABEL
#                     hybrid's recall@5 and MRR@10 at least bm25's and
#                     vector's (4 checks); sets h_r5 and h_mrr
score() {
	grep -v '^#' "$SET/questions.tsv" | awk 'NR % 2 == 1' |
	while IFS='	' read -r lang q rel; do
		llmr-search --json -k 10 --mode "$1" "$q" |
			jq -r '.source, (.also // [])[]' | sed 's|.*/||; s|\.md$||' | awk '!seen[$0]++' |
			awk -v rel=" $rel " 'index(rel, " " $0 " ") { print NR; f = 1; exit } END { if (!f) print 0 }'
	done | awk '{ n++; if ($1 > 0) { if ($1 <= 5) r5++; mrr += 1 / $1 } }
		END { printf "%d %d\n", 1000 * r5 / n, 1000 * mrr / n }'
}

hybrid_beats_parts() {
	set -- "$1" $(score bm25) $(score vector) $(score hybrid)
	h_r5=$6 h_mrr=$7
	diag "$1, recall@5 / MRR@10 x1000: bm25 $2 / $3, vector $4 / $5, hybrid $6 / $7"
	ok_cond "hybrid MRR@10 >= bm25's ($7 >= $3)" [ "$7" -ge "$3" ]
	ok_cond "hybrid MRR@10 >= vector's ($7 >= $5)" [ "$7" -ge "$5" ]
	ok_cond "hybrid recall@5 >= bm25's ($6 >= $2)" [ "$6" -ge "$2" ]
	ok_cond "hybrid recall@5 >= vector's ($6 >= $4)" [ "$6" -ge "$4" ]
}
