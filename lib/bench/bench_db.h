/*
 * bench_db.h - suite runs, their results and pairwise comparisons in the
 * state file (tables bench_runs, bench_results, bench_pairs). Each row is
 * its own transaction: a run killed half-way keeps the cases it finished.
 */
#ifndef LLMR_BENCH_DB_H
#define LLMR_BENCH_DB_H

#include <jansson.h>
#include <stdint.h>

#include "store/state.h"

/* A new run of kind "run" or "compare"; *id gets its id. */
int llmr_bench_db_run(struct llmr_state *st, const char *suite, const char *file,
		      const char *kind, double threshold, int64_t *id, struct llmr_err *e);

/* How run stands: status "running", "passed", "failed" or "interrupted"
 * (any but running also sets its end time); hash (may be NULL: kept) is
 * the suite file's SHA-256. */
int llmr_bench_db_run_status(struct llmr_state *st, int64_t run, const char *hash,
			     const char *status, struct llmr_err *e);

/* One result: row is a result object of llmr_bench_run's report. */
int llmr_bench_db_result(struct llmr_state *st, int64_t run, const json_t *row,
			 struct llmr_err *e);

/* One pairwise result; winner "a", "b" or "tie"; run may be 0 (none);
 * source "judge" or "human"; detail (may be NULL) is JSON text. */
int llmr_bench_db_pair(struct llmr_state *st, int64_t run, const char *source,
		       const char *prompt, const char *a, const char *b, const char *winner,
		       const char *detail, struct llmr_err *e);

/* Every pairwise result, oldest first: [{"id","run","ts_ms","source",
 * "prompt","model_a","model_b","winner"}] (new reference), or NULL and e. */
json_t *llmr_bench_db_pairs(struct llmr_state *st, struct llmr_err *e);

/*
 * Everything as a dataset, oldest first (new reference, or NULL and e),
 * each row with its audit trail (run, suite, suite_hash, when):
 * - each result {"kind":"result","run","suite","suite_hash",
 *   "run_started_ms","model","case","prompt","output","error","cost_usd",
 *   "latency_ms","ttft_ms","output_tps","score","pass"};
 * - each pairwise result, a judge's or a person's {"kind":"pair","run",
 *   "suite","suite_hash","source","ts_ms","case","evaluator","judge",
 *   "prompt","model_a","model_b","label_a","label_b","answer_a",
 *   "answer_b","winner","time_ms"};
 * - each answer a person scored in the arena {"kind":"score","run",
 *   "suite","suite_hash","ts_ms","case","evaluator","model","label",
 *   "prompt","answer","score","tags":[...],"comment","confidence",
 *   "time_ms","outlier"};
 * - each evaluator {"kind":"evaluator","evaluator","items","deviation",
 *   "flagged","median_deviation"} (bench/arena.h, consistency).
 * suite_hash is null where it is not known.
 */
json_t *llmr_bench_db_export(struct llmr_state *st, struct llmr_err *e);

#endif
