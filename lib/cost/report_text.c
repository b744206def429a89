#include "cost/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Bars and sparklines only for a person at a terminal; pipes get plain
 * columns that awk can cut. */

static const char *const spark[] = {"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
				    "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"};

const char *llmr_report_clean(const char *s)
{
	static struct llmr_buf tmp = LLMR_BUF_INIT;
	size_t i;

	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			break;
	if (!s[i])
		return s;
	llmr_buf_reset(&tmp);
	llmr_sanitize_for_tty(&tmp, s, strlen(s));
	for (i = 0; i < tmp.len; i++)
		if (tmp.s[i] == '\n' || tmp.s[i] == '\t')
			tmp.s[i] = '?';
	return tmp.s ? tmp.s : "";
}

static void pct(struct llmr_buf *b, double v, bool color)
{
	if (!isfinite(v)) {
		llmr_buf_adds(b, "n/a");
		return;
	}
	if (color)
		llmr_buf_adds(b, v > 0 ? "\033[31m" : "\033[32m");
	llmr_buf_addf(b, "%+.1f%%", v);
	if (color)
		llmr_buf_adds(b, "\033[0m");
}

static void bar(struct llmr_buf *b, double frac, int width)
{
	int i, n = (int)lround(frac * width);

	for (i = 0; i < n && i < width; i++)
		llmr_buf_adds(b, "\xe2\x96\x88");
	for (; i < width; i++)
		llmr_buf_adds(b, " ");
}

static void sparkline(struct llmr_buf *b, const struct llmr_cost_daily *d)
{
	double max = 0, *sum = llmr_xcalloc(d->ndays + 1, sizeof(*sum));
	size_t i, j;

	for (i = 0; i < d->ndays; i++) {
		for (j = 0; j < d->nprov; j++)
			sum[i] += d->usd[i * d->nprov + j];
		max = fmax(max, sum[i]);
	}
	llmr_buf_adds(b, "daily        ");
	for (i = 0; i < d->ndays && i < 120; i++)
		llmr_buf_adds(b, spark[max > 0 ? (int)fmin(7, floor(sum[i] / max * 7.999)) : 0]);
	llmr_buf_addf(b, "  max $%.2f/day\n", max);
	free(sum);
}

static void head(struct llmr_buf *b, const struct llmr_cost_report *r, bool color)
{
	const struct llmr_cost_stats *t = &r->total;
	char a[16], z[16], pa[16], pz[16];

	llmr_cost_fmt_day(r->since, a);
	llmr_cost_fmt_day(r->until - 1, z);
	llmr_cost_fmt_day(r->prev_since, pa);
	llmr_cost_fmt_day(r->prev_until - 1, pz);
	llmr_buf_addf(b, "period       %s .. %s (%.1f days)\n", a, z, r->days);
	llmr_buf_addf(b, "spend        $%.4f  ", t->cost_usd);
	pct(b, llmr_cost_pct(t->cost_usd, r->prev.cost_usd), color);
	llmr_buf_addf(b, " vs %s .. %s ($%.4f)\n", pa, pz, r->prev.cost_usd);
	llmr_buf_addf(b, "requests     %ld  attempts %ld, errors %ld (%.1f%%), fallbacks %ld, cache hits %ld\n",
		      t->requests, t->attempts, t->errors, t->error_rate * 100, t->fallbacks, t->cache_hits);
	llmr_buf_addf(b, "tokens       input %lld, output %lld, cached %lld\n", t->input_tokens,
		      t->output_tokens, t->cached_tokens);
	if (t->avg_latency_ms >= 0)
		llmr_buf_addf(b, "latency      avg %.0f ms, p95 %ld ms\n", t->avg_latency_ms, t->p95_latency_ms);
}

static void forecast(struct llmr_buf *b, const struct llmr_forecast *f, bool color)
{
	llmr_buf_addf(b, "trend        last 7 days $%.4f, week over week ", f->last7_usd);
	pct(b, f->wow_pct, color);
	llmr_buf_addf(b, "\nforecast     %s: $%.2f-$%.2f (spent $%.2f)   %s: $%.2f-$%.2f\n", f->month,
		      f->low_usd, f->high_usd, f->spent_usd, f->next_month, f->next_low_usd,
		      f->next_high_usd);
}

