/*
 * run_impl.h - private to lib/bench/run*.c and compare.c.
 */
#ifndef LLMR_BENCH_RUN_IMPL_H
#define LLMR_BENCH_RUN_IMPL_H

#include <pthread.h>

#include "bench/run.h"

/*
 * A pool of workers (pool.c): jobs 0..njobs-1, each given to job() with
 * the worker's env, whose st is the worker's own connection to
 * state_path (NULL: env->st, and one worker). parallel workers at once
 * (at most njobs; 0 or 1: one, on the calling thread). No job starts
 * after Ctrl-C or bench_pool_fail. The caller fills env, parallel,
 * state_path, njobs, job and ud, the rest zeroed; after bench_pool_run,
 * failed and err say whether a job failed, interrupted whether one was
 * stopped half-way. A job writes only its own slot of the caller's data.
 */
struct bench_pool {
	const struct llmr_bench_env *env;
	int parallel;
	const char *state_path;
	size_t njobs;
	void (*job)(struct bench_pool *p, const struct llmr_bench_env *env, size_t j);
	void *ud;
	/* the pool's */
	size_t next;
	pthread_mutex_t mu;
	int failed, interrupted;
	struct llmr_err err;
};

void bench_pool_run(struct bench_pool *p);
/* From a job: stop the pool with e (the first failure is kept). */
void bench_pool_fail(struct bench_pool *p, const struct llmr_err *e);
/* From a job: a call was stopped by Ctrl-C. */
void bench_pool_interrupted(struct bench_pool *p);

/* One call through llmr_ask, the model forced (NULL: the route decides),
 * streamed so that the time to first token is measured, never from the
 * response cache. The response or failed-request object (new reference). */
json_t *bench_ask(const struct llmr_bench_env *env, const char *route, const char *model,
		  const char *prompt, json_t *messages);

/* The question as a judge reads it: the prompt, or the messages as
 * "role: content" lines (new string). */

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
