#!/bin/sh
# Closing the loop: llmr-bench recommend measures quality from outcomes,
# proposes a cheaper first model where one is as good, prices it over the
# real log and files it; approve makes it a routing version llmr-route
# follows, llmr-cost rollback undoes it, reject drops a proposal.
. "$(dirname "$0")/lib.sh"
fake_start
write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [openai/gpt-4.1]
  best:
    strategy: best
    tiers:
      simple: [openai/gpt-4.1, openai/gpt-4o-mini]'
STATE=$XDG_DATA_HOME/llmr/state.db

for i in 1 2 3; do llmr-ask --no-stream "hello $i" >/dev/null; done
is "$(sqlite3 "$STATE" "SELECT count(*) FROM requests WHERE model = 'gpt-4.1'")" 3 "three requests logged on gpt-4.1"
run llmr-route hello
is "$(jq_out .model)" openai/gpt-4.1 "the config routes to gpt-4.1"
run llmr-route -r best hello
is "$(jq_out .model)" openai/gpt-4.1 "... and by configured quality (86 > 72) so does the best route"

run llmr-bench recommend
is "$status" 0 "recommend without outcomes"
like "$out" "^nothing to recommend" "... has nothing to say: the configured figures put gpt-4.1 on the frontier"

# 50 prompts: gpt-4o-mini right on 45, gpt-4.1 (named bare) on 44.
awk 'BEGIN { print "prompt,openai/gpt-4o-mini,gpt-4.1"
	for (i = 0; i < 50; i++) printf "\"question %d\",%s,%s\n", i, i < 45 ? "True" : "False", i < 44 ? "True" : "False" }' >o.csv
llmr-bench -q import-outcomes o.csv
run llmr-bench --json recommend
is "$status" 0 "recommend with outcomes"
is "$(jq_out '[.quality[] | "\(.model)=\(.quality)/\(.previous_quality)"] | sort | join(" ")')" \
	"openai/gpt-4.1=88/86 openai/gpt-4o-mini=90/72" "quality measured for both, a bare model name matched to its provider"
is "$(jq_out '[.changes[] | "\(.route):\(.tier)=\(.chain)"] | join(" ")')" \
	"default:simple=openai/gpt-4o-mini,openai/gpt-4.1" "one proposal: the cheaper model, as good, first"
is "$(jq_out '.changes[0].impact | [.requests, .changed, (.after_usd < .before_usd / 5)] | map(tostring) | join(" ")')" \
	"3 3 true" "... priced by the simulation over the logged requests"
is "$(jq_out '.changes[0].impact.delta_quality')" 2 "... with the quality change"
ID=$(jq_out '.changes[0].id')
is "$(sqlite3 "$STATE" "SELECT model || '=' || quality FROM model_quality ORDER BY model" | tr '\n' ' ')" \
	"openai/gpt-4.1=88 openai/gpt-4o-mini=90 " "the measured quality is stored"
run llmr-route -r best hello
is "$(jq_out .model)" openai/gpt-4o-mini "routing by quality now follows the measured figures"
run llmr-cost simulate --json --chain default:simple=openai/gpt-4o-mini
is "$(jq_out '.delta_quality')" 2 "... and so does llmr-cost simulate (90 - 88, not 72 - 86)"

run llmr-bench --json recommend
is "$(jq_out '[.changes[0].id, .changes[0].already_pending] | map(tostring) | join(" ")')" "$ID true" \
	"recommending again files nothing twice"
run llmr-bench pending
like "$out" "^#$ID  route default, simple: openai/gpt-4.1 -> openai/gpt-4o-mini,openai/gpt-4.1$" "pending lists it"
like "$out" "simulated over the log: 3 requests, 3 moved" "... with its impact"

run llmr-bench approve "$ID"
is "$status" 0 "approve"
like "$out" "^change $ID approved: routing version [0-9]+ in force" "... says which routing version"
run llmr-route hello
is "$(jq_out .model)" openai/gpt-4o-mini "an approved change changes what llmr-route decides"
run llmr-ask --json --no-stream hello
is "$(jq_out .model)" openai/gpt-4o-mini "... and what llmr-ask calls"
run llmr-bench --json pending
is "$(jq_out length)" 0 "nothing pending after the approval"
run llmr-bench approve "$ID"
is "$status" 65 "approving twice fails"
is "$err" "llmr-bench: no pending change $ID" "... saying why"

run llmr-cost rollback
is "$status" 0 "llmr-cost rollback"
run llmr-route hello
is "$(jq_out .model)" openai/gpt-4.1 "... restores the routing"

run llmr-bench --json recommend
ID2=$(jq_out '.changes[0].id')
isnt "$ID2" "$ID" "after the rollback the proposal is filed anew"
run llmr-bench reject "$ID2"
is "$out" "change $ID2 rejected" "reject"
run llmr-bench --json pending
is "$(jq_out length)" 0 "... drops it"
run llmr-route hello
is "$(jq_out .model)" openai/gpt-4.1 "... and changes nothing"
run llmr-bench reject
is "$status" 64 "reject without an ID is a usage error"
done_testing
