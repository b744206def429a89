/*
 * run.h - running a suite: each case on each model through llmr_ask (so
 * every call, the judge's too, is routed, capped, quota-checked and logged
 * like any other), scored and stored; and MT-Bench's pairwise comparison.
 */
#ifndef LLMR_BENCH_RUN_H
#define LLMR_BENCH_RUN_H

#include <jansson.h>

#include "bench/suite.h"
#include "conf/config.h"
#include "store/state.h"

struct llmr_bench_env {
	const struct llmr_config *cfg; /* borrowed */
	struct llmr_state *st;         /* borrowed; results are stored there */
	const char *judge;             /* overrides the suite's judge, or NULL */
};

/* llmr-bench run's exit status when the suite ran but some case scored
 * below the threshold (like test(1)'s false; sysexits has no such code). */
#define LLMR_BENCH_EX_BELOW 1

/* The most workers -P takes. */
#define LLMR_BENCH_MAX_PARALLEL 32

/* The names the suite uses (route, models, judge) exist in the config:
 * 0, or -1 with e (65, naming the suite file). */
int llmr_bench_check(const struct llmr_bench_env *env, const struct llmr_suite *s,
		     struct llmr_err *e);

/*
 * Run every case on every model (or once through the suite's route) and
 * store the results, each as it comes, under a new run with the suite's
 * hash; then store each answered result as an outcome (prompt, the model
 * that answered, the case's score) for the learned router. Returns the
 * report (new reference): {"run","suite","file","suite_hash","threshold",
 * "parallel","answered","passed","status","interrupted","outcomes",
 * "models":[summary],"results":[result]}; NULL and e only when the state
 * cannot be written. A call that fails is a failed case with its error,
 * not an error here: "answered" says how many calls got an answer.
 * "passed" is true when every case passed on every contestant. After
 * Ctrl-C no new case starts, a case whose call was stopped is dropped,
 * and status is "interrupted"; else "passed" or "failed".
 * parallel (llmr-bench run -P): cases x models run by this many workers at
 * once, each on its own connection to state_path (SQLite connections are
 * not shared between threads); 0 or 1: one, on env->st.
 */
json_t *llmr_bench_run(const struct llmr_bench_env *env, const struct llmr_suite *s,
		       int parallel, const char *state_path, struct llmr_err *e);

/*
 * Ask models a and b every case, then the judge twice per case with the
 * answers swapped, and store each outcome as a pairwise result (a, b or
 * tie). Returns {"run","suite","model_a","model_b","judge","parallel",
 * "interrupted","a","b","tie","inconsistent","skipped","pairs":[...]}
 * (new reference; pairs in case order), or NULL and e. parallel and
 * state_path as for llmr_bench_run: cases judged by that many workers at
 * once. After Ctrl-C no new case starts.
 */
json_t *llmr_bench_compare(const struct llmr_bench_env *env, const struct llmr_suite *s,
			   const char *a, const char *b, int parallel, const char *state_path,
			   struct llmr_err *e);

/* One call as the suites make them (model forced, streamed, not cached):
 * the response or failed-request object of llmr_ask (new reference). */
json_t *llmr_bench_ask(const struct llmr_bench_env *env, const char *model, const char *prompt);

/* A case's question as one text: its prompt, or its messages as
 * "role: content" lines. malloc'd. */
char *llmr_bench_question(const struct llmr_case *c);

#endif
