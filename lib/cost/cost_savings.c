#include "cost/cost_savings.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *llmr_savings_route_max(const struct llmr_config *cfg, const struct llmr_pricebook *pb,
				   const char *route)
{
	const struct llmr_route_cfg *r = cfg && route ? llmr_config_route(cfg, route) : NULL;
	const char *best = NULL;
	double top = -1;
	size_t t, i;

	for (t = 0; r && t < LLMR_NCOMPLEXITY; t++)
		for (i = 0; i < r->tiers[t].n; i++) {
			const struct llmr_price *p = llmr_pricebook_latest(pb, r->tiers[t].refs[i].spec);
			double sum = p ? fmax(p->input, 0) + fmax(p->output, 0) : -1;

			if (sum > top) {
				top = sum;
				best = r->tiers[t].refs[i].spec;
			}
		}
	return best;
}

/* Mean tokens of the route's answered misses, for cache hits that logged 0. */
struct avg {
	double in, out;
	long n;
};

static void route_avgs(const struct llmr_cost_log *log, const size_t *ans, size_t n, struct avg *a)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct llmr_cost_row *r = &log->rows[ans[i]];

		if (r->cache == LLMR_CACHE_MISS && r->route >= 0) {
			a[r->route].in += (double)r->in;
			a[r->route].out += (double)r->out;
			a[r->route].n++;
		}
	}
	for (i = 0; i < log->names.n; i++)
		if (a[i].n) {
			a[i].in /= (double)a[i].n;
			a[i].out /= (double)a[i].n;
		}
}

static double priced(const struct llmr_pricebook *pb, const char *spec, const struct llmr_cost_row *r,
		     const struct avg *a, int *ok)
{
	const struct llmr_price *p = spec ? llmr_pricebook_at(pb, spec, r->ts_ms) : NULL;
	int64_t in = r->in, out = r->out;

	*ok = p != NULL;
	if (!p)
		return 0;
	if (r->cache != LLMR_CACHE_MISS && !in && !out && r->route >= 0 && a[r->route].n) {
		in = llround(a[r->route].in);
		out = llround(a[r->route].out);
	}
	return llmr_price_cost(p, in, out, r->cache == LLMR_CACHE_MISS ? r->cached : 0,
			       r->cache == LLMR_CACHE_MISS ? r->cache_write : 0);
}

int llmr_savings_compute(const struct llmr_cost_log *log, int64_t since, int64_t until,
			 const struct llmr_config *cfg, const struct llmr_pricebook *pb,
			 const char *baseline, struct llmr_savings *s, struct llmr_err *e)
{
	size_t *ans, n, i;
	struct avg *a;
	const char **rmax;

	memset(s, 0, sizeof(*s));
	if (baseline && !llmr_pricebook_latest(pb, baseline))
		return llmr_errf(e, LLMR_EX_USAGE, "baseline '%s': no price known for this model", baseline);
	snprintf(s->baseline, sizeof(s->baseline), "%s", baseline ? baseline : "route max");
	n = llmr_cost_answers(log, since, until, &ans);
	a = llmr_xcalloc(log->names.n + 1, sizeof(*a));
	rmax = llmr_xcalloc(log->names.n + 1, sizeof(*rmax));
	for (i = 0; i < log->names.n; i++)
		rmax[i] = llmr_savings_route_max(cfg, pb, log->names.s[i]);
	route_avgs(log, ans, n, a);
	for (i = 0; i < log->n; i++)
		if (log->rows[i].ts_ms >= since && log->rows[i].ts_ms < until)
			s->actual_usd += log->rows[i].cost;
	for (i = 0; i < n; i++) {
		const struct llmr_cost_row *r = &log->rows[ans[i]];
		const char *model = llmr_names_get(&log->names, r->model);
		const char *base = baseline ? baseline : r->route >= 0 && rmax[r->route] ? rmax[r->route] : model;
		int ok1, ok2 = 1;
		double b = priced(pb, base, r, a, &ok1), c = 0;

		if (r->cache != LLMR_CACHE_MISS)
			c = priced(pb, model, r, a, &ok2);
		if (!ok1 || !ok2) {
			s->unpriced++;
			continue;
		}
		s->requests++;
		s->baseline_usd += b;
		if (r->cache != LLMR_CACHE_MISS) {
			s->cache_hits++;
			s->cache_usd += c;
		}
	}
	s->routing_usd = s->baseline_usd - s->actual_usd - s->cache_usd;
	s->saved_pct = s->baseline_usd > 0 ? (s->baseline_usd - s->actual_usd) / s->baseline_usd * 100 : NAN;
	s->cache_pct = s->baseline_usd > 0 ? s->cache_usd / s->baseline_usd * 100 : NAN;
	s->routing_pct = s->baseline_usd > 0 ? s->routing_usd / s->baseline_usd * 100 : NAN;
	free(ans);
	free(a);
	free(rmax);
	return 0;
}
