#!/bin/sh
# Quota reservations per second that 8 processes reach on one state file
# (each one an acquire and a settle, BEGIN IMMEDIATE, as llmr-ask does).
: "${LLMR_BUILD:=$PWD/build}"
"$LLMR_BUILD/tests/quota_bench.t" --bench "${PROCS:-8}" "${COUNT:-250}"
