#!/bin/sh
# Learned-router decisions per second over 10,000 labelled prompts (the
# target is 20,000/s), with the exact scan and the bare embedding beside
# it for scale. CPU time; prints figures, passes or fails nothing.
: "${LLMR_BUILD:=$PWD/build}"
N=${N:-10000}
Q=${Q:-20000}
"$LLMR_BUILD/tests/learn_bench.t" --bench "$N" "$Q"
