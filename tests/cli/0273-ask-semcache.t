#!/bin/sh
# The semantic cache: a question that means the same, on the same route,
# namespace and parameters, with the same numbers, negations and names, is
# answered from the cache at no cost, logged with its similarity.
. "$(dirname "$0")/lib.sh"
fake_start
SEMANTIC_TTL=1h write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [groq/llama3-8b-8192]
  other:
    tiers:
      simple: [groq/llama3-8b-8192]
  strict:
    cache: {semantic_threshold: 0.99}
    tiers:
      simple: [groq/llama3-8b-8192]
  shared:
    cache: {namespace: faq}
    tiers:
      simple: [groq/llama3-8b-8192]'
STATE=$XDG_DATA_HOME/llmr/state.db
ask() { run llmr-ask --json --no-stream "$@"; }

ask "Please summarize the return policy."
is "$(jq_out .cache)" miss "first question: a miss"
first=$(jq_out .text)
calls=$(fake_count)
ask "Summarize the return policy, please."
is "$(jq_out .cache)" semantic "the same question in other words: a semantic hit"
is "$(jq_out .cost_usd)" 0 "... at no cost"
is "$(fake_count)" "$calls" "... without calling the provider"
is "$(jq_out .text)" "$first" "... with the stored answer"
is "$(jq_out '.similarity >= 0.92 and .similarity < 1')" true "... and its similarity (0.92 .. 1)"
id=$(jq_out .id)
is "$(sqlite3 "$STATE" "SELECT cache || ' ' || cost_usd || ' ' || (similarity >= 0.92) FROM requests WHERE request_id = '$id'")" \
	"semantic 0.0 1" "logged as a semantic hit with its similarity"

# The guard: numbers, negations, names must match.
ask "What is 15% of 200?"
ask "What is 25% of 200?"
is "$(jq_out .cache)" miss "another number: never served"
ask "Which fruits contain vitamin C?"
ask "Which fruits do not contain vitamin C?"
is "$(jq_out .cache)" miss "a negation: never served"
ask "How do I install Docker on Ubuntu?"
ask "How do I install Docker on Fedora?"
is "$(jq_out .cache)" miss "another name: never served"
ask "How to install Docker on Ubuntu?"
is "$(jq_out .cache)" semantic "... the same name in other words: served"

# Isolation: route, namespace, parameters.
ask -r other "Summarize the return policy, please."
is "$(jq_out .cache)" miss "another route: a miss"
ask --namespace step-1 "How long does shipping take?"
ask --namespace step-2 "How long does the shipping take?"
is "$(jq_out .cache)" miss "another namespace: a miss"
ask --namespace step-1 "How long does the shipping take?"
is "$(jq_out .cache)" semantic "the same namespace: a hit"
printf '{"prompt":"How long does the shipping take ?","namespace":"step-1"}\n' | llmr-ask --jsonl >o
is "$(jq -r .cache o)" semantic "\"namespace\" in a request line"
ask -r shared "Where can I donate old furniture?"
is "$(sqlite3 "$STATE" "SELECT namespace FROM semantic_cache WHERE question LIKE 'Where can%'")" faq \
	"a route's cache.namespace names its entries"
ask --max-tokens 30 "Summarize the return policy, please."
is "$(jq_out .cache)" miss "other parameters: a miss"
ask --expect-json "Summarize the return policy, please."
is "$(jq_out .cache)" miss "a JSON answer asked for: a miss"

# The threshold is per route.
ask -r strict "Please summarize the return policy."
ask -r strict "Summarize the return policy, please."
is "$(jq_out .cache)" miss "cache: {semantic_threshold: 0.99}: 0.95 is not enough"

# Only what may be stored is stored.
ask --no-store "How do I clean a dirty oven?"
ask "How can I clean a dirty oven?"
is "$(jq_out .cache)" miss "--no-store: nothing stored"
ask --no-cache "How do I clean a dirty oven?"
is "$(jq_out .cache)" miss "--no-cache: not read"
fake_script '{"family":"groq","status":500,"times":-1}'
ask "Why is the sky blue?"
fake_reset
ask "Why is the sky blue?!"
is "$(jq_out .cache)" miss "a failure is not stored"
is "$(sqlite3 "$STATE" "SELECT count(*) FROM semantic_cache WHERE question LIKE 'Why is the sky%'")" 1 \
	"... its later answer is"

# Entries live for cache.semantic_ttl.
LLMR_STATE=$TEST_DIR/ttl.db
export LLMR_STATE
SEMANTIC_TTL=1s write_config
ask "What are the opening hours of the shop?"
ask "What's the opening hours of the shop?"
is "$(jq_out .cache)" semantic "within semantic_ttl: a hit"
sleep 1.5
ask "What are the opening hours of the shop, please?"
is "$(jq_out .cache)" miss "past semantic_ttl: a miss"
done_testing
