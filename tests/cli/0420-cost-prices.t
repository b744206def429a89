#!/bin/sh
# 0420-cost-prices.t - llmr-cost prices: the table (with measured median
# latency), importing the real LiteLLM file (counts), re-import is a no-op,
# --add, skipped entries, malformed files with their position, and a price
# change that never rewrites past costs but reprices by date.
. "$(dirname "$0")/lib.sh"
. "$LLMR_SRC/tests/cli/0400-cost-fixture.sh"

LITELLM=$LLMR_SRC/tests/fixtures/litellm-model-prices.json

run "$COST" prices --json
is "$status" 0 "prices exits 0"
cp "$OUT" p.json
is "$(jq -s length p.json)" 5 "4 configured models and local/extractive"
is "$(jq -sc '.[] | select(.model == "openai/gpt-4o") | [.input, .output, .cached_input, .context, .quality]' p.json)" \
	'[2.5,10,2.5,128000,88]' "gpt-4o: prices, context, quality"
# Median of ok, non-cached attempts: opus 2000, 1000, 1500 -> 1500;
# gpt-4o-mini only r1 (r3 is a cache hit) -> 100; haiku r2 -> 300.
is "$(jq -sc '[.[] | select(.median_latency_ms != null) | [.model, .median_latency_ms]] | sort' p.json)" \
	'[["anthropic/claude-haiku",300],["anthropic/claude-opus",1500],["openai/gpt-4o-mini",100]]' "measured median latency"
run "$COST" prices
like "$out" '^openai/gpt-4o +2\.5000 +10\.0000 +2\.5000 +128000 +88 +-$' "prices: text row"

# The real file: counts computed independently with jq.
entries=$(jq length "$LITELLM")
chat=$(jq '[to_entries[] | select((.value | type) == "object"
	and (.value.input_cost_per_token | type) == "number"
	and (.value.output_cost_per_token | type) == "number"
	and ((.value.mode // "chat") == "chat"))] | length' "$LITELLM")
run "$COST" --now 2026-01-15 prices import "$LITELLM" --json
is "$status" 0 "import of the real file exits 0"
cp "$OUT" i.json
is "$(field i.json .entries)" "$entries" "entries counted ($entries)"
is "$(field i.json .chat)" "$chat" "chat entries counted ($chat)"
# gpt-4o-mini and gpt-4o match by name; their cached price is new.
is "$(field i.json .updated)" 2 "two configured models updated"
is "$(field i.json .unknown)" $((chat - 2)) "the rest are not configured"
is "$(field i.json '.skipped_mode + .skipped_sample_spec + .skipped_shape')" $((entries - chat)) "everything else skipped"
run "$COST" prices --json
is "$(jq -sc '.[] | select(.model == "openai/gpt-4o-mini") | .cached_input' "$OUT")" 0.075 "imported cached price (7.5e-08 per token)"
run "$COST" --now 2026-01-16 prices import "$LITELLM" --json
is "$(field "$OUT" '[.updated, .unchanged]')" '[0,2]' "re-import changes nothing"
run "$COST" --now 2026-01-16 prices import "$LITELLM"
like "$out" "^$entries entries: $chat chat models; 0 updated, 2 unchanged" "import: text summary"
run "$COST" routing
is "$(field "$OUT" .search.simple)" '["openai/gpt-4o-mini","anthropic/claude-haiku"]' "import never touches routes"

# --add stores unknown chat models under their litellm_provider.
run "$COST" --now 2026-01-16 prices import "$LITELLM" --add --json
is "$(field "$OUT" .added)" $((chat - 2)) "--add adds every unknown chat model"
run "$COST" prices --json
is "$(jq -s length "$OUT")" $((5 + chat - 2)) "the table lists them"
is "$(jq -sc '.[] | select(.model == "anthropic/claude-haiku-4-5") | [.input, .output, .context, .configured]' "$OUT")" \
	'[1,5,200000,false]' "an added model: per-token prices times 1e6"

# Odd entries are skipped, not fatal.
cat >odd.json <<'JSON'
{
  "sample_spec": {"mode": "chat", "input_cost_per_token": 0, "output_cost_per_token": 0},
  "a-string": "not a model",
  "string-price": {"mode": "chat", "input_cost_per_token": "0.1", "output_cost_per_token": 1e-6},
  "an-embedder": {"mode": "embedding", "input_cost_per_token": 1e-7, "output_cost_per_token": 0},
  "claude-opus": {"mode": "chat", "input_cost_per_token": 3e-05, "output_cost_per_token": 0.00015,
                  "max_input_tokens": 200000, "nested": {"a": [1, 2]}}
}
JSON
run "$COST" --now 2026-01-15T00:00:00 prices import odd.json --json
is "$(field "$OUT" '[.entries, .chat, .updated, .skipped_sample_spec, .skipped_shape, .skipped_mode]')" \
	'[5,1,1,1,2,1]' "sample_spec, strings and other modes skipped; opus updated"

# Opus doubled from 2026-01-15: the logged costs stay; savings against opus
# use the price in force at each request: r1..r3 (before) 3 * 0.0525,
# r4, r5 (after) 2000/1000 at 30/150 = 0.21 each -> 0.5775.
run "$COST" $JAN --baseline anthropic/claude-opus --json
near "$OUT" .total.cost_usd 0.21395 "a price change does not rewrite past costs"
near "$OUT" .savings.baseline_usd 0.5775 "repricing uses the price in force at each request"
run "$COST" $JAN simulate --json
near "$OUT" .after.cost_usd 0.21395 "an empty simulation keeps the logged costs"

run "$COST" prices history anthropic/claude-opus --json
is "$(jq -sc '[.[] | [.valid_from, .input, .output]]' "$OUT")" \
	'[["config",15,75],["2026-01-15T00:00:00Z",30,150]]' "price history with dates"
run "$COST" prices history openai/nope
is "$status" 64 "history of an unknown model: exit 64"

# Malformed files: exit 65 and the position.
printf '{\n  "m": {"mode": "chat",\n  }\n' >bad.json
run "$COST" prices import bad.json
is "$status" 65 "malformed JSON: exit 65"
like "$err" '^llmr-cost: bad\.json:3:[0-9]+: invalid JSON: ' "malformed JSON: file:line:col"
printf '[1, 2]\n' >list.json
run "$COST" prices import list.json
is "$status" 65 "not an object: exit 65"
like "$err" 'list\.json:1:1: not a price table' "not an object: message"
run "$COST" prices import missing.json
is "$status" 66 "missing file: exit 66"
run "$COST" prices import
is "$status" 64 "import without FILE: exit 64"

done_testing
