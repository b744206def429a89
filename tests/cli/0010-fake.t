#!/bin/sh
# The fake provider, driven with curl alone: byte-exact replay, model-named
# fixtures, scripted faults, the window limit, stats and reset.
. "$(dirname "$0")/lib.sh"

fake_start

# post PATH JSON [CURL-ARGS...]: body -> body, headers -> hdr, exit -> $rc
not() { ! "$@"; }
post() {
	_path=$1 _json=$2
	shift 2
	: >body
	: >hdr
	curl -s -D hdr -o body -X POST -H 'Content-Type: application/json' \
		--data-binary "$_json" "$@" "$FAKE_URL$_path"
	rc=$?
	code=
	read -r _proto code _rest <hdr
}
hdr() { # value of header $1 in hdr, any case
	awk -v k="$1" 'BEGIN { k = tolower(k) } { sub(/\r$/, ""); i = index($0, ":") }
		i && tolower(substr($0, 1, i - 1)) == k { v = substr($0, i + 1); sub(/^ +/, "", v); print v; exit }' hdr
}
jq_quiet() { jq -e . "$1" >/dev/null 2>&1; }
same() { # same FIXTURE DESC: body equals the fixture byte for byte
	if cmp -s body "$FIXTURES/$1"; then pass "$2"; else fail "$2"; diag "$(cmp body "$FIXTURES/$1")"; fi
}

# ---- replay, per family, plain and stream ----------------------------------
for fam in openai groq deepseek mistral openrouter; do
	post /$fam/v1/chat/completions '{"model":"m","messages":[]}'
	same $fam-chat.json "$fam: chat replayed byte for byte"
	post /$fam/v1/chat/completions '{"model":"m","stream":true}'
	same $fam-chat-stream.sse "$fam: chat stream replayed byte for byte"
done
is "$(hdr content-type)" "text/event-stream" "stream content-type"

post /openai/v1/chat/completions '{"model":"gpt-4o-mini"}'
is "$(hdr x-ratelimit-reset-requests)" "20ms" "openai: captured rate-limit headers on a 200"
is "$(hdr content-type)" "application/json" "openai: json content-type"
post /groq/v1/chat/completions '{"model":"x"}'
is "$(hdr x-ratelimit-remaining-requests)" "14399" "groq: captured rate-limit headers"

post /anthropic/v1/messages '{"model":"claude-sonnet-4-5","max_tokens":5}'
same anthropic-messages.json "anthropic: messages"
is "$(hdr anthropic-ratelimit-requests-remaining)" "49" "anthropic: captured rate-limit headers"
post /anthropic/v1/messages '{"model":"claude-sonnet-4-5","stream":true}'
same anthropic-messages-stream.sse "anthropic: messages stream"

post /gemini/v1beta/models/gemini-2.5-flash:generateContent '{"contents":[]}'
same gemini-generatecontent.json "gemini: generateContent"
post '/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse' '{}'
same gemini-stream.sse "gemini: SSE stream with CRLF separators"
post /gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent '{}'
same gemini-stream-jsonarray.json "gemini: JSON-array stream without alt=sse"

post /ollama/api/chat '{"model":"llama3.2"}'
same ollama-chat-stream.jsonl "ollama: chat streams by default"
is "$(hdr content-type)" "application/x-ndjson" "ollama: ndjson content-type"
post /ollama/api/chat '{"model":"llama3.2","stream":false}'
same ollama-chat.json "ollama: chat with stream false"
post /ollama/api/generate '{"model":"llama3.2","stream":false}'
same ollama-generate.json "ollama: generate"
post /ollama/api/embed '{"model":"all-minilm","input":"x"}'
same ollama-embed.json "ollama: embed"
post /ollama/v1/chat/completions '{"model":"llama3"}'
same ollama-openai-compat-chat.json "ollama /v1: OpenAI-compatible chat"
post /openai/v1/embeddings '{"model":"text-embedding-ada-002","input":"x"}'
same openai-embeddings.json "openai: embeddings"
post /openai/v1/embeddings '{"model":"text-embedding-3-small","input":"x","encoding_format":"base64"}'
same openai-embeddings-base64.json "openai: base64 embeddings"

