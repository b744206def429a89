#!/bin/sh
# 0570-index-changes.t - the kDrive use case: --url-base maps an indexed
# root to the web address of its synced copy (stored, percent-encoded,
# shown by llmr-search and llmr-ask's sources), and --changes writes the
# documents a run added, updated and deleted as JSON lines, nothing when
# nothing changed, no deletion for an unmounted root, and after --rebuild
# only what really changed.
. "$(dirname "$0")/lib.sh"

[ -x "$LLMR_BUILD/bin/llmr-index" ] && [ -x "$LLMR_BUILD/bin/llmr-search" ] || skip_all "build llmr-index and llmr-search first"
command -v jq >/dev/null 2>&1 || skip_all "jq is needed (make deps)"
LLMR_STATE=$TEST_DIR/state.db
export LLMR_STATE
BASE=https://kdrive.infomaniak.com/app/drive/42/files

mkdir -p kd/Réunions
printf '# Tri\n\nLe tri des chaussures se fait le lundi.\n' >kd/tri.md
printf '# CA 2024\n\nCompte rendu: la loutre est la mascotte.\n' >"kd/Réunions/CA 2024 #1.md"
top=$(pwd -P)

# ---- --changes on a first run, with --url-base ----
run llmr-index --changes --url-base "$BASE/" kd </dev/null
is "$status" 0 "first run with --url-base and --changes"
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 2 "... one line per document"
is "$(printf '%s\n' "$out" | jq -r 'select(.source|endswith("tri.md")) | [.change,.url,.collection] | join(" ")')" \
	"added $BASE/tri.md default" "... added, with its web address and collection"
is "$(printf '%s\n' "$out" | jq -r 'select(.source|endswith("#1.md")) | .url')" \
	"$BASE/R%C3%A9unions/CA%202024%20%231.md" "... the root-relative path percent-encoded"
like "$err" "2 added" "... the summary goes to stderr"

run llmr-search --json -k 1 loutre
is "$(jq_out .url)" "$BASE/R%C3%A9unions/CA%202024%20%231.md" "search hits carry the web address"
run llmr-search -k 1 loutre
like "$out" "^   $BASE/R%C3%A9unions/CA%202024%20%231.md\$" "... and show it to a reader"
if [ -x "$LLMR_BUILD/bin/llmr-ask" ]; then
	run llmr-ask --json "Quelle est la mascotte ? loutre"
	is "$(jq_out '.sources[0].url')" "$BASE/R%C3%A9unions/CA%202024%20%231.md" "llmr-ask's sources too"
else
	skip "llmr-ask's sources too"
fi

# ---- a run with no change writes nothing ----
run llmr-index --changes kd </dev/null
is "$status" 0 "nothing changed: exit 0"
is "$out" "" "... and nothing on stdout"

# ---- updates, additions and deletions; the mapping is remembered ----
printf '# Tri\n\nLe tri des chaussures se fait le mardi.\n' >kd/tri.md
rm "kd/Réunions/CA 2024 #1.md"
printf '# Nouveau\n\nLe ragondin arrive.\n' >kd/nouveau.md
run llmr-index --changes kd </dev/null
is "$status" 0 "second run"
is "$(printf '%s\n' "$out" | jq -r '.change + " " + (.source | sub(".*/"; ""))' | sort | tr '\n' ,)" \
	"added nouveau.md,deleted CA 2024 #1.md,updated tri.md," "... one added, one updated, one deleted"
is "$(printf '%s\n' "$out" | jq -r 'select(.change=="deleted") | .url')" \
	"$BASE/R%C3%A9unions/CA%202024%20%231.md" "... the deleted one with the address it had"
is "$(printf '%s\n' "$out" | jq -r 'select(.change=="added") | .url')" "$BASE/nouveau.md" \
	"... the stored --url-base applies without the option"
is "$(printf '%s\n' "$out" | jq -r 'select(.change=="updated") | .source')" "$top/kd/tri.md" \
	"... sources are canonical paths"

