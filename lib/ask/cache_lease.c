#include "ask/cache.h"

#include <errno.h>
#include <signal.h>
#include <sys/types.h>

/*
 * A lease row per question in flight. The claim reads the answer and the
 * lease and writes the lease in one BEGIN IMMEDIATE transaction, so of
 * several waiters polling when a lease lapses (or its owner releases it
 * after a failure) exactly one becomes the new owner; the others find its
 * fresh lease and keep waiting.
 */
struct claim_ctx {
	const char *key;
	char hash[33];
	const struct llmr_lease *me;
	int64_t now, lease_ms;
	json_t *resp;
	int outcome;
};

static int db_fail(sqlite3 *db, int rc, struct llmr_err *e)
{
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return rc;
	return llmr_errf(e, LLMR_EX_IOERR, "cache lease: %s", sqlite3_errmsg(db));
}

/* The stored answer, if any: 1 and c->resp, 0, or an sqlite code. */
static int stored_answer(sqlite3 *db, struct claim_ctx *c)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db,
				    "SELECT response FROM response_cache WHERE hash = ?1 AND key = ?2"
				    " AND expires_ms > ?3", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(st, 1, c->hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, c->now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		c->resp = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? (c->resp != NULL) : rc == SQLITE_DONE ? 0 : rc;
}

/* Whether the lease row (if any) may be taken: none, lapsed, or its
 * owner's process is gone (same host: the state file is local). */
static int lease_free(sqlite3 *db, struct claim_ctx *c, int *is_free)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, "SELECT owner_pid, expires_ms FROM cache_leases WHERE hash = ?1",
				    -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(st, 1, c->hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*is_free = 1;
	if (rc == SQLITE_ROW) {
		pid_t pid = (pid_t)sqlite3_column_int64(st, 0);

		*is_free = sqlite3_column_int64(st, 1) <= c->now || (kill(pid, 0) < 0 && errno == ESRCH);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : rc;
}

static int take_lease(sqlite3 *db, struct claim_ctx *c)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db,
				    "INSERT OR REPLACE INTO cache_leases (hash, owner_pid, token, expires_ms)"
				    " VALUES (?1, ?2, ?3, ?4)", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(st, 1, c->hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, c->me->pid);
	sqlite3_bind_int64(st, 3, c->me->token);
	sqlite3_bind_int64(st, 4, c->now + c->lease_ms);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : rc;
}

static int claim_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct claim_ctx *c = ud;
	int rc, is_free;

	json_decref(c->resp);
	c->resp = NULL;
	if ((rc = stored_answer(db, c)) == 1) {
		c->outcome = LLMR_LEASE_HIT;
		return 0;
	}
	if (rc || (rc = lease_free(db, c, &is_free)))
		return db_fail(db, rc, e);
	c->outcome = LLMR_LEASE_WAIT;
	if (!is_free)
		return 0;
	if ((rc = take_lease(db, c)))
		return db_fail(db, rc, e);
	c->outcome = LLMR_LEASE_OWNER;
	return 0;
}

int llmr_cache_claim(struct llmr_state *st, const char *key, const struct llmr_lease *me,
		     int64_t now_ms, int64_t lease_ms, json_t **resp, struct llmr_err *e)
{
	struct claim_ctx c = {.key = key, .me = me, .now = now_ms, .lease_ms = lease_ms};

	llmr_cache_hash(key, c.hash);
	*resp = NULL;
	if (llmr_state_tx(st, 1, claim_fn, &c, e) < 0) {
		json_decref(c.resp);
		return -1;
	}
	*resp = c.resp;
	return c.outcome;
}

struct release_ctx {
	char hash[33];
	const struct llmr_lease *me;
};

static int release_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct release_ctx *r = ud;
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, "DELETE FROM cache_leases WHERE hash = ?1 AND token = ?2", -1,
				    &st, NULL);

	if (rc != SQLITE_OK)
		return db_fail(db, rc, e);
	sqlite3_bind_text(st, 1, r->hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, r->me->token);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, rc, e);
}

int llmr_cache_release(struct llmr_state *st, const char *key, const struct llmr_lease *me,
		       struct llmr_err *e)
{
	struct release_ctx r = {.me = me};

	llmr_cache_hash(key, r.hash);
	return llmr_state_tx(st, 1, release_fn, &r, e);
}