static void table(struct llmr_buf *b, const char *by, const struct llmr_cost_group *g, size_t n,
		  double total, bool tty, bool color)
{
	size_t i;

	llmr_buf_addf(b, "\n%-28s %8s %12s %6s %8s %8s %8s %6s\n", by, "requests", "spend", "share",
		      "change", "avg ms", "p95 ms", "err%");
	for (i = 0; i < n; i++) {
		const struct llmr_cost_stats *s = &g[i].cur;
		double share = total > 0 ? s->cost_usd / total : 0;
		struct llmr_buf c = LLMR_BUF_INIT;

		pct(&c, llmr_cost_pct(s->cost_usd, g[i].prev.cost_usd), false);
		llmr_buf_addf(b, "%-28s %8ld %12.4f %5.1f%% ", llmr_report_clean(g[i].key), s->requests, s->cost_usd, share * 100);
		if (color && c.s && c.s[0] != 'n')
			llmr_buf_adds(b, c.s[0] == '+' ? "\033[31m" : "\033[32m");
		llmr_buf_addf(b, "%8s", c.s ? c.s : "");
		if (color && c.s && c.s[0] != 'n')
			llmr_buf_adds(b, "\033[0m");
		llmr_buf_release(&c);
		if (s->avg_latency_ms >= 0)
			llmr_buf_addf(b, " %8.0f %8ld", s->avg_latency_ms, s->p95_latency_ms);
		else
			llmr_buf_addf(b, " %8s %8s", "-", "-");
		llmr_buf_addf(b, " %5.1f%%", s->error_rate * 100);
		if (tty) {
			llmr_buf_adds(b, " ");
			bar(b, share, 20);
		}
		llmr_buf_adds(b, "\n");
	}
}

static void use_cases(struct llmr_buf *b, const struct llmr_cost_report *r)
{
	size_t i;

	if (!r->nuses)
		return;
	llmr_buf_addf(b, "\n%-16s %12s %10s %10s %12s  %s\n", "use case", "avg/request", "per day",
		      "daily", "monthly", "models");
	for (i = 0; i < r->nuses; i++) {
		const struct llmr_cost_usecase *u = &r->uses[i];

		llmr_buf_addf(b, "%-16s %12.6f %10.1f %10.4f %12.4f  ", llmr_report_clean(u->route), u->avg_cost_usd,
			      u->per_day, u->daily_usd, u->monthly_usd);
		llmr_buf_addf(b, "%s\n", llmr_report_clean(u->models));
	}
}

static void savings(struct llmr_buf *b, const struct llmr_savings *s)
{
	llmr_buf_addf(b, "\nsavings vs %s: baseline $%.4f, actual $%.4f, saved $%.4f (%.1f%%)\n",
		      s->baseline, s->baseline_usd, s->actual_usd, s->baseline_usd - s->actual_usd,
		      isfinite(s->saved_pct) ? s->saved_pct : 0);
	llmr_buf_addf(b, "             cache $%.4f (%ld hits), routing $%.4f\n", s->cache_usd,
		      s->cache_hits, s->routing_usd);
}

void llmr_report_text(struct llmr_buf *b, const struct llmr_cost_report *r,
		      const struct llmr_forecast *f, const struct llmr_savings *s, bool tty, bool color)
{
	head(b, r, color);
	if (f)
		forecast(b, f, color);
	if (tty && r->daily.ndays > 1)
		sparkline(b, &r->daily);
	if (r->by != LLMR_BY_NONE)
		table(b, llmr_cost_by_name(r->by), r->groups, r->ngroups, r->total.cost_usd, tty, color);
	else
		table(b, "model", r->models, r->nmodels, r->total.cost_usd, tty, color);
	use_cases(b, r);
	if (s)
		savings(b, s);
}

static void csv_field(struct llmr_buf *b, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		llmr_buf_adds(b, s);
		return;
	}
	llmr_buf_adds(b, "\"");
	for (; *s; s++) {
		if (*s == '"')
			llmr_buf_adds(b, "\"\"");
		else
			llmr_buf_add(b, s, 1);
	}
	llmr_buf_adds(b, "\"");
}

void llmr_report_csv(struct llmr_buf *b, const struct llmr_cost_report *r)
{
	size_t i;

	llmr_buf_addf(b, "%s,requests,attempts,errors,error_rate,cache_hits,fallbacks,input_tokens,"
		      "output_tokens,cached_tokens,cost_usd,previous_cost_usd,change_pct,avg_latency_ms,"
		      "p95_latency_ms\n", llmr_cost_by_name(r->by));
	for (i = 0; i < r->ngroups; i++) {
		const struct llmr_cost_stats *s = &r->groups[i].cur;
		double ch = llmr_cost_pct(s->cost_usd, r->groups[i].prev.cost_usd);

		csv_field(b, r->groups[i].key);
		llmr_buf_addf(b, ",%ld,%ld,%ld,%.6f,%ld,%ld,%lld,%lld,%lld,%.8f,%.8f,", s->requests,
			      s->attempts, s->errors, s->error_rate, s->cache_hits, s->fallbacks,
			      s->input_tokens, s->output_tokens, s->cached_tokens, s->cost_usd,
			      r->groups[i].prev.cost_usd);
		if (isfinite(ch))
			llmr_buf_addf(b, "%.4f", ch);
		llmr_buf_adds(b, ",");
		if (s->avg_latency_ms >= 0)
			llmr_buf_addf(b, "%.2f,%ld", s->avg_latency_ms, s->p95_latency_ms);
		else
			llmr_buf_adds(b, ",");
		llmr_buf_adds(b, "\n");
	}
}
