#!/bin/sh
# Benchmark (not a test): the harness overhead of llmr-bench run against
# the fake provider answering at once (zero delay), next to llmr-ask.
# One suite of BENCH_CASES cases (default 50), each with three assertions
# (contains, regex, json-schema), on one model; llmr-bench run's wall and
# CPU time per case, with -P 1 and -P 4, against one llmr-ask --no-stream
# process per request (the same call path, plus a process start each).
# BENCH_N runs of each (default 5), interleaved; medians. Prints figures,
# never a verdict: the machine is shared.
set -e
. "$(dirname "$0")/../cli/lib.sh"
fake_start
write_config
llmr-ask -m openai/gpt-4o-mini --no-stream warm-up >/dev/null   # creates the state file
cases=${BENCH_CASES:-50}
{
	printf 'name: overhead\nmodels: [openai/gpt-4o-mini]\nthreshold: 0\ncases:\n'
	i=0
	while [ $i -lt "$cases" ]; do
		i=$((i + 1))
		printf '  - prompt: "Question number %d, say hello"\n' $i
		printf '    assert: [{type: contains, value: e}, {type: regex, value: "^[A-Za-z]"},\n'
		printf '             {type: json-schema, value: {type: object, required: [a]}}]\n'
	done
} >"$TEST_DIR/overhead.yaml"
python3 - "$TEST_DIR/overhead.yaml" "$cases" "${BENCH_N:-5}" <<'EOF2'
import os, statistics, subprocess, sys, time
suite, cases, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def once(argv):
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit("failed: %s" % " ".join(argv))
    return wall * 1000, (ru.ru_utime + ru.ru_stime) * 1000

def asks():
    """cases llmr-ask processes, one after the other: total wall, CPU."""
    w = c = 0
    for i in range(cases):
        a, b = once(["llmr-ask", "-m", "openai/gpt-4o-mini", "--no-stream",
                     "Question number %d, say hello" % i])
        w, c = w + a, c + b
    return w, c

runs = {"bench -P 1": [], "bench -P 4": [], "llmr-ask x N": []}
for _ in range(n):
    runs["bench -P 1"].append(once(["llmr-bench", "run", "-P", "1", suite]))
    runs["bench -P 4"].append(once(["llmr-bench", "run", "-P", "4", suite]))
    runs["llmr-ask x N"].append(asks())
print("llmr-bench run vs llmr-ask, zero-delay fake on loopback, %d cases, median of %d runs" % (cases, n))
print("(load average %.2f; CPU is user + system of the processes; llmr-bench streams,"
      " scores 3 assertions a case, stores results and outcomes)" % os.getloadavg()[0])
print("                        wall/case    CPU/case")
med = {}
for k, r in runs.items():
    w = statistics.median(x for x, _ in r) / cases
    c = statistics.median(y for _, y in r) / cases
    med[k] = (w, c)
    print("  %-18s %8.2f ms %8.2f ms" % (k, w, c))
print("  llmr-bench -P 1 / llmr-ask per request: %.2fx wall, %.2fx CPU" %
      (med["bench -P 1"][0] / med["llmr-ask x N"][0], med["bench -P 1"][1] / med["llmr-ask x N"][1]))
EOF2
