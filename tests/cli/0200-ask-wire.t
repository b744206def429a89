#!/bin/sh
# llmr-ask against every applicable wire capture, replayed by the fake:
# exact text, DESIGN.md usage, cost from the config's prices, one log row.
. "$(dirname "$0")/lib.sh"
fake_start
write_config
STATE=$XDG_DATA_HOME/llmr/state.db

# spec stream text(literal or sha:HEX) input output cached cache_write cost
cat >cases <<'EOF2'
openai/gpt-4o-mini 0 Hello! 1144 2 1024 0 0.000096
openai/gpt-4o-mini 1 Hello! 1144 2 1024 0 0.000096
anthropic/claude-sonnet-4-5 0 Hello! 1220 5 1217 0 0.0004491
anthropic/claude-sonnet-4-5 1 Hello 1220 4 1217 0 0.0004341
anthropic/anthropic-messages-cache-write 0 - 1532 33 1111 418 0.0024048
gemini/gemini-2.5-flash 0 sha:e838840a13ac 9 87 0 0 0.0002202
gemini/gemini-2.5-flash 1 sha:d2e46e39a189 18 115 0 0 0.0002929
gemini/gemini-generatecontent-cached 0 sha:ce7a59dd0767 323388 397 323383 0 0.10422498
ollama/llama3.2 0 Hello!_How_are_you_today? 26 298 0 0 0
ollama/llama3.2 1 The 26 282 0 0 0
deepseek/deepseek-chat 0 sha:a2bec55aef4b 563 116 512 0 0.00017721
deepseek/deepseek-chat 1 sha:88840176b3ce 5 11 0 0 0.00001345
groq/llama3-8b-8192 0 sha:567c7d9faf3d 35 25 0 0 0.00000375
groq/llama3-8b-8192 1 sha:589ba4e65a97 12 24 0 0 0.00000252
mistral/mistral-large-latest 0 cache_probe_two. 268 5 224 0 0.0001628
mistral/mistral-large-latest 1 sha:e61ff78a6876 10 232 0 0 0.001412
openrouter/openrouter-chat 0 sha:574034ab5888 8174 30 0 0 0.0033176
openrouter/openrouter-chat 1 sha:574034ab5888 8174 30 0 0 0.0033176
ollamav1/llama3 0 sha:bd9056ab8896 0 26 0 0 0
EOF2

n=0
while read -r spec stream text input output cached cw cost; do
	n=$((n + 1))
	if [ "$stream" = 1 ]; then mode=--stream; else mode=--no-stream; fi
	run llmr-ask -m "$spec" --json $mode "Say hello"
	name="$spec $mode"
	is "$status" 0 "$name: exit 0"
	[ "$status" = 0 ] || diag "$err"
	case $text in
	-) ;;
	sha:*) is "$(printf '%s' "$out" | jq -j .text | sha256sum | cut -c1-12)" "${text#sha:}" "$name: text" ;;
	*) is "$(printf '%s' "$out" | jq -r .text)" "$(printf '%s' "$text" | tr _ ' ')" "$name: text" ;;
	esac
	is "$(printf '%s' "$out" | jq -c '[.usage.input_tokens,.usage.output_tokens,.usage.cached_tokens,.usage.cache_write_tokens]')" \
		"[$input,$output,$cached,$cw]" "$name: usage"
	is "$(printf '%s' "$out" | jq --argjson w "$cost" '(.cost_usd - $w) | fabs < 1e-12')" true "$name: cost $cost"
	id=$(printf '%s' "$out" | jq -r .id)
	is "$(sqlite3 "$STATE" "SELECT count(*), status, input_tokens, output_tokens, cached_tokens, cache_write_tokens FROM requests WHERE request_id = '$id'")" \
		"1|ok|$input|$output|$cached|$cw" "$name: one log row with the usage"
	is "$(sqlite3 "$STATE" "SELECT abs(cost_usd - $cost) < 1e-12 FROM requests WHERE request_id = '$id'")" 1 "$name: logged cost"
done <cases

run llmr-ask -m openrouter/openrouter-chat --json --no-stream "x"
is "$(printf '%s' "$out" | jq .usage.provider_cost_usd)" 0.0133176 "OpenRouter's own usage.cost is kept apart"

# Errors inside a 200 stream.
run llmr-ask -m openrouter/openrouter-stream-error --json --stream "x"
is "$status" 69 "OpenRouter error chunk in a 200 stream: exit 69"
is "$(printf '%s' "$out" | jq -r .error.class)" bad_request "... classed from its code 400"
fake_script '{"family":"anthropic","stream_error":"anthropic-stream-error-overloaded.sse","times":-1}'
run llmr-ask -m anthropic/claude-sonnet-4-5 --json --stream "x"
is "$(printf '%s' "$out" | jq -r .error.class)" overloaded "Anthropic overloaded_error event in a 200 stream"
is "$status" 75 "... exit 75 (try later)"
is "$(printf '%s' "$out" | jq '.attempts | length')" 3 "... retried max_retries (2) times on the only model"
fake_reset

# The request bodies the adapters sent.
run llmr-ask -m openai/gpt-4o-mini --stream --json "x"
is "$(fake_last .body.stream_options.include_usage)" true "OpenAI streams ask for include_usage"
run llmr-ask -m anthropic/claude-sonnet-4-5 --system "You are terse." --json --no-stream "x"
is "$(fake_last '.body.system[0].cache_control.type')" ephemeral "Anthropic system prompt carries cache_control"
run llmr-ask -m gemini/gemini-2.5-flash --json --no-stream "x"
unlike "$(fake_last .path)" 'key=' "Gemini key is not in the URL"
is "$(fake_last .auth_sha256)" "$(sha12 "$TEST_GEMINI_KEY")" "Gemini key sent in a header"
done_testing