# ---- model-named fixtures; pieces ------------------------------------------
post /openai/v1/chat/completions '{"model":"openai-chat-stream-multichoice","stream":true}'
same openai-chat-stream-multichoice.sse "model names a stream fixture"
post /openai/v1/chat/completions '{"model":"openai-chat-toolcall","stream":true}'
same openai-chat-stream-toolcall.sse "model NAME streams NAME with -stream inserted"
post /anthropic/v1/messages '{"model":"anthropic-messages-cache-write"}'
same anthropic-messages-cache-write.json "model names a plain fixture"
fake_script '{"family":"deepseek","chunk_bytes":3}'
post /deepseek/v1/chat/completions '{"model":"m","stream":true}'
same deepseek-chat-stream.sse "3-byte pieces (splitting UTF-8) still add up to the fixture"
ok_cond "a curl with no route gets 404" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{}' "$FAKE_URL/nope/v1/x")" = 404

# ---- scripted faults ---------------------------------------------------------
fake_reset
fake_script '{"family":"openai","status":429,"body_fixture":"openai-error-429.json","headers":{"retry-after":"7"}}'
post /openai/v1/chat/completions '{"model":"m"}'
is "$code" 429 "scripted 429 status"
is "$(hdr retry-after)" 7 "scripted header"
same openai-error-429.json "scripted body fixture"
post /openai/v1/chat/completions '{"model":"m"}'
is "$code" 200 "a times:1 script is consumed once"

fake_script '{"family":"anthropic","status":529}'
post /anthropic/v1/messages '{"model":"m"}'
is "$code" 529 "529 for anthropic"
same anthropic-error-529-overloaded.json "529 defaults to the real overloaded body"

fake_script '{"model":"only-this","status":500,"times":-1}'
post /groq/v1/chat/completions '{"model":"other"}'
is "$code" 200 "a script for another model does not match"
post /groq/v1/chat/completions '{"model":"only-this"}'
is "$code" 500 "times -1 applies ..."
post /mistral/v1/chat/completions '{"model":"only-this"}'
is "$code" 500 "... forever, across families"
fake_reset

fake_script '{"status":401,"body":"{\"error\":\"nope\"}"}'
post /openai/v1/chat/completions '{}'
is "$code:$(cat body)" '401:{"error":"nope"}' "literal body"

fake_script '{"delay_ms":150}'
post /openai/v1/chat/completions '{}'
same openai-chat.json "delay_ms still answers the normal body"
is "$(fake_last .fault)" delay "the log names the delay"

fake_script '{"hang":true}'
post /openai/v1/chat/completions '{}' --max-time 0.5
is "$rc" 28 "hang: curl --max-time gives up (exit 28)"
is "$(wc -c <body | tr -d ' ')" 0 "hang: nothing was received"

fake_script '{"cut_after_bytes":100}'
post /openai/v1/chat/completions '{"stream":true}'
isnt "$rc" 0 "cut stream: curl reports a partial transfer"
is "$(wc -c <body | tr -d ' ')" 100 "cut stream: exactly the first 100 bytes"
ok_cond "cut stream: they are the fixture's first bytes" cmp -s body "$FIXTURES/openai-chat-stream.sse" -n 100

fake_script '{"cut_after_bytes":10}'
post /openai/v1/chat/completions '{}'
isnt "$rc" 0 "cut plain body: curl sees fewer bytes than Content-Length"

fake_script '{"malformed":true}'
post /openai/v1/chat/completions '{}'
is "$code" 200 "malformed: status 200"
not_ok "malformed: body is not JSON" jq_quiet body

fake_script '{"malformed":true}'
post /openai/v1/chat/completions '{"stream":true}'
n_bad=$(sed -n 's/^data: //p' body | grep -v '^\[DONE\]' | while IFS= read -r l; do
	printf '%s' "$l" | jq -e . >/dev/null 2>&1 || echo bad; done | wc -l | tr -d ' ')
is "$n_bad" 1 "malformed stream: exactly one broken data line"

fake_script '{"huge_bytes":300000}'
post /openai/v1/chat/completions '{}'
is "$(wc -c <body | tr -d ' ')" 300000 "huge: body of the asked size"
not_ok "huge: never valid JSON" jq_quiet body

