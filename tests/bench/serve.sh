#!/bin/sh
# Benchmark (not a test): what llmr-ask --serve adds to a chat completion.
# The same non-streaming request, to the zero-delay loopback fake directly
# and through the server (one model, so one provider call each; the
# response cache off, every request logged in the state file), one at a
# time and then 100 connections at once: latency p50/p99 and requests/s.
# BENCH_N requests a run (default 2000; 300 to warm up), and the server's
# CPU time per request. Targets (issue 12): <= 0.5 ms added at p50
# sequentially, >= 1,000 req/s.
set -e
. "$(dirname "$0")/../cli/lib.sh"
. "$LLMR_SRC/tests/cli/serve.sh"
command -v node >/dev/null 2>&1 || { echo "serve bench: node is not installed"; exit 0; }
fake_start
write_config
LLMR_STATE=$TEST_DIR/state.db
export LLMR_STATE
serve_start || { echo "serve bench: the server did not start"; cat "$SERVE_LOG"; exit 1; }
load=$LLMR_SRC/tests/bench/serve-load.mjs
# The server's CPU time so far, in clock ticks (utime + stime): per
# request it varies far less with the machine's load than latency does.
server_cpu() {
	awk '{ print $14 + $15 }' "/proc/$SERVE_PID/stat"
}
n=${BENCH_N:-2000}
body='{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hello"}]}'
direct=$FAKE_URL/openai/v1/chat/completions
served=$SERVE_URL/v1/chat/completions
node "$load" "$served" "$body" 300 10 >/dev/null
node "$load" "$direct" "$body" 300 10 "authorization:Bearer $TEST_OPENAI_KEY" >/dev/null
echo "llmr-ask --serve: chat completion, non-streaming, $n requests a run (ms)"
printf '%-28s %9s %9s %9s %7s\n' "" p50 p99 req/s failed
for c in 1 100; do
	d=$(node "$load" "$direct" "$body" "$n" "$c" "authorization:Bearer $TEST_OPENAI_KEY")
	t0=$(server_cpu)
	s=$(node "$load" "$served" "$body" "$n" "$c")
	cpu=$(( $(server_cpu) - t0 ))
	for row in "fake directly, $c at once:$d" "through llmr, $c at once:$s"; do
		j=${row#*:}
		printf '%-28s %9.3f %9.3f %9.0f %7s\n' "${row%%:*}" "$(echo "$j" | jq .p50)" \
			"$(echo "$j" | jq .p99)" "$(echo "$j" | jq .rps)" "$(echo "$j" | jq .failed)"
	done
	printf '%-28s %9.3f %9.3f\n' "  added by llmr" \
		"$(jq -n "$s.p50 - $d.p50")" "$(jq -n "$s.p99 - $d.p99")"
	printf '%-28s %9.3f ms a request\n' "  server CPU (user+system)" \
		"$(jq -n "$cpu * 1000 / $(getconf CLK_TCK) / $n")"
done
serve_stop
