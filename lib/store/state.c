/* The state connection: open, migrate forward, and transactions that
 * outlast a busy database (see state.h). */
#include "store/state.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/schema.h"
#include "store/state_int.h"

#define TX_DEADLINE_MS 30000
#define BUSY_TIMEOUT_MS 2000

/*
 * The WAL is checkpointed into the database once it holds this many pages.
 * No connection stays open between llmr processes, so each one rebuilds
 * the WAL index at open by reading every frame since the last checkpoint:
 * ~3.5 us a frame here, so at SQLite's default of 1000 pages up to 3.5 ms
 * of every llmr-ask's start (1.7 ms on average). A checkpoint costs two
 * fsyncs (1-3 ms here for 128 pages, more on a slow disk), paid by one
 * process in ~12 (an llmr-ask writes ~10 pages). At 128 pages the two
 * costs are about equal and their sum near its smallest (~0.35 ms an ask).
 */
#define LLMR_STATE_WAL_PAGES 128
#define LLMR_STR_(x) #x
#define LLMR_STR(x) LLMR_STR_(x)

int llmr_state_is_busy(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
}

static void backoff(struct llmr_state *st, int64_t *delay)
{
	int64_t d = *delay / 2 + (int64_t)(rand_r(&st->seed) % (unsigned)(*delay / 2 + 1));

	llmr_sleep_ms(d);
	*delay = *delay * 2 > 500 ? 500 : *delay * 2;
}

static int busy_error(struct llmr_state *st, struct llmr_err *e)
{
	return llmr_errf(e, LLMR_EX_TEMPFAIL,
			 "state file '%s' is busy: still locked after %d s (%s)", st->path,
			 TX_DEADLINE_MS / 1000, sqlite3_errmsg(st->db));
}

int llmr_state_dberr(struct llmr_state *st, const char *what, struct llmr_err *e)
{
	return llmr_errf(e, LLMR_EX_IOERR, "state file '%s': %s: %s", st->path, what,
			 sqlite3_errmsg(st->db));
}

static void rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

/* Top-level transactions begun by this process (llmr_state_tx_count). */
static _Atomic long tx_count;

long llmr_state_tx_count(void)
{
	return tx_count;
}

/*
 * Already inside a transaction: the outer one owns retries and commit. fn
 * runs inside a savepoint, so that a nested write that fails leaves nothing
 * behind, as it would on its own: callers that batch several writes into
 * one transaction keep each write all-or-nothing.
 */
static int tx_nested(struct llmr_state *st, int (*fn)(sqlite3 *, void *, struct llmr_err *),
		     void *ud, struct llmr_err *e)
{
	int r;

	if (sqlite3_exec(st->db, "SAVEPOINT llmr_nested", NULL, NULL, NULL) != SQLITE_OK)
		return llmr_state_dberr(st, "cannot begin a savepoint", e);
	r = fn(st->db, ud, e);
	if (r != 0)
		sqlite3_exec(st->db, "ROLLBACK TO llmr_nested", NULL, NULL, NULL);
	sqlite3_exec(st->db, "RELEASE llmr_nested", NULL, NULL, NULL);
	if (r == SQLITE_BUSY || r == SQLITE_LOCKED)
		return busy_error(st, e);
	return r ? -1 : 0;
}

#define TX_RETRY 1

/* One try: BEGIN, fn, COMMIT. 0 done, -1 failed (e filled), TX_RETRY when
 * the database was busy (nothing left open). */
