#!/bin/sh
# llmr-ask --jsonl: responses in input order, bad lines reported by line
# number without losing the others.
. "$(dirname "$0")/lib.sh"
fake_start
write_config

cat >reqs <<'EOF2'
{"id":"a","prompt":"one","model":"openai/gpt-4o-mini"}

{"id":"b","messages":[{"role":"user","content":"two"}],"model":"anthropic/claude-sonnet-4-5","max_tokens":50}
{"id":"c","prompt":"three" 
{"id":"d","prompt":"four","complexity":"hard"}
{"id":"e","prompt":"five","route":"default","priority":"P2","temperature":0.2}
[1,2]
EOF2
run llmr-ask --jsonl <reqs
is "$status" 65 "a bad line makes the exit status 65"
is "$(printf '%s\n' "$out" | wc -l)" 6 "one output line per non-blank input line"
is "$(printf '%s\n' "$out" | jq -r '.id // "null"' | tr '\n' ' ')" "a b null d e null " "in input order"
is "$(printf '%s\n' "$out" | jq -r 'select(.id=="a") .text')" "Hello!" "line 1 answered"
is "$(printf '%s\n' "$out" | jq -r 'select(.id=="b") .model')" "anthropic/claude-sonnet-4-5" "messages form answered"
is "$(fake_jq '[.log[] | select(.family=="anthropic")][0].body.max_tokens')" 50 "max_tokens passed through"
is "$(printf '%s\n' "$out" | sed -n 3p | jq -c '[.line, .error.class]')" '[4,"bad_input"]' "invalid JSON: error line with its line number"
like "$err" '^llmr-ask: <stdin>:4: invalid JSON' "invalid JSON: <stdin>:4 on stderr"
like "$err" '<stdin>:5: "complexity"' "bad field: named with its line"
is "$(printf '%s\n' "$out" | jq -r 'select(.id=="e") .priority')" P2 "priority from the request"
like "$err" '<stdin>:7: a request must be a JSON object' "a non-object line is refused"

# The same with workers.
run llmr-ask --jsonl -P 3 <reqs
is "$(printf '%s\n' "$out" | jq -r '.id // "null"' | tr '\n' ' ')" "a b null d e null " "-P 3: same order"
is "$status" 65 "-P 3: same exit status"

# A failing request is a line too, and sets the exit status.
fake_reset
fake_script '{"family":"openai","status":401}'
printf '{"id":"x","prompt":"p","model":"openai/gpt-4o-mini"}\n' | llmr-ask --jsonl >o 2>e
is "$?" 77 "a failed request: its exit code"
is "$(jq -r .error.class o)" auth "a failed request: error line"
run llmr-ask --jsonl "extra"
is "$status" 64 "--jsonl with an operand is a usage error"
done_testing
