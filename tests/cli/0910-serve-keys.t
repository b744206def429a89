#!/bin/sh
# 0910-serve-keys.t - llmr-ask --serve with client keys: 401 without a
# valid key, each key's agent (route, priority, monthly cap) applied and
# logged, 429 once an agent has spent its cap, a key never written to the
# log, the state or an answer; any address may be served once keys exist.
# The status page, rendered in headless Chromium with the network cut:
# the provider table and the spending figures are there.
. "$(dirname "$0")/lib.sh"
. "$LLMR_SRC/tests/cli/serve.sh"
command -v curl >/dev/null 2>&1 || skip_all "curl is needed"
fake_start
write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [openai/gpt-4o-mini]
  chat:
    priority: P1
    tiers:
      simple: [groq/llama3-8b-8192]'
sed -i '/api_key_env: TEST_OPENAI_KEY/a\    limits: {rpd: 100}' "$LLMR_CONFIG"
DISCORD_KEY=sk-llmr-discord-7f3a9c
WEB_KEY=sk-llmr-webchat-51e2d0
h() { printf %s "$1" | sha256sum | cut -c1-64; }
cat >>"$LLMR_CONFIG" <<EOF
serve:
  timeout: 30s
  keys:
    - {agent: discord, sha256: $(h $DISCORD_KEY), route: chat, priority: P3, monthly_cap_usd: 0.000001}
    - {agent: webchat, sha256: $(h $WEB_KEY)}
EOF
LLMR_STATE=$TEST_DIR/state.db
export LLMR_STATE
hello='"messages":[{"role":"user","content":"hello"}]'

run llmr-ask --check-config
is "$status" 0 "the serve: section is valid config"
printf 'serve: {keys: [{agent: x, key: sk-plain}]}\n' >plain.conf
run llmr-ask --config plain.conf --check-config
is "$status" 78 "a plain key in the config is refused"
like "$err" "client keys never go in the config" "  saying to write its sha256"
unlike "$err" "sk-plain" "  without echoing it"
printf 'serve: {keys: [{agent: x, sha256: abc}]}\n' >bad.conf
run llmr-ask --config bad.conf --check-config
like "$err" "'sha256' must be 64 hex digits" "a short hash is refused"

serve_start 0.0.0.0:0 || bail_out "llmr-ask --serve did not start: $(cat "$SERVE_LOG")"
pass "with keys, 0.0.0.0 may be served"

api POST /v1/chat/completions -d "{$hello}"
is "$code $(jq_out '.error | "\(.type) \(.code)"')" "401 invalid_request_error invalid_api_key" "no key: 401"
api POST /v1/chat/completions -H "Authorization: Bearer sk-wrong" -d "{$hello}"
is "$code" 401 "a wrong key: 401"
api GET /v1/models
is "$code" 401 "models need a key too"
api GET /health
is "$code" 200 "health does not"
api GET /
is "$code" 401 "the status page needs a key"
like "$(hdr www-authenticate)" '^Basic realm="llmr"' "  and asks a browser for it"
api GET / -u "admin:$WEB_KEY"
is "$code" 200 "  which a browser sends as a password"

# webchat: the default route.
api POST /v1/chat/completions -H "Authorization: Bearer $WEB_KEY" -d "{$hello}"
is "$code $(jq_out .model)" "200 openai/gpt-4o-mini" "webchat: the default route"
web_rid=$(jq_out .llmr.request_id)
# discord: its route and priority.
api POST /v1/chat/completions -H "Authorization: Bearer $DISCORD_KEY" -d "{\"model\":\"llmr\",$hello}"
is "$code $(jq_out .model)" "200 groq/llama3-8b-8192" "discord: model llmr is its route"
rid=$(jq_out .llmr.request_id)
is "$(sqlite3 "$LLMR_STATE" "SELECT priority FROM requests WHERE request_id = '$rid'")" P3 "discord: its priority"
is "$(sqlite3 "$LLMR_STATE" "SELECT agent FROM serve_agents WHERE request_id IN ('$rid', '$web_rid') ORDER BY agent")" \
	"$(printf 'discord\nwebchat')" "each request is logged under its agent"
