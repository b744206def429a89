#include "cost/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * One file, no script, no external fetch: an admin can mail it or open it
 * offline, and the test can render it headless. Figures that the test
 * compares with --json carry id attributes.
 */

static const char *const palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
				      "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
#define NPAL (sizeof(palette) / sizeof(palette[0]))

void llmr_html_escape(struct llmr_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': llmr_buf_adds(b, "&amp;"); break;
		case '<': llmr_buf_adds(b, "&lt;"); break;
		case '>': llmr_buf_adds(b, "&gt;"); break;
		case '"': llmr_buf_adds(b, "&quot;"); break;
		case '\'': llmr_buf_adds(b, "&#39;"); break;
		default: llmr_buf_add(b, s, 1);
		}
	}
}

static void stacked_days(struct llmr_buf *b, const struct llmr_cost_daily *d)
{
	const double W = 760, H = 220, X0 = 60, Y0 = 20;
	double max = 0, bw;
	size_t i, j;
	char day[16];

	for (i = 0; i < d->ndays; i++) {
		double sum = 0;

		for (j = 0; j < d->nprov; j++)
			sum += d->usd[i * d->nprov + j];
		max = fmax(max, sum);
	}
	bw = d->ndays ? W / (double)d->ndays : W;
	llmr_buf_addf(b, "<svg id=\"chart-daily\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\">\n",
		      X0 + W + 150, Y0 + H + 40);
	llmr_buf_addf(b, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#333\"/>\n", X0, Y0 + H,
		      X0 + W, Y0 + H);
	llmr_buf_addf(b, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"end\">$%.2f</text>\n", X0 - 4,
		      Y0 + 10, max);
	for (i = 0; i < d->ndays; i++) {
		double y = Y0 + H;

		for (j = 0; j < d->nprov; j++) {
			double v = d->usd[i * d->nprov + j], h = max > 0 ? v / max * H : 0;

			if (h <= 0)
				continue;
			y -= h;
			llmr_buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
				      "<title>", X0 + (double)i * bw + 1, y, fmax(bw - 2, 1), h, palette[j % NPAL]);
			llmr_html_escape(b, d->prov[j]);
			llmr_cost_fmt_day(d->day0 + (int64_t)i * LLMR_DAY_MS, day);
			llmr_buf_addf(b, " %s $%.4f</title></rect>\n", day, v);
		}
	}
	if (d->ndays) {
		llmr_cost_fmt_day(d->day0, day);
		llmr_buf_addf(b, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\">%s</text>\n", X0, Y0 + H + 15, day);
		llmr_cost_fmt_day(d->day0 + (int64_t)(d->ndays - 1) * LLMR_DAY_MS, day);
		llmr_buf_addf(b, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"end\">%s</text>\n",
			      X0 + W, Y0 + H + 15, day);
	}
	for (j = 0; j < d->nprov; j++) {
		llmr_buf_addf(b, "<rect x=\"%.0f\" y=\"%.0f\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			      "<text x=\"%.0f\" y=\"%.0f\" font-size=\"12\">", X0 + W + 15, Y0 + 20.0 * (double)j,
			      palette[j % NPAL], X0 + W + 32, Y0 + 20.0 * (double)j + 11);
		llmr_html_escape(b, d->prov[j]);
		llmr_buf_adds(b, "</text>\n");
	}
	llmr_buf_adds(b, "</svg>\n");
}

static void model_shares(struct llmr_buf *b, const struct llmr_cost_report *r)
{
	const double W = 400;
	size_t i;

	llmr_buf_addf(b, "<svg id=\"chart-models\" xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"%zu\">\n",
		      22 * r->nmodels + 10);
	for (i = 0; i < r->nmodels; i++) {
		double share = r->total.cost_usd > 0 ? r->models[i].cur.cost_usd / r->total.cost_usd : 0;
		double y = 5 + 22.0 * (double)i;

		llmr_buf_addf(b, "<text x=\"0\" y=\"%.0f\" font-size=\"12\">", y + 13);
		llmr_html_escape(b, r->models[i].key);
		llmr_buf_addf(b, "</text><rect x=\"260\" y=\"%.0f\" width=\"%.1f\" height=\"16\" fill=\"%s\"/>"
			      "<text x=\"%.1f\" y=\"%.0f\" font-size=\"12\">%.1f%% $%.4f</text>\n", y, share * W,
			      palette[i % NPAL], 265 + share * W, y + 13, share * 100, r->models[i].cur.cost_usd);
	}
	llmr_buf_adds(b, "</svg>\n");
}

