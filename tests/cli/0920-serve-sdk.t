#!/bin/sh
# 0920-serve-sdk.t - llmr-ask --serve with the official openai npm client
# (tests/serve/package.json pins it; make deps installs it): a chat
# completion, a stream with usage, models.list, embeddings in the SDK's
# default encoding (base64) decoded to the same vectors as "float", a 429
# from llmr's own quota surfaced with its retry-after (maxRetries 0), 401
# without a valid key. Then 100 concurrent streams: each answered and
# logged exactly once, and the fake's own limit never exceeded.
. "$(dirname "$0")/lib.sh"
. "$LLMR_SRC/tests/cli/serve.sh"
command -v node >/dev/null 2>&1 || skip_all "node is needed (make deps)"
node -e 'process.exit(parseInt(process.versions.node, 10) >= 20 ? 0 : 1)' 2>/dev/null ||
	skip_all "node 20 or later is needed"
SDK_DIR=$LLMR_SRC/tests/serve
[ -f "$SDK_DIR/node_modules/openai/package.json" ] ||
	skip_all "the openai client is not installed (make deps, or npm ci in tests/serve)"
fake_start
write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [openai/gpt-4o-mini, groq/llama3-8b-8192]
  limited:
    tiers:
      simple: [deepseek/deepseek-chat]
      medium: [deepseek/deepseek-chat]
      complex: [deepseek/deepseek-chat]'
# llmr knows openai's limit: 40 requests a minute; the fake enforces it.
sed -i '/api_key_env: TEST_OPENAI_KEY/a\    limits: {rpm: 40}' "$LLMR_CONFIG"
sed -i '/api_key_env: TEST_DEEPSEEK_KEY/a\    limits: {rpd: 1}' "$LLMR_CONFIG"
KEY=sk-llmr-sdk-test-3c9d
cat >>"$LLMR_CONFIG" <<EOF
aliases: {gpt-4o-mini: openai/gpt-4o-mini}
serve:
  keys:
    - {agent: sdk, sha256: $(printf %s $KEY | sha256sum | cut -c1-64)}
EOF
fake_limit '{"family":"openai","requests":40,"window_ms":60000}'
LLMR_STATE=$TEST_DIR/state.db
export LLMR_STATE

serve_start || bail_out "llmr-ask --serve did not start: $(cat "$SERVE_LOG")"
LLMR_URL=$SERVE_URL/v1
LLMR_KEY=$KEY
export LLMR_URL LLMR_KEY
sdk() { run node "$SDK_DIR/client.mjs" "$@"; }

sdk chat gpt-4o-mini
is "$status" 0 "chat: the SDK accepts the answer"
is "$(jq_out '[.object, .content, .finish, .model, .usage.total_tokens] | map(tostring) | join(" ")')" \
	"chat.completion Hello! stop openai/gpt-4o-mini 1146" "chat: content, finish, model, usage"
is "$(jq_out .llmr.route)" default "chat: the llmr extension reaches the client"

sdk stream gpt-4o-mini
is "$status" 0 "stream: the SDK reads it to the end"
is "$(jq_out '[.text, .finish, .usage.prompt_tokens, .usage.completion_tokens] | map(tostring) | join(" ")')" \
	"Hello! stop 1144 2" "stream: the text, finish_reason and the usage chunk"

sdk models
is "$(jq_out '[.ids[] | select(. == "default" or . == "gpt-4o-mini" or . == "openai/gpt-4.1")] | join(" ")')" \
	"default gpt-4o-mini openai/gpt-4.1" "models.list: routes, aliases, provider/model"

sdk embed
is "$(jq_out '[.same, .n, .dim, .nonzero] | map(tostring) | join(" ")')" "true 2 1024 true" \
	"embeddings: the default (base64) decodes to the float vectors"

sdk chat limited
is "$(jq_out .model)" deepseek/deepseek-chat "limited route: the first request of the day is answered"
sdk error limited
is "$(jq_out '[.name, .status, .type, .code] | map(tostring) | join(" ")')" \
	"RateLimitError 429 rate_limit_error rate_limit_exceeded" "llmr's own quota: the SDK raises RateLimitError"
like "$(jq_out .retry_after)" '^[0-9]+$' "  with the retry-after header ($(jq_out .retry_after) s)"

LLMR_KEY=sk-not-this-one sdk error gpt-4o-mini
is "$(jq_out '[.name, .status, .code] | map(tostring) | join(" ")')" \
	"AuthenticationError 401 invalid_api_key" "a wrong key: AuthenticationError 401"

# 100 concurrent streams. openai takes 40 a minute: llmr sends it at most
# that many and the rest fall back to groq.
# llmr counts the minute's requests already made (the fake forgets them).
openai_before=$(fake_count '.family=="openai"')
fake_reset
fake_limit '{"family":"openai","requests":'$((40 - openai_before))',"window_ms":60000}'
before=$(sqlite3 "$LLMR_STATE" "SELECT count(*) FROM serve_agents")
last=$(sqlite3 "$LLMR_STATE" "SELECT max(rowid) FROM serve_agents")
lines_before=$(grep -c 'serve: POST /v1/chat/completions 200 .* stream$' "$SERVE_LOG")
sdk concurrent 100 llmr
is "$status" 0 "100 concurrent streams: the SDK finished them all"
is "$(jq_out '[.ok, .answered, .ids] | map(tostring) | join(" ")')" "100 100 100" \
	"  each answered, each its own id"
[ "$(jq_out .ok)" = 100 ] || diag "$(jq_out .failed)"
i=0; until [ "$(grep -c 'serve: POST /v1/chat/completions 200 .* stream$' "$SERVE_LOG")" -ge $((lines_before + 100)) ] || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done
is "$(( $(grep -c 'serve: POST /v1/chat/completions 200 .* stream$' "$SERVE_LOG") - lines_before ))" 100 "  one log line each"
is "$(( $(sqlite3 "$LLMR_STATE" "SELECT count(*) FROM serve_agents") - before ))" 100 "  each recorded under its agent once"
is "$(sqlite3 "$LLMR_STATE" "SELECT count(*) FROM (SELECT a.request_id FROM serve_agents a JOIN requests r USING (request_id) WHERE a.rowid > $last AND r.status = 'ok' GROUP BY a.request_id HAVING count(*) = 1)")" \
	100 "  each request has exactly one answered attempt in the request log"
is "$(fake_jq '.by_status["429"] // 0')" 0 "the fake never refused one: llmr kept to openai's 40 a minute"
n_openai=$(fake_count '.family=="openai"')
ok_cond "  openai got $n_openai of the $((40 - openai_before)) left" test "$n_openai" -le $((40 - openai_before)) -a "$n_openai" -ge 20
is "$(fake_count '.family=="groq"')" $((100 - n_openai)) "  the others fell back to groq"
ok_cond "the fake saw them concurrently (max $(fake_jq .max_concurrent))" test "$(fake_jq .max_concurrent)" -gt 1

unlike "$(cat "$SERVE_LOG")" "$KEY" "the key is not in the log"
serve_stop
is "$serve_status" 0 "SIGTERM: exit 0"
done_testing
