#include "cost/report.h"

#include <math.h>

/* NAN (a percent change from zero) becomes null: JSON has no NaN. */
static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *llmr_report_stats_json(const struct llmr_cost_stats *st)
{
	return json_pack("{s:I,s:I,s:I,s:o,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o}",
			 "requests", (json_int_t)st->requests, "attempts", (json_int_t)st->attempts,
			 "errors", (json_int_t)st->errors, "error_rate", num(st->error_rate),
			 "cache_hits", (json_int_t)st->cache_hits, "fallbacks", (json_int_t)st->fallbacks,
			 "input_tokens", (json_int_t)st->input_tokens,
			 "output_tokens", (json_int_t)st->output_tokens,
			 "cached_tokens", (json_int_t)st->cached_tokens, "cost_usd", num(st->cost_usd),
			 "avg_latency_ms", st->avg_latency_ms < 0 ? json_null() : num(st->avg_latency_ms),
			 "p95_latency_ms", st->p95_latency_ms < 0 ? json_null()
				 : json_integer(st->p95_latency_ms));
}

static json_t *groups(const struct llmr_cost_group *g, size_t n, double total)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *o = llmr_report_stats_json(&g[i].cur);

		json_object_set_new(o, "key", json_string(g[i].key));
		json_object_set_new(o, "share", num(total > 0 ? g[i].cur.cost_usd / total : NAN));
		json_object_set_new(o, "previous_cost_usd", num(g[i].prev.cost_usd));
		json_object_set_new(o, "change_pct", num(llmr_cost_pct(g[i].cur.cost_usd, g[i].prev.cost_usd)));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *uses(const struct llmr_cost_report *r)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < r->nuses; i++) {
		const struct llmr_cost_usecase *u = &r->uses[i];

		json_array_append_new(a, json_pack("{s:s,s:s,s:I,s:o,s:o,s:o,s:o}", "route", u->route,
						   "models", u->models, "requests", (json_int_t)u->requests,
						   "avg_cost_usd", num(u->avg_cost_usd),
						   "requests_per_day", num(u->per_day),
						   "daily_cost_usd", num(u->daily_usd),
						   "monthly_cost_usd", num(u->monthly_usd)));
	}
	return a;
}

static json_t *daily(const struct llmr_cost_daily *d)
{
	json_t *a = json_array();
	size_t i, j;
	char day[16];

	for (i = 0; i < d->ndays; i++) {
		json_t *by = json_object();
		double sum = 0;

		for (j = 0; j < d->nprov; j++) {
			json_object_set_new(by, d->prov[j], num(d->usd[i * d->nprov + j]));
			sum += d->usd[i * d->nprov + j];
		}
		llmr_cost_fmt_day(d->day0 + (int64_t)i * LLMR_DAY_MS, day);
		json_array_append_new(a, json_pack("{s:s,s:o,s:o}", "day", day, "cost_usd", num(sum),
						   "by_provider", by));
	}
	return a;
}

static json_t *forecast(const struct llmr_forecast *f)
{
	return json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:s,s:o,s:o}",
			 "month", f->month, "spent_usd", num(f->spent_usd),
			 "rate_7d_usd", num(f->rate7_usd), "rate_28d_usd", num(f->rate28_usd),
			 "last_7d_usd", num(f->last7_usd), "prev_7d_usd", num(f->prev7_usd),
			 "week_over_week_pct", num(f->wow_pct), "low_usd", num(f->low_usd),
			 "high_usd", num(f->high_usd), "next_month", f->next_month,
			 "next_low_usd", num(f->next_low_usd), "next_high_usd", num(f->next_high_usd));
}

static json_t *savings(const struct llmr_savings *s)
{
	return json_pack("{s:s,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "baseline", s->baseline,
			 "requests", (json_int_t)s->requests, "cache_hits", (json_int_t)s->cache_hits,
			 "unpriced", (json_int_t)s->unpriced, "actual_usd", num(s->actual_usd),
			 "baseline_usd", num(s->baseline_usd), "cache_saved_usd", num(s->cache_usd),
			 "routing_saved_usd", num(s->routing_usd), "saved_pct", num(s->saved_pct),
			 "cache_pct", num(s->cache_pct), "routing_pct", num(s->routing_pct));
}

json_t *llmr_report_json(const struct llmr_cost_report *r, const struct llmr_forecast *f,
			 const struct llmr_savings *s)
{
	char a[32], b[32], c[32], d[32];
	json_t *o, *prev;

	llmr_cost_fmt_iso(r->since, a);
	llmr_cost_fmt_iso(r->until, b);
	llmr_cost_fmt_iso(r->prev_since, c);
	llmr_cost_fmt_iso(r->prev_until, d);
	prev = llmr_report_stats_json(&r->prev);
	json_object_set_new(prev, "since", json_string(c));
	json_object_set_new(prev, "until", json_string(d));
	o = json_pack("{s:s,s:s,s:o,s:o,s:o,s:{s:o,s:o,s:o,s:o},s:s,s:o,s:o,s:o,s:o}",
		      "since", a, "until", b, "days", num(r->days),
		      "total", llmr_report_stats_json(&r->total), "previous", prev,
		      "change", "cost_usd_pct", num(llmr_cost_pct(r->total.cost_usd, r->prev.cost_usd)),
		      "requests_pct", num(llmr_cost_pct((double)r->total.requests, (double)r->prev.requests)),
		      "input_tokens_pct", num(llmr_cost_pct((double)r->total.input_tokens,
							     (double)r->prev.input_tokens)),
		      "output_tokens_pct", num(llmr_cost_pct((double)r->total.output_tokens,
							      (double)r->prev.output_tokens)),
		      "by", llmr_cost_by_name(r->by),
		      "groups", groups(r->groups, r->ngroups, r->total.cost_usd),
		      "models", groups(r->models, r->nmodels, r->total.cost_usd),
		      "use_cases", uses(r), "daily", daily(&r->daily));
	if (f)
		json_object_set_new(o, "forecast", forecast(f));
	if (s)
		json_object_set_new(o, "savings", savings(s));
	return o;
}
