#!/bin/sh
# The route decision sees the monthly spend shared through Redis: host 1
# spends near a provider's cap, and host 2's llmr-route no longer names
# that provider; llmr-ask on host 2 first tries the same next candidate
# (llmr-route's model is llmr-ask's first attempt). While Redis is down,
# host 2's decision judges the cap as its hold then does, against its
# outage allowance.
. "$(dirname "$0")/lib.sh"
. "$LLMR_SRC/tests/cli/redis.sh"
fake_start
redis_start
write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [openai/gpt-4o-mini, deepseek/deepseek-chat]
      medium: [openai/gpt-4o-mini, deepseek/deepseek-chat]
      complex: [openai/gpt-4o-mini, deepseek/deepseek-chat]'
# The openai fixture bills 2 output tokens: with --max-tokens 2 a call
# costs, and is estimated at, exactly $1. A cap of $2.50.
sed -i 's/gpt-4o-mini: {input: 0.15, output: 0.60, cached_input: 0.075/gpt-4o-mini: {input: 0, output: 500000, cached_input: 0/' \
	"$LLMR_CONFIG"
sed -i '/api_key_env: TEST_OPENAI_KEY/a\    budget: {usd_per_month: 2.5}' "$LLMR_CONFIG"
redis_coordinate t0341: 'coordination_hosts: 2'

# parity DESC HOST ARGS...: llmr-route's model is llmr-ask's first attempt.
parity() {
	_desc=$1 _h=$2
	shift 2
	run on_host "$_h" llmr-route "$@"
	_rs=$status _rm=$(jq_out '.model // "none"') _rout=$out
	fake_reset
	run on_host "$_h" llmr-ask --json --no-stream "$@"
	is "$(jq_out '.attempts[0].model // "none"')" "$_rm" "$_desc: llmr-ask first tries llmr-route's model ($_rm)"
	is "$status" "$_rs" "$_desc: both exit $_rs"
	_sent=$(fake_jq '.log[0] // {} | if .path then (.path | split("/")[1]) + "/" + .model else "none" end')
	is "$_sent" "$_rm" "$_desc: the provider's first request is for $_rm"
	out=$_rout
}

parity "nothing spent yet" 2 --max-tokens 2 "q0"
is "$(jq_out .model)" openai/gpt-4o-mini "host 2 at first: openai, the first candidate"

# Start over (an empty Redis, fresh state files); host 1 spends $2 of
# the $2.50: a $1 call no longer fits, though the cap is not reached.
redis-cli -p "$REDIS_PORT" flushall >/dev/null
rm -rf "$TEST_DIR/h1" "$TEST_DIR/h2"
for q in a b; do on_host 1 llmr-ask -q --no-stream --max-tokens 2 -m openai/gpt-4o-mini "q $q" >/dev/null; done
is "$(sqlite3 "$TEST_DIR/h1/state.db" "SELECT printf('%.2f', SUM(cost_usd)) FROM requests")" 2.00 \
	"host 1 spent \$2.00 of openai's \$2.50"
run on_host 2 llmr-route --json --max-tokens 2 "q1"
is "$(jq_out .model)" deepseek/deepseek-chat "host 2's llmr-route no longer names openai"
like "$(jq_out '.skipped[] | select(.model == "openai/gpt-4o-mini") | .why')" \
	"^provider 'openai' monthly cap \\\$2.50: \\\$2.0000 spent, .* ~\\\$1.0000 needed \\(all hosts\\)" \
	"... and says why: every host's spend"
parity "host 1 near the cap" 2 --max-tokens 2 "q1"
is "$(fake_count '.family == "openai"')" 0 "host 2 sent nothing to openai"
parity "the named model, near the cap across hosts" 2 --max-tokens 2 -m openai/gpt-4o-mini "q2"
is "$status" 75 "... both exit 75 (try later)"
is "$(fake_count)" 0 "... and nothing reached the provider"

# Redis down: host 2 never held through Redis this month, so it may
# spend alone only its share of the cap ($1.25): a $1 call fits, and the
# decision, like the hold, refuses one more after it.
redis_kill
parity "Redis down, within host 2's allowance" 2 --max-tokens 2 "q3"
is "$(jq_out .model)" openai/gpt-4o-mini "... openai"
run on_host 2 llmr-route --json --max-tokens 2 "q4"
like "$(jq_out '.skipped[] | select(.model == "openai/gpt-4o-mini") | .why')" \
	"^provider 'openai' \\(this host's allowance, Redis down\\) monthly cap" \
	"Redis down, allowance spent: llmr-route skips openai, naming the allowance"
parity "Redis down, allowance spent" 2 --max-tokens 2 "q4"
redis_restart
done_testing
