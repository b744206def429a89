#!/bin/sh
# llmr-cost cache: hit rates per route and kind, what the hits saved, what
# the caches hold; llmr-cost cache purge. Semantic hits count as cache
# savings in llmr-cost's report, apart from routing savings.
. "$(dirname "$0")/lib.sh"
fake_start
CACHE_TTL=1h SEMANTIC_TTL=1h write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [openai/gpt-4o-mini]
  other:
    tiers:
      simple: [openai/gpt-4o-mini]'
ask() { llmr-ask --json --no-stream "$@" >/dev/null; }
ask "Please summarize the return policy."
ask "Please summarize the return policy."
ask "Summarize the return policy, please."
ask "How long does shipping take?"
ask -r other --namespace team-a "Who founded the company?"

run llmr-cost cache --json
is "$status" 0 "llmr-cost cache --json"
is "$(jq_out '.routes[] | select(.route=="default") | [.requests, .exact, .semantic] | join(" ")')" \
	"4 1 1" "default: 4 requests, 1 exact and 1 semantic hit"
is "$(jq_out '.routes[] | select(.route=="default") | .hit_rate')" 0.5 "... a hit rate of 50%"
is "$(jq_out '.routes[] | select(.route=="default") | (.exact_saved_usd > 0 and .semantic_saved_usd > 0)')" \
	true "... each kind saved what its answer cost"
is "$(jq_out '[.entries[] | select(.route=="default") | .kind + ":" + (.entries|tostring)] | join(" ")')" \
	"exact:2 semantic:2" "entries per kind (hits add none)"
is "$(jq_out '.entries[] | select(.route=="other" and .kind=="semantic") | .namespace')" team-a \
	"... per namespace"
ok_cond "... and their size" test "$(jq_out .total.bytes)" -gt 0
saved=$(jq_out .total.saved_usd)
run llmr-cost --json
is "$(jq_out .savings.cache_hits)" 2 "llmr-cost's savings count the semantic hit too"
is "$(jq_out "(.savings.cache_saved_usd - $saved) | fabs < 1e-9")" true \
	"... and the same money saved, apart from routing"
run llmr-cost cache
like "$out" '^default +4 +1 +1 +50\.0%' "the text report"

run llmr-cost cache purge --route other
is "$out" "purged 1 exact and 1 semantic entries" "purge --route"
run llmr-cost cache purge --older-than 1h
is "$out" "purged 0 exact and 0 semantic entries" "purge --older-than: nothing so old"
run llmr-cost cache purge --namespace nowhere --json
is "$out" '{"exact":0,"semantic":0}' "purge --namespace: only that namespace"
run llmr-cost cache purge
is "$out" "purged 2 exact and 2 semantic entries" "purge: everything"
is "$(sqlite3 "$XDG_DATA_HOME/llmr/state.db" "SELECT count(*) FROM semantic_blocks")" 0 \
	"... the packed sketches too"
run llmr-ask --json --no-stream "Please summarize the return policy."
is "$(jq_out .cache)" miss "purged entries are not served"

run llmr-cost cache flush
is "$status" 64 "an unknown cache operand is a usage error"
run llmr-cost cache --route default
is "$status" 64 "--route goes with cache purge"
run llmr-cost cache purge --older-than soon
is "$status" 64 "--older-than needs a duration"
done_testing
