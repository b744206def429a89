#!/bin/sh
# 0900-serve.t - llmr-ask --serve on the wire, with curl: the OpenAI shapes
# of a chat completion, a stream (with and without usage, an error after
# text), models, embeddings (float and base64 decode to the same vector),
# health; every error status (400, 404, 413, 429 with Retry-After from
# llmr's own quota, 502/503 when the providers fail); the request log;
# a loopback-only listener without keys; SIGHUP reloads, a broken config
# keeps the old one; SIGTERM lets a request in flight finish.
. "$(dirname "$0")/lib.sh"
. "$LLMR_SRC/tests/cli/serve.sh"
command -v curl >/dev/null 2>&1 || skip_all "curl is needed"
fake_start
write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [openai/gpt-4o-mini, groq/llama3-8b-8192]
  limited:
    tiers:
      simple: [deepseek/deepseek-chat]
      medium: [deepseek/deepseek-chat]
      complex: [deepseek/deepseek-chat]'
sed -i '/api_key_env: TEST_DEEPSEEK_KEY/a\    limits: {rpd: 1}' "$LLMR_CONFIG"
printf 'aliases: {gpt-3.5-turbo: default, mini: openai/gpt-4o-mini}\n' >>"$LLMR_CONFIG"
LLMR_STATE=$TEST_DIR/state.db
export LLMR_STATE
J='Content-Type: application/json'
hello='"messages":[{"role":"user","content":"hello"}]'

serve_start || bail_out "llmr-ask --serve did not start: $(cat "$SERVE_LOG")"
like "$(cat "$SERVE_LOG")" '^llmr-ask: serving on http://127\.0\.0\.1:[0-9]+/$' "it says where it listens"

api GET /health
is "$code $out" '200 {"status":"ok"}' "GET /health"

# A chat completion through an alias of a route.
api POST /v1/chat/completions -H "$J" -d "{\"model\":\"gpt-3.5-turbo\",$hello}"
is "$code" 200 "chat: 200"
is "$(jq_out '[.object, .choices[0].message.role, .choices[0].message.content, .choices[0].finish_reason, .choices[0].index] | join(" ")')" \
	"chat.completion assistant Hello! stop 0" "chat: OpenAI's shape"
is "$(jq_out '.usage | "\(.prompt_tokens) \(.completion_tokens) \(.total_tokens)"')" "1144 2 1146" "chat: usage in OpenAI's names"
like "$(jq_out .id)" '^chatcmpl-' "chat: a chatcmpl- id"
is "$(jq_out '.created | type')" number "chat: created"
is "$(jq_out .model)" openai/gpt-4o-mini "chat: model is what answered"
is "$(hdr x-llmr-model)" openai/gpt-4o-mini "header x-llmr-model"
is "$(hdr x-llmr-route)" default "header x-llmr-route: the alias's route"
like "$(hdr x-llmr-cost-usd)" '^0\.0000[0-9]+$' "header x-llmr-cost-usd"
is "$(jq_out '.llmr | "\(.route) \(.model) \(.cache)"')" "default openai/gpt-4o-mini miss" "the llmr extension member"
rid=$(jq_out .llmr.request_id)
is "$(sqlite3 "$LLMR_STATE" "SELECT count(*) || ' ' || route || ' ' || model FROM requests WHERE request_id = '$rid'")" \
	"1 default gpt-4o-mini" "the request is in the request log, like any llmr-ask"
like "$(cat "$SERVE_LOG")" "^llmr-ask: serve: POST /v1/chat/completions 200 agent=- id=$rid model=openai/gpt-4o-mini cost=0\.0000[0-9]+ [0-9]+ms$" \
	"one log line for the request"

# A provider/model, and a text-parts content.
api POST /v1/chat/completions -d '{"model":"groq/llama3-8b-8192","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"hello"}]}]}'
is "$code $(jq_out .model)" "200 groq/llama3-8b-8192" "model provider/model: only that model"
is "$(fake_last .family)" groq "  and the fake saw groq"
is "$(fake_jq '.log[-1].body.messages[0].content')" "Be brief." "  the system message went through"

