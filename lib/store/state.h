/*
 * state.h - the one SQLite state file every llmr program shares.
 *
 * WAL mode, created mode 0600, schema versioned by PRAGMA user_version and
 * migrated forward on open (schema.c lists the steps). Many processes write
 * at once: every write is a short transaction run through llmr_state_tx(),
 * which retries on SQLITE_BUSY/LOCKED with a backoff, so a user never sees
 * "database is locked". A process killed mid-write leaves no partial row:
 * each logical write is one transaction.
 *
 * Durability: synchronous=NORMAL, so a commit is not fsynced (an fsync per
 * logged request would cost more than the rest of a short process). A
 * process that crashes or is killed (kill -9) loses nothing it committed:
 * the WAL is in the kernel's page cache. Only a power loss or a kernel
 * crash can lose the last transactions before a checkpoint, never corrupt
 * the file: an acceptable risk for a usage log and leases that expire.
 * The WAL is checkpointed every 128 pages to keep each open cheap.
 */
#ifndef LLMR_STATE_H
#define LLMR_STATE_H

#include <sqlite3.h>
#include <stdint.h>

#include "conf/config.h"
#include "base/util.h"

struct llmr_state;

/*
 * Where the state lives: explicit (--state) if not NULL, else $LLMR_STATE,
 * else cfg->state, else $XDG_DATA_HOME/llmr/state.db (~/.local/share/...).
 * Returns a new string.
 */
char *llmr_state_path(const char *explicit_path, const struct llmr_config *cfg);

/* Open (creating the file and its directory if needed) and migrate.
 * Returns 0 and *out, or -1 with e (LLMR_EX_IOERR / LLMR_EX_SOFTWARE). */
int llmr_state_open(const char *path, struct llmr_state **out, struct llmr_err *e);
/* Open for reading only, for commands that only report: no lock, no file
 * created, no write possible. A missing file is an empty state (in memory);
 * a file written by an older llmr is migrated by llmr_state_open. Returns
 * 0 and *out, or -1 with e as llmr_state_open. */
int llmr_state_open_ro(const char *path, struct llmr_state **out, struct llmr_err *e);
void llmr_state_close(struct llmr_state *st);

/*
 * Several hosts' request logs in one report: copy the requests of every
 * file in paths (n of them) into a temporary table named requests on st
 * (opened read-only), which every unqualified query then reads instead of
 * st's own. Only the request log is merged; prices, budgets and routing
 * versions stay st's. Nothing is written to any file. 0, or -1 with e.
 */
int llmr_state_union(struct llmr_state *st, char *const *paths, size_t n, struct llmr_err *e);

/* Expand state paths: a directory stands for its *.db files (sorted).
 * *out (each string and the array to free) gets *nout paths. 0 or -1. */
int llmr_state_expand(char *const *in, size_t n, char ***out, size_t *nout, struct llmr_err *e);
/* The connection, for modules that keep their own tables (borrowed). */
sqlite3 *llmr_state_db(struct llmr_state *st);
const char *llmr_state_file(const struct llmr_state *st);

/*
 * Run fn inside one transaction (BEGIN IMMEDIATE when immediate, so that
 * read-then-write sequences such as quota reservations are atomic across
 * processes). fn returns 0 to commit, -1 to roll back (filling e), or
 * SQLITE_BUSY/SQLITE_LOCKED to ask for a retry. Busy errors from BEGIN or
 * COMMIT are retried with backoff for up to 30 s. Called inside another
 * transaction on st, fn joins it in a savepoint: its writes commit with
 * the outer transaction, and a failing fn (-1) leaves none of them.
 */
int llmr_state_tx(struct llmr_state *st, int immediate,
		  int (*fn)(sqlite3 *db, void *ud, struct llmr_err *e), void *ud,
		  struct llmr_err *e);

/*
 * How many transactions this process has begun (each try of a top-level
 * llmr_state_tx; nested ones join their outer one and are not counted),
 * for tests and benchmarks that count the writes of one request.
 */
long llmr_state_tx_count(void);

/*
 * A statement prepared once per connection and kept until close, for
 * writes made on every request. sql must be a string with static storage:
 * its address is the key. The statement comes back reset, bindings cleared.
 */
int llmr_state_stmt(struct llmr_state *st, const char *sql, sqlite3_stmt **out,
		    struct llmr_err *e);

/*
 * The same for code that has only the handle, as llmr_state_tx's fn does:
 * db's statement for sql (static storage; its address is the key), kept
 * prepared across calls when db is a state connection. Give it back with
 * llmr_state_db_done() (not sqlite3_finalize), which resets it and clears
 * its bindings. A statement already out (a nested use), a full cache or
 * another handle gets a fresh statement, which llmr_state_db_done()
 * finalizes. Returns an SQLite result code (*out NULL on failure).
 */
int llmr_state_db_stmt(sqlite3 *db, const char *sql, sqlite3_stmt **out);
void llmr_state_db_done(sqlite3_stmt *s);

/* Step a write statement inside llmr_state_tx's fn: 0 when done, SQLITE_BUSY
 * to ask for a retry, or -1 with e ("what: sqlite's message"). */
int llmr_state_step_done(struct llmr_state *st, sqlite3_stmt *s, const char *what,
			 struct llmr_err *e);

/* Whether an SQLite result code (primary or extended) means "try again". */
int llmr_state_is_busy(int rc);

/* Fill e with "state file 'P': what: sqlite's message" (exit 74); -1. */
int llmr_state_dberr(struct llmr_state *st, const char *what, struct llmr_err *e);

#endif
