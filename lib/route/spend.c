#include "route/spend.h"

#include "route/coord_budget.h"
#include "route/coord_spend.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "route/quota_db.h"
#include "route/route_view.h"

double llmr_spend_estimate(const struct llmr_model_cfg *m, long input_tokens,
			   long output_tokens)
{
	double in, out;

	if (!m)
		return 0;
	in = m->input > 0 ? m->input : 0;
	out = m->output > 0 ? m->output : 0;
	return ((double)(input_tokens > 0 ? input_tokens : 0) * in +
		(double)(output_tokens > 0 ? output_tokens : 0) * out) / 1e6;
}

struct reserve {
	const struct llmr_spend_req *q;
	struct llmr_spend_hold *h;
	int64_t now, month0;
	int got;
	char *why;
	size_t n;
};

/* This month's spend of a provider, a route, or everything: one query per
 * scope, so that each uses its covering index (schema.c). */
static const char *const spent_sql[] = {
	"SELECT COALESCE(SUM(cost_usd),0) FROM requests WHERE ts_ms >= ?1",
	"SELECT COALESCE(SUM(cost_usd),0) FROM requests WHERE provider = ?2 AND ts_ms >= ?1",
	"SELECT COALESCE(SUM(cost_usd),0) FROM requests WHERE route = ?2 AND ts_ms >= ?1",
};
static const char *const held_sql[] = {
	"SELECT COALESCE(SUM(usd),0) FROM spend_holds WHERE t_end > ?1",
	"SELECT COALESCE(SUM(usd),0) FROM spend_holds WHERE provider = ?2 AND t_end > ?1",
	"SELECT COALESCE(SUM(usd),0) FROM spend_holds WHERE route = ?2 AND t_end > ?1",
};

/* One number from sqls[scope] bound to (since, provider or route). */
static int sum(sqlite3 *db, const char *const *sqls, int64_t since, const char *provider,
	       const char *route, double *out, struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	*out = 0;
	if (llmr_qdb_stmt(db, sqls[provider ? 1 : route ? 2 : 0], &s, e) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, since);
	if (provider || route)
		sqlite3_bind_text(s, 2, provider ? provider : route, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out = sqlite3_column_double(s, 0);
		rc = SQLITE_OK;
	}
	llmr_qdb_done(s);
	return rc == SQLITE_OK ? 0 : llmr_qdb_fail(db, rc, "cannot read spending", e);
}

/* Would est cross cap (scope: provider and/or route, both NULL: total)?
 * Returns 1 and fills why when it would, 0 when it fits, -1 on error. */
static int crosses(sqlite3 *db, struct reserve *r, const char *label, double cap,
		   const char *provider, const char *route, struct llmr_err *e)
{
	double spent, held;

	if (sum(db, spent_sql, r->month0, provider, route, &spent, e) < 0 ||
	    sum(db, held_sql, r->now, provider, route, &held, e) < 0)
		return -1;
	if (spent + held + r->q->est_usd <= cap + 1e-12)
		return 0;
	snprintf(r->why, r->n, "%s monthly cap $%.2f: $%.4f spent, $%.4f held, ~$%.4f needed",
		 label, cap, spent, held, r->q->est_usd);
	return 1;
}

