/*
 * bt.c - Bradley-Terry by minorization-maximization (Hunter 2004): for
 * strengths p, p_i <- W_i / sum_j n_ij / (p_i + p_j), where W_i counts
 * wins (ties half) and n_ij the games between i and j. Each step raises
 * the likelihood, so it converges where a Newton step might overshoot.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_db.h"
#include "bench/bt.h"

#define BT_PRIOR_GAMES 0.1
#define BT_MAX_ITER 10000
#define BT_TOL 1e-10

double llmr_bt_elo(double beta)
{
	return 400 * beta / log(10) + 1000;
}

static void centre(size_t np, double *p)
{
	double s = 0;

	for (size_t i = 0; i < np; i++)
		s += log(p[i]);
	s /= (double)np;
	for (size_t i = 0; i < np; i++)
		p[i] /= exp(s);
}

int llmr_bt_fit(size_t np, const struct llmr_bt_game *g, size_t ng, double *beta)
{
	double *p = llmr_xcalloc(np * 3 + 1, sizeof(double)), *w = p + np, *d = w + np;
	int it;

	for (size_t i = 0; i < np; i++)
		p[i] = 1;
	for (it = 1; it <= BT_MAX_ITER; it++) {
		double change = 0;

		/* The prior: a tenth of a game, drawn, against a player of strength 1,
		 * the geometric mean the strengths are centred on. */
		for (size_t i = 0; i < np; i++) {
			w[i] = BT_PRIOR_GAMES / 2;
			d[i] = BT_PRIOR_GAMES / (p[i] + 1);
		}
		for (size_t k = 0; k < ng; k++) {
			double s = 1 / (p[g[k].a] + p[g[k].b]);

			w[g[k].a] += g[k].score_a;
			w[g[k].b] += 1 - g[k].score_a;
			d[g[k].a] += s;
			d[g[k].b] += s;
		}
		for (size_t i = 0; i < np; i++) {
			double q = w[i] / d[i];

			change = fmax(change, fabs(log(q / p[i])));
			p[i] = q;
		}
		centre(np, p);
		if (change < BT_TOL)
			break;
	}
	for (size_t i = 0; i < np; i++)
		beta[i] = log(p[i]);
	free(p);
	return it;
}

/* splitmix64: small, seeded, the same on every platform. */
static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void llmr_bt_ratings(size_t np, const struct llmr_bt_game *g, size_t ng, size_t rounds,
		     uint64_t seed, struct llmr_bt_rating *out)
{
	double *beta = llmr_xcalloc(np + 1, sizeof(double));
	double *boot = llmr_xcalloc(np * rounds + 1, sizeof(double));
	struct llmr_bt_game *re = llmr_xcalloc(ng + 1, sizeof(*re));
	uint64_t st = seed;

	llmr_bt_fit(np, g, ng, beta);
	for (size_t i = 0; i < np; i++)
		out[i].rating = out[i].lo = out[i].hi = llmr_bt_elo(beta[i]);
	for (size_t r = 0; r < rounds && ng; r++) {
		for (size_t k = 0; k < ng; k++)
			re[k] = g[next_rand(&st) % ng];
		llmr_bt_fit(np, re, ng, beta);
		for (size_t i = 0; i < np; i++)
			boot[i * rounds + r] = llmr_bt_elo(beta[i]);
	}
	for (size_t i = 0; i < np && rounds && ng; i++) {
		double *b = boot + i * rounds;

		qsort(b, rounds, sizeof(*b), cmp_double);
		out[i].lo = b[(size_t)floor(0.025 * (double)(rounds - 1) + 0.5)];
		out[i].hi = b[(size_t)floor(0.975 * (double)(rounds - 1) + 0.5)];
	}
	free(re);
	free(boot);
	free(beta);
}

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

json_t *llmr_bench_ratings(struct llmr_state *st, size_t rounds, uint64_t seed,
			   struct llmr_err *e)
{
	json_t *pairs = llmr_bench_db_pairs(st, e), *names = json_array(), *p, *models, **rows;
	size_t ng, np, i;
	struct llmr_bt_game *g;
	struct llmr_bt_rating *r;
	double *wins, *ties, *games;

	if (!pairs)
		return json_decref(names), NULL;
	ng = json_array_size(pairs);
	g = llmr_xcalloc(ng + 1, sizeof(*g));
	json_array_foreach(pairs, i, p) {
		const char *w = json_string_value(json_object_get(p, "winner"));

		g[i].a = player(names, json_string_value(json_object_get(p, "model_a")));
		g[i].b = player(names, json_string_value(json_object_get(p, "model_b")));
		g[i].score_a = !strcmp(w, "a") ? 1 : !strcmp(w, "b") ? 0 : 0.5;
	}
	np = json_array_size(names);
	r = llmr_xcalloc(np + 1, sizeof(*r));
	wins = llmr_xcalloc(3 * np + 1, sizeof(double));
	ties = wins + np;
	games = ties + np;
	if (np)
		llmr_bt_ratings(np, g, ng, rounds, seed, r);
	for (size_t k = 0; k < ng; k++) {
		games[g[k].a]++, games[g[k].b]++;
		if (g[k].score_a == 0.5)
			ties[g[k].a]++, ties[g[k].b]++;
		else
			wins[g[k].score_a > 0.5 ? g[k].a : g[k].b]++;
	}
	rows = llmr_xcalloc(np + 1, sizeof(*rows));
	for (i = 0; i < np; i++)
		rows[i] = json_pack("{s:s, s:f, s:f, s:f, s:I, s:I, s:I}", "model",
				    json_string_value(json_array_get(names, i)), "rating", r[i].rating,
				    "ci_low", r[i].lo, "ci_high", r[i].hi, "games", (json_int_t)games[i],
				    "wins", (json_int_t)wins[i], "ties", (json_int_t)ties[i]);
	qsort(rows, np, sizeof(*rows), by_rating);
	models = json_array();
	for (i = 0; i < np; i++)
		json_array_append_new(models, rows[i]);
	free(rows), free(wins), free(r), free(g);
	json_decref(names);
	json_decref(pairs);
	return json_pack("{s:I, s:I, s:I, s:o}", "games", (json_int_t)ng, "rounds", (json_int_t)rounds,
			 "seed", (json_int_t)seed, "models", models);
}
