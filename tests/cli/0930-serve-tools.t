#!/bin/sh
# 0930-serve-tools.t - tool calls through llmr-ask --serve, driven by the
# official openai npm client (tests/serve/client.mjs "tools"): the SDK
# sends a chat with tools, the fake answers with the real tool-call
# capture, the SDK gets tool_calls, sends the tool result back and gets the
# final answer. The same exchange with an Anthropic model (the real
# streamed tool_use capture), and streamed tool-call deltas reaching the
# SDK intact. The fake's request log shows the translation on each wire.
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
      simple: [openai/gpt-4o-mini]
  claude:
    force: simple
    tiers:
      simple: [anthropic/claude-haiku-4-5]'
LLMR_STATE=$TEST_DIR/state.db
export LLMR_STATE
serve_start || bail_out "llmr-ask --serve did not start: $(cat "$SERVE_LOG")"
LLMR_URL=$SERVE_URL/v1
export LLMR_URL
sdk() { run node "$SDK_DIR/client.mjs" "$@"; }
# The n-th request the fake got, as it got it.
body() { fake_jq ".log[$1].body | $2"; }

# OpenAI, not streamed: the real single-call capture, then the default answer.
fake_script '{"family":"openai","fixture":"openai-chat-toolcall"}'
sdk tools default
is "$status" 0 "openai: the SDK completes the exchange"
[ "$status" = 0 ] || diag "$out $err"
is "$(jq_out '[.first.finish, .first.tool_calls[0].id, .first.tool_calls[0].function.name, .first.tool_calls[0].function.arguments, (.first.content|tostring)] | join(" ")')" \
	'tool_calls call_x9KzZUT3UYazEUJiRmE0PvaU get_weather {"location":"Tokyo"} null' \
	"openai: the SDK gets the capture's tool_calls, content null"
is "$(jq_out '[.second.finish, .second.content] | join(" ")')" "stop Hello!" \
	"openai: after the tool result, the final answer"
is "$(body 0 '[.tools[0].function.name, .tools[0].type] | join(" ")')" "get_weather function" \
	"openai wire: tools go as sent"
is "$(body 1 '[.messages[1].role, .messages[1].tool_calls[0].id, (.messages[1].content|tostring), .messages[2].role, .messages[2].tool_call_id] | join(" ")')" \
	"assistant call_x9KzZUT3UYazEUJiRmE0PvaU null tool call_x9KzZUT3UYazEUJiRmE0PvaU" \
	"openai wire: the assistant's call and the tool result go back"

# Streamed: the real streamed capture's deltas reach the SDK intact.
fake_reset
fake_script '{"family":"openai","fixture":"openai-chat-stream-toolcall"}'
sdk tools default stream
is "$status" 0 "openai stream: the SDK completes the exchange"
is "$(jq_out '[.first.finish, .first.pieces, .first.tool_calls[0].id, .first.tool_calls[0].function.arguments] | map(tostring) | join(" ")')" \
	'tool_calls 8 call_4XzlGBLtUe9dy3GVNV4jhq7h {"city":"New York City"}' \
	"openai stream: the 8 tool_calls pieces join to the captured call"
is "$(jq_out '[.second.finish, .second.content] | join(" ")')" "stop Hello!" \
	"openai stream: the final answer streams after the tool result"
is "$(body 1 '.messages[2] | [.role, .tool_call_id, (.content | fromjson | .city)] | join(" ")')" \
	"tool call_4XzlGBLtUe9dy3GVNV4jhq7h New York City" "openai stream wire: the result answers the streamed call"

# Anthropic (streamed: its only tool-call capture is a stream).
fake_reset
fake_script '{"family":"anthropic","fixture":"anthropic-messages-stream-toolcall"}'
sdk tools claude stream
is "$status" 0 "anthropic: the SDK completes the exchange"
[ "$status" = 0 ] || diag "$out $err"
is "$(jq_out '[.first.finish, .first.tool_calls[0].id, .first.tool_calls[0].function.name, .first.tool_calls[0].function.arguments] | join(" ")')" \
	'tool_calls toolu_01Lfr3kUnHMZApePPRWMv1uS get_current_temperature {"city": "San Francisco"}' \
	"anthropic: tool_use arrives as tool_calls, input_json_delta as arguments"
like "$(jq_out .first.content)" "^I'll help you find out the current temperature" "  with the text block as content"
is "$(jq_out '[.second.finish, .second.content] | join(" ")')" "stop Hello" \
	"anthropic: the final answer after the tool result"