/* A cap kept in cost_budgets (llmr-cost budget); *cap < 0 when none. */
static int state_cap(sqlite3 *db, const char *scope, const char *name, double *cap,
		     struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	*cap = -1;
	if (llmr_qdb_stmt(db, "SELECT usd_per_month FROM cost_budgets WHERE scope = ?1 AND name = ?2",
			     &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*cap = sqlite3_column_double(s, 0);
		rc = SQLITE_DONE;
	}
	llmr_qdb_done(s);
	return rc == SQLITE_DONE ? 0 : llmr_qdb_fail(db, rc, "cannot read budgets", e);
}

/* The request budget's dollars: spent, held by other draws, held by calls. */
static int budget_crosses(sqlite3 *db, struct reserve *r, struct llmr_err *e)
{
	const struct llmr_spend_req *q = r->q;
	sqlite3_stmt *s;
	double max = -1, used = 0, drawn = 0, held = 0;
	int rc;

	if (llmr_qdb_stmt(db, "SELECT usd_max, usd_used, usd_held FROM request_budgets WHERE id = ?1",
			     &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, q->budget, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		max = sqlite3_column_double(s, 0);
		used = sqlite3_column_double(s, 1);
		drawn = sqlite3_column_double(s, 2) - q->budget_own_held;
		rc = SQLITE_DONE;
	}
	llmr_qdb_done(s);
	if (rc != SQLITE_DONE)
		return llmr_qdb_fail(db, rc, "cannot read budget", e);
	if (max < 0)
		return 0;
	if (llmr_qdb_stmt(db, "SELECT COALESCE(SUM(usd),0) FROM spend_holds WHERE t_end > ?1"
			     " AND budget = ?2", &s, e) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, r->now);
	sqlite3_bind_text(s, 2, q->budget, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		held = sqlite3_column_double(s, 0);
		rc = SQLITE_DONE;
	}
	llmr_qdb_done(s);
	if (rc != SQLITE_DONE)
		return llmr_qdb_fail(db, rc, "cannot read budget", e);
	held += drawn > 0 ? drawn : 0;
	if (used + held + q->est_usd <= max + 1e-12)
		return 0;
	snprintf(r->why, r->n, "request budget '%s' $%.2f: $%.4f spent, $%.4f held, ~$%.4f needed",
		 q->budget, max, used, held, q->est_usd);
	return 1;
}

static int insert_hold(sqlite3 *db, struct reserve *r, struct llmr_err *e)
{
	const struct llmr_spend_req *q = r->q;
	int64_t lease = (q->provider->timeout_ms > 0 ? q->provider->timeout_ms : 60000) + 10000;
	sqlite3_stmt *s;
	int rc;

	if (llmr_qdb_stmt(db, "INSERT INTO spend_holds (provider, route, budget, usd, t_start, t_end, pid)"
			     " VALUES (?,?,?,?,?,?,?)", &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, q->provider->name, -1, SQLITE_STATIC);
	if (q->route)
		sqlite3_bind_text(s, 2, q->route, -1, SQLITE_STATIC);
	if (q->budget)
		sqlite3_bind_text(s, 3, q->budget, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 4, q->est_usd);
	sqlite3_bind_int64(s, 5, r->now);
	sqlite3_bind_int64(s, 6, r->now + lease);
	sqlite3_bind_int64(s, 7, (int64_t)getpid());
	rc = sqlite3_step(s);
	llmr_qdb_done(s);
	if (rc != SQLITE_DONE)
		return llmr_qdb_fail(db, rc, "cannot hold the call's cost", e);
	r->h->id = sqlite3_last_insert_rowid(db);
	snprintf(r->h->budget, sizeof(r->h->budget), "%s", q->budget ? q->budget : "");
	return 0;
}

/* Inside BEGIN IMMEDIATE: every cap that applies, then the hold. */
static int reserve_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct reserve *r = ud;
	const struct llmr_spend_req *q = r->q;
	char label[200];
	double cap;
	int c;

	r->got = 0;
	if (llmr_qdb_exec_i64(db, "DELETE FROM spend_holds WHERE t_end <= ?1 AND ?2 = ?2", r->now, 0,
			      e) < 0)
		return -1;
	/* Each cap through llmr_coord_spend_local_cap(): itself, or what
	 * this host may spend alone while Redis is down. */
	if (q->provider->budget_usd_per_month >= 0) {
		snprintf(label, sizeof(label), "provider '%s'", q->provider->name);
		cap = llmr_coord_spend_local_cap(db, "provider", q->provider->name,
						 q->provider->budget_usd_per_month, r->month0, label, sizeof(label));
		if ((c = crosses(db, r, label, cap, q->provider->name, NULL, e)))
			return c < 0 ? -1 : 0;
	}
	if (q->route) {
		if (state_cap(db, "route", q->route, &cap, e) < 0)
			return -1;
		snprintf(label, sizeof(label), "route '%s'", q->route);
		cap = llmr_coord_spend_local_cap(db, "route", q->route, cap, r->month0, label, sizeof(label));
		if (cap >= 0 && (c = crosses(db, r, label, cap, NULL, q->route, e)))
			return c < 0 ? -1 : 0;
	}
	if (state_cap(db, "total", "all", &cap, e) < 0)
		return -1;
	snprintf(label, sizeof(label), "total");
	cap = llmr_coord_spend_local_cap(db, "total", "all", cap, r->month0, label, sizeof(label));
	if (cap >= 0 && (c = crosses(db, r, label, cap, NULL, NULL, e)))
		return c < 0 ? -1 : 0;
	if (q->budget && !q->budget_over && (c = budget_crosses(db, r, e)))
		return c < 0 ? -1 : 0;
	if (llmr_coord_spend_note(db, e) < 0 || insert_hold(db, r, e) < 0)
		return -1;
	r->got = 1;
	return 0;
}

int llmr_spend_reserve(struct llmr_state *st, const struct llmr_spend_req *q,
		       struct llmr_spend_hold *h, char *why, size_t n, struct llmr_err *e)
{
	struct reserve r;
	int c;

	memset(h, 0, sizeof(*h));
	memset(&r, 0, sizeof(r));
	r.q = q;
	r.h = h;
	r.now = llmr_now_ms();
	r.month0 = llmr_route_month_start(r.now);
	r.why = why;
	r.n = n;
	why[0] = '\0';
	/* Across hosts first (Redis), then this host's own hold as ever. */
	if ((c = llmr_coord_spend_reserve(st, q, h, why, n)) == 0)
		return 0;
	if (llmr_state_tx(st, 1, reserve_fn, &r, e) < 0) {
		llmr_coord_spend_release(st, h);
		return -1;
	}
	if (!r.got)
		llmr_coord_spend_release(st, h);
	return r.got;
}

struct release {
	struct llmr_spend_hold *h;
	double usd;
};

static int release_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct release *r = ud;
	sqlite3_stmt *s;
	int rc;

	if (llmr_qdb_exec_i64(db, "DELETE FROM spend_holds WHERE id = ?1 AND ?2 = ?2", r->h->id, 0, e) < 0)
		return -1;
	if (!r->h->budget[0] || r->usd <= 0)
		return 0;
	if (llmr_qdb_stmt(db, "UPDATE request_budgets SET usd_used = usd_used + ?2 WHERE id = ?1",
			     &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, r->h->budget, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 2, r->usd);
	rc = sqlite3_step(s);
	llmr_qdb_done(s);
	return rc == SQLITE_DONE ? 0 : llmr_qdb_fail(db, rc, "cannot update budget", e);
}

int llmr_spend_release(struct llmr_state *st, struct llmr_spend_hold *h, double actual_usd,
		       struct llmr_err *e)
{
	struct release r = {h, actual_usd};
	int rc;

	llmr_coord_spend_release(st, h); /* after the cost was logged */
	if (!h->id)
		return 0;
	rc = llmr_state_tx(st, 1, release_fn, &r, e);
	/* A request budget in Redis is charged there, for every host. */
	if (rc == 0 && h->budget[0] && actual_usd > 0)
		llmr_coord_budget_charge(st, h->budget, actual_usd);
	memset(h, 0, sizeof(*h));
	return rc;
}
