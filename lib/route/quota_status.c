#include "route/quota.h"

#include <stdio.h>
#include <string.h>

#include "route/quota_calendar.h"
#include "route/coord_quota.h"
#include "route/quota_db.h"

/*
 * What the windows and the headers say (read-only), and the pure check of
 * a request against it. Reservations are in quota.c.
 */

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

/*
 * A request in flight counts in every window until its lease (t_end) in
 * case it lasts that long, but it is expected to end much sooner: when
 * a slot frees (the free_at columns) is reckoned from the request's start
 * plus the mean latency of that model's answers over the last hour (now
 * when none is known, so that a waiter polls instead of giving up on a
 * worst case that rarely comes), never past its lease.
 */
static const char usage_sql[] =
	"SELECT"
	" COALESCE(SUM(t_end > ?2),0), COALESCE(SUM(CASE WHEN t_end > ?2 THEN tokens END),0),"
	" MIN(CASE WHEN t_end > ?2 THEN eff END),"
	" COALESCE(SUM(t_end > ?3),0), COALESCE(SUM(CASE WHEN t_end > ?3 THEN tokens END),0),"
	" MIN(CASE WHEN t_end > ?3 THEN eff END),"
	" COUNT(*), COALESCE(SUM(tokens),0), MIN(eff),"
	" COALESCE(SUM(held AND t_end > ?5),0), MIN(CASE WHEN held AND t_end > ?5 THEN eff END)"
	" FROM (SELECT t_end, tokens, held, CASE WHEN held THEN"
	"  MIN(t_end, MAX(?5, t_start + COALESCE((SELECT AVG(r.latency_ms) FROM requests r"
	"   WHERE r.ts_ms > ?5 - 3600000 AND r.provider = q.provider AND r.model = q.model"
	"   AND r.status = 'ok' AND r.latency_ms IS NOT NULL), 0)))"
	"  ELSE t_end END AS eff"
	" FROM quota_log q WHERE provider = ?1 AND t_end > ?4 AND (?6 IS NULL OR model = ?6))";

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

	if (llmr_qdb_stmt(db, usage_sql, &s, e) < 0)
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
	llmr_qdb_done(s);
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

	if (llmr_qdb_stmt(db, hdr_sql, &s, e) < 0)
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
	llmr_qdb_done(s);
	if (rc != SQLITE_OK)
		return llmr_qdb_fail(db, rc, "cannot read rate-limit headers", e);
	if (!q->hdr_seen_ms)
		return 0;
	if (llmr_qdb_stmt(db, since_sql, &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, provider, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, q->hdr_seen_ms);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		q->req_since_hdr = (long)sqlite3_column_int64(s, 0);
		q->tok_since_hdr = (long)sqlite3_column_int64(s, 1);
		rc = SQLITE_OK;
	}
	llmr_qdb_done(s);
	return rc == SQLITE_OK ? 0 : llmr_qdb_fail(db, rc, "cannot read quota usage", e);
}

int llmr_quota_status_db(sqlite3 *db, const struct llmr_provider_cfg *p,
		       const struct llmr_model_cfg *m, int64_t now, int full,
		       struct llmr_quota_status *s, struct llmr_err *e)
{
	memset(s, 0, sizeof(*s));
	s->hdr_req_limit = s->hdr_req_remaining = s->hdr_tok_limit = s->hdr_tok_remaining = -1;
	set_limits(s->w, &p->limits);
	set_limits(s->mw, m ? &m->limits : NULL);
	/* A check reads only the windows that have a limit: with none, the
	 * provider's last second of reservations (as many rows as requests a
	 * second) need not be counted. */
	if (((full || any_limit(s->w)) &&
	     load_scope(db, p->name, NULL, now, full ? 86400000 : span_of(s->w), s->w, e) < 0) ||
	    llmr_quota_calendar(db, p->name, NULL, &p->limits, now, s->w, e) < 0)
		return -1;
	if (m && any_limit(s->mw) &&
	    (load_scope(db, p->name, m->name, now, full ? 86400000 : span_of(s->mw), s->mw, e) < 0 ||
	     llmr_quota_calendar(db, p->name, m->name, &m->limits, now, s->mw, e) < 0))
		return -1;
	return load_headers(db, p->name, m ? m->name : NULL, s, e);
}

int llmr_quota_status(struct llmr_state *st, const struct llmr_provider_cfg *p,
		      const struct llmr_model_cfg *m, int64_t now,
		      struct llmr_quota_status *s, struct llmr_err *e)
{
	if (llmr_quota_status_db(llmr_state_db(st), p, m, now, 1, s, e) < 0)
		return -1;
	/* Coordinated: the windows are every host's, in Redis (the headers
	 * and cooldowns stay this host's). */
	if (llmr_coord_quota_usage(st, p, NULL, s->w) && m)
		llmr_coord_quota_usage(st, p, m, s->mw);
	return 0;
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

