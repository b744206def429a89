#!/bin/sh
# Benchmark (not a test): whole-process time of `llmr-ask --no-stream`
# against the fake provider on loopback, next to curl doing the same POST.
# The two alternate run by run, so that both see the same machine load;
# BENCH_N runs each (default 40). Prints the median wall time and the median
# CPU time (user + system, which other processes on a busy machine disturb
# less), their ratios, the cost of merely starting each program
# (`llmr-ask --help`, `curl file:///dev/null`: loading the libraries), the
# least CPU time of the runs (the figure a loaded machine disturbs least),
# and llmr-ask's peak RSS.
# Targets (issue 8): llmr-ask at most 1.2x curl; peak RSS at most 16 MB.
set -e
. "$(dirname "$0")/../cli/lib.sh"
fake_start
write_config
llmr-ask -m openai/gpt-4o-mini --no-stream warm-up >/dev/null   # creates the state file
body='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}]}'
python3 - "$FAKE_URL" "$body" "${BENCH_N:-40}" <<'EOF2'
import os, shutil, statistics, subprocess, sys
import time
url, body, n = sys.argv[1], sys.argv[2], int(sys.argv[3])

def once(argv):
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("failed: %s" % " ".join(argv))
    return wall * 1000, (ru.ru_utime + ru.ru_stime) * 1000

def measure(argvs):
    """Median wall and CPU ms of each command, runs interleaved."""
    runs = [[] for _ in argvs]
    for _ in range(n):
        for i, argv in enumerate(argvs):
            runs[i].append(once(argv))
    best.extend(min(c for _, c in r) for r in runs)
    return [(statistics.median(w for w, _ in r), statistics.median(c for _, c in r)) for r in runs]

best = []

key = os.environ["TEST_OPENAI_KEY"]
curl = ["curl", "-s", "-X", "POST", url + "/openai/v1/chat/completions",
        "-H", "Content-Type: application/json", "-H", "Authorization: Bearer " + key, "-d", body]
ask = ["llmr-ask", "-m", "openai/gpt-4o-mini", "--no-stream", "Say hello"]
(cw, cc), (aw, ac), (lw, lc), (vw, vc) = measure(
    [curl, ask, ["llmr-ask", "--help"], ["curl", "-s", "-o", "/dev/null", "file:///dev/null"]])
# ru_maxrss of a forked child keeps the parent's (python's) high-water mark
# across exec; GNU time forks from a small process, so ask it when present.
if shutil.which("/usr/bin/time"):
    def gnu_rss(argv):
        r = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
        return int(r.stderr.strip().splitlines()[-1])
    arss = max(gnu_rss(ask) for _ in range(3)) / 1024
    rss = "%.1f MB" % arss
else:
    arss, rss = 0, "unknown (install 'time')"
print("llmr-ask --no-stream vs curl, loopback fake provider, median of %d interleaved runs" % n)
print("(load average %.2f; CPU time is user + system of the process)" % os.getloadavg()[0])
print("                          wall        CPU")
print("  curl POST:          %7.1f ms %7.1f ms" % (cw, cc))
print("  llmr-ask:           %7.1f ms %7.1f ms" % (aw, ac))
print("  ratio:              %7.2fx   %7.2fx   (target <= 1.2x)" % (aw / cw, ac / cc))
# The least CPU time of the runs: what a busy machine disturbs least.
print("  least CPU: curl %.1f ms, llmr-ask %.1f ms, ratio %.2fx" % (best[0], best[1], best[1] / best[0]))
print("  start-up only: curl file:///dev/null %.1f ms CPU, llmr-ask --help %.1f ms CPU" % (vc, lc))
print("  llmr-ask peak RSS: %s (target <= 16 MB: %s)" %
      (rss, "met" if 0 < arss <= 16 else "NOT met" if arss else "?"))
EOF2
