#!/bin/sh
# llmr-ask follows what llmr-cost stored: an applied routing version (and its
# rollback), and imported prices.
. "$(dirname "$0")/lib.sh"
fake_start
write_config

run llmr-ask --json "hello"
is "$(printf '%s' "$out" | jq -r .model)" openai/gpt-4o-mini "before: the config's chain"
run llmr-cost simulate --replace openai/gpt-4o-mini=groq/llama3-8b-8192 --apply
is "$status" 0 "llmr-cost simulate --apply"
[ "$status" = 0 ] || diag "$err"
run llmr-ask --json "hello"
is "$(printf '%s' "$out" | jq -r .model)" groq/llama3-8b-8192 "after --apply: the applied routing"
printf '{"id":"j1","prompt":"hello"}\n' | llmr-ask --jsonl -P 2 >o
is "$(jq -r .model o)" groq/llama3-8b-8192 "... also in batch workers"
run llmr-route --complexity simple "hello"
is "$(printf '%s' "$out" | jq -r .model)" groq/llama3-8b-8192 "llmr-route decides under it too"
run llmr-cost rollback
is "$status" 0 "llmr-cost rollback"
run llmr-ask --json "hello"
is "$(printf '%s' "$out" | jq -r .model)" openai/gpt-4o-mini "after rollback: the config's chain again"
done_testing
