/*
 * batch.h - JSON lines in, JSON lines out, in input order, with N worker
 * processes. Workers are forked, so each has its own HTTP handle and its own
 * state connection (open them lazily, after the fork).
 */
#ifndef LLMR_BATCH_H
#define LLMR_BATCH_H

#include <stdio.h>

#include "base/util.h"

/*
 * Turn one input line (without its newline; lineno counts from 1) into one
 * output line: a new string without a newline (caller frees), or NULL to
 * print nothing. *status gets the line's exit code (0 ok).
 */
typedef char *(*llmr_batch_fn)(const char *line, size_t len, long lineno, int *status, void *ud);

/*
 * Read lines from in, run fn on each (in parallel workers when parallel > 1)
 * and write the results to out in input order, flushing each. Blank lines
 * are skipped. *worst gets the highest status seen (0 if none). Returns 0,
 * or -1 with e (I/O error on out: LLMR_EX_IOERR; fork failure: 70).
 */
int llmr_batch_run(FILE *in, FILE *out, int parallel, llmr_batch_fn fn, void *ud, int *worst,
		   struct llmr_err *e);

#endif