fake_script '{"stream_error":"anthropic-stream-error-overloaded.sse"}'
post /anthropic/v1/messages '{"stream":true}'
same anthropic-stream-error-overloaded.sse "stream_error fixture in a 200"
is "$code" 200 "stream_error keeps status 200"

fake_script '{"stall_ms":20,"fixture":"ollama-generate-stream-error"}'
post /ollama/api/generate '{"model":"x"}'
same ollama-generate-stream-error.jsonl "fixture by name, stalled pieces"

fake_script '{"framing":"close"}'
post /groq/v1/chat/completions '{"stream":true}'
same groq-chat-stream.sse "framing close: same bytes"
is "$(hdr connection)/$(hdr transfer-encoding)" close/ "framing close: Connection: close, not chunked"

fake_script '{"status":429,"headers_fixture":"anthropic-headers-429.txt"}'
post /anthropic/v1/messages '{}'
is "$code/$(hdr retry-after)/$(hdr anthropic-ratelimit-input-tokens-remaining)" 429/16/0 "headers_fixture adds a captured header set"
same anthropic-error-429.json "... with the family's real 429 body"

fake_script '[{"status":500},{"status":503}]'
post /openai/v1/chat/completions '{}'
c1=$code
post /openai/v1/chat/completions '{}'
c2=$code
post /openai/v1/chat/completions '{}'
is "$c1 $c2 $code" "500 503 200" "an array of scripts is consumed in order"
fake_script '{"path":"/embeddings","status":400}'
post /openai/v1/chat/completions '{}'
c1=$code
post /openai/v1/embeddings '{}'
is "$c1 $code" "200 400" "a script can select by path"
ok_cond "times 0 is refused" not fake_script '{"times":0,"status":500}' 2>/dev/null

# ---- window limit -----------------------------------------------------------
fake_reset
fake_limit '{"family":"openai","requests":2,"window_ms":60000}'
post /openai/v1/chat/completions '{}'
is "$(hdr x-ratelimit-limit-requests)/$(hdr x-ratelimit-remaining-requests)" 2/1 "limit: remaining on a 200"
post /openai/v1/chat/completions '{}'
is "$code" 200 "limit: second request admitted"
post /openai/v1/chat/completions '{}'
is "$code" 429 "limit: third request refused"
ra=$(hdr retry-after)
ok_cond "limit: retry-after in whole seconds, rounded up ($ra)" test "$ra" -ge 1 -a "$ra" -le 60
is "$(hdr x-ratelimit-remaining-requests)" 0 "limit: remaining 0"
like "$(hdr x-ratelimit-reset-requests)" '^([0-9]+m)?[0-9.]+m?s$' "limit: reset as a duration"
same openai-error-429-requests.json "limit: the real 429 body"
post /groq/v1/chat/completions '{}'
is "$code" 200 "limit: other families unaffected"
fake_ctl clock '{"advance_ms":60000}'
post /openai/v1/chat/completions '{}'
is "$code" 200 "limit: admitted again once the window has passed (fake clock)"

fake_limit '{"family":"groq","requests":1,"window_ms":300}'
post /groq/v1/chat/completions '{}'
sleep 0.4
post /groq/v1/chat/completions '{}'
is "$code" 200 "limit: admitted again after sleeping past a 300 ms window"

fake_limit '{"model":"mx","requests":1,"window_ms":60000}'
post /mistral/v1/chat/completions '{"model":"mx"}'
post /deepseek/v1/chat/completions '{"model":"mx"}'
is "$code" 429 "a model limit without family spans families"
post /deepseek/v1/chat/completions '{"model":"my"}'
is "$code" 200 "... and only that model"

fake_limit '{"family":"anthropic","requests":1,"window_ms":60000}'
post /anthropic/v1/messages '{}'
is "$(hdr anthropic-ratelimit-requests-remaining)" 0 "anthropic limit: remaining on the 200"
post /anthropic/v1/messages '{}'
is "$code" 429 "anthropic limit: refused"
like "$(hdr anthropic-ratelimit-requests-reset)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "anthropic limit: RFC 3339 reset"
ra=$(hdr retry-after)
ok_cond "anthropic limit: retry-after ($ra)" test "$ra" -ge 1 -a "$ra" -le 60
same anthropic-error-429.json "anthropic limit: real body"
fake_limit '{"family":"gemini","requests":1,"window_ms":60000}'
post /gemini/v1beta/models/g:generateContent '{}'
post /gemini/v1beta/models/g:generateContent '{}'
same gemini-error-429.json "gemini limit: real body"
is "$(fake_count '.fault=="limit"')" 4 "limited requests are logged as such"