# Streams.
api POST /v1/chat/completions -N -d "{\"model\":\"mini\",\"stream\":true,\"stream_options\":{\"include_usage\":true},$hello}"
is "$code" 200 "stream: 200"
like "$(hdr content-type)" '^text/event-stream' "stream: text/event-stream"
is "$(hdr x-llmr-route)" openai/gpt-4o-mini "stream: x-llmr-route is what was asked (the alias's model)"
is "$(grep -c . "$OUT")" "$(grep -c '^data: ' "$OUT")" "stream: every line is a data: event"
is "$(grep '^data: ' "$OUT" | tail -1)" "data: [DONE]" "stream: ends with data: [DONE]"
grep '^data: {' "$OUT" | sed 's/^data: //' >chunks.jsonl
is "$(jq -r .object chunks.jsonl | sort -u)" chat.completion.chunk "stream: chat.completion.chunk objects"
is "$(jq -r '.id' chunks.jsonl | sort -u | wc -l)" 1 "stream: one id"
is "$(jq -j '.choices[0].delta.content // empty' chunks.jsonl)" "Hello!" "stream: the deltas make the answer"
is "$(jq -r 'select(.choices[0].delta.role) | .choices[0].delta.role' chunks.jsonl)" assistant "stream: the first delta has the role"
is "$(jq -r 'select(.choices[0].finish_reason) | .choices[0].finish_reason' chunks.jsonl)" stop "stream: a finish_reason"
is "$(jq -r 'select(.llmr) | .llmr.model' chunks.jsonl)" openai/gpt-4o-mini "stream: the llmr member in the last chunk"
is "$(tail -1 chunks.jsonl | jq -c '[.choices, .usage.total_tokens]')" '[[],1146]' "stream: include_usage adds a usage chunk with no choice"
api POST /v1/chat/completions -N -d "{\"model\":\"mini\",\"stream\":true,$hello}"
is "$(grep -c '"usage"' "$OUT")" 0 "stream: no usage chunk unless asked"
like "$(cat "$SERVE_LOG")" "serve: POST /v1/chat/completions 200 agent=- id=[^ ]+ model=openai/gpt-4o-mini cost=[0-9.]+ [0-9]+ms stream$" \
	"stream: logged once it ended"
# The provider's stream is cut after "Hello": one model, no fallback.
fake_script '{"family":"openai","cut_after_bytes":700}'
api POST /v1/chat/completions -N -d "{\"model\":\"openai/gpt-4o-mini\",\"stream\":true,$hello}"
is "$code $(grep '^data: {' "$OUT" | sed 's/^data: //' | jq -j '.choices[0].delta.content // empty')" "200 Hello" \
	"stream cut after text: the text came"
like "$(grep '^data: {"error"' "$OUT" | sed 's/^data: //' | jq -r '.error.message')" '.' "  an error event with a message"
is "$(grep '^data: ' "$OUT" | tail -1)" "data: [DONE]" "  then data: [DONE]"

# Models and embeddings.
api GET /v1/models
is "$(jq_out .object)" list "models: a list"
for id in llmr default limited gpt-3.5-turbo mini openai/gpt-4o-mini anthropic/claude-haiku-4-5; do
	is "$(jq_out --arg i "$id" '.data[] | select(.id == $i) | .object' 2>/dev/null || jq -r --arg i "$id" '.data[] | select(.id == $i) | .object' "$OUT")" model "models: $id"
done
api POST /v1/embeddings -d '{"model":"llmr","input":["le tri du textile","bonjour"],"encoding_format":"float"}'
jq -c '[.data[] | .embedding]' "$OUT" >float.json
is "$code $(jq_out '[.object, (.data | length), (.data[0].embedding | length), .data[1].index] | map(tostring) | join(" ")')" \
	"200 list 2 1024 1" "embeddings: float, one vector per input, the local embedder's 1024 dimensions"
