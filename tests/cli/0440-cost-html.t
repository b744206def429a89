#!/bin/sh
# 0440-cost-html.t - llmr-cost report --html: one self-contained file with
# three inline SVG charts; headless Chromium renders it to a PNG, and the
# figures in the rendered page match the JSON report. Without chromium the
# rendering checks are skipped (make deps installs it).
. "$(dirname "$0")/lib.sh"
. "$LLMR_SRC/tests/cli/0400-cost-fixture.sh"

# Make gpt-4o dominated (dearer than opus, worse): 40/160 per 1M from 01-01.
cat >dear.json <<'JSON'
{"gpt-4o": {"mode": "chat", "input_cost_per_token": 4e-05, "output_cost_per_token": 0.00016}}
JSON
"$COST" --now 2026-01-01 prices import dear.json >/dev/null

run "$COST" $JAN report --html
is "$status" 0 "--html exits 0"
cp "$OUT" report.html
"$COST" $JAN --json >r.json

like "$(head -1 report.html)" '^<!DOCTYPE html>' "an HTML document"
is "$(grep -c '<svg id="chart-' report.html)" 3 "three charts"
is "$(grep -Eo '(src|href)=' report.html | wc -l | tr -d ' ')" 0 "self-contained: nothing fetched"
is "$(grep -Eo 'https?://[^"]*' report.html | sort -u)" "http://www.w3.org/2000/svg" "no URL but the SVG namespace"
# Pareto: mini (0.2625, 72), haiku (2, 75), opus (30, 95) on the frontier;
# gpt-4o (70, 88) is dominated by opus.
is "$(grep -c '<circle [^>]*class="pareto"' report.html)" 3 "three models on the Pareto frontier"
like "$(grep -o 'openai/gpt-4o (q 88[^<]*' report.html)" '\(q 88, \$70\.000\)$' "gpt-4o is off the frontier"
# Daily chart: one bar segment per provider-day that cost something:
# 01-05 openai and anthropic, 01-20 and 01-28 anthropic (01-10 was a cache hit).
is "$(grep -c '<rect [^>]*><title>' report.html)" 4 "four non-zero provider-day cells"

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	skip "chromium is not installed: render"
	skip "chromium is not installed: PNG"
	skip "chromium is not installed: DOM figures"
	done_testing
	exit 0
fi

flags="--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --user-data-dir=$TEST_DIR/chromium"
# The page must need no network: every host name fails to resolve.
offline='--host-resolver-rules=MAP * ~NOTFOUND'
timeout 120 "$CHROMIUM" $flags "$offline" --window-size=1000,1400 --screenshot="$TEST_DIR/report.png" \
	"file://$TEST_DIR/report.html" >chromium.log 2>&1
ok_cond "chromium wrote a PNG" test -s report.png
is "$(od -An -tx1 -N8 report.png | tr -d ' \n')" 89504e470d0a1a0a "a PNG signature"
# IHDR width and height, big-endian, at bytes 16..23.
is "$(od -An -tu1 -j16 -N8 report.png | awk '{print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8}')" \
	1000x1400 "PNG of the window size"
size=$(wc -c <report.png)
ok_cond "the page is not blank ($size bytes)" test "$size" -gt 20000

timeout 120 "$CHROMIUM" $flags "$offline" --dump-dom "file://$TEST_DIR/report.html" >dom.html 2>chromium.log
ok_cond "chromium parsed the page" grep -q 'id="chart-pareto"' dom.html
text() { grep -o "id=\"$1\">[^<]*" dom.html | sed 's/.*>//'; }
# usd TEXT JQ-PATH DESC: "$0.2139" is the JSON value to the shown decimals.
usd() {
	if jq -e --arg t "$1" "($2) as \$v | (\$t | ltrimstr(\"\$\")) as \$s
		| (\$s | split(\".\")[1] | length) as \$d
		| ((\$s | tonumber) - \$v | fabs) <= (0.5 * pow(10; -\$d) + 1e-9)" r.json >/dev/null; then
		pass "$3"
	else
		fail "$3"
		diag "page shows '$1', JSON has $(jq "$2" r.json)"
	fi
}
usd "$(text total-cost)" .total.cost_usd "spend matches --json"
usd "$(text previous-cost)" .previous.cost_usd "previous spend matches --json"
is "$(text total-requests)" "$(jq .total.requests r.json)" "requests match --json"
is "$(text cache-hits)" "$(jq .total.cache_hits r.json)" "cache hits match --json"
is "$(text fallbacks)" "$(jq .total.fallbacks r.json)" "fallbacks match --json"
fc=$(text forecast)
usd "${fc%%-*}" .forecast.low_usd "forecast low matches --json"
usd "${fc#*-}" .forecast.high_usd "forecast high matches --json"
sed -n '/<table id="models">/,/<\/table>/p' dom.html | grep -o '<tr><td>[^<]*</td><td>[^<]*</td><td>[^<]*' |
	sed 's/<tr><td>//; s/<\/td><td>/ /g' >models.txt
is "$(cut -d' ' -f1,2 models.txt)" "$(jq -r '.models[] | "\(.key) \(.requests)"' r.json)" "model table: models and requests match --json"
i=0
while read -r k n c; do
	usd "$c" ".models[$i].cost_usd" "model table: $k spend matches --json"
	i=$((i + 1))
done <models.txt
sed -n '/<table id="use-cases">/,/<\/table>/p' dom.html | grep -o '<tr><td>[^<]*</td><td>[^<]*</td><td>[^<]*' |
	sed 's/<tr><td>//; s/<\/td><td>/|/g' >uses.txt
is "$(cut -d'|' -f1,2 uses.txt)" "$(jq -r '.use_cases[] | "\(.route)|\(.models)"' r.json)" "use cases: routes and models match --json"
i=0
while IFS='|' read -r route models avg; do
	usd "$avg" ".use_cases[$i].avg_cost_usd" "use case $route: average cost matches --json"
	i=$((i + 1))
done <uses.txt

done_testing
