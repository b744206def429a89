#!/bin/sh
# Fuzzing found max_tokens of 2^63-1 overflowing the token sums of a
# decision (signed overflow; negative tokens would reach quotas, costs and
# the log). A request may ask for at most 10,000,000 tokens, in every
# program, on the command line and in JSON lines; within that nothing
# wraps (the sanitizer build runs this test too).
. "$(dirname "$0")/lib.sh"
fake_start
write_config

printf '%s\n' '{"prompt":"hi","max_tokens":9223372036854775807}' >huge.jsonl
run llmr-route <huge.jsonl
is "$status" 65 "llmr-route: max_tokens 2^63-1 in a request line is bad input"
like "$err" '^llmr-route: <stdin>:1: "max_tokens" must be an integer from 0 to 10000000$' "... saying the range"
run llmr-ask --jsonl <huge.jsonl
is "$status" 65 "llmr-ask --jsonl: the same, exit 65"
like "$out" '"error"' "... with the line answered by an error"
is "$(fake_count)" 0 "... and nothing was sent"

run llmr-route --max-tokens 9223372036854775807 hi
is "$status" 64 "llmr-route --max-tokens 2^63-1: usage error"
run llmr-ask -m openai/gpt-4o-mini --max-tokens 99999999999 hi
is "$status" 64 "llmr-ask --max-tokens past the limit: usage error"
like "$err" "more than 10000000 tokens" "... saying the limit"

printf '%s\n' '{"prompt":"hi","max_tokens":10000000}' >big.jsonl
run llmr-route <big.jsonl
ok_cond "at the limit: a decision (exit $status)" test "$status" = 0 -o "$status" = 69
like "$out" '"est_input_tokens":[0-9]' "... whose token estimate is not negative"
est=$(printf '%s\n' "$out" | jq -r '.est_cost_usd // 0')
ok_cond "... with a finite, non-negative estimate ($est)" awk -v x="$est" 'BEGIN { exit !(x >= 0 && x < 1e9) }'
done_testing
