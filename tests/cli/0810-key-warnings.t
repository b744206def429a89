#!/bin/sh
# Honest warnings: a model skipped for a missing key is named on stderr once
# a run, with the variable to set; --check-config warns about it too, and
# --list-models shows which keys are there.
. "$(dirname "$0")/lib.sh"
fake_start
write_config
unset TEST_OPENAI_KEY

run llmr-ask --no-stream --complexity simple --json -v "Say hi"
is "$status" 0 "a chain with a keyless first model still answers"
is "$(jq_out .model)" "groq/llama3-8b-8192" "... from the next model"
is "$(jq_out '.skipped | map(select(.model == "openai/gpt-4o-mini")) | .[0].why')" \
	"no key: set TEST_OPENAI_KEY" "... and the skipped list names the variable"
is "$(grep -c warning "$ERR")" 1 "exactly one warning line"
like "$err" "^llmr-ask: warning: openai/gpt-4o-mini skipped: TEST_OPENAI_KEY is not set$" \
	"... naming the model and the variable"
run llmr-ask --no-stream --complexity simple -q "Say hi"
unlike "$err" "warning" "-q: no warning"

# Both keys gone: the offline answer says why it is offline.
unset TEST_GROQ_KEY
run llmr-ask --no-stream --complexity simple "Say hi"
is "$status" 0 "only the extractive model is left"
is "$(grep -c 'skipped:' "$ERR")" 2 "one warning for each missing variable"
like "$err" "warning: answered offline \(extractive\)" "... and one for the offline answer"

# --jsonl: once a run, not once a request.
printf '%s\n' '{"prompt":"a","complexity":"simple"}' '{"prompt":"b","complexity":"simple"}' |
	llmr-ask --jsonl >o 2>e
is "$(grep -c 'TEST_OPENAI_KEY is not set' e)" 1 "--jsonl: one warning for two requests"

run llmr-ask --check-config
is "$status" 0 "--check-config with missing keys: still exit 0"
like "$err" "^llmr-ask: warning: openai/gpt-4o-mini: TEST_OPENAI_KEY is not set$" \
	"... a warning for each model without its key"
like "$err" "groq/llama3-8b-8192: TEST_GROQ_KEY is not set" "... of every provider"
unlike "$err" "anthropic" "... and none for a key that is set"
unlike "$err" "ollama" "... nor for a provider that needs none"

run llmr-ask --list-models
is "$status" 0 "--list-models"
like "$(head -1 "$OUT")" "^MODEL +TIER +STATUS +KEY +IN/1M +OUT/1M +CONTEXT" "... a header"
like "$out" "^openai/gpt-4o-mini +paid +active +absent +0.150 +0.600 +128000$" "... a model without its key"
like "$out" "^anthropic/claude-haiku-4-5 +paid +active +present " "... one with it"
like "$out" "^ollama/llama3.2 +free +active +none " "... one that needs none"
run llmr-ask --list-models --json
is "$(jq -rs 'map(select(.model == "openai/gpt-4o-mini"))[0] | [.provider, .tier, .key, .key_env, .input, .context] | join(" ")' "$OUT")" \
	"openai paid absent TEST_OPENAI_KEY 0.15 128000" "--json: one object a model"
done_testing