struct pt {
	const char *name;
	double cost, q;
	bool pareto;
};

static int cmp_pt(const void *a, const void *b)
{
	const struct pt *x = a, *y = b;

	if (x->cost != y->cost)
		return x->cost < y->cost ? -1 : 1;
	return (x->q < y->q) - (x->q > y->q);
}

/* Cost (3:1 blend of input and output per 1M tokens) against quality. A
 * model is on the frontier when no cheaper-or-equal model is at least as
 * good. */
static void pareto(struct llmr_buf *b, const struct llmr_price_row *rows, size_t n)
{
	struct pt *p = llmr_xcalloc(n + 1, sizeof(*p));
	size_t i, k = 0;
	double best = -1, lo = 1e9, hi = 0, lx, hx;
	const double X0 = 60, W = 600, Y0 = 20, H = 260;
	int first = 1;

	for (i = 0; i < n; i++)
		if (rows[i].configured && rows[i].p.quality >= 0) {
			p[k].name = rows[i].spec;
			p[k].cost = (3 * fmax(rows[i].p.input, 0) + fmax(rows[i].p.output, 0)) / 4;
			p[k].q = rows[i].p.quality;
			lo = fmin(lo, p[k].cost);
			hi = fmax(hi, p[k].cost);
			k++;
		}
	qsort(p, k, sizeof(*p), cmp_pt);
	for (i = 0; i < k; i++)
		if (p[i].q > best) {
			p[i].pareto = true;
			best = p[i].q;
		}
	lx = log10(fmax(lo, 0.01));
	hx = log10(fmax(hi, 0.01));
	if (hx - lx < 1e-9)
		hx = lx + 1;
	llmr_buf_addf(b, "<svg id=\"chart-pareto\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\">\n",
		      X0 + W + 200, Y0 + H + 40);
	llmr_buf_addf(b, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#333\"/>"
		      "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#333\"/>\n",
		      X0, Y0 + H, X0 + W, Y0 + H, X0, Y0, X0, Y0 + H);
	llmr_buf_addf(b, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\">USD per 1M tokens (3:1 blend, log scale)</text>"
		      "<text x=\"4\" y=\"%.0f\" font-size=\"11\">quality</text>\n", X0, Y0 + H + 30, Y0 + 10);
#define PX(c) (X0 + (log10(fmax((c), 0.01)) - lx) / (hx - lx) * W * 0.9 + W * 0.05)
#define PY(q) (Y0 + H - (q) / 100.0 * H)
	llmr_buf_adds(b, "<polyline class=\"pareto\" fill=\"none\" stroke=\"#e15759\" stroke-width=\"2\" points=\"");
	for (i = 0; i < k; i++)
		if (p[i].pareto) {
			llmr_buf_addf(b, "%s%.1f,%.1f", first ? "" : " ", PX(p[i].cost), PY(p[i].q));
			first = 0;
		}
	llmr_buf_adds(b, "\"/>\n");
	for (i = 0; i < k; i++) {
		llmr_buf_addf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"%s/>"
			      "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">", PX(p[i].cost), PY(p[i].q),
			      p[i].pareto ? "#e15759" : "#4e79a7", p[i].pareto ? " class=\"pareto\"" : "",
			      PX(p[i].cost) + 7, PY(p[i].q) - 4);
		llmr_html_escape(b, p[i].name);
		llmr_buf_addf(b, " (q %.0f, $%.3f)%s</text>\n", p[i].q, p[i].cost, p[i].pareto ? " *" : "");
	}
#undef PX
#undef PY
	llmr_buf_adds(b, "</svg>\n<p>* on the Pareto frontier: no cheaper model is as good.</p>\n");
	free(p);
}

