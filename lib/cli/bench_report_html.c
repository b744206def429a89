/*
 * bench_report_html.c - llmr-bench report as one HTML page: no script, no
 * external fetch, charts in inline SVG (ratings with their intervals,
 * trends across runs, cost against score per skill with the Pareto
 * frontier), the win matrix as a coloured table. Escaping is llmr-cost's
 * (llmr_html_escape). Figures the tests compare with --json carry ids.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bench_report.h"
#include "cost/cost.h"
#include "cost/report.h"

#define S(o, k) json_string_value(json_object_get((o), (k)))
#define N(o, k) json_number_value(json_object_get((o), (k)))
#define I(o, k) ((long long)json_integer_value(json_object_get((o), (k))))

static const char *const palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
				      "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
#define NPAL (sizeof(palette) / sizeof(palette[0]))

static void svg_open(struct llmr_buf *b, const char *id, double w, double h)
{
	llmr_buf_addf(b, "<svg id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\">\n",
		      id, w, h);
}

/* Each model's rating as a dot on its 95% interval, best at the top. */
static void chart_ratings(struct llmr_buf *b, const json_t *models)
{
	const double X0 = 260, W = 500, ROW = 24;
	double lo = INFINITY, hi = -INFINITY;
	size_t i, n = json_array_size(models);
	json_t *m;

	json_array_foreach(models, i, m) {
		lo = fmin(lo, N(m, "ci_low"));
		hi = fmax(hi, N(m, "ci_high"));
	}
	lo = floor((lo - 10) / 50) * 50;
	hi = ceil((hi + 10) / 50) * 50;
	svg_open(b, "chart-ratings", X0 + W + 40, ROW * (double)n + 40);
#define RX(v) (X0 + ((v) - lo) / (hi - lo) * W)
	llmr_buf_addf(b, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#333\"/>"
		      "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\">%.0f</text>"
		      "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"end\">%.0f</text>\n",
		      X0, ROW * (double)n + 10, X0 + W, ROW * (double)n + 10, X0, ROW * (double)n + 25, lo,
		      X0 + W, ROW * (double)n + 25, hi);
	json_array_foreach(models, i, m) {
		double y = ROW * (double)i + 14;

		llmr_buf_addf(b, "<text x=\"0\" y=\"%.0f\" font-size=\"12\">%lld. ", y + 4, I(m, "rank"));
		llmr_html_escape(b, S(m, "model"));
		llmr_buf_addf(b, "</text><line class=\"interval\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\""
			      " stroke=\"#4e79a7\" stroke-width=\"3\"/><circle class=\"rating\" cx=\"%.1f\""
			      " cy=\"%.0f\" r=\"5\" fill=\"#e15759\"><title>%.0f [%.0f, %.0f]</title></circle>\n",
			      RX(N(m, "ci_low")), y, RX(N(m, "ci_high")), y, RX(N(m, "rating")), y,
			      N(m, "rating"), N(m, "ci_low"), N(m, "ci_high"));
	}
#undef RX
	llmr_buf_adds(b, "</svg>\n");
}

static size_t run_index(const json_t *runs, long long id)
{
	size_t i;
	json_t *r;

	json_array_foreach(runs, i, r)
		if (I(r, "id") == id)
			return i;
	return 0;
}

/* One line per model: its mean score in each run, runs in time order. */
static void chart_trends(struct llmr_buf *b, const json_t *runs, const json_t *trends)
{
	const double X0 = 50, W = 600, Y0 = 10, H = 200;
	size_t nr = json_array_size(runs), i, j;
	json_t *t, *p;

	svg_open(b, "chart-trends", X0 + W + 260, Y0 + H + 40);
#define TX(k) (X0 + (nr > 1 ? (double)(k) / (double)(nr - 1) * W : W / 2))
#define TY(s) (Y0 + H - (s) * H)
	llmr_buf_addf(b, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#333\"/>"
		      "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#333\"/>"
		      "<text x=\"4\" y=\"%.0f\" font-size=\"11\">1.0</text><text x=\"4\" y=\"%.0f\""
		      " font-size=\"11\">0.0</text><text x=\"%.0f\" y=\"%.0f\" font-size=\"11\">runs, oldest"
		      " first</text>\n", X0, Y0 + H, X0 + W, Y0 + H, X0, Y0, X0, Y0 + H, Y0 + 10, Y0 + H,
		      X0, Y0 + H + 20);
	json_array_foreach(trends, i, t) {
		const char *c = palette[i % NPAL];

		llmr_buf_addf(b, "<polyline class=\"trend\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", c);
		json_array_foreach(json_object_get(t, "points"), j, p)
			llmr_buf_addf(b, "%s%.1f,%.1f", j ? " " : "", TX(run_index(runs, I(p, "run"))),
				      TY(N(p, "mean_score")));
		llmr_buf_adds(b, "\"/>\n");
		json_array_foreach(json_object_get(t, "points"), j, p) {
			llmr_buf_addf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>",
				      TX(run_index(runs, I(p, "run"))), TY(N(p, "mean_score")), c);
			llmr_html_escape(b, S(t, "model"));
			llmr_buf_addf(b, " run %lld: %.3f</title></circle>\n", I(p, "run"), N(p, "mean_score"));
		}
		llmr_buf_addf(b, "<rect x=\"%.0f\" y=\"%.0f\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			      "<text x=\"%.0f\" y=\"%.0f\" font-size=\"12\">", X0 + W + 15, Y0 + 18.0 * (double)i,
			      c, X0 + W + 32, Y0 + 18.0 * (double)i + 11);
		llmr_html_escape(b, S(t, "model"));
		llmr_buf_adds(b, "</text>\n");
	}
