#!/bin/sh
# Faults from the fake: the right class, a logged attempt, fallback where the
# class allows it, else a one-line error and the documented exit code.
. "$(dirname "$0")/lib.sh"
fake_start
write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [openai/gpt-4o-mini, groq/llama3-8b-8192]
  solo:
    tiers:
      simple: [openai/gpt-4o-mini]'
STATE=$XDG_DATA_HOME/llmr/state.db

rows() { sqlite3 "$STATE" "SELECT $2 FROM requests WHERE request_id = '$1' ORDER BY id"; }

# Each case starts from a fresh state file: cooldowns and breakers that a
# fault leaves behind (on purpose) must not leak into the next case.
ncase=0
fresh_state() {
	ncase=$((ncase + 1))
	STATE=$TEST_DIR/state.$ncase.db
	LLMR_STATE=$STATE
	export LLMR_STATE
}

# fallback CLASS SCRIPT [FLAGS]: the first model fails with CLASS, groq answers.
fallback() {
	cls=$1 script=$2
	shift 2
	fresh_state
	fake_reset
	fake_script "$script"
	run llmr-ask --json "$@" "hello"
	is "$status" 0 "$cls: answered (exit 0)"
	[ "$status" = 0 ] || diag "$err"
	is "$(printf '%s' "$out" | jq -r .model)" groq/llama3-8b-8192 "$cls: by the next model"
	is "$(printf '%s' "$out" | jq -r '.fallback')" true "$cls: marked as a fallback"
	is "$(printf '%s' "$out" | jq -r '.attempts[0].status')" "$cls" "$cls: first attempt classed $cls"
	id=$(printf '%s' "$out" | jq -r .id)
	is "$(rows "$id" "status || ',' || coalesce(fallback_from, '')" | tr '\n' ' ')" \
		"$cls, ok,openai/gpt-4o-mini " "$cls: both attempts logged, the second with fallback_from"
}

fallback rate_limited '{"family":"openai","status":429,"headers":{"retry-after":"30"}}'
fallback overloaded '{"family":"openai","status":529}'
fallback overloaded '{"family":"openai","status":503}'
fallback server '{"family":"openai","status":500}'
# A short total timeout for the hang only: the huge bodies below need time.
sed -i 's/timeout: 10s/timeout: 1s/' "$LLMR_CONFIG"
fallback timeout '{"family":"openai","hang":true}' --no-stream
sed -i 's/timeout: 1s/timeout: 10s/' "$LLMR_CONFIG"
fallback network '{"family":"openai","cut_after_bytes":300}' --stream
# An unparseable or truncated 200 is the provider's fault, like a 5xx.
fallback protocol '{"family":"openai","malformed":true}' --no-stream
fallback protocol '{"family":"openai","malformed":true}' --stream

# A stream that breaks after some text, then falls back: a pipe gets only
# the answer that counts, and so does the --json object.
fresh_state
fake_reset
run llmr-ask -m groq/llama3-8b-8192 --stream "hello"
groq_text=$out
fresh_state
fake_reset
fake_script '{"family":"openai","cut_after_bytes":800}'
run llmr-ask --stream "hello"
is "$status" 0 "broken stream, then fallback: answered"
is "$(fake_count '.family == "openai"')" 1 "... after the first model broke off"
is "$out" "$groq_text" "... and the pipe holds only the fallback's answer"
fresh_state
fake_reset
fake_script '{"family":"openai","cut_after_bytes":800}'
run llmr-ask --stream --json "hello"
is "$(printf '%s' "$out" | jq -r .text)" "$groq_text" "--json: the text is the fallback's answer only"

# On the last model, a protocol error ends the request: not retried (the
# same model would likely garble it again, and each try is billed).
fresh_state
fake_reset
fake_script '{"family":"openai","malformed":true,"times":-1}'
run llmr-ask -r solo --json --no-stream "hello"
is "$status" 69 "malformed JSON on the last model: exit 69"
is "$(printf '%s' "$out" | jq -r .error.class)" protocol "malformed JSON: class protocol"
is "$(printf '%s\n' "$err" | wc -l)" 1 "malformed JSON: one line on stderr"
like "$err" '^llmr-ask: openai/gpt-4o-mini: protocol' "malformed JSON: the message names model and class"
is "$(fake_count)" 1 "malformed JSON: not retried"

fresh_state
fake_reset
fake_script '{"family":"openai","huge_bytes":17825792}'
run llmr-ask -r solo --json --no-stream "hello"
is "$(printf '%s' "$out" | jq -r .error.class)" protocol "17 MiB body: refused as protocol"
fresh_state
fake_reset
fake_script '{"family":"openai","huge_bytes":6000000}'
run llmr-ask -r solo --json --stream "hello"
is "$(printf '%s' "$out" | jq -r .error.class)" protocol "6 MB stream line: refused as protocol"

# Classes that stop the chain.

fresh_state
fake_reset
fake_script '{"family":"openai","status":401}'
run llmr-ask --json "hello"
is "$status" 77 "401: exit 77"
is "$(printf '%s' "$out" | jq -r .error.class)" auth "401: class auth"
is "$(fake_count)" 1 "401: no fallback, no retry"

fresh_state
fake_reset
fake_script '{"family":"openai","status":404}'
run llmr-ask --json "hello"
is "$(printf '%s' "$out" | jq -r .error.class)" bad_request "404: class bad_request"
is "$status" 69 "404: exit 69"

# A 429 that waiting cannot fix is never retried.
fresh_state
fake_reset
fake_script '{"family":"openai","status":429,"body_fixture":"openai-error-429-insufficient-quota.json","times":-1}'
run llmr-ask -r solo --json "hello"
is "$status" 75 "insufficient_quota: exit 75"
is "$(fake_count)" 1 "insufficient_quota: one request, no retry"
run llmr-ask --json "hello"
is "$(printf '%s' "$out" | jq -r .model)" groq/llama3-8b-8192 "insufficient_quota: straight to the fallback"

# Retries on the last model never come sooner than retry-after.
fresh_state
fake_reset
fake_script '{"family":"openai","status":429,"headers":{"retry-after":"1"}}'
run llmr-ask -r solo --json "hello"
is "$status" 0 "429 then ok on the only model: answered"
is "$(fake_count)" 2 "... after exactly one retry"
is "$(fake_jq '(.log[1].t_ms - .log[0].t_ms) >= 1000')" true "... no sooner than retry-after (1 s)"

# A retry-after longer than llmr will wait: give up at once, exit 75.
fresh_state
fake_reset
fake_script '{"family":"openai","status":429,"headers":{"retry-after":"3600"},"times":-1}'
run llmr-ask -r solo --json "hello"
is "$status" 75 "retry-after 1 h on the only model: exit 75 now"
is "$(fake_count)" 1 "... without retrying"

# Every attempt of a failed request is logged.
id=$(printf '%s' "$out" | jq -r .id)
is "$(rows "$id" "status || '/' || http_status")" "rate_limited/429" "the failed attempt is logged with its status"

# A provider whose key variable is unset is skipped, and says which variable.
fresh_state
fake_reset
unset TEST_OPENAI_KEY
run llmr-ask --json "hello"
is "$(printf '%s' "$out" | jq -r .model)" groq/llama3-8b-8192 "no OpenAI key: the chain goes on"
like "$(printf '%s' "$out" | jq -r '.skipped[0].why')" 'TEST_OPENAI_KEY' "... and the skip names the variable"
run llmr-ask -r solo "hello"
is "$status" 77 "no key for the only model: exit 77"
like "$err" 'set TEST_OPENAI_KEY' "... with a message naming the variable"
done_testing