api POST /v1/embeddings -d '{"model":"llmr","input":["le tri du textile","bonjour"],"encoding_format":"base64"}'
python3 - "$OUT" float.json >b64.check <<'PY'
import base64, json, struct, sys
b = json.load(open(sys.argv[1]))["data"]
f = json.load(open(sys.argv[2]))
ok = True
for d, want in zip(b, f):
    raw = base64.b64decode(d["embedding"])
    got = struct.unpack("<%df" % (len(raw) // 4), raw)
    ok = ok and len(got) == len(want) and all(abs(x - y) < 1e-6 for x, y in zip(got, want))
print("same" if ok and len(b) == len(f) == 2 else "differ")
PY
is "$(cat b64.check)" same "embeddings: base64 is little-endian float32 of the same vectors"
api POST /v1/embeddings -d '{"input":"x","encoding_format":"hex"}'
is "$code $(jq_out .error.param)" "400 encoding_format" "embeddings: an unknown encoding is a 400"

# Errors, in OpenAI's shape.
api POST /v1/chat/completions -d "{\"model\":\"nope\",$hello}"
is "$code $(jq_out '.error | "\(.type) \(.code) \(.param)"')" "404 invalid_request_error model_not_found model" "unknown model: 404"
api POST /v1/chat/completions -d '{"messages":'
is "$code $(jq_out .error.code)" "400 invalid_json" "broken JSON: 400"
api POST /v1/chat/completions -d "{\"functions\":[{\"name\":\"f\"}],$hello}"
is "$code $(jq_out .error.param)" "400 functions" "the legacy functions: 400, not silently dropped"
like "$(jq_out .error.message)" "send 'tools'" "  naming what to send (0930 passes tools through)"
api POST /v1/chat/completions -d "{\"tools\":[{\"type\":\"function\"}],$hello}"
is "$code $(jq_out .error.message)" "400 tools[0]: needs \"type\": \"function\" and a \"function\" with a \"name\"" "a tool without a name: 400"
api POST /v1/chat/completions -d '{"messages":[{"role":"tool","content":"x"}]}'
is "$code" 400 "a tool message without tool_call_id: 400"
api POST /v1/chat/completions -d '{"messages":[]}'
is "$code $(jq_out .error.param)" "400 messages" "no messages: 400"
api POST /v1/chat/completions -d "{\"n\":2,$hello}"
is "$code $(jq_out .error.param)" "400 n" "n=2: 400"
api GET /v1/nothing
is "$code $(jq_out .error.code)" "404 unknown_url" "unknown path: 404"
head -c 5000000 /dev/zero | tr '\0' a >big.json
api POST /v1/chat/completions --data-binary @big.json
is "$code $(jq_out .error.code)" "413 request_too_large" "a body over 4 MiB: 413"
api POST /v1/chat/completions -H 'Transfer-Encoding: chunked' --data-binary @big.json
is "$code" 413 "  also when chunked, without a Content-Length"

# 429 from llmr's own quota: deepseek allows 1 request a day.
api POST /v1/chat/completions -d "{\"model\":\"limited\",$hello}"
is "$code" 200 "limited route: the first request of the day"
n=$(fake_count '.family=="deepseek"')
api POST /v1/chat/completions -d "{\"model\":\"limited\",$hello}"
is "$code $(jq_out '.error | "\(.type) \(.code)"')" "429 rate_limit_error rate_limit_exceeded" "the second: 429 from llmr itself"
like "$(hdr retry-after)" '^[0-9]+$' "  with Retry-After"
ok_cond "  Retry-After is when the day window frees ($(hdr retry-after) s)" test "$(hdr retry-after)" -gt 80000
is "$(fake_count '.family=="deepseek"')" "$n" "  the fake was not called"
api POST /v1/chat/completions -N -d "{\"model\":\"limited\",\"stream\":true,$hello}"
is "$code $(hdr retry-after | grep -c .)" "429 1" "a stream refused before any text: 429 too, not a 200 stream"

# Every provider failing: 503 when they are rate-limited, 502 otherwise.
fake_script '{"family":"openai","status":429,"times":-1}'
api POST /v1/chat/completions -d "{\"model\":\"openai/gpt-4o-mini\",$hello}"
is "$code $(jq_out .error.type)" "503 server_error" "providers rate-limited: 503"
fake_reset
fake_script '{"family":"openai","status":500,"times":-1}'
api POST /v1/chat/completions -d "{\"model\":\"openai/gpt-4o-mini\",$hello}"
is "$code $(jq_out .error.code)" "502 providers_failed" "providers failing: 502"
fake_reset

# SIGHUP: a new alias appears; a broken config keeps the old one.
printf 'aliases: {gpt-3.5-turbo: default, mini: openai/gpt-4o-mini, fast: groq/llama3-8b-8192}\n' >alias.yaml
sed -i '/^aliases:/d' "$LLMR_CONFIG"
cat alias.yaml >>"$LLMR_CONFIG"
kill -HUP "$SERVE_PID"
i=0; until grep -q 'reload:' "$SERVE_LOG" || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done
like "$(cat "$SERVE_LOG")" 'llmr-ask: reload: .*llmr.conf loaded' "SIGHUP: reloaded"
api POST /v1/chat/completions -d "{\"model\":\"fast\",$hello}"
is "$code $(jq_out .model)" "200 groq/llama3-8b-8192" "  the new alias answers"
cp "$LLMR_CONFIG" good.conf
printf 'bogus_key: 1\n' >>"$LLMR_CONFIG"
kill -HUP "$SERVE_PID"
i=0; until grep -q 'previous config' "$SERVE_LOG" || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done
like "$(cat "$SERVE_LOG")" 'llmr-ask: reload: .*bogus_key.*\(still serving the previous config\)' "a broken config: reported"
api POST /v1/chat/completions -d "{\"model\":\"fast\",$hello}"
is "$code" 200 "  and the previous one still serves"
cp good.conf "$LLMR_CONFIG"

# SIGTERM: a request in flight (the fake waits 1.5 s) is still answered.
fake_script '{"family":"openai","delay_ms":1500}'
curl -s -o slow.json -w '%{http_code}' "$SERVE_URL/v1/chat/completions" -d "{\"model\":\"mini\",$hello}" >slow.code &
curl_pid=$!
i=0; until [ "$(fake_jq '.in_flight')" = 1 ] || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done
serve_stop TERM
wait "$curl_pid"
is "$(cat slow.code) $(jq -r .choices[0].message.content slow.json)" "200 Hello!" "SIGTERM: the request in flight was answered"
is "$serve_status" 0 "  then exit 0"
like "$(cat "$SERVE_LOG")" 'llmr-ask: stopped$' "  saying so"

# serve.timeout: a client that stops sending mid-request is cut off.
printf 'serve: {timeout: 1s}\n' >>"$LLMR_CONFIG"
serve_start || bail_out "llmr-ask --serve did not restart: $(cat "$SERVE_LOG")"
took=$(python3 - "$SERVE_PORT" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
t0 = time.monotonic()
s.settimeout(30)
try:
    while s.recv(4096):
        pass
except OSError:
    pass
print(round(time.monotonic() - t0))
PY
)
ok_cond "serve.timeout 1s: a stalled request is closed after ${took}s" test "$took" -ge 1 -a "$took" -le 5
serve_stop

# Only loopback without keys; a bad address is a usage error.
serve_start 0.0.0.0:0
is "$serve_status" 64 "0.0.0.0 without serve keys: refused (64)"
like "$(cat "$SERVE_LOG")" 'llmr-ask: --serve: 0\.0\.0\.0:0 is not a loopback address' "  saying why"
serve_start nothere:80
is "$serve_status" 64 "a host that is not an address: 64"
run llmr-ask --serve 127.0.0.1:0 "a prompt"
is "$status" 64 "--serve with a prompt: 64"
done_testing
