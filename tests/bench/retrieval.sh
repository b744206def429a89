#!/bin/sh
# tests/bench/retrieval.sh - retrieval quality on the labelled fixtures
# tests/fixtures/retrieval* (each a docs/ folder and a questions.tsv):
# prints recall@5, MRR@10 and nDCG@10 of llmr-search in bm25, vector and
# hybrid modes, and of a plain whole-document FTS5 BM25 baseline built
# here with sqlite3, on the dev half (odd question lines) and the
# held-out half (even lines) of each set. Tune on dev only; report
# held-out.
#
#   RETRIEVAL_SETS    sets to run (default: every tests/fixtures/retrieval*)
#   RETRIEVAL_SPLITS  "dev", "held-out" or both (default); "dev" while tuning
#   RETRIEVAL_CONF    config text to try (e.g. other search.* weights)
#   RETRIEVAL_ARGS    extra llmr-search arguments (e.g. --by doc)
#   RETRIEVAL_SYSTEMS a subset of "baseline bm25 vector hybrid"
#
# Each question has one answer, which any of its listed documents (copies
# of one text) gives: r = rank of the first of them in the top 10;
# recall@5 = r <= 5, MRR = 1/r, nDCG@10 = 1/log2(r + 1) (one relevant
# unit, so the ideal DCG is 1). Figures are means over the questions.
set -u
: "${LLMR_BUILD:=$PWD/build}"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BASE=${BENCH_DIR:-${TMPDIR:-/tmp}/llmr-bench}/retrieval
[ -x "$LLMR_BUILD/bin/llmr-search" ] || { echo "retrieval.sh: build first" >&2; exit 0; }
export PATH="$LLMR_BUILD/bin:$PATH"
SETS=${RETRIEVAL_SETS:-$(cd "$SRC/tests/fixtures" && ls -d retrieval*)}
SPLITS=${RETRIEVAL_SPLITS:-dev held-out}

prepare() { # SET: index its documents, build the baseline
	rm -rf "$W" && mkdir -p "$W/docs"
	export LLMR_STATE="$W/state.db" LLMR_CONFIG="$W/none.conf"
	printf '%s\n' "${RETRIEVAL_CONF:-}" >"$LLMR_CONFIG"
	cp "$FIX"/docs/*.md "$W/docs/"
	(cd "$W" && llmr-index docs >/dev/null) || { echo "retrieval.sh: llmr-index failed" >&2; exit 1; }
	# The baseline: one FTS5 row per whole document, the question's words OR-ed.
	{
		echo "CREATE VIRTUAL TABLE d USING fts5(name, body, tokenize='unicode61 remove_diacritics 2');"
		for f in "$W"/docs/*.md; do
			n=$(basename "$f" .md)
			printf "INSERT INTO d VALUES('%s', readfile('%s'));\n" "$n" "$f"
		done
	} | sqlite3 "$W/base.db"
}

baseline() { # QUESTION -> names, best first
	q=$(printf '%s' "$1" | tr -c '[:alnum:]\200-\377' ' ' |
		awk '{for (i = 1; i <= NF; i++) printf "%s\"%s\"", (i > 1 ? " OR " : ""), $i}')
	sqlite3 "$W/base.db" "SELECT name FROM d WHERE d MATCH '$(printf '%s' "$q" | sed "s/'/''/g")' ORDER BY rank LIMIT 10" 2>/dev/null
}

search() { # MODE QUESTION -> names, best first
	# shellcheck disable=SC2086 # RETRIEVAL_ARGS is a list of words
	llmr-search --json -k 10 --mode "$1" ${RETRIEVAL_ARGS:-} "$2" 2>/dev/null |
		jq -r '.source, (.also // [])[]' | sed 's|.*/||; s|\.md$||' | awk '!seen[$0]++'
}

# rank_of RELEVANT < names: the 1-based rank of the first relevant, or 0.
rank_of() {
	awk -v rel=" $1 " 'index(rel, " " $0 " ") { print NR; found = 1; exit } END { if (!found) print 0 }'
}

score() { # SYSTEM SPLIT
	grep -v '^#' "$FIX/questions.tsv" | awk -v s="$2" 'NR % 2 == (s == "dev")' |
	while IFS='	' read -r lang q rel; do
		if [ "$1" = baseline ]; then baseline "$q"; else search "$1" "$q"; fi |
			awk 'NR <= 10' | rank_of "$rel"
	done | awk -v set="$SET" -v sys="$1" -v part="$2" '
		{ n++; if ($1 > 0) { if ($1 <= 5) r5++; mrr += 1 / $1; ndcg += log(2) / log($1 + 1) } }
		END { printf "%-13s %-8s %-8s n=%-3d recall@5 %.3f  MRR@10 %.3f  nDCG@10 %.3f\n",
			set, part, sys, n, r5 / n, mrr / n, ndcg / n }'
}

for SET in $SETS; do
	FIX=$SRC/tests/fixtures/$SET
	W=$BASE/$SET
	prepare
	for split in $SPLITS; do
		for sys in ${RETRIEVAL_SYSTEMS:-baseline bm25 vector hybrid}; do
			score "$sys" "$split"
		done
	done
done
