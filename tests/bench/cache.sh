#!/bin/sh
# Benchmark (not a test): the response caches.
#  1. exact hit: whole-process time of llmr-ask answering from the exact
#     cache, next to the same question missing (the fake answers at once,
#     so the gap is the provider round trip plus the decision);
#  2. semantic lookup p50/p95 at SEM_N entries (default 100000), the worst
#     case of one scope and one guard (tests/unit/semcache_bench.c);
#  3. a replayed log with repeats and paraphrases: REPLAY requests (default
#     400) drawn from the labelled pairs (tests/fixtures/semcache), through
#     llmr-ask --jsonl with both caches on: hit rates per kind and money
#     saved (llmr-cost cache), and how many near misses were served (should
#     be 0).
set -e
. "$(dirname "$0")/../cli/lib.sh"
fake_start
CACHE_TTL=1h SEMANTIC_TTL=1h write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [openai/gpt-4o-mini]'
llmr-ask --no-stream "warm-up: create the state file" >/dev/null
python3 - "${BENCH_N:-30}" <<'EOF2'
import os, statistics, subprocess, sys, time
n = int(sys.argv[1])
def once(argv):
    t0 = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - t0) * 1000
miss, hit = [], []
for i in range(n):
    q = "benchmark question number %d about recycling" % i
    miss.append(once(["llmr-ask", "--no-stream", q]))
    hit.append(once(["llmr-ask", "--no-stream", q]))
print("exact cache: llmr-ask miss (fake provider on loopback) median %.1f ms, exact hit median %.1f ms, p95 %.1f ms (%d runs)"
      % (statistics.median(miss), statistics.median(hit), sorted(hit)[int(n * 0.95) - 1], n))
EOF2
"$LLMR_BUILD/tests/semcache_bench.t" --bench "${SEM_N:-100000}" | grep -v '^#'

# The replay: questions from the labelled pairs, repeated and reworded.
python3 - "$LLMR_SRC/tests/fixtures/semcache/pairs.tsv" "${REPLAY:-400}" >replay.jsonl <<'EOF2'
import json, random, sys
random.seed(7)
pairs = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8") if not l.startswith("#")]
n = int(sys.argv[2])
out = []
for i in range(n):
    split, label, kind, a, b = random.choice(pairs)
    r = random.random()
    # First asks, exact repeats, and the pair's other question (a
    # paraphrase when label is 1, a near miss when it is 0).
    q = a if r < 0.5 else (b if r < 0.8 else a)
    out.append({"id": "q%d-%s-%s" % (i, label, "b" if q == b and q != a else "a"), "prompt": q})
for o in out:
    print(json.dumps(o, ensure_ascii=False))
EOF2
llmr-ask --jsonl <replay.jsonl >replay.out 2>/dev/null || true
python3 - replay.out <<'EOF2'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
kinds = {}
wrong = 0
for r in rows:
    k = r.get("cache", "error")
    kinds[k] = kinds.get(k, 0) + 1
    # A near miss (label 0, second question) served semantically from its
    # pair's first question would be a wrong answer.
    if k == "semantic" and "-0-b" in r["id"]:
        wrong += 1
n = len(rows)
print("replay: %d requests: %s; semantic hits on near-miss questions: %d"
      % (n, ", ".join("%s %d (%.1f%%)" % (k, v, 100.0 * v / n) for k, v in sorted(kinds.items())), wrong))
EOF2
llmr-cost cache --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
t = r["total"]
print("llmr-cost cache: hit rate %.1f%% (%d exact, %d semantic of %d requests), saved $%.6f; %d entries, %d bytes"
      % (t["hit_rate"] * 100, t["exact"], t["semantic"], t["requests"], t["saved_usd"], t["entries"], t["bytes"]))'
