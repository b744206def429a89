#!/bin/sh
# 0510-index-incremental.t - a run updates exactly what changed: added,
# changed, touched-but-same, deleted files; --rebuild; a deleted file's
# text is no longer found; a changed file's new text is.
. "$(dirname "$0")/lib.sh"

[ -x "$LLMR_BUILD/bin/llmr-index" ] && [ -x "$LLMR_BUILD/bin/llmr-search" ] || skip_all "build llmr-index and llmr-search first"
# By name, through PATH, so that LLMR_VALGRIND=1 wrappers apply.
IDX=llmr-index
SEARCH=llmr-search
command -v jq >/dev/null 2>&1 || skip_all "jq is needed (make deps)"
LLMR_STATE=$TEST_DIR/state.db
export LLMR_STATE

mkdir -p kd/sub
for i in 1 2 3 4 5; do
	printf '# Note %s\n\nLe mot de la note %s est mot%s.\n' $i $i $i >kd/note$i.md
done
printf '# Sous-dossier\n\nLe mot du sous-dossier est castor.\n' >kd/sub/deep.md
printf 'ignored\n' >kd/.hidden.md

run "$IDX" --json kd
is "$(printf '%s' "$out" | jq -r '[.added,.updated,.deleted,.unchanged,.failed] | join(" ")')" "6 0 0 0 0" "first run adds 6 (hidden skipped)"

# Change one, touch one without changing it, delete one, add one.
printf '# Note 1\n\nLe mot de la note 1 est maintenant loutre.\n' >kd/note1.md
touch -d '2001-01-01' kd/note2.md
rm kd/note3.md
printf '# Note 6\n\nLe mot de la note 6 est mot6.\n' >kd/note6.md
run "$IDX" --json kd
is "$(printf '%s' "$out" | jq -r '[.added,.updated,.deleted,.unchanged,.failed] | join(" ")')" "1 1 1 4 0" \
	"second run: 1 added, 1 updated, 1 deleted, 4 unchanged"
run "$IDX" --json kd
is "$(printf '%s' "$out" | jq -r '[.added,.updated,.deleted,.unchanged] | join(" ")')" "0 0 0 6" "third run: nothing to do"

run "$SEARCH" --json --mode bm25 mot3
is "$out" "" "the deleted file's text is gone"
run "$SEARCH" --json --mode bm25 mot1
is "$out" "" "the changed file's old text is gone"
run "$SEARCH" --json -k 1 loutre
is "$(printf '%s' "$out" | jq -r .source)" "$(pwd -P)/kd/note1.md" "the changed file's new text is found"
run "$SEARCH" --json -k 1 castor
is "$(printf '%s' "$out" | jq -r .source)" "$(pwd -P)/kd/sub/deep.md" "subfolders are walked"

# Indexing a subfolder alone must not delete the rest of the collection.
run "$IDX" --json kd/sub
is "$(printf '%s' "$out" | jq -r '[.deleted,.unchanged] | join(" ")')" "0 1" "a narrower run deletes nothing outside it"
rm -r kd/sub
run "$IDX" --json kd
is "$(printf '%s' "$out" | jq -r .deleted)" "1" "a removed folder leaves the index"
run "$IDX" --stats --json
is "$(printf '%s' "$out" | jq -r .documents)" "5" "5 documents left"

# --rebuild starts over and gives the same content.
sqlite3_dump() {
	llmr-search --json -k 50 "note mot loutre" | jq -r .source | sort
}
before=$(sqlite3_dump)
run "$IDX" --json --rebuild kd
is "$(printf '%s' "$out" | jq -r '[.added,.unchanged] | join(" ")')" "5 0" "--rebuild re-adds everything"
is "$(sqlite3_dump)" "$before" "same documents found after --rebuild"

# Deleted chunks stay in the graph as tombstones until they pass a quarter
# of it; then the graph is rebuilt from the live chunks.
mkdir many
for i in 1 2 3 4 5 6 7 8; do printf '# M%s\n\nTexte numero %s.\n' $i $i >many/m$i.md; done
run "$IDX" -q -c many many
rm many/m[1-6].md
run "$IDX" -q -c many many
run "$IDX" --stats --json -c many
is "$(printf '%s' "$out" | jq -r '"\(.chunks) \(.graph_nodes)"')" "2 2" "graph compacted after many deletions"
run "$SEARCH" -c many --json --mode vector -k 5 "texte numero"
is "$(printf '%s\n' "$out" | jq -r .source | sort | tr '\n' ' ')" "$(pwd -P)/many/m7.md $(pwd -P)/many/m8.md " "vector search sees only live chunks"
done_testing
