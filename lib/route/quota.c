#include "route/quota.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/interrupt.h"
#include "route/coord_quota.h"
#include "route/coord_ratelimit.h"
#include "route/quota_db.h"

/* ---- reservations ---------------------------------------------------------- */

static long spare_in(const struct llmr_quota_win *w, long tokens, long spare)
{
	for (int i = 0; i < LLMR_QW_N; i++) {
		int is_tok = i == LLMR_QW_TPS || i == LLMR_QW_TPM || i == LLMR_QW_TPD;
		long left;

		if (w[i].limit < 0)
			continue;
		left = w[i].limit - w[i].used;
		if (is_tok)
			left = tokens > 0 ? left / tokens : spare;
		if (left < spare)
			spare = left;
	}
	return spare;
}

/* How many requests like this one could be admitted right now. */
static long spare_slots(const struct llmr_quota_status *s, long tokens)
{
	long spare = spare_in(s->mw, tokens, spare_in(s->w, tokens, 1L << 30));

	if (s->hdr_req_remaining >= 0 && s->hdr_req_reset_at > llmr_now_ms() &&
	    s->hdr_req_remaining - s->req_since_hdr < spare)
		spare = s->hdr_req_remaining - s->req_since_hdr;
	return spare;
}

/* Per-process jitter source, so that processes do not poll in lockstep. */
static int jitter(int mod)
{
	static unsigned seed;

	if (!seed)
		seed = (unsigned)getpid() ^ (unsigned)llmr_mono_ms();
	return rand_r(&seed) % mod;
}

struct acq {
	const struct llmr_provider_cfg *p;
	const struct llmr_model_cfg *m;
	long tokens;
	int rank;
	int64_t lease_ms, max_wait_ms;
	int64_t waiter_id; /* our row in quota_waiters, 0 if none */
	int64_t free_at;
	int got;
	struct llmr_quota_res *res;
	char *why;
	size_t n;
};

static const char ahead_sql[] =
	"SELECT COUNT(*) FROM quota_waiters WHERE provider = ?1 AND seen_ms > ?2"
	" AND (?3 = 0 AND rank <= ?4 OR ?3 <> 0 AND (rank < ?4 OR rank = ?4 AND id < ?3))";

/* Waiters that go before us: better rank, or same rank and earlier. */
static int waiters_ahead(sqlite3 *db, struct acq *a, int64_t now, long *ahead, struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (llmr_qdb_stmt(db, ahead_sql, &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, a->p->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now - LLMR_QDB_WAITER_STALE_MS);
	sqlite3_bind_int64(s, 3, a->waiter_id);
	sqlite3_bind_int(s, 4, a->rank);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*ahead = (long)sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	}
	llmr_qdb_done(s);
	return rc == SQLITE_OK ? 0 : llmr_qdb_fail(db, rc, "cannot read the quota queue", e);
}

