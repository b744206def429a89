/*
 * bench_report.c - llmr-bench report as text: scores per model and skill
 * with the Pareto frontier marked, trends, the win matrix and the ratings.
 * Names from the state are sanitized before they reach a terminal.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/bench_report.h"
#include "cost/cost.h"

#define S(o, k) json_string_value(json_object_get((o), (k)))
#define N(o, k) json_number_value(json_object_get((o), (k)))
#define I(o, k) ((long long)json_integer_value(json_object_get((o), (k))))

static const char *clean(struct llmr_buf *b, const char *s)
{
	llmr_buf_reset(b);
	llmr_sanitize_for_tty(b, s ? s : "", s ? strlen(s) : 0);
	return b->s ? b->s : "";
}

static void score_row(FILE *fp, struct llmr_buf *b, const json_t *m, const char *indent)
{
	json_t *lat = json_object_get(m, "mean_latency_ms");

	fprintf(fp, "%s%-*s %7lld %6.3f %6.1f%% %11.6f ", indent, 36 - (int)strlen(indent),
		clean(b, S(m, "model")), I(m, "results"), N(m, "mean_score"), 100 * N(m, "pass_rate"),
		N(m, "mean_cost_usd"));
	if (json_is_number(lat))
		fprintf(fp, "%8.0f", json_number_value(lat));
	else
		fprintf(fp, "%8s", "-");
	fprintf(fp, "%s\n", json_is_true(json_object_get(m, "frontier")) ? "  *" : "");
}

static void scores(FILE *fp, struct llmr_buf *b, const json_t *r)
{
	json_t *m, *sk;
	size_t i, j;

	fprintf(fp, "\nScores per model (case-weighted mean score 0..1; cost per case)\n");
	fprintf(fp, "%-36s %7s %6s %7s %11s %8s\n", "model", "results", "score", "pass", "cost_usd",
		"lat_ms");
	json_array_foreach(json_object_get(r, "models"), i, m)
		score_row(fp, b, m, "");
	if (!json_array_size(json_object_get(r, "models")))
		fprintf(fp, "no results recorded\n");
	fprintf(fp, "\nScores per skill (the suite's name; * on the skill's cost-quality Pareto frontier)\n");
	json_array_foreach(json_object_get(r, "skills"), i, sk) {
		fprintf(fp, "%s\n", clean(b, S(sk, "skill")));
		json_array_foreach(json_object_get(sk, "models"), j, m)
			score_row(fp, b, m, "  ");
	}
}

static void trends(FILE *fp, struct llmr_buf *b, const json_t *r)
{
	json_t *t, *p;
	size_t i, j;
	char day[16];

	fprintf(fp, "\nTrends (mean score per run, oldest first)\n");
	json_array_foreach(json_object_get(r, "trends"), i, t) {
		fprintf(fp, "%s\n", clean(b, S(t, "model")));
		json_array_foreach(json_object_get(t, "points"), j, p) {
			llmr_cost_fmt_day(json_integer_value(json_object_get(p, "started_ms")), day);
			fprintf(fp, "  run %-5lld %s %-24s %6.3f\n", I(p, "run"), day, clean(b, S(p, "suite")),
				N(p, "mean_score"));
		}
	}
	if (!json_array_size(json_object_get(r, "trends")))
		fprintf(fp, "no runs recorded\n");
}

static void win_matrix(FILE *fp, struct llmr_buf *b, const json_t *r)
{
	const json_t *wm = json_object_get(r, "win_matrix"), *names = json_object_get(wm, "models");
	json_t *row, *c;
	size_t i, j, n = json_array_size(names);

	fprintf(fp, "\nWin matrix (row against column: (wins + ties/2) / games, and games)\n");
	if (!n) {
		fprintf(fp, "no pairwise results recorded\n");
		return;
	}
	fprintf(fp, "%-28s", "");
	for (j = 0; j < n; j++)
		fprintf(fp, " %11zu", j + 1);
	fputc('\n', fp);
	json_array_foreach(json_object_get(wm, "cells"), i, row) {
		fprintf(fp, "%2zu %-25.25s", i + 1, clean(b, json_string_value(json_array_get(names, i))));
		json_array_foreach(row, j, c) {
			if (json_is_null(c))
				fprintf(fp, " %11s", "-");
			else
				fprintf(fp, "  %4.2f (%3lld)", N(c, "rate"), I(c, "games"));
		}
		fputc('\n', fp);
	}
}

static void ratings(FILE *fp, struct llmr_buf *b, const json_t *r)
{
	const json_t *rt = json_object_get(r, "ratings");
	json_t *m;
	size_t i;

	fprintf(fp, "\nBradley-Terry ratings (LMSYS scale 400 log10(strength) + 1000, ties half a win;"
		" 95%% interval of %lld bootstrap rounds; rank = 1 + models wholly above)\n",
		I(rt, "rounds"));
	fprintf(fp, "%4s %-36s %7s %15s %6s %6s %6s\n", "rank", "model", "rating", "95% interval",
		"games", "wins", "ties");
	if (!json_array_size(json_object_get(rt, "models")))
		fprintf(fp, "no pairwise results recorded\n");
	json_array_foreach(json_object_get(rt, "models"), i, m)
		fprintf(fp, "%4lld %-36s %7.0f %7.0f..%-6.0f %6lld %6lld %6lld\n", I(m, "rank"),
			clean(b, S(m, "model")), N(m, "rating"), N(m, "ci_low"), N(m, "ci_high"),
			I(m, "games"), I(m, "wins"), I(m, "ties"));
}

void llmr_bench_report_text(FILE *fp, const json_t *r)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	const json_t *pairs = json_object_get(r, "pairs");
	char day[16];

	fprintf(fp, "llmr bench report: %zu runs", json_array_size(json_object_get(r, "runs")));
	if (json_is_integer(json_object_get(r, "run")))
		fprintf(fp, " (run %lld)", I(r, "run"));
	if (json_is_integer(json_object_get(r, "since_ms"))) {
		llmr_cost_fmt_day(json_integer_value(json_object_get(r, "since_ms")), day);
		fprintf(fp, " since %s", day);
	}
	fprintf(fp, "; pairwise results: %lld judged, %lld human\n", I(pairs, "judge"), I(pairs, "human"));
	scores(fp, &b, r);
	trends(fp, &b, r);
	win_matrix(fp, &b, r);
	ratings(fp, &b, r);
	llmr_bench_report_arena_text(fp, &b, r);
	free(b.s);
}
