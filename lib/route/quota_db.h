/*
 * quota_db.h - small SQLite helpers shared by quota.c, breaker.c, budget.c
 * and degrade.c (private to those files: not a public API).
 */
#ifndef LLMR_QUOTA_DB_H
#define LLMR_QUOTA_DB_H

#include <sqlite3.h>
#include <stdint.h>

#include "base/util.h"

/* A waiter that has not polled for this long is gone (killed). */
#define LLMR_QDB_WAITER_STALE_MS 5000

/* Prepare sql; -1 with e on failure. */
int llmr_qdb_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **s, struct llmr_err *e);

/* The same, kept prepared on a state connection across calls
 * (llmr_state_db_stmt): sql must have static storage (a literal), and the
 * statement goes back with llmr_qdb_done(), not sqlite3_finalize(). */
int llmr_qdb_stmt(sqlite3 *db, const char *sql, sqlite3_stmt **s, struct llmr_err *e);
void llmr_qdb_done(sqlite3_stmt *s);

/* Fill e from rc and the connection's message; returns -1. */
int llmr_qdb_fail(sqlite3 *db, int rc, const char *what, struct llmr_err *e);

/* Run a statement with two integer parameters ?1 ?2 and no result; sql
 * has static storage (it is kept prepared, as by llmr_qdb_stmt). */
int llmr_qdb_exec_i64(sqlite3 *db, const char *sql, int64_t a, int64_t b, struct llmr_err *e);

/* Run a one-number query with one integer parameter ?1 (sql as above). */
int llmr_qdb_count(sqlite3 *db, const char *sql, int64_t a, long *out, struct llmr_err *e);

struct llmr_provider_cfg;
struct llmr_model_cfg;
struct llmr_quota_status;

/* llmr_quota_status() on a connection, inside the caller's transaction.
 * full: look back 24 h for every window; else only as far as the longest
 * window that has a limit (what a check needs). */
int llmr_quota_status_db(sqlite3 *db, const struct llmr_provider_cfg *p,
			 const struct llmr_model_cfg *m, int64_t now, int full,
			 struct llmr_quota_status *s, struct llmr_err *e);

#endif