static int insert_res(sqlite3 *db, struct acq *a, int64_t now, struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (llmr_qdb_stmt(db, "INSERT INTO quota_log (provider, model, t_start, t_end, tokens, held, pid)"
			     " VALUES (?,?,?,?,?,1,?)", &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, a->p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, a->m ? a->m->name : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_int64(s, 4, now + a->lease_ms);
	sqlite3_bind_int64(s, 5, a->tokens);
	sqlite3_bind_int64(s, 6, (int64_t)getpid());
	rc = sqlite3_step(s);
	llmr_qdb_done(s);
	if (rc != SQLITE_DONE)
		return llmr_qdb_fail(db, rc, "cannot reserve quota", e);
	a->res->id = sqlite3_last_insert_rowid(db);
	a->res->t_start = now;
	a->res->tokens = a->tokens;
	return 0;
}

static int enqueue(sqlite3 *db, struct acq *a, int64_t now, struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (a->waiter_id) {
		rc = llmr_qdb_exec_i64(db, "UPDATE quota_waiters SET seen_ms = ?2 WHERE id = ?1",
				       a->waiter_id, now, e);
		return rc;
	}
	if (llmr_qdb_stmt(db, "INSERT INTO quota_waiters (provider, rank, enq_ms, seen_ms, pid)"
			     " VALUES (?,?,?,?,?)", &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, a->p->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, a->rank);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_int64(s, 4, now);
	sqlite3_bind_int64(s, 5, (int64_t)getpid());
	rc = sqlite3_step(s);
	llmr_qdb_done(s);
	if (rc != SQLITE_DONE)
		return llmr_qdb_fail(db, rc, "cannot join the quota queue", e);
	a->waiter_id = sqlite3_last_insert_rowid(db);
	return 0;
}

/* One attempt, inside BEGIN IMMEDIATE: count, decide, insert. */
static int try_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct acq *a = ud;
	struct llmr_quota_status s;
	int64_t now = llmr_now_ms();
	long ahead = 0;

	a->got = 0;
	a->free_at = 0;
	/* Now and then, forget what no window can see any more. */
	if (jitter(64) == 0 &&
	    (llmr_qdb_exec_i64(db, "DELETE FROM quota_log WHERE t_end < ?1 AND ?2 = ?2",
			       now - 86400000 - 60000, 0, e) < 0 ||
	     llmr_qdb_exec_i64(db, "DELETE FROM quota_waiters WHERE seen_ms < ?1 AND ?2 = ?2",
			       now - LLMR_QDB_WAITER_STALE_MS, 0, e) < 0))
		return -1;
	if (waiters_ahead(db, a, now, &ahead, e) < 0 || llmr_quota_status_db(db, a->p, a->m, now, 0, &s, e) < 0)
		return -1;
	/* Fair, but not one at a time: when several slots are free, as many
	 * waiters as there are slots go at once, best rank first. */
	if (!llmr_quota_check(&s, a->tokens, now, a->why, a->n, &a->free_at)) {
		if (ahead < spare_slots(&s, a->tokens)) {
			if (insert_res(db, a, now, e) < 0)
				return -1;
			a->got = 1;
			if (a->waiter_id)
				return llmr_qdb_exec_i64(db, "DELETE FROM quota_waiters WHERE id = ?1 AND ?2 = ?2",
							 a->waiter_id, 0, e);
			return 0;
		}
		snprintf(a->why, a->n, "%ld request%s queued ahead", ahead, ahead > 1 ? "s" : "");
		a->free_at = now + 10;
	}
	if (a->max_wait_ms > 0 && a->free_at >= 0)
		return enqueue(db, a, now, e);
	return 0;
}

static int leave_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct acq *a = ud;

	return llmr_qdb_exec_i64(db, "DELETE FROM quota_waiters WHERE id = ?1 AND ?2 = ?2",
				 a->waiter_id, 0, e);
}

/* How long to sleep before the next try: until something frees, but poll
 * at least every 100 ms (a settle can free a slot early) with a little
 * jitter so that waiters do not wake in lockstep. */
static int64_t next_sleep(const struct acq *a, int64_t now, int64_t deadline)
{
	int64_t d = a->free_at > now ? a->free_at - now : 5;

	if (d > 100)
		d = 100;
	d += jitter(8);
	if (now + d > deadline)
		d = deadline - now;
	return d > 0 ? d : 0;
}

int llmr_quota_acquire(struct llmr_state *st, const struct llmr_provider_cfg *p,
		       const struct llmr_model_cfg *m, long tokens, int rank,
		       int64_t max_wait_ms, struct llmr_quota_res *res, char *why, size_t n,
		       struct llmr_err *e)
{
	struct llmr_provider_cfg pshare;
	struct llmr_model_cfg mshare;
	struct acq a;
	int64_t deadline = llmr_now_ms() + (max_wait_ms > 0 ? max_wait_ms : 0), now;
	int rc;

	memset(res, 0, sizeof(*res));
	why[0] = '\0';
	/* Coordinated through Redis unless it is not configured or down; then
	 * here, under a share of each limit while it is down. */
	const struct llmr_provider_cfg *p0 = p;
	const struct llmr_model_cfg *m0 = m;

	rc = llmr_coord_quota_acquire(st, p, m, tokens, max_wait_ms, res, why, n, e);
	if (rc != LLMR_COORD_GO_LOCAL)
		return rc;
	llmr_coord_local_cfg(&p, &pshare, &m, &mshare);
	a = (struct acq){p, m, tokens, rank, 0, max_wait_ms, 0, 0, 0, res, why, n};
	a.lease_ms = (p->timeout_ms > 0 ? p->timeout_ms : 60000) + 10000;
	for (;;) {
		if (llmr_state_tx(st, 1, try_fn, &a, e) < 0) {
			if (a.waiter_id)
				llmr_state_tx(st, 1, leave_fn, &a, NULL);
			return -1;
		}
		if (a.got) {
			/* Which limits, for a copy of this row in Redis. */
			res->p = p0;
			res->m = m0;
			return 1;
		}
		now = llmr_now_ms();
		/* Give up early when nothing frees before the deadline, or
		 * when the process was asked to stop. */
		if (max_wait_ms <= 0 || now >= deadline || a.free_at < 0 || a.free_at > deadline ||
		    *llmr_interrupt_flag())
			break;
		llmr_sleep_ms(next_sleep(&a, now, deadline));
	}
	if (a.waiter_id && llmr_state_tx(st, 1, leave_fn, &a, e) < 0)
		return -1;
	return 0;
}

struct fin {
	struct llmr_quota_res *res;
	long tokens;
	int drop;
};

static int fin_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct fin *f = ud;
	sqlite3_stmt *s;
	int rc;

	if (f->drop)
		return llmr_qdb_exec_i64(db, "DELETE FROM quota_log WHERE id = ?1 AND ?2 = ?2",
					 f->res->id, 0, e);
	if (llmr_qdb_stmt(db, "UPDATE quota_log SET t_end = MAX(?2, t_start), tokens = ?3, held = 0"
			     " WHERE id = ?1", &s, e) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, f->res->id);
	sqlite3_bind_int64(s, 2, llmr_now_ms());
	sqlite3_bind_int64(s, 3, f->tokens);
	rc = sqlite3_step(s);
	llmr_qdb_done(s);
	return rc == SQLITE_DONE ? 0 : llmr_qdb_fail(db, rc, "cannot settle quota", e);
}

