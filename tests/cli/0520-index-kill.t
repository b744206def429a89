#!/bin/sh
# 0520-index-kill.t - llmr-index killed with SIGKILL in the middle of a run
# leaves a consistent state file (SQLite and FTS5 integrity checks pass),
# and the next run finishes the job: the same documents, chunks and search
# results as a clean build.
. "$(dirname "$0")/lib.sh"

[ -x "$LLMR_BUILD/bin/llmr-index" ] && [ -x "$LLMR_BUILD/bin/llmr-search" ] || skip_all "build llmr-index and llmr-search first"
# By name, through PATH, so that LLMR_VALGRIND=1 wrappers apply.
IDX=llmr-index
SEARCH=llmr-search
command -v sqlite3 >/dev/null 2>&1 || skip_all "the sqlite3 shell is needed (make deps)"

# A corpus big enough that a run is still going when we kill it.
mkdir corpus
awk 'BEGIN {
	split("tri textile caisse atelier collecte benevole boutique securite planning velo", w, " ")
	for (f = 0; f < 600; f++) {
		file = sprintf("corpus/doc%04d.md", f)
		printf "# Document %d\n\n", f > file
		for (p = 0; p < 6; p++) {
			printf "## Partie %d\n\n", p > file
			for (s = 0; s < 8; s++)
				printf "Le %s numero %d parle de %s et de %s. ", w[(f+s)%10+1], f*100+p*10+s, w[(p+s)%10+1], w[(f*7+s)%10+1] > file
			printf "\n\n" > file
		}
		close(file)
	}
}'

docs() { sqlite3 "$1" 'SELECT count(*) FROM idx_docs' 2>/dev/null || echo 0; }
dump() {
	sqlite3 "$1" "SELECT d.source, d.hash, d.nchunks, c.seq, c.pos, c.heading, c.text
		FROM idx_docs d JOIN idx_chunks c ON c.doc = d.id ORDER BY d.source, c.seq"
}

LLMR_STATE=$TEST_DIR/killed.db
export LLMR_STATE
"$IDX" -q corpus 2>/dev/null &
pid=$!
# Wait until some documents are in, then kill: no fixed sleep decides.
while kill -0 $pid 2>/dev/null && [ "$(docs "$LLMR_STATE")" -lt 60 ]; do
	sleep 0.02
done
if kill -9 $pid 2>/dev/null; then
	wait $pid 2>/dev/null
	n=$(docs "$LLMR_STATE")
	ok_cond "killed mid-run ($n of 600 documents in)" test "$n" -lt 600
else
	wait $pid
	skip "the run finished before it could be killed"
fi
is "$(sqlite3 "$LLMR_STATE" 'PRAGMA integrity_check')" ok "SQLite integrity check passes"
ok_cond "FTS5 index matches its content" sqlite3 "$LLMR_STATE" "INSERT INTO idx_fts(idx_fts) VALUES('integrity-check')"
is "$(sqlite3 "$LLMR_STATE" 'SELECT count(*) FROM idx_chunks c LEFT JOIN idx_docs d ON d.id = c.doc WHERE d.id IS NULL')" 0 \
	"no chunk without its document"
is "$(sqlite3 "$LLMR_STATE" 'SELECT count(*) FROM idx_docs d WHERE nchunks != (SELECT count(*) FROM idx_chunks WHERE doc = d.id)')" 0 \
	"every document has all its chunks"

run "$IDX" --json corpus
is "$status" 0 "the next run succeeds"
like "$out" '"failed":0' "without failures"

LLMR_STATE=$TEST_DIR/clean.db
run "$IDX" -q corpus
is "$status" 0 "clean build"
dump "$TEST_DIR/killed.db" >killed.dump
dump "$TEST_DIR/clean.db" >clean.dump
ok_cond "same documents and chunks as a clean build ($(wc -l <clean.dump) chunks)" cmp -s killed.dump clean.dump
is "$(sqlite3 "$TEST_DIR/killed.db" 'SELECT n FROM idx_ann_meta')" \
	"$(sqlite3 "$TEST_DIR/clean.db" 'SELECT n FROM idx_ann_meta')" "the graph covers every chunk"
for db in killed clean; do
	is "$(sqlite3 "$TEST_DIR/$db.db" 'SELECT count(*) FROM idx_chunks c LEFT JOIN idx_ann_vec v ON v.chunk = c.id WHERE v.chunk IS NULL OR length(v.q) != 1028')" 0 \
		"$db: every chunk has its int8 vector"
	is "$(sqlite3 "$TEST_DIR/$db.db" 'SELECT count(*) FROM idx_ann_vec v LEFT JOIN idx_chunks c ON c.id = v.chunk WHERE c.id IS NULL')" 0 \
		"$db: no vector without its chunk"
	is "$(sqlite3 "$TEST_DIR/$db.db" 'SELECT sum(length(data)) / 8 FROM idx_ann_ids')" \
		"$(sqlite3 "$TEST_DIR/$db.db" 'SELECT n FROM idx_ann_meta')" "$db: the node-to-chunk map covers the graph"
done
for q in "tri textile" "caisse numero 4242" "atelier velo securite"; do
	a=$(LLMR_STATE=$TEST_DIR/killed.db "$SEARCH" --json -k 5 "$q" | cut -d, -f1-2)
	b=$(LLMR_STATE=$TEST_DIR/clean.db "$SEARCH" --json -k 5 "$q" | cut -d, -f1-2)
	is "$a" "$b" "same hits for '$q'"
done
done_testing
