#!/bin/sh
# Burst: 8 processes x 50 requests against two providers whose limits the
# fake enforces (short windows). llmr's shared reservations must admit no
# request the fake refuses (zero 429s), and every request is answered
# through the chain: openai, else groq, else wait for whichever frees.
. "$(dirname "$0")/lib.sh"
fake_start
write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [openai/gpt-4o-mini, groq/llama3-8b-8192]
      medium: [openai/gpt-4o-mini, groq/llama3-8b-8192]
      complex: [openai/gpt-4o-mini, groq/llama3-8b-8192]
    max_wait: 60s'
# The config says what the fake enforces: 25 a second each.
sed -i '/api_key_env: TEST_OPENAI_KEY/a\    limits: {rps: 25}' "$LLMR_CONFIG"
sed -i '/api_key_env: TEST_GROQ_KEY/a\    limits: {rps: 25}' "$LLMR_CONFIG"
fake_limit '{"family":"openai","requests":25,"window_ms":1000}'
fake_limit '{"family":"groq","requests":25,"window_ms":1000}'

for p in 1 2 3 4 5 6 7 8; do
	i=0
	while [ $i -lt 50 ]; do
		printf '{"id":"p%s-%s","prompt":"hello %s %s"}\n' "$p" "$i" "$p" "$i"
		i=$((i + 1))
	done >"in.$p"
done
pids=
for p in 1 2 3 4 5 6 7 8; do
	llmr-ask --jsonl --no-stream <"in.$p" >"out.$p" 2>"err.$p" &
	pids="$pids $!"
done
# Not a bare wait: the fake runs in the background too.
for pid in $pids; do
	wait "$pid"
done

cat out.* >all.out
is "$(wc -l <all.out | tr -d ' ')" 400 "400 responses"
is "$(jq -r 'select(.text != null) | .id' all.out | sort -u | wc -l | tr -d ' ')" 400 "every request answered"
is "$(fake_count '.status == 429')" 0 "no 429 from the fake: llmr never over-admitted"
is "$(fake_count '.status == 200')" 400 "400 provider calls, all admitted"
ok_cond "both providers used" test "$(fake_count '.family == "groq"')" -gt 0 -a "$(fake_count '.family == "openai"')" -gt 0
# No window of the fake ever saw more than its limit.
worst=$(fake_jq '[.log[] | select(.family == "openai") | .t_ms] as $t |
	[range(0; $t | length) as $i | [$t[] | select(. >= $t[$i] and . < $t[$i] + 1000)] | length] | max')
ok_cond "at most 25 openai requests in any second (saw $worst)" test "$worst" -le 25
is "$(cat err.* | wc -l | tr -d ' ')" 0 "nothing on stderr"
is "$(llmr-quota --json | jq '.providers[] | select(.name == "openai") | .used.concurrent')" 0 "no reservation left held"
done_testing
