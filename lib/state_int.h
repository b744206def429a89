/*
 * state_int.h - what state.c, state_file.c and state_log.c share; not part
 * of the public interface (use state.h).
 */
#ifndef LLMR_STATE_INT_H
#define LLMR_STATE_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "util.h"

struct llmr_state {
	sqlite3 *db;
	char *path;
	/* state_log.c's statements, prepared on first use, finalized on close. */
	sqlite3_stmt *ins_attempt;
	sqlite3_stmt *upsert_rl;
	sqlite3_stmt *spend;
	unsigned seed;      /* backoff jitter */
	int64_t busy_since; /* start of the current busy wait */
};

/* Whether an SQLite result code (primary or extended) means "try again". */
int llmr_state_is_busy(int rc);

/* Fill e with "state file 'P': what: sqlite's message" (exit 74); -1. */
int llmr_state_dberr(struct llmr_state *st, const char *what, struct llmr_err *e);

/* Create path's directory (0700) and the file itself (0600) when missing;
 * refuse a directory or a file we cannot read and write (exit 74). */
int llmr_state_prepare_file(const char *path, struct llmr_err *e);

#endif