static int tx_once(struct llmr_state *st, int immediate,
		   int (*fn)(sqlite3 *db, void *ud, struct llmr_err *e), void *ud,
		   int64_t deadline, int64_t *delay, struct llmr_err *e)
{
	int rc = sqlite3_exec(st->db, immediate ? "BEGIN IMMEDIATE" : "BEGIN", NULL, NULL, NULL);
	int r;

	tx_count++;

	if (llmr_state_is_busy(rc))
		return TX_RETRY;
	if (rc != SQLITE_OK)
		return llmr_state_dberr(st, "cannot begin a transaction", e);
	if (e)
		e->msg[0] = '\0';
	r = fn(st->db, ud, e);
	if (r == SQLITE_BUSY || r == SQLITE_LOCKED) {
		rollback(st->db);
		return TX_RETRY;
	}
	if (r != 0) {
		rollback(st->db);
		if (e && !e->msg[0])
			llmr_errf(e, LLMR_EX_SOFTWARE, "state file '%s': transaction failed", st->path);
		return -1;
	}
	/* A busy COMMIT leaves the transaction open: retry just the COMMIT. */
	while (llmr_state_is_busy(rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL))) {
		if (llmr_mono_ms() > deadline) {
			rollback(st->db);
			return busy_error(st, e);
		}
		backoff(st, delay);
	}
	if (rc != SQLITE_OK) {
		llmr_state_dberr(st, "cannot commit", e);
		rollback(st->db);
		return -1;
	}
	return 0;
}

/*
 * The threads of one process (a server's requests) take turns at the write
 * lock here, asleep on a mutex, rather than in SQLite's busy handler: with
 * a hundred threads, its naps and retries were most of the server's CPU
 * time. Other processes still meet the busy handler. A thread already
 * holding it (a transaction on another connection inside fn) goes on.
 */
static pthread_mutex_t writer_mu = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local int writer_held;

int llmr_state_tx(struct llmr_state *st, int immediate,
		  int (*fn)(sqlite3 *db, void *ud, struct llmr_err *e), void *ud,
		  struct llmr_err *e)
{
	int64_t deadline = llmr_mono_ms() + TX_DEADLINE_MS, delay = 10;

	if (!sqlite3_get_autocommit(st->db))
		return tx_nested(st, fn, ud, e);
	for (;; backoff(st, &delay)) {
		int mine = immediate && !writer_held, r;

		if (llmr_mono_ms() > deadline)
			return busy_error(st, e);
		if (mine) {
			pthread_mutex_lock(&writer_mu);
			writer_held = 1;
		}
		r = tx_once(st, immediate, fn, ud, deadline, &delay, e);
		if (mine) {
			writer_held = 0;
			pthread_mutex_unlock(&writer_mu);
		}
		if (r != TX_RETRY)
			return r;
	}
}

static int user_version(sqlite3 *db, int *v)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

static int too_new(struct llmr_state *st, int v, struct llmr_err *e)
{
	return llmr_errf(e, LLMR_EX_SOFTWARE,
			 "state file '%s' has schema version %d, newer than this llmr (%zu)", st->path,
			 v, llmr_nmigrations);
}

/* Inside BEGIN IMMEDIATE, so two processes opening a new file do not both
 * run the steps: the second one sees the version the first one set. */
static int migrate_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct llmr_state *st = ud;
	char sql[64];
	size_t i;
	int v = 0, rc;

	if ((rc = user_version(db, &v)) != SQLITE_OK)
		return llmr_state_is_busy(rc) ? SQLITE_BUSY
			: llmr_state_dberr(st, "cannot read the schema version", e);
	if (v < 0 || (size_t)v > llmr_nmigrations)
		return too_new(st, v, e);
	for (i = (size_t)v; i < llmr_nmigrations; i++) {
		rc = sqlite3_exec(db, llmr_migrations[i].sql, NULL, NULL, NULL);
		if (llmr_state_is_busy(rc))
			return SQLITE_BUSY;
		if (rc != SQLITE_OK)
			return llmr_errf(e, LLMR_EX_SOFTWARE,
					 "state file '%s': cannot migrate to version %zu (%s): %s",
					 st->path, i + 1, llmr_migrations[i].what, sqlite3_errmsg(db));
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %zu", llmr_nmigrations);
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (llmr_state_is_busy(rc))
		return SQLITE_BUSY;
	return rc == SQLITE_OK ? 0 : llmr_state_dberr(st, "cannot set the schema version", e);
}