is "$(body 0 '[.tools[0].name, (.tools[0].input_schema.required|join(",")), (.tools|length)] | map(tostring) | join(" ")')" \
	"get_weather city 1" "anthropic wire: tools with input_schema"
is "$(body 1 '.messages[1].content | map(.type) | join(",")')" "text,tool_use" \
	"anthropic wire: the assistant turn is a text block and a tool_use block"
is "$(body 1 '.messages[1].content[1] | [.id, .name, .input.city] | join(" ")')" \
	"toolu_01Lfr3kUnHMZApePPRWMv1uS get_current_temperature San Francisco" "  the tool_use block carries the call"
is "$(body 1 '.messages[2] | [.role, .content[0].type, .content[0].tool_use_id] | join(" ")')" \
	"user tool_result toolu_01Lfr3kUnHMZApePPRWMv1uS" "anthropic wire: the result is a tool_result block in a user turn"

# Through the server with curl: the captures' calls come out exactly.
TOOLS='"tools":[{"type":"function","function":{"name":"get_weather"}}]'
ASK='"messages":[{"role":"user","content":"Weather?"}]'
calls() { jq -cS "$1" "$2"; }
fake_reset
for f in openai-chat-toolcall openai-chat-toolcall-parallel; do
	fake_script "{\"family\":\"openai\",\"fixture\":\"$f\"}"
	api POST /v1/chat/completions -d "{$ASK,$TOOLS}"
	is "$(calls .choices[0].message.tool_calls "$OUT")" \
		"$(calls .choices[0].message.tool_calls "$FIXTURES/$f.json")" "$f: message.tool_calls exactly as captured"
done
pieces() { sed -n 's/^data: {/{/p' "$1" | jq -cS '.choices[0].delta.tool_calls[]?'; }
fake_script '{"family":"openai","fixture":"openai-chat-stream-toolcall"}'
api POST /v1/chat/completions -d "{$ASK,$TOOLS,\"stream\":true}"
is "$(pieces "$OUT")" "$(pieces "$FIXTURES/openai-chat-stream-toolcall.sse")" \
	"a stream: the delta.tool_calls pieces exactly as captured"
is "$(sed -n 's/^data: {/{/p' "$OUT" | jq -r '.choices[0].finish_reason // empty')" tool_calls \
	"  finish_reason tool_calls"
# Ollama's streamed call (its real capture) reaches the client as a whole piece.
fake_script '{"family":"ollama","fixture":"ollama-chat-stream-toolcall"}'
api POST /v1/chat/completions -d "{\"model\":\"ollama/llama3.2\",$ASK,$TOOLS,\"stream\":true}"
is "$(pieces "$OUT" | jq -r '"\(.index) \(.type) \(.function.name) \(.function.arguments)"')" \
	'0 function get_weather {"city":"Tokyo"}' "ollama stream: the call as one delta.tool_calls piece"
is "$(sed -n 's/^data: {/{/p' "$OUT" | jq -r '.choices[0].finish_reason // empty')" tool_calls \
	"  done_reason stop after a call: finish_reason tool_calls"
is "$(fake_last '.body.tools[0].function.name')" get_weather "  the tools went on Ollama's wire"
serve_stop
is "$serve_status" 0 "SIGTERM: exit 0"

# With the exact cache: a streamed request answered from it still gets its
# calls, whole under their index.
CACHE_TTL=1h write_config "$TEST_DIR/cached.conf" '  default:
    tiers:
      simple: [openai/gpt-4o-mini]'
serve_start || bail_out "llmr-ask --serve did not start: $(cat "$SERVE_LOG")"
fake_reset
fake_script '{"family":"openai","fixture":"openai-chat-toolcall-parallel"}'
api POST /v1/chat/completions -d "{$ASK,$TOOLS,\"stream\":true}"
api POST /v1/chat/completions -d "{$ASK,$TOOLS,\"stream\":true}"
is "$(sed -n 's/^data: {/{/p' "$OUT" | jq -r 'select(.llmr) | .llmr.cache')" exact "cache: the second stream is an exact hit"
is "$(pieces "$OUT" | jq -r '"\(.index) \(.id) \(.function.name)"' | tr '\n' ' ')" \
	"0 call_fdNz3vOBKYgOIpMdWotB9MjY GetWeatherArgs 1 call_h1DWI1POMJLb0KwIyQHWXD4p get_stock_price " \
	"  with both calls, whole, under their index"
is "$(fake_count)" 1 "  the fake was called once"
serve_stop
done_testing
