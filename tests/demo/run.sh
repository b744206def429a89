#!/bin/sh
# tests/demo/run.sh BUILD - the offline demo (make demo).
#
# No key, no network: index the sample corpus of a ressourcerie (a volunteer
# guide in Markdown, the textile sorting procedure as .docx, the house rules
# as .pdf, an English FAQ) into a temporary state file, ask two questions
# with the built-in config (local/extractive), show the routing decision,
# the answer with its sources and its cost ($0), then what the same
# questions would have cost on the paid models of llmr.conf.example.
set -u
BUILD=${1:-build}
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || { echo "demo: no build directory" >&2; exit 69; }
BIN=$BUILD/bin
SRC=$(cd "$(dirname "$0")/../.." && pwd)
for p in llmr-index llmr-search llmr-ask; do
	[ -x "$BIN/$p" ] || { echo "demo: $BIN/$p is missing: run make first" >&2; exit 69; }
done
command -v jq >/dev/null 2>&1 || { echo "demo: jq is needed (make deps)" >&2; exit 69; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/llmr-demo.XXXXXX") || exit 70
trap 'rm -rf "$TMP"' EXIT INT TERM
# A clean, keyless, offline environment: the built-in config applies.
for v in $(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*_\(API_KEY\|TOKEN\)\)=.*/\1/p'); do unset "$v"; done
unset LLMR_CONFIG
HOME=$TMP/home XDG_CONFIG_HOME=$TMP/home/.config XDG_DATA_HOME=$TMP/home/.local/share
LLMR_STATE=$TMP/state.db
export HOME XDG_CONFIG_HOME XDG_DATA_HOME LLMR_STATE
mkdir -p "$HOME"

rule() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }
[ -t 1 ] && [ -z "${NO_COLOR:-}" ] || rule() { printf '\n== %s ==\n' "$*"; }

# Regenerate the .docx and .pdf from their sources when python3 is here
# (free tools only: the standard library); the committed copies serve otherwise.
CORPUS=$TMP/corpus
mkdir -p "$CORPUS"
cp "$SRC"/tests/demo/corpus/* "$CORPUS"/
if command -v python3 >/dev/null 2>&1; then
	python3 "$SRC/tests/demo/mkoffice.py" "$SRC/tests/demo/src/tri-textile.md" "$CORPUS/tri-textile.docx" &&
	python3 "$SRC/tests/demo/mkoffice.py" "$SRC/tests/demo/src/reglement-interieur.md" "$CORPUS/reglement-interieur.pdf"
fi

rule "1. Index the corpus (no network, local embedder)"
ls -l "$CORPUS" | sed 1d | awk '{printf "   %-28s %6d bytes\n", $NF, $5}'
(cd "$TMP" && "$BIN/llmr-index" -c default corpus) || exit $?
"$BIN/llmr-index" --stats -c default

rule "2. Search: llmr-search \"chaussures dépareillées\""
"$BIN/llmr-search" -k 3 "chaussures dépareillées"

SIMPLE="À quelle heure ouvre la boutique ?"
COMPLEX="Un donateur apporte un sac de vêtements humides, des chaussures dépareillées et un matelas : analyse ce que disent la procédure de tri et le guide du bénévole, compare-les, puis propose un plan détaillé, étape par étape, en expliquant pourquoi."

ask() {
	label=$1 q=$2
	rule "$label: $q"
	if [ -x "$BIN/llmr-route" ]; then
		echo "-- routing decision (llmr-route, built-in config):"
		"$BIN/llmr-route" --state "$LLMR_STATE" "$q" |
			jq -r '"   complexity \(.complexity) (score \(.score)) -> \(.model)\n   chain \(.chain | join(" -> "))\n   why: \(.reason)"'
	fi
	(cd "$TMP" && "$BIN/llmr-ask" --json "$q") >"$TMP/answer.json" || {
		echo "demo: llmr-ask failed" >&2
		exit 70
	}
	echo "-- answer (llmr-ask --json):"
	jq -r '"   model \(.model), route \(.route), complexity \(.complexity), \(.latency_ms) ms"' "$TMP/answer.json"
	jq -r '.text' "$TMP/answer.json" | sed 's/^/   /'
	echo "-- sources:"
	jq -r '.sources[] | "   \(.source) #\(.chunk)  \(.heading)  (score \(.score))"' "$TMP/answer.json"
	printf -- '-- cost: $%s\n' "$(jq -r '.cost_usd' "$TMP/answer.json")"
	# What a paid model would have read: the question and the passages.
	jq -r '.sources | map(.snippet) | join("\n")' "$TMP/answer.json" >"$TMP/passages.txt"
	printf '%s\n\n%s\n' "$q" "$(cat "$TMP/passages.txt")" >"$TMP/prompt_$label.txt"
}

ask simple "$SIMPLE"
ask complex "$COMPLEX"

rule "3. The same questions on the paid models of llmr.conf.example"
if [ -x "$BIN/llmr-route" ]; then
	# Placeholder keys so the router considers the paid models; llmr-route
	# never calls a provider, so no request leaves this machine.
	echo "   (estimates by llmr-route for the question plus the passages used;"
	echo "    placeholder keys, nothing is sent)"
	printf '   %-9s %-38s %s\n' question route/model 'est. cost (USD)'
	for label in simple complex; do
		for spec in "search simple" "search complex" "analysis complex"; do
			set -- $spec
			OPENAI_API_KEY=demo ANTHROPIC_API_KEY=demo GEMINI_API_KEY=demo \
				"$BIN/llmr-route" --config "$SRC/llmr.conf.example" --no-state \
				-r "$1" -C "$2" "$(cat "$TMP/prompt_$label.txt")" 2>/dev/null |
				jq -r --arg l "$label" --arg r "$1" '
					([select(.model) | {m: .model, c: (.est_cost_usd | tostring), n: ""}] +
					 [.skipped[]? | select(.why | test("max_cost"))
					  | {m: .model, c: (.why | capture("~[$](?<c>[0-9.]+)").c), n: "  (over the route max_cost)"}])[]
					| "\($l)\t\($r)/\(.m | tostring)\t$\(.c)\(.n)"' |
				awk -F '\t' '{ printf "   %-9s %-38s %s\n", $1, $2, $3 }'
		done
	done
	echo "   local/extractive: \$0 for both, offline, with its sources quoted."
else
	echo "   llmr-route is not built: see llmr-ask's route and complexity above."
fi
