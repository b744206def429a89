#!/bin/sh
# llmr-bench probe: a tiny request to each model of the chains through the
# normal request path; one answering, one failing, one without its key
# (skipped, not failed); the provider that answered is "last verified" in
# llmr-quota's table and --json.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || skip_all "jq is not installed"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"
fake_start
write_config "$TEST_DIR/llmr.conf" '  chain:
    tiers:
      simple: [openai/gpt-4o-mini, deepseek/deepseek-chat]
      complex: [mistral/mistral-large-latest, openai/gpt-4o-mini]
  solo:
    tiers:
      simple: [openai/gpt-4o-mini]
  off:
    tiers:
      simple: [groq/llama3-8b-8192]
  capped:
    tiers:
      simple: [anthropic/claude-haiku-4-5]'
DB=$TEST_DIR/state.db
export LLMR_STATE=$DB
q() { sqlite3 "$DB" "$1"; }
unset TEST_MISTRAL_KEY
grep -q 'mistral-large-latest' "$LLMR_CONFIG" || bail_out "the config has no mistral-large-latest"

fake_script '{"family":"deepseek","status":400,"times":-1}'
run llmr-bench probe chain
is "$status" 69 "a model failed: exit 69"
like "$err" "^llmr-bench: probe: 1 of 3 models did not answer$" "... said on stderr"
like "$out" "^openai/gpt-4o-mini +ok +[0-9]+ ms +openai$" "the model that answered: ok, its latency"
like "$out" "^deepseek/deepseek-chat +failed " "the one that failed"
like "$out" "^mistral/mistral-large-latest +skipped +- .*TEST_MISTRAL_KEY" \
	"the one without a key: skipped, naming the variable"
is "$(fake_count '.family == "openai"')" 1 "a model in two tiers is probed once"
is "$(q "SELECT model, status FROM bench_probes ORDER BY id")" \
	"openai/gpt-4o-mini|ok
deepseek/deepseek-chat|failed
mistral/mistral-large-latest|skipped" "each probe stored with its status"
is "$(q "SELECT provider, model FROM provider_verified")" "openai|openai/gpt-4o-mini" \
	"only the provider that answered is verified"
is "$(q "SELECT count(*) FROM requests WHERE model = 'gpt-4o-mini'")" 1 \
	"the probe is in the request log, as any call"

run llmr-quota --json
is "$status" 0 "llmr-quota --json: exit 0"
is "$(jq_out '.providers[] | select(.name == "openai") | .last_verified.model')" openai/gpt-4o-mini \
	"llmr-quota --json: openai last verified by its probe"
is "$(jq_out '.providers[] | select(.name == "openai") | (.last_verified.at > 0)')" true "... at a time"
is "$(jq_out '.providers[] | select(.name == "deepseek") | .last_verified')" null \
	"... deepseek never verified"
run llmr-quota
like "$out" "^  verified +[0-9]+[smhd] ago +by openai/gpt-4o-mini in [0-9]+ ms$" \
	"llmr-quota's table: when openai was last verified"
is "$(printf '%s\n' "$out" | grep -c '^  verified')" 1 "... and no line for the others"

fake_reset
run llmr-bench probe solo --json
is "$status" 0 "every model answered: exit 0"
is "$(jq_out '[.model, .status, (.latency_ms >= 0), .routes[0]] | @tsv')" \
	"$(printf 'openai/gpt-4o-mini\tok\ttrue\tsolo')" "--json: one line per model"

fake_script '{"family":"deepseek","status":400,"times":-1}'
TEST_MISTRAL_KEY=test-mistral-0004 run llmr-bench probe chain --quiet
is "$status" 69 "--quiet: exit 69 still"
is "$(printf '%s\n' "$out" | cut -d' ' -f1)" "deepseek/deepseek-chat" \
	"--quiet: only the model that did not answer"

# A provider switched off in the config is skipped, not failed.
sed -i '/^  groq:$/a\    status: inactive' "$LLMR_CONFIG"
run llmr-bench probe off
is "$status" 0 "an inactive provider: exit 0"
like "$out" "^groq/llama3-8b-8192 +skipped +- +provider 'groq' is inactive" "... skipped, saying why"
is "$(fake_count '.family == "groq"')" 0 "... and not called"

# A quota that refuses the call: skipped for now (exit 75), not failed.
sed -i '/^  anthropic:$/a\    limits: {rpd: 1}' "$LLMR_CONFIG"
run llmr-bench probe capped
is "$status" 0 "within its quota: exit 0"
run llmr-bench probe capped --json
is "$status" 75 "its quota spent: exit 75"
is "$(jq_out '[.status, .temporary] | @tsv')" "$(printf 'skipped\ttrue')" "... skipped for now"
like "$err" "could not be tried now" "... said on stderr"
is "$(fake_count '.family == "anthropic"')" 1 "... and not called"

run llmr-bench probe nosuch
is "$status" 65 "an unknown route: exit 65"
like "$err" "'nosuch' is not a route" "... says so"
run llmr-bench probe a b
is "$status" 64 "two routes: exit 64"
done_testing
