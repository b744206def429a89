#!/bin/sh
# Bradley-Terry ratings of 100 models from 100,000 votes (issue 15: a fit
# in at most 2 s): the votes are counted into a win matrix, fitted by MM,
# then refitted on 1000 bootstrap redraws (Newton, from the full fit) for
# the 95% intervals. CPU time; prints figures, passes or fails nothing.
: "${LLMR_BUILD:=$PWD/build}"
"$LLMR_BUILD/tests/bench_bt.t" --bench "${MODELS:-100}" "${VOTES:-100000}"
