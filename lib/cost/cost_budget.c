#include "cost/cost_budget.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *llmr_budget_level_name(int level)
{
	static const char *const names[] = {"ok", "alert", "forecast over", "over"};

	return level >= 0 && level <= LLMR_BUDGET_OVER ? names[level] : "ok";
}

static int one(sqlite3 *db, int64_t now, const char *scope, const char *name, double cap,
	       double alert_at, struct llmr_budget_status **out, size_t *n, struct llmr_err *e)
{
	struct llmr_forecast f;
	struct llmr_budget_status *s;
	const char *prov = !strcmp(scope, "provider") ? name : NULL;
	const char *route = !strcmp(scope, "route") ? name : NULL;

	if (llmr_forecast_compute(db, now, prov, route, &f, e))
		return -1;
	*out = llmr_xrealloc(*out, (*n + 1) * sizeof(**out));
	s = &(*out)[(*n)++];
	memset(s, 0, sizeof(*s));
	snprintf(s->scope, sizeof(s->scope), "%s", scope);
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->cap_usd = cap;
	s->alert_at = alert_at;
	s->spent_usd = f.spent_usd;
	s->forecast_low_usd = f.low_usd;
	s->forecast_high_usd = f.high_usd;
	if (f.spent_usd >= cap)
		s->level = LLMR_BUDGET_OVER;
	else if ((f.low_usd + f.high_usd) / 2 >= cap)
		s->level = LLMR_BUDGET_FORECAST;
	else if (f.spent_usd >= alert_at * cap)
		s->level = LLMR_BUDGET_ALERT;
	return 0;
}

int llmr_budget_check(struct llmr_state *st, const struct llmr_config *cfg, int64_t now_ms,
		      struct llmr_budget_status **out, size_t *n, struct llmr_err *e)
{
	sqlite3 *db = llmr_state_db(st);
	sqlite3_stmt *q;
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	for (i = 0; cfg && i < cfg->nproviders; i++) {
		const struct llmr_provider_cfg *p = &cfg->providers[i];

		if (p->budget_usd_per_month >= 0 &&
		    one(db, now_ms, "provider", p->name, p->budget_usd_per_month,
			p->budget_alert_at >= 0 ? p->budget_alert_at : 0.8, out, n, e))
			return -1;
	}
	if (sqlite3_prepare_v2(db, "SELECT scope, name, usd_per_month, alert_at FROM cost_budgets"
			       " ORDER BY scope, name", -1, &q, NULL) != SQLITE_OK)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot read budgets: %s", sqlite3_errmsg(db));
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *scope = (const char *)sqlite3_column_text(q, 0);

		if (one(db, now_ms, scope, (const char *)sqlite3_column_text(q, 1),
			sqlite3_column_double(q, 2), sqlite3_column_double(q, 3), out, n, e)) {
			sqlite3_finalize(q);
			return -1;
		}
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot read budgets: %s", sqlite3_errmsg(db));
	return 0;
}

struct set_ctx {
	const char *scope, *name;
	double usd, alert;
};

static int tx_set(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct set_ctx *c = ud;
	sqlite3_stmt *st;
	int rc;
	const char *sql = c->usd < 0 ? "DELETE FROM cost_budgets WHERE scope = ?1 AND name = ?2"
		: "INSERT OR REPLACE INTO cost_budgets (scope, name, usd_per_month, alert_at) VALUES (?1, ?2, ?3, ?4)";

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot store the budget: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, c->scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->name, -1, SQLITE_STATIC);
	if (c->usd >= 0) {
		sqlite3_bind_double(st, 3, c->usd);
		sqlite3_bind_double(st, 4, c->alert);
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return rc;
	return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot store the budget: %s", sqlite3_errmsg(db));
}

int llmr_budget_set(struct llmr_state *st, const char *scope, const char *name, double usd,
		    double alert_at, struct llmr_err *e)
{
	struct set_ctx c = {scope, name, usd, alert_at};

	if (strcmp(scope, "route") && strcmp(scope, "total"))
		return llmr_errf(e, LLMR_EX_USAGE, "budget scope '%s': expected route or total", scope);
	if (!strcmp(scope, "total"))
		c.name = "all";
	return llmr_state_tx(st, 1, tx_set, &c, e);
}
