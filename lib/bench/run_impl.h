/*
 * run_impl.h - private to lib/bench/run*.c and compare.c.
 */
#ifndef LLMR_BENCH_RUN_IMPL_H
#define LLMR_BENCH_RUN_IMPL_H

#include "bench/run.h"

/* One call through llmr_ask, the model forced (NULL: the route decides),
 * streamed so that the time to first token is measured, never from the
 * response cache. The response or failed-request object (new reference). */
json_t *bench_ask(const struct llmr_bench_env *env, const char *route, const char *model,
		  const char *prompt, json_t *messages);

/* The question as a judge reads it: the prompt, or the messages as
 * "role: content" lines (new string). */
char *bench_question(const struct llmr_case *c);

/* The error message of a failed call, or NULL when it answered. */
const char *bench_error(const json_t *resp);

/* 1 when the call was stopped by Ctrl-C (error class "cancelled"). */
int bench_cancelled(const json_t *resp);

/* One case (index k) on one contestant (model NULL: the suite's route):
 * the result object of llmr_bench_run's report (new reference). Sets
 * *cancelled when a call of it, the judge's too, was stopped by Ctrl-C. */
json_t *bench_run_case(const struct llmr_bench_env *env, const struct llmr_suite *s,
		       const char *contestant, const char *model, size_t k, int *cancelled);

#endif
