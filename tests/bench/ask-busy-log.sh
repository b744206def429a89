#!/bin/sh
# Benchmark (not a test): llmr-ask --no-stream against the loopback fake
# when the state file already logs a busy day, next to an empty log. Every
# llmr-ask reads the recent log (per-provider latencies and spend, the
# degraded-mode signals), so its cost must not grow with the traffic.
# REQUESTS (default 20000) logged requests spread over the last 24 h, over
# three providers; BENCH_N runs each (default 20), alternating.
set -e
. "$(dirname "$0")/../cli/lib.sh"
command -v sqlite3 >/dev/null 2>&1 || { echo "busy-log bench: sqlite3 is not installed"; exit 0; }
fake_start
write_config
: "${REQUESTS:=20000}"
for s in empty busy; do
	LLMR_STATE=$TEST_DIR/$s.db llmr-ask -m openai/gpt-4o-mini --no-stream warm-up >/dev/null
done
now=$(($(date +%s) * 1000))
sqlite3 "$TEST_DIR/busy.db" "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c
	WHERE i < $REQUESTS) INSERT INTO requests(request_id, ts_ms, route, provider, model,
	status, input_tokens, output_tokens, cost_usd, latency_ms)
	SELECT 'bench-' || i, $now - i * (86400000 / $REQUESTS), 'default',
	CASE i % 3 WHEN 0 THEN 'openai' WHEN 1 THEN 'groq' ELSE 'anthropic' END,
	CASE i % 3 WHEN 0 THEN 'gpt-4o-mini' WHEN 1 THEN 'llama3-8b-8192' ELSE 'claude-haiku-4-5' END,
	'ok', 200, 50, 0.0001, 400 + i % 300 FROM c" >/dev/null
python3 - "$TEST_DIR" "${BENCH_N:-20}" "$REQUESTS" <<'EOF2'
import os, statistics, subprocess, sys
import time
d, n, reqs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ask = ["llmr-ask", "-m", "openai/gpt-4o-mini", "--no-stream", "Say hello"]
runs = {"empty": [], "busy": []}
for _ in range(n):
    for name in runs:
        env = dict(os.environ, LLMR_STATE="%s/%s.db" % (d, name))
        t0 = time.perf_counter()
        p = subprocess.Popen(ask, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit("failed: %s" % " ".join(ask))
        runs[name].append(((time.perf_counter() - t0) * 1000, (ru.ru_utime + ru.ru_stime) * 1000))
print("llmr-ask --no-stream with a busy log, median of %d interleaved runs" % n)
print("(load average %.2f)                            wall        CPU" % os.getloadavg()[0])
for name, label in (("empty", "empty log:"), ("busy", "%d requests in the last 24 h:" % reqs)):
    r = runs[name]
    print("  %-38s %7.1f ms %7.1f ms" % (label, statistics.median(w for w, _ in r),
                                          statistics.median(c for _, c in r)))
EOF2
