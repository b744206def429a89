/*
 * state_int.h - what state.c, state_file.c and state_log.c share; not part
 * of the public interface (use state.h).
 */
#ifndef LLMR_STATE_INT_H
#define LLMR_STATE_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/util.h"

#define LLMR_STATE_NSTMT 8
#define LLMR_STATE_NCACHE 64

struct llmr_state {
	sqlite3 *db;
	char *path;
	/* Statements prepared on first use by llmr_state_stmt(), keyed by their
	 * SQL's address, finalized on close. */
	struct { const char *sql; sqlite3_stmt *stmt; } stmts[LLMR_STATE_NSTMT];
	/* Statements of llmr_state_db_stmt() (state_stmt.c), keyed by their
	 * SQL's address; out while a caller holds one. */
	struct { const char *sql; sqlite3_stmt *stmt; bool out; } cache[LLMR_STATE_NCACHE];
	size_t ncache;
	unsigned seed;      /* backoff jitter */
	int64_t busy_since; /* start of the current busy wait */
};

/* Create path's directory (0700) and the file itself (0600) when missing;
 * refuse a directory or a file we cannot read and write (exit 74). */
int llmr_state_prepare_file(const char *path, struct llmr_err *e);

/* Make st's handle known to llmr_state_db_stmt(), and forget it (finalizing
 * its statements) before it closes (state_stmt.c). */
void llmr_state_register(struct llmr_state *st);
void llmr_state_unregister(struct llmr_state *st);

#endif
