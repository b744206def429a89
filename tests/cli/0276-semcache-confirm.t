#!/bin/sh
# The semantic cache's second opinion: on a route marked high_stakes a near
# match is served only when cache.confirm_model says it is the same
# question; a person can mark a hit wrong (llmr-cost cache wrong), after
# which its entry never serves that close again; and in adaptive mode each
# entry earns its own threshold from confirmed hits.
. "$(dirname "$0")/lib.sh"
fake_start
ROUTES='  default:
    tiers:
      simple: [groq/llama3-8b-8192]
  high:
    cache: {high_stakes: true}
    tiers:
      simple: [groq/llama3-8b-8192]'
SEMANTIC_TTL=1h CACHE_EXTRA='confirm_model: openai/gpt-4o-mini' write_config "$TEST_DIR/llmr.conf" "$ROUTES"
STATE=$XDG_DATA_HOME/llmr/state.db
ask() { run llmr-ask --json --no-stream "$@"; }
# The confirmation model's one-word verdict, as an OpenAI chat completion.
verdict() {
	fake_script "{\"family\":\"openai\",\"status\":200,\"times\":${2:-1},\"body\":{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"$1\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":60,\"completion_tokens\":1,\"total_tokens\":61}}}"
}
family_count() { fake_jq "[.log[] | select(.family == \"$1\")] | length"; }

ask -r high "Please summarize the return policy."
is "$(jq_out .cache)" miss "high stakes: the first question is a miss"
verdict yes
groq=$(family_count groq)
ask -r high "Summarize the return policy, please."
is "$(jq_out .cache)" semantic "a near match confirmed: served"
is "$(jq_out .confirmed)" true "... marked confirmed"
is "$(family_count openai)" 1 "... after one call to the confirmation model"
is "$(family_count groq)" "$groq" "... and none to the route's model"
id=$(jq_out .id)
is "$(sqlite3 "$STATE" "SELECT route || ' ' || (cost_usd > 0) FROM requests WHERE request_id = '$id' AND cache IS NULL")" \
	"cache 1" "the confirmation is logged under route cache, with its cost"
is "$(fake_jq '.log[-1].body.messages[-1].content | contains("Please summarize the return policy.")')" true \
	"... and shown the cached question"

fake_script '{"family":"openai","status":500,"times":1}'
ask -r high "Please summarize the return policy!"
is "$(jq_out .cache)" miss "no verdict (the confirmation call failed): a miss, never an unchecked hit"

verdict no
groq=$(family_count groq)
ask -r high "Please, summarize the return policy."
is "$(jq_out .cache)" miss "a near match the confirmation model refuses: a miss"
is "$(family_count groq)" "$((groq + 1))" "... answered by the route's model"
is "$(sqlite3 "$STATE" "SELECT group_concat(source || ':' || correct, ' ') FROM semantic_obs WHERE source = 'confirm'")" \
	"confirm:1 confirm:0" "both verdicts are recorded"
openai=$(family_count openai)
ask -r high "Please summarize the return policy!"
is "$(jq_out .cache)" miss "once refused at a similarity, that entry misses there at once"
is "$(family_count openai)" "$openai" "... without asking again"


# A route that is not high stakes serves at its threshold, unconfirmed.
ask "How do I reset my password?"
openai=$(family_count openai)
ask "How can I reset my password?"
is "$(jq_out .cache)" semantic "an ordinary route: served at its threshold"
is "$(family_count openai)" "$openai" "... without asking the confirmation model"
hit=$(jq_out .id)
sim=$(jq_out .similarity)

# A person's correction.
run llmr-cost cache wrong "$hit"
is "$status" 0 "llmr-cost cache wrong ID: exit 0"
like "$out" "recorded as a wrong hit" "... says so"
ask "How can I reset my password?"
is "$(jq_out .cache)" miss "a hit marked wrong is not served again at that similarity"
run llmr-cost cache wrong no-such-request
is "$status" 65 "a request that got no semantic hit: exit 65"
like "$err" "llmr-cost: cache wrong: request 'no-such-request' got no semantic hit" "... and says so"
run llmr-cost cache wrong
is "$status" 64 "cache wrong without an id: usage error"

# High stakes without a confirmation model: near matches never served.
SEMANTIC_TTL=1h write_config "$TEST_DIR/none.conf" "$ROUTES"
LLMR_CONFIG=$TEST_DIR/none.conf
ask -r high "Summarize the return policy, please."
is "$(jq_out .cache)" miss "high stakes, no cache.confirm_model: a miss"
LLMR_CONFIG=$TEST_DIR/llmr.conf

# Adaptive: the route's threshold is out of reach (0.999); confirmations
# bring one entry's own threshold down. At a 50% error-rate bound, five
# right hits are needed (1 - 0.05^(1/5) = 0.45 <= 0.5).
SEMANTIC_TTL=1h CACHE_EXTRA='confirm_model: openai/gpt-4o-mini, semantic_adaptive: true, semantic_error_rate: 0.5, semantic_floor: 0.5' \
	write_config "$TEST_DIR/adaptive.conf" '  default:
    cache: {semantic_threshold: 0.999, namespace: adaptive}
    tiers:
      simple: [groq/llama3-8b-8192]'
LLMR_CONFIG=$TEST_DIR/adaptive.conf
ask "What are the opening hours of the library?"
is "$(jq_out .cache)" miss "adaptive: the first question is a miss"
verdict yes 5
n=0
for q in "What are the library's opening hours?" "What are the library opening hours?" \
	"Tell me the opening hours of the library" "opening hours library please" \
	"Tell me the library opening hours"; do
	ask "$q"
	[ "$(jq_out .cache)/$(jq_out .confirmed)" = semantic/true ] && n=$((n + 1))
done
is "$n" 5 "below the route's threshold, each near match is confirmed before it is served"
openai=$(family_count openai)
ask "Tell me the opening hours of the library"
is "$(jq_out .cache)/$(jq_out .confirmed)" semantic/null "after five right hits, the entry serves that close unconfirmed"
is "$(family_count openai)" "$openai" "... without a confirmation call"
fake_script '{"family":"openai","status":500,"times":-1}'
ask "What are the hours of the library?"
is "$(jq_out .cache)" miss "... but not further away than it was proven (and unconfirmed: a miss)"
is "$(sqlite3 "$STATE" "SELECT count(*) FROM semantic_obs WHERE source = 'confirm' AND correct = 1")" 6 \
	"the five adaptive confirmations are on record with the first one"
run llmr-cost cache purge
is "$(sqlite3 "$STATE" "SELECT count(*) FROM semantic_obs")" 0 "a purge drops what was learned of the entries with them"
done_testing
