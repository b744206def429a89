#!/bin/sh
# 0530-index-api-embed.t - API embedders through the adapters and the fake:
# Ollama /api/embed and OpenAI-compatible /embeddings, one request per
# batch, vectors stored as int8 and searched; a 429 with retry-after is
# waited out; a rejected key exits 77 without the key in the message; a
# collection cannot silently switch embedders.
. "$(dirname "$0")/lib.sh"

[ -x "$LLMR_BUILD/bin/llmr-index" ] && [ -x "$LLMR_BUILD/bin/llmr-search" ] || skip_all "build llmr-index and llmr-search first"
# By name, through PATH, so that LLMR_VALGRIND=1 wrappers apply.
IDX=llmr-index
SEARCH=llmr-search
fake_start
write_config
cp "$LLMR_CONFIG" base.conf
LLMR_STATE=$TEST_DIR/state.db
export LLMR_STATE

# The captured answers hold one vector: one short document, one chunk, one
# text per request.
printf '%s\n' '{"id":"a","text":"Le tri du textile se fait avec des gants."}' \
	'{"id":"b","text":"La caisse ouvre a dix heures."}' \
	'{"id":"c","text":"Les chaussures vont par paires."}' >docs.jsonl

{ cat base.conf; printf 'index: {embedder: ollama/all-minilm}\n'; } >ollama.conf
run "$IDX" --config ollama.conf -c ol <docs.jsonl
is "$status" 0 "indexing with ollama/all-minilm succeeds"
is "$(fake_count '.family=="ollama" and (.path|test("/api/embed"))')" 3 "one /api/embed request per batch"
is "$(fake_last .body.model)" "all-minilm" "the model is sent"
run "$IDX" --config ollama.conf --stats --json -c ol
is "$(printf '%s' "$out" | jq -r '[.embedder,.dim,.chunks,.vector_bytes,.graph_nodes] | join(" ")')" \
	"ollama/all-minilm 10 3 42 3" "int8 vectors stored (4 + 10 bytes each) and a graph node per chunk"
fake_reset
run "$SEARCH" --config ollama.conf -c ol --json --mode vector -k 5 "gants"
is "$status" 0 "vector search with the API embedder"
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 3 "every chunk comes back (the fixture gives them one vector)"
is "$(fake_count '.family=="ollama"')" 1 "the query is embedded with one request"

{ cat base.conf; printf 'index: {embedder: openai/text-embedding-3-small}\n'; } >openai.conf
fake_reset
fake_script '{"family":"openai","path":"embeddings","status":429,"headers":{"retry-after":"0"},"times":1}'
run "$IDX" --config openai.conf -c oa <docs.jsonl
is "$status" 0 "a 429 with retry-after is waited out"
is "$(fake_count '.family=="openai" and .status==429')" 1 "after one 429"
is "$(fake_count '.family=="openai" and .status==200')" 3 "then every batch succeeds"
is "$(fake_last .key_sha256)" "$(sha12 "$TEST_OPENAI_KEY")" "the provider's key is sent"

run "$IDX" --config ollama.conf -c oa <docs.jsonl
is "$status" 78 "switching embedders without --rebuild: exit 78"
like "$err" "indexed with embedder 'openai/text-embedding-3-small'.*--rebuild" "saying how to switch"

fake_reset
fake_script '{"family":"openai","path":"embeddings","status":401,"times":-1}'
printf '%s\n' '{"id":"d","text":"Une nouvelle note sur le planning."}' >new.jsonl
run "$IDX" --config openai.conf -c oa <new.jsonl
is "$status" 77 "a rejected key: exit 77"
unlike "$err" "$TEST_OPENAI_KEY" "the key is not in the message"
like "$err" "HTTP 401" "the status is"
fake_reset
TEST_OPENAI_KEY= run "$IDX" --config openai.conf -c oa <new.jsonl
is "$status" 77 "a missing key: exit 77"
is "$(fake_count)" 0 "and nothing was sent"

# The embedder shares the provider's quota with every llmr process.
awk '{ print } /^  ollama:$/ { print "    limits: {rpd: 2}" }' ollama.conf >limited.conf
fake_reset
LLMR_STATE=$TEST_DIR/quota.db run "$IDX" --config limited.conf -c lim <docs.jsonl
is "$status" 75 "quota exhausted: exit 75 (try later)"
like "$err" "rpd" "naming the limit"
is "$(fake_count '.family=="ollama"')" 2 "no request beyond the daily limit"
# Embeddings hold their estimated cost against the caps like any call, and
# are logged with their cost (route "embeddings"), so the caps count them.
sed -e 's/text-embedding-3-small: {input: 0.02/text-embedding-3-small: {input: 100000/' \
	-e '/api_key_env: TEST_OPENAI_KEY/a\    budget: {usd_per_month: 2}' openai.conf >capped.conf
fake_reset
LLMR_STATE=$TEST_DIR/money.db run "$IDX" --config capped.conf -c cap <docs.jsonl
is "$status" 75 "a monthly cap reached while indexing: exit 75"
like "$err" "embeddings from openai: provider 'openai' monthly cap \\\$2.00" "naming the cap"
n=$(fake_count '.family=="openai" and (.path|test("embeddings"))')
ok_cond "some batches were embedded, not all ($n of 3)" test "$n" -ge 1 -a "$n" -lt 3
is "$(sqlite3 "$TEST_DIR/money.db" "SELECT COUNT(*) || ' ' || (SUM(cost_usd) <= 2) FROM requests WHERE route = 'embeddings'")" \
	"$n 1" "each embedding call is logged with its cost, within the cap"
is "$(sqlite3 "$TEST_DIR/money.db" "SELECT COUNT(*) FROM spend_holds")" 0 "no money left held"
done_testing
