#include "quota.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quota_db.h"

const char llmr_route_schema_v1[] =
	"CREATE TABLE quota_log ("
	" id INTEGER PRIMARY KEY,"
	" provider TEXT NOT NULL, model TEXT NOT NULL DEFAULT '',"
	" t_start INTEGER NOT NULL,"
	" t_end INTEGER NOT NULL," /* lease expiry while held, then the end */
	" tokens INTEGER NOT NULL DEFAULT 0,"
	" held INTEGER NOT NULL DEFAULT 1,"
	" pid INTEGER);"
	"CREATE INDEX quota_log_pe ON quota_log(provider, t_end, tokens, held, model);"
	"CREATE INDEX quota_log_end ON quota_log(t_end);"
	"CREATE TABLE quota_waiters ("
	" id INTEGER PRIMARY KEY, provider TEXT NOT NULL, rank INTEGER NOT NULL,"
	" enq_ms INTEGER NOT NULL, seen_ms INTEGER NOT NULL, pid INTEGER);"
	"CREATE TABLE breakers ("
	" provider TEXT PRIMARY KEY, state INTEGER NOT NULL DEFAULT 0,"
	" failures INTEGER NOT NULL DEFAULT 0, opened_ms INTEGER NOT NULL DEFAULT 0,"
	" probe_until_ms INTEGER NOT NULL DEFAULT 0, updated_ms INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT);"
	"CREATE TABLE request_budgets ("
	" id TEXT PRIMARY KEY, calls_max INTEGER NOT NULL DEFAULT -1,"
	" usd_max REAL NOT NULL DEFAULT -1, calls_used INTEGER NOT NULL DEFAULT 0,"
	" usd_used REAL NOT NULL DEFAULT 0, usd_held REAL NOT NULL DEFAULT 0,"
	" over_calls INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0,"
	" created_ms INTEGER NOT NULL, closed_ms INTEGER, note TEXT);"
	"CREATE TABLE degrade ("
	" id INTEGER PRIMARY KEY CHECK (id = 1), active INTEGER NOT NULL DEFAULT 0,"
	" since_ms INTEGER NOT NULL DEFAULT 0, checked_ms INTEGER NOT NULL DEFAULT 0,"
	" reason TEXT);";

static const int64_t win_ms[LLMR_QW_N] = {1000, 60000, 86400000, 1000, 60000, 86400000, 0};

const char *llmr_qwin_name(int w)
{
	static const char *const n[] = {"rps", "rpm", "rpd", "tps", "tpm", "tpd", "concurrent"};

	return w >= 0 && w < LLMR_QW_N ? n[w] : "?";
}

int llmr_quota_rank(int priority, int complexity)
{
	if (priority < 0 || priority > 3)
		priority = 1;
	if (complexity < 0 || complexity >= LLMR_NCOMPLEXITY)
		complexity = LLMR_MEDIUM;
	return priority * LLMR_NCOMPLEXITY + complexity;
}

static void set_limits(struct llmr_quota_win *w, const struct llmr_limits *l)
{
	long v[LLMR_QW_N] = {-1, -1, -1, -1, -1, -1, -1};

	if (l) {
		v[LLMR_QW_RPS] = l->rps;
		v[LLMR_QW_RPM] = l->rpm;
		v[LLMR_QW_RPD] = l->rpd;
		v[LLMR_QW_TPS] = l->tps;
		v[LLMR_QW_TPM] = l->tpm;
		v[LLMR_QW_TPD] = l->tpd;
		v[LLMR_QW_CONCURRENT] = l->concurrent;
	}
	for (int i = 0; i < LLMR_QW_N; i++)
		w[i].limit = v[i];
}

static int any_limit(const struct llmr_quota_win *w)
{
	for (int i = 0; i < LLMR_QW_N; i++)
		if (w[i].limit >= 0)
			return 1;
	return 0;
}

/* The longest window that has a limit: how far back a check must look. */
static int64_t span_of(const struct llmr_quota_win *w)
{
	int64_t span = 0;

	for (int i = 0; i < LLMR_QW_N; i++)
		if (w[i].limit >= 0 && win_ms[i] > span)
			span = win_ms[i];
	return span ? span : 1000;
}

static const char usage_sql[] =
	"SELECT"
	" COALESCE(SUM(t_end > ?2),0), COALESCE(SUM(CASE WHEN t_end > ?2 THEN tokens END),0),"
	" MIN(CASE WHEN t_end > ?2 THEN t_end END),"
	" COALESCE(SUM(t_end > ?3),0), COALESCE(SUM(CASE WHEN t_end > ?3 THEN tokens END),0),"
	" MIN(CASE WHEN t_end > ?3 THEN t_end END),"
	" COUNT(*), COALESCE(SUM(tokens),0), MIN(t_end),"
	" COALESCE(SUM(held AND t_end > ?5),0), MIN(CASE WHEN held AND t_end > ?5 THEN t_end END)"
	" FROM quota_log WHERE provider = ?1 AND t_end > ?4 AND (?6 IS NULL OR model = ?6)";