#undef TX
#undef TY
	llmr_buf_adds(b, "</svg>\n");
}

struct pt {
	double cost, score;
};

static int by_cost(const void *x, const void *y)
{
	const struct pt *a = x, *b = y;

	return (a->cost > b->cost) - (a->cost < b->cost);
}

/* One skill: mean cost per case against mean score, the frontier joined. */
static void chart_pareto(struct llmr_buf *b, size_t k, const json_t *skill)
{
	const double X0 = 60, W = 500, Y0 = 10, H = 220;
	const json_t *models = json_object_get(skill, "models");
	size_t n = json_array_size(models), i, nf = 0;
	struct pt *f = llmr_xcalloc(n + 1, sizeof(*f));
	double max = 0;
	char id[48];
	json_t *m;

	json_array_foreach(models, i, m)
		max = fmax(max, N(m, "mean_cost_usd"));
	max = max > 0 ? max * 1.1 : 1;
	snprintf(id, sizeof(id), "chart-pareto-%zu", k + 1);
	svg_open(b, id, X0 + W + 260, Y0 + H + 40);
#define PX(c) (X0 + (c) / max * W)
#define PY(s) (Y0 + H - (s) * H)
	llmr_buf_addf(b, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#333\"/>"
		      "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#333\"/>"
		      "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\">mean USD per case (0 to $%.6f)</text>"
		      "<text x=\"4\" y=\"%.0f\" font-size=\"11\">score</text>\n", X0, Y0 + H, X0 + W,
		      Y0 + H, X0, Y0, X0, Y0 + H, X0, Y0 + H + 25, max, Y0 + 10);
	json_array_foreach(models, i, m) {
		double c = N(m, "mean_cost_usd"), s = N(m, "mean_score");
		int front = json_is_true(json_object_get(m, "frontier"));

		if (front)
			f[nf++] = (struct pt){c, s};
		llmr_buf_addf(b, "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"/>"
			      "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">", front ? "frontier" : "dominated",
			      PX(c), PY(s), front ? "#e15759" : "#4e79a7", PX(c) + 7, PY(s) - 4);
		llmr_html_escape(b, S(m, "model"));
		llmr_buf_addf(b, " (%.3f, $%.6f)%s</text>\n", s, c, front ? " *" : "");
	}
	qsort(f, nf, sizeof(*f), by_cost);
	llmr_buf_adds(b, "<polyline class=\"frontier\" fill=\"none\" stroke=\"#e15759\" points=\"");
	for (i = 0; i < nf; i++)
		llmr_buf_addf(b, "%s%.1f,%.1f", i ? " " : "", PX(f[i].cost), PY(f[i].score));
	llmr_buf_adds(b, "\"/>\n</svg>\n");
#undef PX
#undef PY
	free(f);
}

/* frontier: a column marking the skill's Pareto frontier. */
static void model_table(struct llmr_buf *b, const char *id, const json_t *models, int frontier)
{
	size_t i;
	json_t *m;

	llmr_buf_addf(b, "<table id=\"%s\">\n<tr><th>model</th><th>results</th><th>score</th>"
		      "<th>pass</th><th>cost per case</th>%s</tr>\n", id, frontier ? "<th>frontier</th>" : "");
	json_array_foreach(models, i, m) {
		llmr_buf_adds(b, "<tr><td>");
		llmr_html_escape(b, S(m, "model"));
		llmr_buf_addf(b, "</td><td>%lld</td><td>%.3f</td><td>%.1f%%</td><td>$%.6f</td>",
			      I(m, "results"), N(m, "mean_score"), 100 * N(m, "pass_rate"),
			      N(m, "mean_cost_usd"));
		if (frontier)
			llmr_buf_adds(b, json_is_true(json_object_get(m, "frontier")) ? "<td>*</td>" : "<td></td>");
		llmr_buf_adds(b, "</tr>\n");
	}
	llmr_buf_adds(b, "</table>\n");
}

