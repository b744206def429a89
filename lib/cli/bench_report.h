/*
 * bench_report.h - llmr-bench report printed from what llmr_bench_report
 * returns (lib/bench/report.h): a text report for a terminal, or one
 * self-contained HTML page with inline SVG charts.
 */
#ifndef LLMR_CLI_BENCH_REPORT_H
#define LLMR_CLI_BENCH_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "base/util.h"

void llmr_bench_report_text(FILE *fp, const json_t *r);

/* No script, no external fetch: figures the tests compare with --json
 * carry id attributes (bench_report_html.c). */
void llmr_bench_report_html(struct llmr_buf *b, const json_t *r);

/* The human arena's section of each (bench_report_arena.c); b is scratch. */
void llmr_bench_report_arena_text(FILE *fp, struct llmr_buf *b, const json_t *r);
void llmr_bench_report_arena_html(struct llmr_buf *b, const json_t *r);

#endif
