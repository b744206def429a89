# tests/cli/0400-cost-fixture.sh - sourced by the 04NN-cost-*.t tests after
# lib.sh: a config with two providers and two routes, and a request log
# built from known rows, so that every figure can be computed by hand.
#
# Prices (USD per 1M tokens): gpt-4o-mini 0.15/0.60, gpt-4o 2.50/10,
# claude-haiku 1/5, claude-opus 15/75.
#
# January 2026 (the period the tests report on):
#   r1 01-05 10:00 search/simple  openai/gpt-4o-mini ok 1000/500 $0.00045 100 ms
#   r2 01-05 11:00 search/simple  openai/gpt-4o-mini rate_limited 0/0 $0 50 ms
#   r2 01-05 11:00:01 attempt 2   anthropic/claude-haiku ok 1000/500 $0.0035 300 ms
#                                 (fallback_from openai/gpt-4o-mini)
#   r3 01-10 09:00 search/simple  openai/gpt-4o-mini ok, cache exact, 1000/500 $0 5 ms
#   r4 01-20 12:00 analysis/complex anthropic/claude-opus ok 2000/1000 $0.105 2000 ms
#   r5 01-28 12:00 analysis/complex anthropic/claude-opus ok 2000/1000 $0.105 1000 ms
# December 2025 (the previous period):
#   r0 12-15 12:00 analysis/complex anthropic/claude-opus ok 2000/1000 $0.105 1500 ms

# By name, so that LLMR_VALGRIND=1 reaches it through lib.sh's wrapper.
[ -x "$LLMR_BUILD/bin/llmr-cost" ] || skip_all "no $LLMR_BUILD/bin/llmr-cost (build first)"
COST=llmr-cost
command -v jq >/dev/null || skip_all "jq is not installed"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"

cat >llmr.conf <<'CONF'
providers:
  openai:
    protocol: openai
    base_url: http://127.0.0.1:9/v1
    api_key_env: OPENAI_API_KEY
    budget: {usd_per_month: 10, alert_at: 0.5}
    limits: {rpm: 2}
    models:
      gpt-4o-mini: {input: 0.15, output: 0.60, context: 128000, quality: 72}
      gpt-4o: {input: 2.50, output: 10.00, context: 128000, quality: 88}
  anthropic:
    protocol: anthropic
    base_url: http://127.0.0.1:9
    api_key_env: ANTHROPIC_API_KEY
    models:
      claude-haiku: {input: 1, output: 5, quality: 75}
      claude-opus: {input: 15, output: 75, quality: 95}
routes:
  search:
    tiers:
      simple: [openai/gpt-4o-mini, anthropic/claude-haiku]
      complex: [openai/gpt-4o]
  analysis:
    tiers:
      complex: [anthropic/claude-opus, anthropic/claude-haiku]
CONF
LLMR_CONFIG=$TEST_DIR/llmr.conf
LLMR_STATE=$TEST_DIR/state.db
export LLMR_CONFIG LLMR_STATE

# Create the state (migrations) through the program, then add rows. A
# command that writes (removing a budget that is not there): the reports
# open the state read-only and create nothing.
"$COST" budget total off >/dev/null || skip_all "llmr-cost cannot create the state"

# add_row RID ATTEMPT 'YYYY-MM-DD HH:MM:SS' ROUTE COMPLEXITY PROVIDER MODEL STATUS IN OUT COST LATENCY FALLBACK CACHE
add_row() {
	fb=NULL
	[ "${13}" = - ] || fb="'${13}'"
	sqlite3 "$LLMR_STATE" "INSERT INTO requests (request_id, attempt, ts_ms, route, complexity,
		provider, model, status, input_tokens, output_tokens, cost_usd, latency_ms, fallback_from, cache)
		VALUES ('$1', $2, CAST(strftime('%s', '$3') AS INTEGER) * 1000, '$4', '$5', '$6', '$7', '$8',
		$9, ${10}, ${11}, ${12}, $fb, '${14}')"
}

add_row r1 1 '2026-01-05 10:00:00' search simple openai gpt-4o-mini ok 1000 500 0.00045 100 - miss
add_row r2 1 '2026-01-05 11:00:00' search simple openai gpt-4o-mini rate_limited 0 0 0 50 - miss
add_row r2 2 '2026-01-05 11:00:01' search simple anthropic claude-haiku ok 1000 500 0.0035 300 openai/gpt-4o-mini miss
add_row r3 1 '2026-01-10 09:00:00' search simple openai gpt-4o-mini ok 1000 500 0 5 - exact
add_row r4 1 '2026-01-20 12:00:00' analysis complex anthropic claude-opus ok 2000 1000 0.105 2000 - miss
add_row r5 1 '2026-01-28 12:00:00' analysis complex anthropic claude-opus ok 2000 1000 0.105 1000 - miss
add_row r0 1 '2025-12-15 12:00:00' analysis complex anthropic claude-opus ok 2000 1000 0.105 1500 - miss

JAN="--since 2026-01-01 --until 2026-02-01"

# near FILE JQ-EXPR WANT DESC: a number within 1e-6 of WANT (null matches null).
near() {
	if jq -e --argjson w "$3" "($2) as \$g | if \$w == null then \$g == null else (\$g != null and ((\$g - \$w) | fabs) < 1e-6) end" "$1" >/dev/null 2>&1; then
		pass "$4"
	else
		fail "$4"
		diag "got $(jq -c "$2" "$1" 2>&1), want $3"
	fi
}

# field FILE JQ-EXPR: the value, compact.
field() {
	jq -c "$2" "$1"
}
