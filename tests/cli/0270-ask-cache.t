#!/bin/sh
# The exact response cache: the same question to the same chain is answered
# from the state file, at no cost, and logged as a cache hit.
. "$(dirname "$0")/lib.sh"
fake_start
CACHE_TTL=1h write_config
STATE=$XDG_DATA_HOME/llmr/state.db

run llmr-ask -m openai/gpt-4o-mini --json "What is a ressourcerie?"
is "$(printf '%s' "$out" | jq -r .cache)" miss "first time: a miss"
first_id=$(printf '%s' "$out" | jq -r .id)
run llmr-ask -m openai/gpt-4o-mini --json "What is a ressourcerie?"
is "$status" 0 "second time: answered"
is "$(printf '%s' "$out" | jq -r .cache)" exact "second time: an exact cache hit"
is "$(printf '%s' "$out" | jq -r .text)" "Hello!" "... with the stored text"
is "$(printf '%s' "$out" | jq .cost_usd)" 0 "... at no cost"
is "$(fake_count)" 1 "... without calling the provider"
id=$(printf '%s' "$out" | jq -r .id)
isnt "$id" "$first_id" "... under its own request id"
is "$(sqlite3 "$STATE" "SELECT cache, cost_usd, input_tokens, provider, model FROM requests WHERE request_id = '$id'")" \
	"exact|0.0|1144|openai|gpt-4o-mini" "logged as a hit with the usage it saved"

run llmr-ask -m openai/gpt-4o-mini --json --no-cache "What is a ressourcerie?"
is "$(printf '%s' "$out" | jq -r .cache)" miss "--no-cache: not read"
is "$(fake_count)" 2 "--no-cache: the provider is called"
run llmr-ask -m openai/gpt-4o-mini --json --max-tokens 20 "What is a ressourcerie?"
is "$(fake_count)" 3 "other parameters: another key"
run llmr-ask --json "What is a ressourcerie?"
is "$(fake_count)" 4 "the route's chain is another scope than one model"
run llmr-ask -m openai/gpt-4o-mini --json --temperature 0.7 "Tell me a story"
run llmr-ask -m openai/gpt-4o-mini --json --temperature 0.7 "Tell me a story"
is "$(fake_count)" 6 "sampled answers (temperature > 0) are not cached"
printf '{"id":"j","prompt":"What is a ressourcerie?","model":"openai/gpt-4o-mini","cache":false}\n' |
	llmr-ask --jsonl >o
is "$(jq -r .cache o)" miss "\"cache\":false in a request line"

fake_script '{"family":"openai","status":500,"times":-1}'
run llmr-ask -m openai/gpt-4o-mini --json "A failing question"
run llmr-ask -m openai/gpt-4o-mini --json "A failing question"
is "$(printf '%s' "$out" | jq -r .error.class)" server "failures are not cached"
fake_reset

# A fresh state: the 500s above opened openai's circuit breaker.
LLMR_STATE=$TEST_DIR/ttl.db
export LLMR_STATE
CACHE_TTL=1s write_config
run llmr-ask -m openai/gpt-4o-mini --json "Short-lived"
sleep 1.5
run llmr-ask -m openai/gpt-4o-mini --json "Short-lived"
is "$(printf '%s' "$out" | jq -r .cache)" miss "an entry older than exact_ttl is not served"
done_testing