# ---- an unmounted root: no deletion, nothing announced ----
mv kd kd-away
run llmr-index --changes kd </dev/null
is "$status" 66 "a missing root: exit 66"
is "$out" "" "... no change announced"
run llmr-search --json -k 1 ragondin
is "$(jq_out .url)" "$BASE/nouveau.md" "... and its documents are still there"
mv kd-away kd

# ---- a new --url-base rewrites the stored addresses ----
run llmr-index --changes --url-base https://example.org/docs kd </dev/null
is "$out" "" "a new address is not a content change"
run llmr-search --json -k 1 ragondin
is "$(jq_out .url)" "https://example.org/docs/nouveau.md" "... but the hits move to it"
run llmr-index -q --url-base "" kd </dev/null
run llmr-search --json -k 1 ragondin
is "$(jq_out .url)" "file://$top/kd/nouveau.md" "--url-base '' goes back to file:// addresses"

# ---- --rebuild reports what changed, not everything ----
rm kd/nouveau.md
printf '# Trois\n\nLe castor.\n' >kd/trois.md
run llmr-index --changes --rebuild kd </dev/null
is "$status" 0 "--rebuild --changes"
is "$(printf '%s\n' "$out" | jq -r '.change + " " + (.source | sub(".*/"; ""))' | sort | tr '\n' ,)" \
	"added trois.md,deleted nouveau.md," "... the unchanged document is not reported"

# ---- JSON lines on stdin ----
printf '{"id":"faq-1","text":"Horaires: le samedi.","url":"https://example.org/faq#1"}\n' >docs.jsonl
run llmr-index --changes -c faq <docs.jsonl
is "$out" '{"change":"added","source":"faq-1","url":"https://example.org/faq#1","collection":"faq"}' \
	"a JSON-lines document, with its own url"
run llmr-index --changes -c faq <docs.jsonl
is "$out" "" "... and nothing the second time"

# ---- killed mid-run: everything announced is in the index ----
if command -v sqlite3 >/dev/null 2>&1; then
	mkdir big
	awk 'BEGIN {
		for (f = 0; f < 1500; f++) {
			file = sprintf("big/doc%04d.md", f)
			for (p = 0; p < 6; p++)
				printf "## Partie %d\n\nLe document %d parle du tri numero %d et de la caisse %d.\n\n", p, f, f * 10 + p, p > file
			close(file)
		}
	}'
	LLMR_STATE=$TEST_DIR/killed.db llmr-index -q -c big --changes big >killed.jsonl 2>/dev/null &
	pid=$!
	while kill -0 $pid 2>/dev/null && [ "$(wc -l <killed.jsonl)" -lt 40 ]; do
		sleep 0.02
	done
	if kill -9 $pid 2>/dev/null; then
		killed=1
	else
		killed=0
	fi
	wait $pid 2>/dev/null
	missing=0
	for src in $(jq -r .source killed.jsonl); do
		n=$(sqlite3 "$TEST_DIR/killed.db" "SELECT count(*) FROM idx_docs WHERE source = '$src'")
		[ "$n" = 1 ] || missing=$((missing + 1))
	done
	if [ $killed = 1 ]; then
		ok_cond "killed with SIGKILL: all $(wc -l <killed.jsonl | tr -d ' ') documents announced are in the index" test "$missing" = 0
	else
		skip "killed with SIGKILL: the run ended before the kill"
	fi
else
	skip "killed with SIGKILL: all documents announced are in the index (no sqlite3)"
fi

# ---- usage ----
run llmr-index --url-base not-a-url kd
is "$status" 64 "--url-base needs an absolute URL"
run llmr-index --url-base https://x.org kd kd
is "$status" 64 "--url-base maps exactly one root"
like "$err" "^llmr-index: --url-base: name exactly one PATH" "... saying so"
run llmr-index --changes --stats kd
is "$status" 64 "--changes and --stats both want stdout"

done_testing