/* Row against column, shaded from red (loses all) to green (wins all). */
static void win_table(struct llmr_buf *b, const json_t *wm)
{
	const json_t *names = json_object_get(wm, "models");
	size_t i, j;
	json_t *row, *c;

	llmr_buf_adds(b, "<table id=\"win-matrix\">\n<tr><th>row against column</th>");
	for (j = 0; j < json_array_size(names); j++)
		llmr_buf_addf(b, "<th>%zu</th>", j + 1);
	llmr_buf_adds(b, "</tr>\n");
	json_array_foreach(json_object_get(wm, "cells"), i, row) {
		llmr_buf_addf(b, "<tr><th>%zu. ", i + 1);
		llmr_html_escape(b, json_string_value(json_array_get(names, i)));
		llmr_buf_adds(b, "</th>");
		json_array_foreach(row, j, c) {
			double r = N(c, "rate");

			if (json_is_null(c))
				llmr_buf_adds(b, "<td>-</td>");
			else
				llmr_buf_addf(b, "<td style=\"background:rgb(%d,%d,150)\" title=\"%lld-%lld-%lld\">"
					      "%.2f</td>", (int)(255 * (1 - r)), (int)(255 * r), I(c, "wins"),
					      I(c, "losses"), I(c, "ties"), r);
		}
		llmr_buf_adds(b, "</tr>\n");
	}
	llmr_buf_adds(b, "</table>\n");
}

static void ratings_table(struct llmr_buf *b, const json_t *rt)
{
	size_t i;
	json_t *m;

	llmr_buf_addf(b, "<p>Bradley-Terry, LMSYS scale (400 log10 strength + 1000), ties half a win;"
		      " 95%% interval of %lld bootstrap rounds; rank = 1 + the models whose interval lies"
		      " wholly above.</p>\n<table id=\"ratings\">\n<tr><th>rank</th><th>model</th>"
		      "<th>rating</th><th>low</th><th>high</th><th>games</th></tr>\n", I(rt, "rounds"));
	json_array_foreach(json_object_get(rt, "models"), i, m) {
		llmr_buf_addf(b, "<tr><td>%lld</td><td>", I(m, "rank"));
		llmr_html_escape(b, S(m, "model"));
		llmr_buf_addf(b, "</td><td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%lld</td></tr>\n",
			      N(m, "rating"), N(m, "ci_low"), N(m, "ci_high"), I(m, "games"));
	}
	llmr_buf_adds(b, "</table>\n");
}

static void summary(struct llmr_buf *b, const json_t *r)
{
	const json_t *pairs = json_object_get(r, "pairs");
	char day[16];

	llmr_buf_addf(b, "<h1>llmr bench report</h1>\n<table>\n<tr><th>runs</th><td id=\"runs\">%zu</td></tr>\n",
		      json_array_size(json_object_get(r, "runs")));
	if (json_is_integer(json_object_get(r, "run")))
		llmr_buf_addf(b, "<tr><th>run</th><td id=\"run\">%lld</td></tr>\n", I(r, "run"));
	if (json_is_integer(json_object_get(r, "since_ms"))) {
		llmr_cost_fmt_day(json_integer_value(json_object_get(r, "since_ms")), day);
		llmr_buf_addf(b, "<tr><th>since</th><td id=\"since\">%s</td></tr>\n", day);
	}
	llmr_buf_addf(b, "<tr><th>judged pairs</th><td id=\"judge-pairs\">%lld</td></tr>\n"
		      "<tr><th>human votes</th><td id=\"human-pairs\">%lld</td></tr>\n</table>\n",
		      I(pairs, "judge"), I(pairs, "human"));
}

void llmr_bench_report_html(struct llmr_buf *b, const json_t *r)
{
	const json_t *rt = json_object_get(r, "ratings");
	json_t *sk;
	size_t i;

	llmr_buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		      "<title>llmr bench report</title>\n<style>body{font-family:sans-serif;margin:2em;color:#222}"
		      "table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left;border-bottom:1px solid #ddd}"
		      "</style></head><body>\n");
	summary(b, r);
	llmr_buf_adds(b, "<h2>Ratings</h2>\n");
	if (json_array_size(json_object_get(rt, "models")))
		chart_ratings(b, json_object_get(rt, "models"));
	else
		llmr_buf_adds(b, "<p id=\"no-pairs\">No pairwise results recorded.</p>\n");
	ratings_table(b, rt);
	llmr_buf_adds(b, "<h2>Win matrix</h2>\n<p>(wins + ties / 2) / games of the row's model against"
		      " the column's; hover for wins-losses-ties.</p>\n");
	win_table(b, json_object_get(r, "win_matrix"));
	llmr_buf_adds(b, "<h2>Scores per model</h2>\n<p>Case-weighted mean score (0 to 1).</p>\n");
	model_table(b, "models", json_object_get(r, "models"), 0);
	llmr_buf_adds(b, "<h2>Trends across runs</h2>\n");
	chart_trends(b, json_object_get(r, "runs"), json_object_get(r, "trends"));
	llmr_buf_adds(b, "<h2>Scores per skill</h2>\n<p>The skill is the suite's name; * on the skill's"
		      " cost-quality Pareto frontier (no model is as cheap and as good).</p>\n");
	json_array_foreach(json_object_get(r, "skills"), i, sk) {
		char id[48];

		llmr_buf_adds(b, "<h3>");
		llmr_html_escape(b, S(sk, "skill"));
		llmr_buf_adds(b, "</h3>\n");
		chart_pareto(b, i, sk);
		snprintf(id, sizeof(id), "skill-%zu", i + 1);
		model_table(b, id, json_object_get(sk, "models"), 1);
	}
	llmr_bench_report_arena_html(b, r);
	llmr_buf_adds(b, "</body></html>\n");
}
