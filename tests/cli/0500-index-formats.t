#!/bin/sh
# 0500-index-formats.t - llmr-index reads every format from a real file
# (.txt in Latin-1, .md, .html, .docx, .odt, .pdf) and llmr-search finds
# each one's marker word; corrupt and unsupported files get one warning
# line naming the file, and indexing goes on; JSON lines on stdin.
. "$(dirname "$0")/lib.sh"

[ -x "$LLMR_BUILD/bin/llmr-index" ] && [ -x "$LLMR_BUILD/bin/llmr-search" ] || skip_all "build llmr-index and llmr-search first"
# By name, through PATH, so that LLMR_VALGRIND=1 wrappers apply.
IDX=llmr-index
SEARCH=llmr-search
command -v jq >/dev/null 2>&1 || skip_all "jq is needed (make deps)"
LLMR_STATE=$TEST_DIR/state.db
export LLMR_STATE
cp -R "$LLMR_SRC/tests/fixtures/docs" docs

run "$IDX" docs
is "$status" 65 "failed documents: exit 65"
like "$out" "^default: 6 added, 0 updated, 0 deleted, 0 unchanged, 2 failed" "summary counts"
is "$(grep -c 'docs/casse.docx: ' "$ERR")" 1 "one line for the corrupt docx"
is "$(grep -c 'docs/tronque.pdf: ' "$ERR")" 1 "one line for the truncated pdf"
is "$(wc -l <"$ERR" | tr -d ' ')" 2 "nothing else on stderr"
unlike "$err" "image.png" "unsupported files in a folder are skipped quietly"

for pair in kangourou:depot-latin1.txt girafe:horaires.md hippopotame:atelier.html \
	ornithorynque:reception.docx salamandre:inventaire.odt dromadaire:securite.pdf; do
	word=${pair%%:*} file=${pair#*:}
	for mode in bm25 vector hybrid; do
		run "$SEARCH" --json --mode $mode -k 1 "$word"
		is "$(printf '%s' "$out" | jq -r .source)" "$(pwd -P)/docs/$file" "$mode finds '$word' in $file"
	done
done

run "$SEARCH" --json -k 1 "ete comme hiver"
like "$(printf '%s' "$out" | jq -r .snippet)" "Été comme hiver" "Latin-1 text stored as UTF-8, found without accents"
run "$SEARCH" --json -k 1 dromadaire
is "$(printf '%s' "$out" | jq -r .heading)" "Consignes de sécurité > Incendie" "pdf heading path"
is "$(printf '%s' "$out" | jq -r '[.source,.chunk,.snippet,.score,.url,.collection] | map(type) | join(",")')" \
	"string,number,string,number,string,string" "hit has the DESIGN.md fields"
like "$(printf '%s' "$out" | jq -r .url)" "^file:///.*/docs/securite.pdf$" "url is a file URL"

run "$IDX" docs
is "$status" 0 "second run: nothing to do, exit 0"
like "$out" "0 added, 0 updated, 0 deleted, 8 unchanged, 0 failed" "failed files are not retried until they change"
is "$err" "" "and not warned about again"

run "$IDX" docs/image.png
is "$status" 65 "an unsupported file named explicitly: exit 65"
is "$err" "llmr-index: docs/image.png: unsupported file type" "one line naming it"
run "$IDX" docs/nonexistent.md
is "$status" 66 "a missing path: exit 66"
like "$err" "docs/nonexistent.md: No such file" "named in the message"

printf '%s\n' '{"id":"note-1","text":"Le mot témoin du flux JSON est pélican.","url":"https://example.org/n1","meta":{"author":"ana"}}' \
	'not json' '{"id":"note-2"}' '{"id":"note-3","text":"Second document du flux : tatou."}' >in.jsonl
run "$IDX" -c notes <in.jsonl
is "$status" 65 "bad lines: exit 65"
like "$err" "<stdin>:2: invalid JSON" "bad JSON reported with its line"
like "$err" "<stdin>:3: expected a string \"text\"" "missing text reported"
like "$out" "^notes: 2 added" "good lines indexed"
run "$SEARCH" -c notes --json -k 1 pelican
is "$(printf '%s' "$out" | jq -r '.source + " " + .url + " " + .collection')" \
	"note-1 https://example.org/n1 notes" "stdin document found with its id, url, collection"
run "$SEARCH" --json pelican
is "$(printf '%s' "$out" | jq -r 'select(.source=="note-1") | .source')" "" "collections are separate"
run "$IDX" -c notes <in.jsonl
like "$out" "0 added, 0 updated, 0 deleted, 2 unchanged" "same stdin documents: unchanged"

run "$IDX" --stats --json -c default
is "$(printf '%s' "$out" | jq -r '[.documents,.failed] | join(" ")')" "8 2" "--stats counts documents and failures"
like "$(printf '%s' "$out" | jq -r .chunks)" "^[0-9]+$" "--stats counts chunks"
is "$(printf '%s' "$out" | jq -r '.bytes_per_chunk < .float32_bytes_per_chunk')" true "index smaller than float32 vectors"
run "$IDX" --stats
like "$out" "collection  notes" "--stats alone lists every collection"

run "$IDX" --help
like "$out" "^usage: llmr-index" "--help"
run "$IDX" --list-options
like "$out" "--rebuild" "--list-options lists --rebuild"
run "$IDX" --no-such-option
is "$status" 64 "unknown option: exit 64"
run "$IDX" </dev/null
is "$status" 0 "empty stdin: nothing to do"
if [ -w /dev/full ]; then
	run sh -c "'$SEARCH' dromadaire >/dev/full"
	is "$status" 74 "llmr-search to /dev/full: exit 74"
fi
done_testing