like "$(cat "$SERVE_LOG")" "serve: POST /v1/chat/completions 200 agent=discord id=$rid " "the log line names the agent"
# The cap: discord spent 0.00000375 USD with that answer, over its cap.
n=$(fake_count)
api POST /v1/chat/completions -H "Authorization: Bearer $DISCORD_KEY" -d "{$hello}"
is "$code $(jq_out .error.code)" "429 budget_exceeded" "discord over its monthly cap: 429"
like "$(jq_out .error.message)" "agent 'discord' has spent its monthly cap" "  saying so"
ok_cond "  Retry-After is the start of next month ($(hdr retry-after) s)" test "$(hdr retry-after)" -ge 1
is "$(fake_count)" "$n" "  no provider was called"
api POST /v1/chat/completions -H "Authorization: Bearer $WEB_KEY" -d "{$hello}"
is "$code" 200 "webchat has no cap: still answered"

# The status page, as a browser gets it.
api GET / -H "Authorization: Bearer $WEB_KEY"
cp "$OUT" status.html
is "$(hdr content-type)" "text/html; charset=utf-8" "status page: HTML"
unlike "$(cat status.html)" '(src|href)=' "  no external asset"
like "$(cat status.html)" 'http-equiv=refresh' "  refreshes itself"

# A key never leaves the client: not in the log, the state, an answer.
for k in "$DISCORD_KEY" "$WEB_KEY"; do
	is "$(cat "$SERVE_LOG" status.html "$OUT" | grep -c -- "$k")" 0 "key ${k%-*}: not in the log or answers"
	is "$(sqlite3 "$LLMR_STATE" .dump | grep -c -- "$k")" 0 "key ${k%-*}: not in the state"
done
serve_stop
is "$serve_status" 0 "stopped"

# Spending per agent in llmr-cost.
llmr-ask -m openai/gpt-4o-mini "not served" >/dev/null
run llmr-cost --by agent --json
is "$status" 0 "llmr-cost --by agent"
grp() { jq_out ".groups[] | select(.key == \"$1\") | $2" 2>/dev/null || jq -r ".groups[] | select(.key == \"$1\") | $2" "$OUT"; }
is "$(grp webchat .requests)" 2 "  webchat: its 2 answered requests"
is "$(grp discord .requests)" 1 "  discord: its 1"
is "$(grp '(none)' .requests)" 1 "  (none): the llmr-ask run from the shell"
run llmr-cost --by agent
like "$out" '^ *webchat ' "  the text report has a row per agent"

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	skip "chromium is not installed: the status page's DOM"
	done_testing
	exit 0
fi
flags="--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --user-data-dir=$TEST_DIR/chromium"
timeout 120 "$CHROMIUM" $flags '--host-resolver-rules=MAP * ~NOTFOUND' --dump-dom \
	"file://$TEST_DIR/status.html" >dom.html 2>chromium.log
ok_cond "chromium parsed the page" grep -q '<table id="providers">' dom.html
row() { tr -d '\n' <dom.html | grep -o "<tr><td>$1</td>.*" | sed 's|</tr>.*||'; }
like "$(row openai)" '<td>active</td><td class="ok">closed</td><td>rpd: 2 used, <b>98 left</b> of 100 req' \
	"openai's row: status, breaker, quota used and left"
like "$(row openai)" 'rpd: [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]+ UTC' "  with the next reset"
like "$(row groq)" '<td>no limits</td>' "groq's row: no limits"
like "$(cat dom.html)" '<p id="degraded">Degraded mode: <b>off</b>' "degraded mode"
like "$(cat dom.html)" '<p id="forecast">This month so far: <b>\$0\.000[0-9]+</b>' "the month's spending and forecast"
chat_usd=$(sqlite3 "$LLMR_STATE" "SELECT printf('%.4f', sum(cost_usd)) FROM requests WHERE route = 'chat'")
like "$(tr -d '\n' <dom.html | grep -o '<table id="routes">.*' | sed 's|</table>.*||')" \
	"<td>chat</td><td>\\\$$chat_usd</td>" "spending by route: chat, today"
agents=$(tr -d '\n' <dom.html | grep -o '<table id="agents">.*' | sed 's|</table>.*||')
web_usd=$(sqlite3 "$LLMR_STATE" "SELECT printf('%.4f', sum(cost_usd)) FROM requests WHERE request_id IN (SELECT request_id FROM serve_agents WHERE agent = 'webchat')")
like "$agents" "<td>webchat</td><td>\\\$$web_usd</td><td>\\\$$web_usd</td>" "spending by agent: webchat, today and this month"
like "$agents" '<td>discord</td><td>\$0\.0000</td>' "spending by agent: discord"
done_testing