static void summary(struct llmr_buf *b, const struct llmr_cost_report *r, const struct llmr_forecast *f,
		    const struct llmr_savings *s)
{
	char a[16], z[16];

	llmr_cost_fmt_day(r->since, a);
	llmr_cost_fmt_day(r->until - 1, z);
	llmr_buf_addf(b, "<h1>llmr cost report</h1>\n<p>Period %s to %s (%.1f days)</p>\n<table>\n", a, z, r->days);
	llmr_buf_addf(b, "<tr><th>spend</th><td id=\"total-cost\">$%.4f</td></tr>\n", r->total.cost_usd);
	llmr_buf_addf(b, "<tr><th>previous period</th><td id=\"previous-cost\">$%.4f</td></tr>\n", r->prev.cost_usd);
	llmr_buf_addf(b, "<tr><th>requests</th><td id=\"total-requests\">%ld</td></tr>\n", r->total.requests);
	llmr_buf_addf(b, "<tr><th>cache hits</th><td id=\"cache-hits\">%ld</td></tr>\n", r->total.cache_hits);
	llmr_buf_addf(b, "<tr><th>fallbacks</th><td id=\"fallbacks\">%ld</td></tr>\n", r->total.fallbacks);
	if (f)
		llmr_buf_addf(b, "<tr><th>forecast %s</th><td id=\"forecast\">$%.2f-$%.2f</td></tr>\n",
			      f->month, f->low_usd, f->high_usd);
	if (s)
		llmr_buf_addf(b, "<tr><th>saved vs %s</th><td id=\"saved\">$%.4f (cache $%.4f, routing $%.4f)</td></tr>\n",
			      s->baseline, s->baseline_usd - s->actual_usd, s->cache_usd, s->routing_usd);
	llmr_buf_adds(b, "</table>\n");
}

static void model_table(struct llmr_buf *b, const struct llmr_cost_report *r)
{
	size_t i;

	llmr_buf_adds(b, "<table id=\"models\">\n<tr><th>model</th><th>requests</th><th>spend</th></tr>\n");
	for (i = 0; i < r->nmodels; i++) {
		llmr_buf_adds(b, "<tr><td>");
		llmr_html_escape(b, r->models[i].key);
		llmr_buf_addf(b, "</td><td>%ld</td><td>$%.4f</td></tr>\n", r->models[i].cur.requests,
			      r->models[i].cur.cost_usd);
	}
	llmr_buf_adds(b, "</table>\n");
}

static void use_cases(struct llmr_buf *b, const struct llmr_cost_report *r)
{
	size_t i;

	llmr_buf_adds(b, "<h2>Use cases</h2>\n<table id=\"use-cases\">\n<tr><th>route</th><th>models</th>"
		      "<th>avg per request</th><th>per day</th><th>daily</th><th>monthly</th></tr>\n");
	for (i = 0; i < r->nuses; i++) {
		const struct llmr_cost_usecase *u = &r->uses[i];

		llmr_buf_adds(b, "<tr><td>");
		llmr_html_escape(b, u->route);
		llmr_buf_adds(b, "</td><td>");
		llmr_html_escape(b, u->models);
		llmr_buf_addf(b, "</td><td>$%.6f</td><td>%.1f</td><td>$%.4f</td><td>$%.2f</td></tr>\n",
			      u->avg_cost_usd, u->per_day, u->daily_usd, u->monthly_usd);
	}
	llmr_buf_adds(b, "</table>\n");
}

void llmr_report_html(struct llmr_buf *b, const struct llmr_cost_report *r,
		      const struct llmr_forecast *f, const struct llmr_savings *s,
		      const struct llmr_price_row *prices, size_t nprices)
{
	llmr_buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		      "<title>llmr cost report</title>\n<style>body{font-family:sans-serif;margin:2em;color:#222}"
		      "table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left;border-bottom:1px solid #ddd}"
		      "</style></head><body>\n");
	summary(b, r, f, s);
	llmr_buf_adds(b, "<h2>Spend per day, by provider</h2>\n");
	stacked_days(b, &r->daily);
	llmr_buf_adds(b, "<h2>Share by model</h2>\n");
	model_shares(b, r);
	model_table(b, r);
	use_cases(b, r);
	llmr_buf_adds(b, "<h2>Cost against quality</h2>\n");
	pareto(b, prices, nprices);
	llmr_buf_adds(b, "</body></html>\n");
}