/* A statement whose only failure mode worth retrying is a busy database. */
static int exec_retry(struct llmr_state *st, const char *sql, struct llmr_err *e)
{
	int64_t deadline = llmr_mono_ms() + TX_DEADLINE_MS, delay = 10;
	int rc;

	while (llmr_state_is_busy(rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL))) {
		if (llmr_mono_ms() > deadline)
			return busy_error(st, e);
		backoff(st, &delay);
	}
	if (rc == SQLITE_OK)
		return 0;
	return llmr_errf(e, LLMR_EX_IOERR, "cannot open state file '%s': %s", st->path,
			 sqlite3_errmsg(st->db));
}

/*
 * SQLite's own busy handler sleeps 25-100 ms between tries while a writer
 * holds the lock for well under a millisecond: with a dozen processes that
 * wastes most of the time asleep. Short jittered naps keep the queue moving.
 */
static int busy_handler(void *ud, int count)
{
	struct llmr_state *st = ud;
	int64_t now = llmr_mono_ms();
	struct timespec ts;
	long us;

	if (count == 0)
		st->busy_since = now;
	if (now - st->busy_since > BUSY_TIMEOUT_MS)
		return 0;
	us = count < 20 ? 100 + 50 * count : 2000;
	us = us / 2 + (long)(rand_r(&st->seed) % (unsigned)us);
	ts.tv_sec = 0;
	ts.tv_nsec = us * 1000;
	nanosleep(&ts, NULL);
	return 1;
}

static int configure(struct llmr_state *st, struct llmr_err *e)
{
	int64_t deadline = llmr_mono_ms() + TX_DEADLINE_MS, delay = 10;
	int v = 0, rc;

	sqlite3_busy_handler(st->db, busy_handler, st);
	/* Each llmr process is short: a checkpoint at every close would cost
	 * each of them two syncs. */
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
	if (exec_retry(st, "PRAGMA journal_mode=WAL", e) < 0 ||
	    exec_retry(st, "PRAGMA synchronous=NORMAL", e) < 0 ||
	    exec_retry(st, "PRAGMA wal_autocheckpoint=" LLMR_STR(LLMR_STATE_WAL_PAGES), e) < 0 ||
	    exec_retry(st, "PRAGMA foreign_keys=ON", e) < 0)
		return -1;
	while (llmr_state_is_busy(rc = user_version(st->db, &v))) {
		if (llmr_mono_ms() > deadline)
			return busy_error(st, e);
		backoff(st, &delay);
	}
	if (rc != SQLITE_OK)
		return llmr_state_dberr(st, "cannot read the schema version", e);
	if (v < 0 || (size_t)v > llmr_nmigrations)
		return too_new(st, v, e);
	/* Most opens find the schema current: no write lock needed then. */
	if ((size_t)v == llmr_nmigrations)
		return 0;
	return llmr_state_tx(st, 1, migrate_fn, st, e);
}

