#!/bin/sh
# llmr-route throughput: decisions per second from JSON lines, one process,
# with the live state (a snapshot refreshed every second). Prints figures.
: "${LLMR_BUILD:=$PWD/build}"
N=${N:-100000}
dir=$(mktemp -d "${TMPDIR:-/tmp}/llmr-bench-route.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
cat >"$dir/llmr.conf" <<EOC
providers:
  openai:
    protocol: openai
    base_url: http://127.0.0.1:9/v1
    api_key_env: BENCH_KEY
    limits: {rpm: 500, rpd: 10000, tpm: 200000}
    models:
      gpt-4o-mini: {input: 0.15, output: 0.60, context: 128000, quality: 72}
      gpt-4o: {input: 2.50, output: 10.00, context: 128000, quality: 88}
  groq:
    protocol: openai
    base_url: http://127.0.0.1:9/v1
    api_key_env: BENCH_KEY
    models:
      llama3-8b-8192: {input: 0.05, output: 0.08, context: 8192, quality: 55}
  local:
    protocol: extractive
routes:
  search:
    max_cost: 0.05
    tiers:
      simple: [openai/gpt-4o-mini, groq/llama3-8b-8192, local/extractive]
      medium: [openai/gpt-4o, openai/gpt-4o-mini]
      complex: [openai/gpt-4o]
EOC
awk -v n="$N" 'BEGIN {
	p[0] = "Bonjour, quelle heure est-il ?"
	p[1] = "Analyse et compare les offres A et B, puis propose un plan de migration."
	p[2] = "Summarize this text in one sentence: the quick brown fox jumps over the lazy dog, again and again, until the dog wakes up and leaves."
	p[3] = "Write a python function that parses a CSV file and returns the rows as dictionaries"
	p[4] = "Est-ce conforme au RGPD de garder les adresses des adhérents trois ans ?"
	for (i = 0; i < n; i++)
		printf "{\"id\":\"r%d\",\"prompt\":\"%s\",\"route\":\"search\"}\n", i, p[i % 5]
}' >"$dir/req.jsonl"
export LLMR_CONFIG="$dir/llmr.conf" LLMR_STATE="$dir/state.db" BENCH_KEY=x
"$LLMR_BUILD/bin/llmr-route" "warm up" >/dev/null || exit 1
t0=$(date +%s.%N)
# times: the second line is the CPU time of the subshell's children.
cpu=$( ("$LLMR_BUILD/bin/llmr-route" <"$dir/req.jsonl" >"$dir/out.jsonl" || exit 1; times) |
	awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/); print u[1] * 60 + u[2] + s[1] * 60 + s[2] }') || exit 1
t1=$(date +%s.%N)
lines=$(wc -l <"$dir/out.jsonl")
awk -v n="$lines" -v a="$t0" -v b="$t1" -v c="$cpu" 'BEGIN {
	printf "llmr-route: %d decisions in %.2f s = %.0f decisions/s (goal >= 100000)\n", n, b - a, n / (b - a)
	if (c > 0)
		printf "llmr-route: %.2f s of CPU = %.0f decisions per CPU second (wall time counts other load)\n", c, n / c }'