static int64_t col_or0(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, i);
}

/* Fill used/free_at of w for one scope, looking back span ms. */
static int load_scope(sqlite3 *db, const char *provider, const char *model, int64_t now,
		      int64_t span, struct llmr_quota_win *w, struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (llmr_qdb_prepare(db, usage_sql, &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, provider, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now - 1000);
	sqlite3_bind_int64(s, 3, now - 60000);
	sqlite3_bind_int64(s, 4, now - (span < 86400000 ? span : 86400000));
	sqlite3_bind_int64(s, 5, now);
	if (model)
		sqlite3_bind_text(s, 6, model, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		int64_t m1 = col_or0(s, 2), m60 = col_or0(s, 5), mday = col_or0(s, 8);

		w[LLMR_QW_RPS].used = (long)sqlite3_column_int64(s, 0);
		w[LLMR_QW_TPS].used = (long)sqlite3_column_int64(s, 1);
		w[LLMR_QW_RPS].free_at = w[LLMR_QW_TPS].free_at = m1 ? m1 + 1000 : 0;
		w[LLMR_QW_RPM].used = (long)sqlite3_column_int64(s, 3);
		w[LLMR_QW_TPM].used = (long)sqlite3_column_int64(s, 4);
		w[LLMR_QW_RPM].free_at = w[LLMR_QW_TPM].free_at = m60 ? m60 + 60000 : 0;
		w[LLMR_QW_RPD].used = (long)sqlite3_column_int64(s, 6);
		w[LLMR_QW_TPD].used = (long)sqlite3_column_int64(s, 7);
		w[LLMR_QW_RPD].free_at = w[LLMR_QW_TPD].free_at = mday ? mday + 86400000 : 0;
		w[LLMR_QW_CONCURRENT].used = (long)sqlite3_column_int64(s, 9);
		w[LLMR_QW_CONCURRENT].free_at = col_or0(s, 10);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_OK ? 0 : llmr_qdb_fail(db, rc, "cannot read quota usage", e);
}

static const char hdr_sql[] =
	"SELECT seen_ms, req_limit, req_remaining, req_reset_ms, tok_limit, tok_remaining,"
	" tok_reset_ms, retry_after_ms FROM ratelimits"
	" WHERE provider = ?1 AND (?2 IS NULL OR model = '' OR model = ?2) ORDER BY seen_ms DESC LIMIT 1";

static const char since_sql[] =
	"SELECT COUNT(*), COALESCE(SUM(tokens),0) FROM quota_log"
	" WHERE provider = ?1 AND t_end >= ?2 AND t_start >= ?2";

static long col_long(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? -1 : (long)sqlite3_column_int64(s, i);
}

/* What the latest response headers said, and what llmr admitted since. */
static int load_headers(sqlite3 *db, const char *provider, const char *model,
			struct llmr_quota_status *q, struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (llmr_qdb_prepare(db, hdr_sql, &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, provider, -1, SQLITE_STATIC);
	if (model)
		sqlite3_bind_text(s, 2, model, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		int64_t seen = sqlite3_column_int64(s, 0);
		long rr = col_long(s, 3), tr = col_long(s, 6), ra = col_long(s, 7);

		q->hdr_seen_ms = seen;
		q->hdr_req_limit = col_long(s, 1);
		q->hdr_req_remaining = col_long(s, 2);
		q->hdr_req_reset_at = rr >= 0 ? seen + rr : 0;
		q->hdr_tok_limit = col_long(s, 4);
		q->hdr_tok_remaining = col_long(s, 5);
		q->hdr_tok_reset_at = tr >= 0 ? seen + tr : 0;
		q->cooldown_until = ra >= 0 ? seen + ra : 0;
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_OK)
		return llmr_qdb_fail(db, rc, "cannot read rate-limit headers", e);
	if (!q->hdr_seen_ms)
		return 0;
	if (llmr_qdb_prepare(db, since_sql, &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, provider, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, q->hdr_seen_ms);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		q->req_since_hdr = (long)sqlite3_column_int64(s, 0);
		q->tok_since_hdr = (long)sqlite3_column_int64(s, 1);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_OK ? 0 : llmr_qdb_fail(db, rc, "cannot read quota usage", e);
}

static int status_span(sqlite3 *db, const struct llmr_provider_cfg *p,
		       const struct llmr_model_cfg *m, int64_t now, int full,
		       struct llmr_quota_status *s, struct llmr_err *e)
{
	memset(s, 0, sizeof(*s));
	s->hdr_req_limit = s->hdr_req_remaining = s->hdr_tok_limit = s->hdr_tok_remaining = -1;
	set_limits(s->w, &p->limits);
	set_limits(s->mw, m ? &m->limits : NULL);
	if (load_scope(db, p->name, NULL, now, full ? 86400000 : span_of(s->w), s->w, e) < 0)
		return -1;
	if (m && any_limit(s->mw) &&
	    load_scope(db, p->name, m->name, now, full ? 86400000 : span_of(s->mw), s->mw, e) < 0)
		return -1;
	return load_headers(db, p->name, m ? m->name : NULL, s, e);
}

int llmr_quota_status(struct llmr_state *st, const struct llmr_provider_cfg *p,
		      const struct llmr_model_cfg *m, int64_t now,
		      struct llmr_quota_status *s, struct llmr_err *e)
{
	return status_span(llmr_state_db(st), p, m, now, 1, s, e);
}

static void fmt_in(char *b, size_t n, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	if (ms < 10000)
		snprintf(b, n, "%.1fs", ms / 1000.0);
	else
		snprintf(b, n, "%llds", (long long)((ms + 999) / 1000));
}

/* One scope's windows; returns 1 and fills why for the first that refuses. */
static int check_scope(const struct llmr_quota_win *w, const char *scope, long tokens,
		       int64_t now, char *why, size_t n, int64_t *free_at)
{
	int blocked = 0;
	int64_t fa;
	char in[32];

	for (int i = 0; i < LLMR_QW_N; i++) {
		int is_tok = i == LLMR_QW_TPS || i == LLMR_QW_TPM || i == LLMR_QW_TPD;
		long need = is_tok ? tokens : 1;

		if (w[i].limit < 0 || w[i].used + need <= w[i].limit)
			continue;
		if (need > w[i].limit) {
			/* Waiting cannot help: the request is bigger than the window. */
			snprintf(why, n, "%s%s limit %ld is below the ~%ld tokens needed", scope,
				 llmr_qwin_name(i), w[i].limit, need);
			*free_at = -1;
			return 1;
		}
		if (!blocked && i == LLMR_QW_CONCURRENT) {
			snprintf(why, n, "%sconcurrent limit reached (%ld/%ld in flight)", scope,
				 w[i].used, w[i].limit);
		} else if (!blocked) {
			fmt_in(in, sizeof(in), w[i].free_at - now);
			if (is_tok)
				snprintf(why, n, "%s%s exhausted (%ld/%ld used, ~%ld needed, frees in %s)",
					 scope, llmr_qwin_name(i), w[i].used, w[i].limit, need, in);
			else
				snprintf(why, n, "%s%s exhausted (%ld/%ld, frees in %s)", scope,
					 llmr_qwin_name(i), w[i].used, w[i].limit, in);
		}
		blocked = 1;
		/* A concurrent slot frees when a call ends, not at its lease:
		 * poll for it. */
		fa = i == LLMR_QW_CONCURRENT ? now + 100 : w[i].free_at;
		if (fa > *free_at)
			*free_at = fa;
	}
	return blocked;
}

/* Believe the headers when they say less is left than the config allows. */
static int check_headers(const struct llmr_quota_status *s, long tokens, int64_t now,
			 char *why, size_t n, int64_t *free_at)
{
	char in[32];

	if (s->cooldown_until > now) {
		fmt_in(in, sizeof(in), s->cooldown_until - now);
		snprintf(why, n, "cooldown: provider said retry after %s", in);
		*free_at = s->cooldown_until;
		return 1;
	}
	if (s->hdr_req_remaining >= 0 && s->hdr_req_reset_at > now &&
	    s->hdr_req_remaining - s->req_since_hdr <= 0) {
		fmt_in(in, sizeof(in), s->hdr_req_reset_at - now);
		snprintf(why, n, "provider headers: no requests remaining (resets in %s)", in);
		*free_at = s->hdr_req_reset_at;
		return 1;
	}
	if (s->hdr_tok_remaining >= 0 && s->hdr_tok_reset_at > now &&
	    s->hdr_tok_remaining - s->tok_since_hdr < tokens) {
		fmt_in(in, sizeof(in), s->hdr_tok_reset_at - now);
		snprintf(why, n, "provider headers: %ld tokens remaining, ~%ld needed (resets in %s)",
			 s->hdr_tok_remaining - s->tok_since_hdr, tokens, in);
		*free_at = s->hdr_tok_reset_at;
		return 1;
	}
	return 0;
}

int llmr_quota_check(const struct llmr_quota_status *s, long tokens, int64_t now,
		     char *why, size_t n, int64_t *free_at)
{
	struct llmr_quota_win w[LLMR_QW_N];

	*free_at = 0;
	memcpy(w, s->w, sizeof(w));
	/* A lower per-minute limit in the headers replaces the config's. */
	if (s->hdr_req_limit >= 0 && w[LLMR_QW_RPM].limit > s->hdr_req_limit)
		w[LLMR_QW_RPM].limit = s->hdr_req_limit;
	if (s->hdr_tok_limit >= 0 && w[LLMR_QW_TPM].limit > s->hdr_tok_limit)
		w[LLMR_QW_TPM].limit = s->hdr_tok_limit;
	if (check_headers(s, tokens, now, why, n, free_at))
		return 1;
	if (check_scope(w, "", tokens, now, why, n, free_at))
		return 1;
	return check_scope(s->mw, "model ", tokens, now, why, n, free_at);
}

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

	if (llmr_qdb_prepare(db, ahead_sql, &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, a->p->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now - LLMR_QDB_WAITER_STALE_MS);
	sqlite3_bind_int64(s, 3, a->waiter_id);
	sqlite3_bind_int(s, 4, a->rank);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*ahead = (long)sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_OK ? 0 : llmr_qdb_fail(db, rc, "cannot read the quota queue", e);
}

static int insert_res(sqlite3 *db, struct acq *a, int64_t now, struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (llmr_qdb_prepare(db, "INSERT INTO quota_log (provider, model, t_start, t_end, tokens, held, pid)"
			     " VALUES (?,?,?,?,?,1,?)", &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, a->p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, a->m ? a->m->name : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_int64(s, 4, now + a->lease_ms);
	sqlite3_bind_int64(s, 5, a->tokens);
	sqlite3_bind_int64(s, 6, (int64_t)getpid());
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
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
	if (llmr_qdb_prepare(db, "INSERT INTO quota_waiters (provider, rank, enq_ms, seen_ms, pid)"
			     " VALUES (?,?,?,?,?)", &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, a->p->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, a->rank);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_int64(s, 4, now);
	sqlite3_bind_int64(s, 5, (int64_t)getpid());
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
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
	if (waiters_ahead(db, a, now, &ahead, e) < 0 || status_span(db, a->p, a->m, now, 0, &s, e) < 0)
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
	struct acq a = {p, m, tokens, rank, 0, max_wait_ms, 0, 0, 0, res, why, n};
	int64_t deadline = llmr_now_ms() + (max_wait_ms > 0 ? max_wait_ms : 0), now;

	memset(res, 0, sizeof(*res));
	why[0] = '\0';
	a.lease_ms = (p->timeout_ms > 0 ? p->timeout_ms : 60000) + 10000;
	for (;;) {
		if (llmr_state_tx(st, 1, try_fn, &a, e) < 0) {
			if (a.waiter_id)
				llmr_state_tx(st, 1, leave_fn, &a, NULL);
			return -1;
		}
		if (a.got)
			return 1;
		now = llmr_now_ms();
		/* Give up early when nothing frees before the deadline. */
		if (max_wait_ms <= 0 || now >= deadline || a.free_at < 0 || a.free_at > deadline)
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
	if (llmr_qdb_prepare(db, "UPDATE quota_log SET t_end = MAX(?2, t_start), tokens = ?3, held = 0"
			     " WHERE id = ?1", &s, e) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, f->res->id);
	sqlite3_bind_int64(s, 2, llmr_now_ms());
	sqlite3_bind_int64(s, 3, f->tokens);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : llmr_qdb_fail(db, rc, "cannot settle quota", e);
}

static int finish(struct llmr_state *st, struct llmr_quota_res *res, long tokens, int drop,
		  struct llmr_err *e)
{
	struct fin f = {res, tokens < 0 ? 0 : tokens, drop};
	int rc;

	if (!res->id)
		return 0;
	rc = llmr_state_tx(st, 1, fin_fn, &f, e);
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

	if (llmr_qdb_prepare(db, "DELETE FROM ratelimits WHERE ?1 IS NULL OR provider = ?1", &s, e) < 0)
		return -1;
	if (c->provider)
		sqlite3_bind_text(s, 1, c->provider, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : llmr_qdb_fail(db, rc, "cannot reset the cooldown", e);
}

int llmr_quota_reset_cooldown(struct llmr_state *st, const char *provider, struct llmr_err *e)
{
	struct reset_ctx c = {provider};

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
