#!/bin/sh
# Every example command of README.md and of the man pages runs, against
# the fake provider, with the shipped llmr.conf.example (its base URLs
# pointed at the fake): docs that cannot be followed are bugs. Examples
# that cannot run here are marked "doc-test: skip: why" just before them
# (tests/tools/docexamples.py); they are few and say why.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || skip_all "jq is not installed"
fake_start

# The shipped example config, every provider pointed at the fake, every
# key variable set.
F=$FAKE_URL
sed -e "s|https://api.openai.com/v1|$F/openai/v1|" \
    -e "s|https://api.anthropic.com|$F/anthropic|" \
    -e "s|https://generativelanguage.googleapis.com/v1beta|$F/gemini/v1beta|" \
    -e "s|https://api.groq.com/openai/v1|$F/groq/v1|" \
    -e "s|https://api.deepseek.com|$F/deepseek/v1|" \
    -e "s|https://api.mistral.ai/v1|$F/mistral/v1|" \
    -e "s|https://openrouter.ai/api/v1|$F/openrouter/v1|" \
    -e "s|http://localhost:11434/v1|$F/ollama/v1|" \
    -e "s|http://localhost:11434|$F/ollama|" \
    -e "/^ *base_url:/{/127\.0\.0\.1/!s|https\{0,1\}://[^ ]*|$F/openai/v1|;}" \
    "$LLMR_SRC/llmr.conf.example" >llmr.conf.example
grep -q "base_url: https\{0,1\}://[a-z]" llmr.conf.example && bail_out "a base_url of llmr.conf.example still leaves the machine"
for v in $(sed -n 's/^ *api_key_env: *\([A-Z_]*\).*/\1/p' llmr.conf.example); do
	export "$v=test-key-$v"
done
cp llmr.conf.example llmr.conf
mkdir -p "$XDG_CONFIG_HOME/llmr"
cp llmr.conf.example "$XDG_CONFIG_HOME/llmr/llmr.conf"

# The files and folders the examples name.
for d in Documents/procedures Procedures kDrive/Procedures kdrive/procedures docs; do
	mkdir -p "$HOME/$d"
	printf '# Tri textile\n\nLes chaussures dépareillées vont au bac textile.\nLes punaises de lit: sac fermé, congélateur.\nUn sac de vêtements humides se sèche avant le tri.\nExtincteur: contrôle annuel. Horaires des bénévoles: samedi.\n' >"$HOME/$d/tri.md"
done
printf 'The shop made 1200 EUR in March.\n' >report.txt
printf '# Minutes\n\nDecided: open on Sundays.\n' >minutes.md
printf '%s\n' '{"id":"r1","prompt":"Say hi","route":"search"}' \
	'{"id":"r2","prompt":"Analyse et compare les deux contrats","route":"analysis"}' >requests.jsonl
cp "$LLMR_SRC/tests/fixtures/litellm-model-prices.json" model_prices_and_context_window.json
# llmr-bench's examples name RouteLLM's outcome file: a sample of it.
cp "$LLMR_SRC/tests/fixtures/outcomes/gsm8k-sample.csv" gsm8k_responses.csv
cp gsm8k_responses.csv f.csv
# ... and a benchmark suite.
cp "$LLMR_SRC/tests/fixtures/bench/suite.yaml" suite.yaml
llmr-index -q "$HOME/Documents/procedures" && llmr-index -q -c docs "$HOME/docs" ||
	bail_out "cannot index the example documents"
llmr-ask "Say hi" >/dev/null 2>&1 || bail_out "llmr-ask does not answer with llmr.conf.example"

python3 "$LLMR_SRC/tests/tools/docexamples.py" ex "$LLMR_SRC/README.md" \
	"$LLMR_SRC"/man/*.1 "$LLMR_SRC"/man/*.5 "$LLMR_SRC"/man/*.7 >examples.tsv
n=0 skipped=0
while IFS='	' read -r id where why; do
	n=$((n + 1))
	if [ -n "$why" ]; then
		skipped=$((skipped + 1))
		skip "$where: $why"
		continue
	fi
	timeout 60 sh -e "ex/$id.sh" >"ex/$id.out" 2>"ex/$id.err" </dev/null
	rc=$?
	if [ "$rc" = 0 ]; then
		pass "$where runs"
	else
		fail "$where runs"
		diag "exit $rc: $(sed 1d "ex/$id.sh")" "$(tail -5 "ex/$id.err")"
	fi
done <examples.tsv
ok_cond "examples found ($n)" test "$n" -ge 30
ok_cond "few are skipped ($skipped of $n)" test "$skipped" -le 10

# The extractor can fail: an unmarked example that does not run is found.
printf '# t\n\n```sh\nllmr-nosuch-command\n```\n\n<!-- doc-test: skip: needs the network -->\n```sh\ncurl https://example.org\n```\n' >t.md
run python3 "$LLMR_SRC/tests/tools/docexamples.py" tex t.md
like "$out" '^001	t.md:3	$' "an unmarked example is listed to run"
like "$out" '^002	t.md:8	needs the network$' "a marked one is listed with its reason"
not_ok "... and the unmarked one fails" sh -e tex/001.sh 2>/dev/null
done_testing
