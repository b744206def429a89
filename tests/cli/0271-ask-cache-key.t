#!/bin/sh
# The exact cache is looked up before the decision: a hit calls nothing, not
# even the classifier model. Its key holds everything that changes the
# answer; --no-cache and --no-store (and "cache"/"store" in a request line)
# turn reading and writing off one at a time.
. "$(dirname "$0")/lib.sh"
fake_start
CACHE_TTL=1h write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [groq/llama3-8b-8192]
      complex: [anthropic/claude-haiku-4-5]
  other:
    tiers:
      simple: [groq/llama3-8b-8192]
  sampled:
    cache: {sampled: true}
    tiers:
      simple: [groq/llama3-8b-8192]'
sed -i 's/^routes:/router: {classifier: openai\/gpt-4o-mini}\nroutes:/' "$LLMR_CONFIG"
STATE=$XDG_DATA_HOME/llmr/state.db

run llmr-ask --json --no-stream "What is a ressourcerie?"
is "$(jq_out .cache)" miss "first time: a miss"
is "$(fake_count '.family=="openai"')" 1 "... the classifier model was asked"
calls=$(fake_count)
run llmr-ask --json --no-stream "What is a ressourcerie?"
is "$(jq_out .cache)" exact "second time: an exact hit"
is "$(jq_out .cost_usd)" 0 "... at no cost"
is "$(fake_count)" "$calls" "... and the fake saw no call at all, classifier included"
id=$(jq_out .id)
is "$(sqlite3 "$STATE" "SELECT cache || ' ' || cost_usd || ' ' || complexity FROM requests WHERE request_id = '$id'")" \
	"exact 0.0 $(jq_out .complexity)" "logged as a hit, with the tier that answered"

# Every parameter that changes the answer is in the key.
miss() {
	_before=$(fake_count)
	run llmr-ask --json --no-stream "$@" "What is a ressourcerie?"
	is "$(jq_out .cache)" miss "$* misses"
	isnt "$(fake_count)" "$_before" "... and calls a model"
}
miss --system "Answer in French."
miss --max-tokens 50
# JSON asked for: the cached text answer is not served (the fake's answer
# is no JSON, so the request fails as protocol, but only after a call).
_before=$(fake_count)
run llmr-ask --json --no-stream --expect-json "What is a ressourcerie?"
isnt "$(jq_out .cache)" exact "--expect-json misses"
isnt "$(fake_count)" "$_before" "... and calls a model"
miss --complexity complex
miss -m groq/llama3-8b-8192
miss -r other
miss -r sampled --temperature 0.5
run llmr-ask --json --no-stream --complexity complex "What is a ressourcerie?"
is "$(jq_out .cache)" exact "the same forced tier again: a hit"

# Sampled answers: only where the route says so.
run llmr-ask --json --no-stream -r sampled --temperature 0.5 "What is a ressourcerie?"
is "$(jq_out .cache)" exact "cache: {sampled: true}: temperature 0.5 is served again"
run llmr-ask --json --no-stream -r sampled --temperature 0.7 "What is a ressourcerie?"
is "$(jq_out .cache)" miss "... but not for another temperature"
run llmr-ask --json --no-stream -r other --temperature 0.5 "Tell me a story"
run llmr-ask --json --no-stream -r other --temperature 0.5 "Tell me a story"
is "$(jq_out .cache)" miss "without it, a sampled answer is never cached"

# --no-cache: not read, but the fresh answer replaces the entry.
run llmr-ask --json --no-stream -r other --no-cache "Fresh question"
is "$(jq_out .cache)" miss "--no-cache on a new question: a miss"
run llmr-ask --json --no-stream -r other "Fresh question"
is "$(jq_out .cache)" exact "... whose answer was stored"
run llmr-ask --json --no-stream -r other --no-cache "Fresh question"
is "$(jq_out .cache)" miss "--no-cache does not read the entry"
# --no-store: read, not written.
run llmr-ask --json --no-stream -r other --no-store "Unstored question"
run llmr-ask --json --no-stream -r other "Unstored question"
is "$(jq_out .cache)" miss "--no-store: the answer was not stored"
run llmr-ask --json --no-stream -r other --no-store "Unstored question"
is "$(jq_out .cache)" exact "--no-store still answers from the cache"
printf '{"id":"s","prompt":"Line question","route":"other","store":false}\n{"id":"t","prompt":"Line question","route":"other"}\n' |
	llmr-ask --jsonl >o
is "$(jq -r .cache o | tr '\n' ' ')" "miss miss " "\"store\":false in a request line"
printf '{"id":"u","prompt":"x","store":"no"}\n' | llmr-ask --jsonl >o 2>e
like "$(cat e o)" '"store" must be true or false' "\"store\" must be a boolean"
done_testing
