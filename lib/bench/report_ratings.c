/*
 * report_ratings.c - the Bradley-Terry ratings of the models in a list of
 * pairwise results (judge verdicts and arena votes alike), as llmr-bench
 * ratings and llmr-bench report print them.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/bench_db.h"
#include "bench/bt.h"

static size_t player(json_t *names, const char *m)
{
	size_t i;
	json_t *x;

	json_array_foreach(names, i, x)
		if (!strcmp(json_string_value(x), m))
			return i;
	json_array_append_new(names, json_string(m));
	return json_array_size(names) - 1;
}

static int by_rating(const void *x, const void *y)
{
	double a = json_number_value(json_object_get(*(json_t *const *)x, "rating"));
	double b = json_number_value(json_object_get(*(json_t *const *)y, "rating"));

	return (a < b) - (a > b);
}

/* Games, wins and ties per player, then one row each, best first. */
static json_t *rows_of(json_t *names, const struct llmr_bt_game *g, size_t ng,
		       const struct llmr_bt_rating *r)
{
	size_t np = json_array_size(names), i;
	double *wins = llmr_xcalloc(3 * np + 1, sizeof(double)), *ties = wins + np, *games = ties + np;
	json_t **rows = llmr_xcalloc(np + 1, sizeof(*rows)), *models = json_array();

	for (size_t k = 0; k < ng; k++) {
		games[g[k].a]++, games[g[k].b]++;
		if (g[k].score_a == 0.5)
			ties[g[k].a]++, ties[g[k].b]++;
		else
			wins[g[k].score_a > 0.5 ? g[k].a : g[k].b]++;
	}
	for (i = 0; i < np; i++)
		rows[i] = json_pack("{s:s, s:f, s:f, s:f, s:I, s:I, s:I, s:I}", "model",
				    json_string_value(json_array_get(names, i)), "rating", r[i].rating,
				    "ci_low", r[i].lo, "ci_high", r[i].hi, "rank", (json_int_t)r[i].rank,
				    "games", (json_int_t)games[i], "wins", (json_int_t)wins[i], "ties",
				    (json_int_t)ties[i]);
	qsort(rows, np, sizeof(*rows), by_rating);
	for (i = 0; i < np; i++)
		json_array_append_new(models, rows[i]);
	free(rows);
	free(wins);
	return models;
}

json_t *llmr_bench_ratings_of(const json_t *pairs, size_t rounds, uint64_t seed)
{
	json_t *names = json_array(), *p, *models;
	size_t ng = json_array_size(pairs), np, i;
	struct llmr_bt_game *g = llmr_xcalloc(ng + 1, sizeof(*g));
	struct llmr_bt_rating *r;

	json_array_foreach(pairs, i, p) {
		const char *w = json_string_value(json_object_get(p, "winner"));

		g[i].a = player(names, json_string_value(json_object_get(p, "model_a")));
		g[i].b = player(names, json_string_value(json_object_get(p, "model_b")));
		g[i].score_a = !strcmp(w, "a") ? 1 : !strcmp(w, "b") ? 0 : 0.5;
	}
	np = json_array_size(names);
	r = llmr_xcalloc(np + 1, sizeof(*r));
	if (np)
		llmr_bt_ratings(np, g, ng, rounds, seed, r);
	models = rows_of(names, g, ng, r);
	free(r);
	free(g);
	json_decref(names);
	return json_pack("{s:I, s:I, s:I, s:o}", "games", (json_int_t)ng, "rounds", (json_int_t)rounds,
			 "seed", (json_int_t)seed, "models", models);
}

json_t *llmr_bench_ratings(struct llmr_state *st, size_t rounds, uint64_t seed,
			   struct llmr_err *e)
{
	json_t *pairs = llmr_bench_db_pairs(st, e), *r;

	if (!pairs)
		return NULL;
	r = llmr_bench_ratings_of(pairs, rounds, seed);
	json_decref(pairs);
	return r;
}
