#!/bin/sh
# 0550-index-safety.t - a run never loses documents silently: a missing,
# unreadable or empty root keeps its documents (warning, exit 66) unless
# --prune; --rebuild with no input refuses (exit 64); sources are canonical
# absolute paths, so the same folder reached from elsewhere is the same
# documents; a file with no text is warned about; a search that matches
# nothing is clean (no qsort(NULL, 0): the sanitizer build checks it).
. "$(dirname "$0")/lib.sh"

[ -x "$LLMR_BUILD/bin/llmr-index" ] && [ -x "$LLMR_BUILD/bin/llmr-search" ] || skip_all "build llmr-index and llmr-search first"
command -v jq >/dev/null 2>&1 || skip_all "jq is needed (make deps)"
LLMR_STATE=$TEST_DIR/state.db
export LLMR_STATE

docs() { llmr-index --stats --json -c "$1" | jq -r .documents; }
top=$(pwd -P)

mkdir -p kd/sub other
for i in 1 2 3; do printf '# Note %s\n\nLe mot est castor%s.\n' $i $i >kd/note$i.md; done
printf '# Profond\n\nLe mot est loutre.\n' >kd/sub/deep.md
printf '# Autre\n\nLe mot est blaireau.\n' >other/autre.md
run llmr-index --json -c docs kd other </dev/null
is "$status" 0 "first run indexes"
is "$(docs docs)" 5 "5 documents"

# ---- canonical sources: one document per file, whatever the spelling ----
run llmr-search --json -c docs -k 1 castor1
is "$(jq_out .source)" "$top/kd/note1.md" "sources are canonical absolute paths"
mkdir elsewhere
ln -s kd kdlink
for how in "kd ." "kd/sub ../../kd/./" "elsewhere $top/kd/" ". kdlink"; do
	run sh -c "cd ${how% *} && llmr-index --json -c docs ${how#* }" </dev/null
	is "$(jq_out '[.added,.unchanged] | join(" ")')" "0 4" "from ${how% *}, as ${how#* }: the same 4 documents"
done
is "$(docs docs)" 5 "the same folder from three working directories and a link: still 5 documents"

# ---- a root that is gone keeps its documents ----
mv kd kd-renamed
run llmr-index --json -c docs kd other </dev/null
is "$status" 66 "an indexed folder renamed: exit 66"
like "$err" "^llmr-index: kd: No such file or directory$" "... warning naming it"
like "$err" "^llmr-index: kd: missing: its 4 documents are kept \(--prune removes them\)$" "... and what is kept"
is "$(jq_out .deleted)" 0 "... nothing deleted"
is "$(docs docs)" 5 "... all 5 documents still there"
run llmr-search --json -c docs -k 1 loutre
is "$(jq_out .source)" "$top/kd/sub/deep.md" "... and still found"

# The rest of the run goes on: a change in the other root is taken.
printf '# Autre\n\nLe mot est ragondin.\n' >other/autre.md
run llmr-index --json -c docs kd other </dev/null
is "$status" 66 "missing root and a changed file: still 66"
is "$(jq_out .updated)" 1 "... the other root was indexed"

# An empty folder (an unmounted mount point) keeps its documents too.
mkdir kd
run llmr-index --json -c docs kd </dev/null
is "$status" 66 "an empty folder in its place: exit 66"
like "$err" "^llmr-index: kd: no files found: its 4 documents are kept \(--prune removes them\)$" "... warned"
is "$(docs docs)" 5 "... nothing deleted"

# An unreadable subfolder keeps its documents (not as root: it can read anything).
rmdir kd
mv kd-renamed kd
if [ "$(id -u)" != 0 ]; then
	chmod 000 kd/sub
	run llmr-index --json -c docs kd </dev/null
	chmod 755 kd/sub
	is "$status" 66 "an unreadable subfolder: exit 66"
	is "$(docs docs)" 5 "... its document kept"
else
	skip "unreadable subfolder (root reads everything)"
	skip "... its document kept"
fi

