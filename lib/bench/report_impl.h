/*
 * report_impl.h - what the files of llmr-bench report share inside
 * lib/bench/ (report.c, report_arena.c, report_rows.c).
 */
#ifndef LLMR_BENCH_REPORT_IMPL_H
#define LLMR_BENCH_REPORT_IMPL_H

#include <jansson.h>

#include "bench/report.h"

/* report_rows.c: every row of sql as an object keyed by its column
 * names, with ?1 the run and ?2 the time filter of o: a new array, or
 * NULL and e. */
json_t *llmr_bench_report_rows(struct llmr_state *st, const char *sql,
			       const struct llmr_bench_report_opts *o, struct llmr_err *e);

/* report_arena.c: set rep's "arena" (report.h) from
 * bench_arena_scores: 0, or -1 and e. */
int llmr_bench_report_arena(struct llmr_state *st, json_t *rep,
			    const struct llmr_bench_report_opts *o, struct llmr_err *e);

#endif
