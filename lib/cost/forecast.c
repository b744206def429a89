#include "cost/cost.h"

#include <math.h>
#include <string.h>

/*
 * The forecast is deliberately simple so that an admin can check it by hand:
 * two mean daily rates (last 7 days, last 28 days) bound the rest of the
 * month. A log younger than the window is averaged over the days it covers,
 * so a first week of use is not diluted by 21 empty days.
 */

static int sum_between(sqlite3 *db, int64_t a, int64_t b, const char *provider, const char *route,
		       double *usd, int64_t *first, struct llmr_err *e)
{
	static const char sql[] =
		"SELECT total(cost_usd), min(ts_ms) FROM requests WHERE ts_ms >= ?1 AND ts_ms < ?2"
		" AND (?3 IS NULL OR provider = ?3) AND (?4 IS NULL OR route = ?4)";
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot read the request log: %s", sqlite3_errmsg(db));
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	if (provider)
		sqlite3_bind_text(st, 3, provider, -1, SQLITE_STATIC);
	if (route)
		sqlite3_bind_text(st, 4, route, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*usd = sqlite3_column_double(st, 0);
		if (first)
			*first = sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot read the request log: %s", sqlite3_errmsg(db));
	return 0;
}

/* Sums come from the database or from rows already in memory. */
struct summer {
	sqlite3 *db;
	const struct llmr_cost_log *log;
	const char *provider, *route;
};

static int sum(const struct summer *s, int64_t a, int64_t b, double *usd, struct llmr_err *e)
{
	size_t i;

	if (s->db)
		return sum_between(s->db, a, b, s->provider, s->route, usd, NULL, e);
	*usd = 0;
	for (i = 0; i < s->log->n; i++)
		if (s->log->rows[i].ts_ms >= a && s->log->rows[i].ts_ms < b)
			*usd += s->log->rows[i].cost;
	return 0;
}

/* Mean daily spend over [ref - days, ref), or since the first logged day. */
static int rate(const struct summer *s, int64_t ref, int days, int64_t first, double *out,
		struct llmr_err *e)
{
	int64_t from = ref - days * LLMR_DAY_MS;
	double usd, span;

	if (first >= 0) {
		int64_t fday = first - ((first % LLMR_DAY_MS) + LLMR_DAY_MS) % LLMR_DAY_MS;

		if (fday > from)
			from = fday;
	}
	if (sum(s, from, ref, &usd, e))
		return -1;
	span = (double)(ref - from) / (double)LLMR_DAY_MS;
	*out = span >= 1 ? usd / span : usd;
	return 0;
}

static int compute(const struct summer *s, int64_t ref, int64_t first, struct llmr_forecast *f,
		   struct llmr_err *e)
{
	int64_t m0 = llmr_cost_month_start(ref - 1, 0), m1 = llmr_cost_month_start(ref - 1, 1);
	int64_t m2 = llmr_cost_month_start(ref - 1, 2);
	double lo, hi;

	memset(f, 0, sizeof(*f));
	llmr_cost_fmt_month(m0, f->month);
	llmr_cost_fmt_month(m1, f->next_month);
	if (sum(s, m0, ref, &f->spent_usd, e) ||
	    sum(s, ref - 7 * LLMR_DAY_MS, ref, &f->last7_usd, e) ||
	    sum(s, ref - 14 * LLMR_DAY_MS, ref - 7 * LLMR_DAY_MS, &f->prev7_usd, e) ||
	    rate(s, ref, 7, first, &f->rate7_usd, e) ||
	    rate(s, ref, 28, first, &f->rate28_usd, e))
		return -1;
	f->wow_pct = llmr_cost_pct(f->last7_usd, f->prev7_usd);
	f->days_left = (double)(m1 - ref) / (double)LLMR_DAY_MS;
	lo = fmin(f->rate7_usd, f->rate28_usd);
	hi = fmax(f->rate7_usd, f->rate28_usd);
	f->low_usd = f->spent_usd + f->days_left * lo;
	f->high_usd = f->spent_usd + f->days_left * hi;
	f->next_low_usd = (double)(m2 - m1) / (double)LLMR_DAY_MS * lo;
	f->next_high_usd = (double)(m2 - m1) / (double)LLMR_DAY_MS * hi;
	return 0;
}

int llmr_forecast_compute(sqlite3 *db, int64_t ref, const char *provider, const char *route,
			  struct llmr_forecast *f, struct llmr_err *e)
{
	struct summer s = {db, NULL, provider, route};
	int64_t first = -1;
	double all;

	if (sum_between(db, 0, ref, provider, route, &all, &first, e))
		return -1;
	return compute(&s, ref, first, f, e);
}

int64_t llmr_forecast_window(int64_t ref)
{
	int64_t m0 = llmr_cost_month_start(ref - 1, 0), w = ref - 28 * LLMR_DAY_MS;

	return m0 < w ? m0 : w;
}

int llmr_forecast_from_log(const struct llmr_cost_log *log, int64_t first, int64_t ref,
			   struct llmr_forecast *f, struct llmr_err *e)
{
	struct summer s = {NULL, log, NULL, NULL};

	return compute(&s, ref, first, f, e);
}

int llmr_cost_first_ts(sqlite3 *db, int64_t *first, struct llmr_err *e)
{
	sqlite3_stmt *st;
	int rc;

	*first = -1;
	if (sqlite3_prepare_v2(db, "SELECT min(ts_ms) FROM requests", -1, &st, NULL) != SQLITE_OK)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot read the request log: %s", sqlite3_errmsg(db));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*first = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0
		: llmr_errf(e, LLMR_EX_SOFTWARE, "cannot read the request log: %s", sqlite3_errmsg(db));
}
