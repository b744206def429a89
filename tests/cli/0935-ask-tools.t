#!/bin/sh
# 0935-ask-tools.t - what agent clients send, through llmr-ask --jsonl:
# tools, tool_choice, tool messages and sampling parameters reach each
# wire translated (the fake logs the bodies); tool calls come back in the
# Response (the real parallel capture); a request in a tool exchange never
# goes to a model that takes no tools (tools: false, the extractive model),
# said in "skipped"; a tool-call answer holds no text but is not climbed
# over by the cascade; the exact cache keeps the calls and keys on the
# tools; bad agent fields are refused naming the field.
. "$(dirname "$0")/lib.sh"
fake_start
CACHE_TTL=1h
write_config "$TEST_DIR/llmr.conf" '  default:
    force: simple
    tiers:
      simple: [groq/llama3-8b-8192, openai/openai-chat-toolcall-parallel]
      medium: [openai/gpt-4.1]
  offline:
    tiers:
      simple: [local/extractive]
  wires:
    tiers:
      simple: [openai/gpt-4o-mini]'
# groq's llama3-8b takes no tools.
sed -i 's/llama3-8b-8192: {input: 0.05, output: 0.08,/llama3-8b-8192: {tools: false, input: 0.05, output: 0.08,/' "$LLMR_CONFIG"
LLMR_STATE=$TEST_DIR/state.db
export LLMR_STATE
TOOLS='"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]'
ASK='"messages":[{"role":"user","content":"Weather in Edinburgh, and AAPL?"}]'
ask() { printf '%s\n' "$1" >"$TEST_DIR/req.jsonl"; run llmr-ask --jsonl <"$TEST_DIR/req.jsonl"; }

ask "{\"id\":\"t1\",$ASK,$TOOLS}"
is "$status" 0 "a request with tools is answered"
is "$(jq_out '[.model, .finish_reason, (.tool_calls|length), .tool_calls[0].function.name, .tool_calls[1].function.name] | map(tostring) | join(" ")')" \
	"openai/openai-chat-toolcall-parallel tool_calls 2 GetWeatherArgs get_stock_price" \
	"the two parallel calls come back apart, in order"
is "$(jq_out '.tool_calls[1] | [.id, .function.arguments] | join(" ")')" \
	'call_h1DWI1POMJLb0KwIyQHWXD4p {"ticker": "AAPL", "exchange": "NASDAQ"}' "  each with its id and arguments"
like "$(jq_out '.skipped[0] | .model + ": " + .why')" '^groq/llama3-8b-8192: .*tools' \
	"the model without tools is skipped, saying why"
is "$(fake_count '.family=="groq"')" 0 "  and never called"
is "$(fake_count '.family=="openai"')" 1 "a tool-call answer has no text, yet the cascade does not climb"

printf '%s\n' "{\"id\":\"r1\",$ASK,$TOOLS}" >route.jsonl
run llmr-route <route.jsonl
is "$(jq_out '[.model, (.skipped[0].why | test("tools"))] | map(tostring) | join(" ")')" \
	"openai/openai-chat-toolcall-parallel true" "llmr-route decides the same: the model without tools is skipped"
ask "{\"id\":\"t2\",$ASK,$TOOLS}"
is "$(jq_out '[.cache, (.tool_calls|length)] | map(tostring) | join(" ")')" "exact 2" \
	"the same request again: an exact cache hit that keeps the calls"
ask "{\"id\":\"t3\",$ASK,\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}}]}"
is "$(jq_out .cache)" miss "other tools: not the same cache entry"

# In the middle of an exchange (a tool message), without tools: still not groq.
MID='"messages":[{"role":"user","content":"Weather?"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},{"role":"tool","tool_call_id":"call_1","content":"4 degrees"}]'
fake_reset
ask "{\"id\":\"t4\",$MID,\"cache\":false}"
is "$(jq_out .model)" openai/openai-chat-toolcall-parallel "a tool exchange under way skips the model without tools"
is "$(fake_last '.body.messages | map(.role) | join(",")')" "user,assistant,tool" "  the exchange goes on the wire whole"
ask '{"id":"t5","prompt":"hello","cache":false}'
is "$(jq_out .model)" groq/llama3-8b-8192 "without tools, that model answers as before"

ask "{\"id\":\"t6\",\"route\":\"offline\",$ASK,$TOOLS}"
isnt "$status" 0 "only the extractive model: the request with tools fails"
like "$(jq_out '.skipped[0].why')" "extractive model has none" "  saying why"

# Each wire, from the fake's log.
WANT="$TOOLS,\"tool_choice\":\"required\",\"parallel_tool_calls\":false,\"top_p\":0.5,\"seed\":3,\"stop\":[\"END\"],\"frequency_penalty\":0.1,\"cache\":false"
fake_reset
for m in gemini/gemini-2.5-flash ollama/llama3.2 anthropic/claude-haiku-4-5 openai/gpt-4o-mini; do
	ask "{\"model\":\"$m\",$MID,$WANT}"
	[ "$status" = 0 ] || diag "$m: $out $err"
done
g='.log[] | select(.family=="gemini") | .body'
is "$(fake_jq "$g | [.tools[0].functionDeclarations[0].name, .toolConfig.functionCallingConfig.mode, .contents[1].parts[0].functionCall.args.city, .contents[2].parts[0].functionResponse.name, .contents[2].parts[0].functionResponse.response.output, .generationConfig.topP, .generationConfig.seed, .generationConfig.stopSequences[0]] | map(tostring) | join(\" \")")" \
	"get_weather ANY Oslo get_weather 4 degrees 0.5 3 END" "gemini wire: declarations, toolConfig, functionCall/functionResponse, sampling"
o='.log[] | select(.family=="ollama") | .body'
is "$(fake_jq "$o | [.tools[0].function.name, .messages[1].tool_calls[0].function.arguments.city, .messages[2].tool_name, .options.top_p, .options.seed, .options.stop[0], (.tool_choice|tostring)] | map(tostring) | join(\" \")")" \
	"get_weather Oslo get_weather 0.5 3 END null" "ollama wire: tools, object arguments, tool_name, options; tool_choice dropped"
a='.log[] | select(.family=="anthropic") | .body'
is "$(fake_jq "$a | [.tool_choice.type, .tool_choice.disable_parallel_tool_use, .stop_sequences[0], .top_p, (.seed|tostring), (.frequency_penalty|tostring)] | map(tostring) | join(\" \")")" \
	"any true END 0.5 null null" "anthropic wire: tool_choice any, stop_sequences, top_p; seed and penalties dropped"
p='.log[] | select(.family=="openai") | .body'
is "$(fake_jq "$p | [.tool_choice, .parallel_tool_calls, .top_p, .seed, .stop[0], .frequency_penalty, .messages[2].tool_call_id] | map(tostring) | join(\" \")")" \
	"required false 0.5 3 END 0.1 call_1" "openai wire: everything as sent"

ask "{$ASK,\"tool_choice\":\"sometimes\"}"
is "$status" 65 "a bad tool_choice: exit 65"
like "$(jq_out .error.message)" 'tool_choice' "  naming the field"
ask '{"messages":[{"role":"tool","content":"x"}]}'
like "$(jq_out .error.message)" 'tool_call_id' "a tool message without tool_call_id is refused"
done_testing