fake_limit '{"family":"deepseek","tokens":100,"window_ms":60000}'
post /deepseek/v1/chat/completions '{"model":"m","max_tokens":60}'
is "$code:$(hdr x-ratelimit-remaining-tokens)" 200:32 "token limit: a request costs bytes/4 + max_tokens (8 + 60)"
post /deepseek/v1/chat/completions '{"model":"m","max_tokens":60}'
is "$code" 429 "token limit: a request that does not fit is refused"
same openai-error-429.json "token limit: the real tokens 429 body"
is "$(hdr x-ratelimit-remaining-tokens)" 32 "token limit: remaining tokens on the 429"
post /deepseek/v1/chat/completions '{"model":"m"}'
is "$code" 200 "token limit: a small request still fits"
fake_clock 60000
post /deepseek/v1/chat/completions '{"model":"m","max_tokens":60}'
is "$code" 200 "token limit: fits again after the window"

# ---- more faults, connections ---------------------------------------------------
fake_reset
fake_script '{"hang_after_bytes":50}'
post /anthropic/v1/messages '{"stream":true}' --max-time 0.5
is "$rc:$(wc -c <body | tr -d ' ')" 28:50 "hang_after_bytes: 50 bytes, then nothing until the client gives up"
ok_cond "an unknown script key is refused" not fake_script '{"statuss":500}' 2>/dev/null
post /openai/v1/chat/completions '{}'
is "$code" 200 "... and not installed"
n=$(curl -s -o /dev/null -o /dev/null -w '%{num_connects}\n' -X POST -d '{}' \
	"$FAKE_URL/openai/v1/chat/completions" "$FAKE_URL/groq/v1/chat/completions" | awk '{ n += $1 } END { print n }')
is "$n" 1 "keep-alive: two requests over one connection"
fake_script '{"delay_ms":300,"times":3}'
pids=
for i in 1 2 3; do
	curl -s -o /dev/null -X POST -d '{}' "$FAKE_URL/openai/v1/chat/completions" &
	pids="$pids $!"
done
wait $pids
ok_cond "max_concurrent counts overlapping requests" test "$(fake_jq .max_concurrent)" -ge 2
curl -s -o /dev/null -X POST -d '{}' "$FAKE_URL/gemini/v1beta/models/g:generateContent?key=AIzaSECRET"
is "$(fake_last .path)" /gemini/v1beta/models/g:generateContent?key=REDACTED "a key in the query is redacted"
is "$(fake_last .key_sha256)" "$(sha12 AIzaSECRET)" "... and hashed"

# ---- stats and reset ----------------------------------------------------------
fake_reset
curl -s -o /dev/null -X POST -H 'Authorization: Bearer sk-secret' -d '{"model":"m1","stream":false}' \
	"$FAKE_URL/openai/v1/chat/completions"
curl -s -o /dev/null -X POST -H 'x-api-key: ak-secret' -d '{"model":"m2"}' "$FAKE_URL/anthropic/v1/messages"
is "$(fake_jq .requests)" 2 "stats: request count"
is "$(fake_jq '.by_status["200"]')" 2 "stats: by status"
is "$(fake_jq .by_family.anthropic)" 1 "stats: by family"
is "$(fake_count '.model=="m1" and .stream==false')" 1 "fake_count filters the log"
is "$(fake_jq '.log[0].key_sha256')" "$(sha12 sk-secret)" "stats: key hash without Bearer"
is "$(fake_jq '.log[0].auth_sha256')" "$(sha12 'Bearer sk-secret')" "stats: credential header hash"
is "$(fake_last .auth_header)" x-api-key "stats: which header carried it"
unlike "$(fake_stats)" 'secret' "stats never hold the key"
is "$(fake_last .body.model)" m2 "stats: request body"
fake_reset
is "$(fake_jq .requests)" 0 "reset clears counters"
is "$(fake_jq '.log|length')" 0 "reset clears the log"
ok_cond "--log file got one line per request" test "$(wc -l <"$FAKE_LOG")" -ge 40

done_testing