# --prune lets a missing root go, explicitly.
mv other other-gone
run llmr-index --json --prune -c docs other </dev/null
is "$(jq_out .deleted)" 1 "--prune: the missing root's document goes"
is "$(docs docs)" 4 "... 4 left"

# A folder's own files going away is still a deletion (the folder is there).
rm kd/note3.md
run llmr-index --json -c docs kd </dev/null
is "$status" 0 "a file removed from a present folder: exit 0"
is "$(jq_out .deleted)" 1 "... and it leaves the index"

# ---- --rebuild with no input refuses ----
EMPTY=
run llmr-index --rebuild -c docs $EMPTY </dev/null
is "$status" 64 "--rebuild, no paths and empty stdin: exit 64"
like "$err" "^llmr-index: nothing to index: collection 'docs' left as it was" "... saying so"
is "$(docs docs)" 3 "... the collection is intact"
mkdir void
run llmr-index --rebuild -c docs void </dev/null
is "$status" 64 "--rebuild of an empty folder: exit 64"
is "$(docs docs)" 3 "... the collection is intact"
run llmr-index --json --rebuild -c docs kd </dev/null
is "$status" 0 "--rebuild with input rebuilds"
is "$(jq_out .added)" 3 "... re-adding everything"
run llmr-index --rebuild --prune -c docs $EMPTY </dev/null
is "$status" 0 "--rebuild --prune with no input empties, as asked"
is "$(docs docs)" 0 "... 0 documents"

# ---- migration: rows written with relative sources ----
mkdir mig
printf '# A\n\nalpha.\n' >mig/a.md
printf '# B\n\nbeta.\n' >mig/b.md
llmr-index -q -c mig mig </dev/null
sqlite3 "$LLMR_STATE" "UPDATE idx_docs SET source = 'mig/a.md' WHERE source LIKE '%/mig/a.md';
	INSERT INTO idx_docs(coll, source, origin, size, mtime_ns, hash, bytes, nchunks, indexed_ms)
	SELECT coll, 'mig/./b.md', origin, size, mtime_ns, hash, bytes, 0, indexed_ms FROM idx_docs
	WHERE source LIKE '%/mig/b.md'" 2>/dev/null || skip_all "sqlite3 is needed"
is "$(docs mig)" 3 "an old collection: a relative row and a duplicate"
run llmr-index --json -c mig mig </dev/null
is "$status" 0 "indexed again"
is "$(jq_out '[.added,.unchanged] | join(" ")')" "0 2" "... the relative row is matched, not re-added"
is "$(docs mig)" 2 "... and the duplicate merged"
is "$(sqlite3 "$LLMR_STATE" "SELECT count(*) FROM idx_docs WHERE source LIKE '/%' AND coll=(SELECT id FROM idx_collections WHERE name='mig')")" 2 "... every source canonical"

# ---- no text ----
mkdir blank
: >blank/empty.txt
printf '# \n\n' >blank/heading-only.md
run llmr-index -c blank blank </dev/null
is "$status" 0 "files with no text are indexed"
like "$err" "^llmr-index: $top/blank/empty.txt: no text in it" "... an empty file is warned about"
like "$err" "heading-only.md: no text in it" "... so is one with only a heading mark"
is "$(grep -c 'no text' "$ERR")" 2 "... one line each"

# ---- Latin-1 HTML with a bare '&' before an accent: the snippet survives ----
mkdir l1
printf '<html><body><p>Caf&\351 cr\350me, le mot est gnou.</p></body></html>' >l1/menu.html
llmr-index -q -c l1 l1 </dev/null
run llmr-search --json -c l1 -k 1 gnou
like "$(jq_out .snippet)" "Caf&é crème" "a bare & in Latin-1 HTML: valid UTF-8, snippet kept"

# ---- a search that matches nothing ----
for mode in hybrid bm25 vector; do
	run llmr-search --json -c docs --mode $mode zzzqqqxxx
	is "$out" "" "$mode: no match, no output"
	unlike "$err" "runtime error|AddressSanitizer" "$mode: no sanitizer report"
done
done_testing
