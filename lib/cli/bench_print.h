/*
 * bench_print.h - llmr-bench's reports of run, compare and ratings, as
 * tables or one JSON object.
 */
#ifndef LLMR_CLI_BENCH_PRINT_H
#define LLMR_CLI_BENCH_PRINT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* cmd: "run", "compare" or "ratings"; r: what lib/bench returned. */
void llmr_bench_print(FILE *fp, const char *cmd, const json_t *r, bool json);

/* 69 when not one call of a run or compare got an answer, else 0. */
int llmr_bench_unanswered(const char *cmd, const json_t *r);
/* The first error of a report (borrowed), for the message of exit 69. */
const char *llmr_bench_first_error(const json_t *r);

/* "N of M results passed" for a run's report (a static buffer). */
const char *llmr_bench_tally(const json_t *r);

/* The dataset of llmr_bench_db_export: JSON lines, or CSV (RFC 4180, a
 * header, one column per field of either kind, empty where a row has none). */
void llmr_bench_print_export(FILE *fp, const json_t *rows, bool csv);

#endif
