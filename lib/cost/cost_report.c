#include "cost/cost.h"
#include "cost/rowset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One pass per grouping over the loaded rows; requests with several rows
 * are counted once through a rowset (rowset.h). */

/* Latencies of one group and period, for the p95. */
struct lat {
	int32_t *v;
	size_t n, cap;
	double sum;
};

static void lat_add(struct lat *l, int32_t v)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = llmr_xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = v;
	l->sum += v;
}

/* The k-th smallest (0-based), reordering v: Hoare's selection, O(n). */
static int32_t select_k(int32_t *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		int32_t pivot = v[lo + (hi - lo) / 2], t;
		size_t i = lo, j = hi;

		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

static void lat_finish(struct lat *l, struct llmr_cost_stats *s)
{
	size_t rank;

	s->avg_latency_ms = -1;
	s->p95_latency_ms = -1;
	if (l->n) {
		rank = (size_t)ceil(0.95 * (double)l->n);
		s->avg_latency_ms = l->sum / (double)l->n;
		s->p95_latency_ms = select_k(l->v, l->n, rank ? rank - 1 : 0);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
	s->error_rate = s->attempts ? (double)s->errors / (double)s->attempts : 0;
}

static void stats_add(struct llmr_cost_stats *s, struct lat *l, const struct llmr_cost_row *r,
		      int newreq)
{
	s->requests += newreq;
	s->attempts++;
	s->errors += !r->ok;
	s->cache_hits += r->cache != LLMR_CACHE_MISS;
	s->fallbacks += r->fallback_from >= 0;
	s->input_tokens += r->in;
	s->output_tokens += r->out;
	s->cached_tokens += r->cached;
	s->cost_usd += r->cost;
	if (r->ok && r->latency_ms >= 0)
		lat_add(l, r->latency_ms);
}

double llmr_cost_pct(double cur, double prev)
{
	return prev != 0 ? (cur - prev) / prev * 100.0 : NAN;
}

/* The group key of a row as an id in `keys`; time keys are cached per day
 * since rows come sorted by time. */
struct keyer {
	int by;
	struct llmr_names keys;
	int64_t last_day;
	int32_t last_id;
	int32_t *map;   /* log name id + 1 -> key id, -1 unknown yet */
};

static int32_t key_of(struct keyer *k, const struct llmr_cost_log *log, const struct llmr_cost_row *r)
{
	const char *s = NULL;
	char buf[16];
	int64_t day;
	int32_t name = -1;

	switch (k->by) {
	case LLMR_BY_NONE:
		return llmr_names_id(&k->keys, "all", 3);
	case LLMR_BY_ROUTE:
		name = r->route;
		break;
	case LLMR_BY_PROVIDER:
		name = r->provider;
		break;
	case LLMR_BY_MODEL:
		name = r->model;
		break;
	case LLMR_BY_AGENT: /* (none): not asked through llmr-ask --serve */
		name = r->agent;
		break;
	default:
		day = r->ts_ms / LLMR_DAY_MS;
		if (day == k->last_day)
			return k->last_id;
		if (k->by == LLMR_BY_DAY)
			llmr_cost_fmt_day(r->ts_ms, buf);
		else if (k->by == LLMR_BY_WEEK)
			llmr_cost_fmt_week(r->ts_ms, buf);
		else
			llmr_cost_fmt_month(r->ts_ms, buf);
		k->last_day = day;
		return k->last_id = llmr_names_id(&k->keys, buf, strlen(buf));
	}
	/* Names map to keys once; then it is an array lookup per row. */
	if (k->map[name + 1] >= 0)
		return k->map[name + 1];
	s = llmr_names_get(&log->names, name);
	if (!s)
		s = "(none)";
	return k->map[name + 1] = llmr_names_id(&k->keys, s, strlen(s));
}

static int cmp_group_cost(const void *a, const void *b)
{
	const struct llmr_cost_group *x = a, *y = b;

	if (x->cur.cost_usd != y->cur.cost_usd)
		return x->cur.cost_usd < y->cur.cost_usd ? 1 : -1;
	return strcmp(x->key, y->key);
}

static int cmp_group_key(const void *a, const void *b)
{
	return strcmp(((const struct llmr_cost_group *)a)->key, ((const struct llmr_cost_group *)b)->key);
}

/*
 * Group rows of [psince, until) by `by`. Rows before since count in the
 * previous period; a group seen only there still appears, with zeros now.
 * Also fills the totals when tot is not NULL.
 */
static void group(const struct llmr_cost_log *log, const struct llmr_rowset *multi_in, int64_t since,
		  int64_t until, int by, struct llmr_cost_group **out, size_t *nout,
		  struct llmr_cost_stats *tot, struct llmr_cost_stats *ptot)
{
	struct keyer k = {by, {0}, -1, -1, NULL};
	struct llmr_cost_group *g = NULL;
	struct lat *lats = NULL, tl[2] = {{0}};
	const struct llmr_rowset multi = *multi_in;
	size_t i, ng = 0, cap = 0, nm = 0;
	struct llmr_rowset set;

	k.map = llmr_xmalloc((log->names.n + 1) * sizeof(*k.map));
	for (i = 0; i <= log->names.n; i++)
		k.map[i] = -1;
	for (i = 0; i < log->n; i++)
		nm += log->rows[i].attempt > 1;
	llmr_rowset_init(&set, 4 * nm);
	for (i = 0; i < log->n; i++) {
		const struct llmr_cost_row *r = &log->rows[i];
		int prev = r->ts_ms < since, many;
		int32_t id;

		if (r->ts_ms >= until)
			continue;
		id = key_of(&k, log, r);
		many = llmr_rowset_has(&multi, r->rid);
		while ((size_t)id >= ng) {
			if (ng == cap) {
				cap = cap ? 2 * cap : 16;
				g = llmr_xrealloc(g, cap * sizeof(*g));
				lats = llmr_xrealloc(lats, 2 * cap * sizeof(*lats));
			}
			memset(&g[ng], 0, sizeof(*g));
			memset(&lats[2 * ng], 0, 2 * sizeof(*lats));
			g[ng].key = llmr_xstrdup(llmr_names_get(&k.keys, (int32_t)ng));
			ng++;
		}
		stats_add(prev ? &g[id].prev : &g[id].cur, &lats[2 * id + prev], r,
			  !many || llmr_rowset_add(&set, llmr_cost_mix(r->rid, 2 * ((uint64_t)id + 1) + (uint64_t)prev)));
		if (tot)
			stats_add(prev ? ptot : tot, &tl[prev], r,
				  !many || llmr_rowset_add(&set, llmr_cost_mix(r->rid, (uint64_t)prev)));
	}
	for (i = 0; i < ng; i++) {
		lat_finish(&lats[2 * i], &g[i].cur);
		lat_finish(&lats[2 * i + 1], &g[i].prev);
	}
	if (tot) {
		lat_finish(&tl[0], tot);
		lat_finish(&tl[1], ptot);
	}
	free(lats);
	free(set.k);
	free(k.map);
	llmr_names_release(&k.keys);
	if (by >= LLMR_BY_DAY && by <= LLMR_BY_MONTH) {
		/* A day of the previous period is not a row of this one. */
		size_t kept = 0;

		for (i = 0; i < ng; i++) {
			if (g[i].cur.attempts)
				g[kept++] = g[i];
			else
				free(g[i].key);
		}
		ng = kept;
	}
	if (ng)
		qsort(g, ng, sizeof(*g), by >= LLMR_BY_DAY && by <= LLMR_BY_MONTH ? cmp_group_key : cmp_group_cost);
	*out = g;
	*nout = ng;
}

static int cmp_count_desc(const void *a, const void *b)
{
	const long *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? 1 : -1;
	return (x[1] > y[1]) - (x[1] < y[1]);
}

/* "a (primary), b" from the answered requests per model of one route. */
static char *route_models(const struct llmr_cost_log *log, int64_t since, int64_t until, int32_t route)
{
	long *cnt = llmr_xcalloc(log->names.n + 1, 2 * sizeof(long));
	struct llmr_buf b = LLMR_BUF_INIT;
	size_t i, m = 0;

	for (i = 0; i < log->names.n; i++)
		cnt[2 * i + 1] = (long)i;
	for (i = 0; i < log->n; i++) {
		const struct llmr_cost_row *r = &log->rows[i];

		if (r->ts_ms >= since && r->ts_ms < until && r->route == route && r->ok && r->model >= 0)
			cnt[2 * r->model]++;
	}
	qsort(cnt, log->names.n, 2 * sizeof(long), cmp_count_desc);
	llmr_buf_adds(&b, "");
	for (i = 0; i < log->names.n && cnt[2 * i]; i++, m++)
		llmr_buf_addf(&b, "%s%s%s", m ? ", " : "", llmr_names_get(&log->names, (int32_t)cnt[2 * i + 1]),
			      m ? "" : " (primary)");
	free(cnt);
	return llmr_buf_detach(&b);
}

static void use_cases(const struct llmr_cost_log *log, const struct llmr_rowset *multi,
		      struct llmr_cost_report *r)
{
	struct llmr_cost_group *g;
	size_t i, n;

	if (r->by == LLMR_BY_ROUTE) {
		/* The breakdown is already by route: copy it. */
		n = r->ngroups;
		g = llmr_xcalloc(n + 1, sizeof(*g));
		for (i = 0; i < n; i++) {
			g[i] = r->groups[i];
			g[i].key = llmr_xstrdup(r->groups[i].key);
		}
	} else {
		group(log, multi, r->since, r->until, LLMR_BY_ROUTE, &g, &n, NULL, NULL);
	}
	r->uses = llmr_xcalloc(n ? n : 1, sizeof(*r->uses));
	for (i = 0; i < n; i++) {
		struct llmr_cost_usecase *u = &r->uses[r->nuses];

		if (!g[i].cur.attempts)
			continue;
		r->nuses++;
		u->route = g[i].key;
		g[i].key = NULL;
		u->models = route_models(log, r->since, r->until,
					 llmr_names_find(&log->names, u->route));
		u->requests = g[i].cur.requests;
		u->avg_cost_usd = u->requests ? g[i].cur.cost_usd / (double)u->requests : 0;
		u->per_day = r->days > 0 ? (double)u->requests / r->days : 0;
		u->daily_usd = r->days > 0 ? g[i].cur.cost_usd / r->days : 0;
		u->monthly_usd = u->daily_usd * 30;
	}
	for (i = 0; i < n; i++)
		free(g[i].key);
	free(g);
}

static void daily(const struct llmr_cost_log *log, struct llmr_cost_report *r)
{
	struct llmr_cost_daily *d = &r->daily;
	int32_t *col = llmr_xcalloc(log->names.n + 1, sizeof(*col));
	size_t i;

	d->day0 = r->since - ((r->since % LLMR_DAY_MS) + LLMR_DAY_MS) % LLMR_DAY_MS;
	d->ndays = (size_t)((r->until - d->day0 + LLMR_DAY_MS - 1) / LLMR_DAY_MS);
	if (d->ndays > 3700) {
		/* Keep the most recent ten years: the chart ends at until. */
		d->day0 += (int64_t)(d->ndays - 3700) * LLMR_DAY_MS;
		d->ndays = 3700;
	}
	for (i = 0; i < log->names.n; i++)
		col[i] = -1;
	for (i = 0; i < log->n; i++) {
		const struct llmr_cost_row *row = &log->rows[i];

		if (row->ts_ms < r->since || row->ts_ms >= r->until || row->provider < 0)
			continue;
		if (col[row->provider] < 0) {
			col[row->provider] = (int32_t)d->nprov++;
			d->prov = llmr_xrealloc(d->prov, d->nprov * sizeof(*d->prov));
			d->prov[d->nprov - 1] = llmr_xstrdup(llmr_names_get(&log->names, row->provider));
		}
	}
	d->usd = llmr_xcalloc(d->ndays * d->nprov + 1, sizeof(*d->usd));
	for (i = 0; i < log->n; i++) {
		const struct llmr_cost_row *row = &log->rows[i];
		size_t day;

		if (row->ts_ms < r->since || row->ts_ms >= r->until || row->provider < 0 || row->ts_ms < d->day0)
			continue;
		day = (size_t)((row->ts_ms - d->day0) / LLMR_DAY_MS);
		if (day < d->ndays)
			d->usd[day * d->nprov + (size_t)col[row->provider]] += row->cost;
	}
	free(col);
}

int llmr_cost_report_build(const struct llmr_cost_log *log, int64_t since, int64_t until,
			   int by, struct llmr_cost_report *r, struct llmr_err *e)
{
	memset(r, 0, sizeof(*r));
	if (until <= since)
		return llmr_errf(e, LLMR_EX_USAGE, "empty period: --until must come after --since");
	r->since = since;
	r->until = until;
	r->by = by;
	r->days = (double)(until - since) / (double)LLMR_DAY_MS;
	llmr_cost_prev_period(since, until, &r->prev_since, &r->prev_until);
	/* Rows between the two periods (a shorter previous month) count nowhere. */
	{
		struct llmr_cost_log view = *log;
		size_t a = 0, i;

		for (i = 0; i < log->n; i++) {
			int64_t t = log->rows[i].ts_ms;

			a += (t >= r->prev_since && t < r->prev_until) || (t >= since && t < until);
		}
		if (a < log->n) {
			view.rows = llmr_xmalloc((a + 1) * sizeof(*view.rows));
			for (a = 0, i = 0; i < log->n; i++) {
				int64_t t = log->rows[i].ts_ms;

				if ((t >= r->prev_since && t < r->prev_until) || (t >= since && t < until))
					view.rows[a++] = log->rows[i];
			}
			view.n = a;
		}
		struct llmr_rowset multi;

		llmr_cost_multi_build(&view, &multi);
		group(&view, &multi, since, until, by, &r->groups, &r->ngroups, &r->total, &r->prev);
		group(&view, &multi, since, until, LLMR_BY_MODEL, &r->models, &r->nmodels, NULL, NULL);
		use_cases(&view, &multi, r);
		free(multi.k);
		daily(&view, r);
		if (view.rows != log->rows)
			free(view.rows);
	}
	return 0;
}

void llmr_cost_report_release(struct llmr_cost_report *r)
{
	size_t i;

	for (i = 0; i < r->ngroups; i++)
		free(r->groups[i].key);
	free(r->groups);
	for (i = 0; i < r->nmodels; i++)
		free(r->models[i].key);
	free(r->models);
	for (i = 0; i < r->nuses; i++) {
		free(r->uses[i].route);
		free(r->uses[i].models);
	}
	free(r->uses);
	for (i = 0; i < r->daily.nprov; i++)
		free(r->daily.prov[i]);
	free(r->daily.prov);
	free(r->daily.usd);
	memset(r, 0, sizeof(*r));
}

int llmr_cost_by_parse(const char *s)
{
	static const char *const names[] = {"none", "route", "provider", "model", "day", "week", "month", "agent"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return -1;
}

const char *llmr_cost_by_name(int by)
{
	static const char *const names[] = {"none", "route", "provider", "model", "day", "week", "month", "agent"};

	return by >= 0 && by <= LLMR_BY_AGENT ? names[by] : "none";
}
