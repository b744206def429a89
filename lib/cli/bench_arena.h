/*
 * bench_arena.h - llmr-bench arena: a person votes between two anonymous
 * answers on a terminal, as in the Chatbot Arena; the vote is stored as a
 * pairwise result (source "human") that the ratings count.
 */
#ifndef LLMR_CLI_BENCH_ARENA_H
#define LLMR_CLI_BENCH_ARENA_H

#include <stdio.h>

#include "bench/run.h"

/*
 * Ask models a and b the prompt, show the two answers as A and B in a
 * random order on out, read the vote (a, b, t or tie, s or skip; end of
 * input skips) from in, store it, then tell which model was which.
 * Returns 0, or -1 with e: 64 for an unknown model, 69 when a model
 * could not answer (nothing is stored then).
 */
int llmr_bench_arena(const struct llmr_bench_env *env, const char *prompt, const char *a,
		     const char *b, FILE *in, FILE *out, struct llmr_err *e);

#endif