int llmr_state_open(const char *path, struct llmr_state **out, struct llmr_err *e)
{
	struct llmr_state *st;
	int rc, memory;

	*out = NULL;
	if (!path || !*path)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "no state file path");
	memory = !strcmp(path, ":memory:");
	if (!memory && llmr_state_prepare_file(path, e) < 0)
		return -1;
	st = llmr_xcalloc(1, sizeof(*st));
	st->path = llmr_xstrdup(path);
	st->seed = (unsigned)getpid() ^ (unsigned)llmr_mono_ms();
	rc = sqlite3_open_v2(path, &st->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		llmr_errf(e, LLMR_EX_IOERR, "cannot open state file '%s': %s", path,
			  st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		llmr_state_close(st);
		return -1;
	}
	llmr_state_register(st);
	if (sqlite3_db_readonly(st->db, "main") == 1) {
		llmr_errf(e, LLMR_EX_IOERR, "cannot open state file '%s': read-only", path);
		llmr_state_close(st);
		return -1;
	}
	if (configure(st, e) < 0) {
		if (e && e->code != LLMR_EX_SOFTWARE && e->code != LLMR_EX_TEMPFAIL)
			e->code = LLMR_EX_IOERR;
		llmr_state_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

/*
 * Read-only: no lock taken, no file or directory created, no migration,
 * so reports work on a state file the user cannot (or must not) write.
 */
int llmr_state_open_ro(const char *path, struct llmr_state **out, struct llmr_err *e)
{
	struct llmr_state *st;
	int v = 0, rc;

	*out = NULL;
	if (!path || !*path)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "no state file path");
	/* Nothing recorded yet: an empty state, and still no file. */
	if (strcmp(path, ":memory:") && access(path, F_OK) < 0 && errno == ENOENT)
		return llmr_state_open(":memory:", out, e);
	st = llmr_xcalloc(1, sizeof(*st));
	st->path = llmr_xstrdup(path);
	st->seed = (unsigned)getpid() ^ (unsigned)llmr_mono_ms();
	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	llmr_state_register(st);
	if (rc == SQLITE_OK) {
		sqlite3_busy_handler(st->db, busy_handler, st);
		sqlite3_exec(st->db, "PRAGMA query_only=ON", NULL, NULL, NULL);
		rc = user_version(st->db, &v);
	}
	if (rc != SQLITE_OK) {
		llmr_errf(e, LLMR_EX_IOERR, "cannot open state file '%s': %s", path,
			  st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		llmr_state_close(st);
		return -1;
	}
	if (v < 0 || (size_t)v > llmr_nmigrations) {
		too_new(st, v, e);
		llmr_state_close(st);
		return -1;
	}
	if ((size_t)v < llmr_nmigrations) {
		/* Written by an older llmr: migrate it, which needs writing. */
		llmr_state_close(st);
		return llmr_state_open(path, out, e);
	}
	*out = st;
	return 0;
}

void llmr_state_close(struct llmr_state *st)
{
	if (!st)
		return;
	llmr_state_unregister(st);
	for (int i = 0; i < LLMR_STATE_NSTMT; i++)
		sqlite3_finalize(st->stmts[i].stmt);
	sqlite3_close_v2(st->db);
	free(st->path);
	free(st);
}

sqlite3 *llmr_state_db(struct llmr_state *st)
{
	return st->db;
}

const char *llmr_state_file(const struct llmr_state *st)
{
	return st->path;
}

int llmr_state_stmt(struct llmr_state *st, const char *sql, sqlite3_stmt **out,
		    struct llmr_err *e)
{
	int i;

	for (i = 0; i < LLMR_STATE_NSTMT && st->stmts[i].sql; i++) {
		if (st->stmts[i].sql == sql) {
			sqlite3_reset(st->stmts[i].stmt);
			sqlite3_clear_bindings(st->stmts[i].stmt);
			*out = st->stmts[i].stmt;
			return 0;
		}
	}
	if (i == LLMR_STATE_NSTMT)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "more than %d cached statements",
				 LLMR_STATE_NSTMT);
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL) != SQLITE_OK) {
		*out = NULL;
		return llmr_state_dberr(st, "cannot prepare a statement", e);
	}
	st->stmts[i].sql = sql;
	st->stmts[i].stmt = *out;
	return 0;
}

int llmr_state_step_done(struct llmr_state *st, sqlite3_stmt *s, const char *what,
			 struct llmr_err *e)
{
	int rc = sqlite3_step(s);

	if (rc != SQLITE_DONE && !llmr_state_is_busy(rc))
		llmr_state_dberr(st, what, e);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 0;
	return llmr_state_is_busy(rc) ? SQLITE_BUSY : -1;
}