static int finish(struct llmr_state *st, struct llmr_quota_res *res, long tokens, int drop,
		  struct llmr_err *e)
{
	struct fin f = {res, tokens < 0 ? 0 : tokens, drop};
	int rc;

	if (!res->id)
		return 0;
	if (res->remote) {
		llmr_coord_quota_finish(st, res, tokens, drop);
		return 0;
	}
	rc = llmr_state_tx(st, 1, fin_fn, &f, e);
	if (rc == 0)
		llmr_coord_quota_local_done(st, res, f.tokens, drop);
	memset(res, 0, sizeof(*res));
	return rc;
}

int llmr_quota_settle(struct llmr_state *st, struct llmr_quota_res *res, long tokens,
		      struct llmr_err *e)
{
	return finish(st, res, tokens, 0, e);
}

int llmr_quota_release(struct llmr_state *st, struct llmr_quota_res *res, bool sent,
		       struct llmr_err *e)
{
	return finish(st, res, 0, !sent, e);
}

struct reset_ctx {
	const char *provider;
};

static int reset_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct reset_ctx *c = ud;
	sqlite3_stmt *s;
	int rc;

	if (llmr_qdb_stmt(db, "DELETE FROM ratelimits WHERE ?1 IS NULL OR provider = ?1", &s, e) < 0)
		return -1;
	if (c->provider)
		sqlite3_bind_text(s, 1, c->provider, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	llmr_qdb_done(s);
	return rc == SQLITE_DONE ? 0 : llmr_qdb_fail(db, rc, "cannot reset the cooldown", e);
}

int llmr_quota_reset_cooldown(struct llmr_state *st, const char *provider, struct llmr_err *e)
{
	struct reset_ctx c = {provider};

	llmr_coord_ratelimit_reset(st, provider); /* the hosts' shared headers too */
	return llmr_state_tx(st, 1, reset_fn, &c, e);
}

struct depth_ctx {
	long depth;
};

static int depth_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct depth_ctx *c = ud;

	return llmr_qdb_count(db, "SELECT COUNT(*) FROM quota_waiters WHERE seen_ms > ?1",
			      llmr_now_ms() - LLMR_QDB_WAITER_STALE_MS, &c->depth, e);
}

int llmr_quota_queue_depth(struct llmr_state *st, long *depth, struct llmr_err *e)
{
	struct depth_ctx c = {0};
	int rc = llmr_state_tx(st, 0, depth_fn, &c, e);

	*depth = c.depth;
	return rc;
}
