#!/bin/sh
# Benchmark (not a test): whole-process time of `llmr-ask --no-stream` against
# the fake provider on loopback, next to curl doing the same POST; median of
# 20 runs each, the ratio, and llmr-ask's peak RSS.
# Targets (issue 2): llmr-ask at most 1.5x curl; peak RSS at most 16 MB.
set -e
. "$(dirname "$0")/../cli/lib.sh"
fake_start
write_config
llmr-ask -m openai/gpt-4o-mini --no-stream warm-up >/dev/null   # creates the state file
body='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}]}'
python3 - "$FAKE_URL" "$body" <<'EOF2'
import os, statistics, subprocess, sys, time
url, body = sys.argv[1], sys.argv[2]
def measure(argv, n=20):
    times, rss = [], []
    for _ in range(n):
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        times.append(time.perf_counter() - t0)
        rss.append(ru.ru_maxrss)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit("failed: %s" % " ".join(argv))
    return statistics.median(times), max(rss)
key = os.environ["TEST_OPENAI_KEY"]
curl = ["curl", "-s", "-X", "POST", url + "/openai/v1/chat/completions",
        "-H", "Content-Type: application/json", "-H", "Authorization: Bearer " + key, "-d", body]
ask = ["llmr-ask", "-m", "openai/gpt-4o-mini", "--no-stream", "Say hello"]
c, crss = measure(curl)
a, arss = measure(ask)
# ru_maxrss of a forked child keeps the parent's (python's) high-water mark
# across exec; GNU time forks from a small process, so ask it when present.
import shutil
if shutil.which("/usr/bin/time"):
    def gnu_rss(argv):
        r = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
        return int(r.stderr.strip().splitlines()[-1])
    crss = max(gnu_rss(curl) for _ in range(3))
    arss = max(gnu_rss(ask) for _ in range(3))
else:
    print("  (no /usr/bin/time: RSS figures include python's own; install 'time')")
print("llmr-ask --no-stream vs curl, loopback fake provider, median of 20 runs")
print("  curl:      %7.1f ms   peak RSS %6.1f MB" % (c * 1000, crss / 1024))
print("  llmr-ask:  %7.1f ms   peak RSS %6.1f MB" % (a * 1000, arss / 1024))
print("  ratio:     %7.2fx   (target <= 1.5x)   RSS target <= 16 MB: %s" %
      (a / c, "met" if arss / 1024 <= 16 else "NOT met"))
EOF2
