/*
 * report.c - llmr-bench report from the bench tables: scores per model and
 * per skill with each skill's cost-quality Pareto frontier, trends across
 * runs, the pairwise win matrix and the Bradley-Terry ratings. Read only.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/bt.h"
#include "bench/report.h"
#include "bench/report_impl.h"

#define FILTER " WHERE (?1 = 0 OR b.id = ?1) AND b.started_ms >= ?2"
/* Case-weighted as llmr-bench run weighs them (a suite of zero weights
 * falls back to the plain mean). */
#define STATS \
	" COUNT(*) AS results," \
	" COALESCE(SUM(r.score * r.weight) / NULLIF(SUM(r.weight), 0), AVG(r.score)) AS mean_score," \
	" COALESCE(SUM(r.pass * r.weight) / NULLIF(SUM(r.weight), 0), AVG(r.pass)) AS pass_rate," \
	" AVG(r.cost_usd) AS mean_cost_usd, AVG(r.latency_ms) AS mean_latency_ms" \
	" FROM bench_results r JOIN bench_runs b ON b.id = r.run" FILTER

static const char sql_runs[] =
	"SELECT b.id AS id, b.suite AS suite, b.kind AS kind, b.started_ms AS started_ms,"
	" (SELECT COUNT(*) FROM bench_results r WHERE r.run = b.id) AS results"
	" FROM bench_runs b" FILTER " ORDER BY b.started_ms, b.id";
static const char sql_models[] =
	"SELECT r.model AS model," STATS " GROUP BY r.model ORDER BY mean_score DESC, model";
static const char sql_skills[] =
	"SELECT b.suite AS skill, r.model AS model," STATS
	" GROUP BY b.suite, r.model ORDER BY skill, mean_score DESC, model";
static const char sql_trends[] =
	"SELECT r.model AS model, r.run AS run, b.started_ms AS started_ms, b.suite AS suite,"
	" COALESCE(SUM(r.score * r.weight) / NULLIF(SUM(r.weight), 0), AVG(r.score)) AS mean_score"
	" FROM bench_results r JOIN bench_runs b ON b.id = r.run" FILTER
	" GROUP BY r.model, r.run ORDER BY model, started_ms, run";
static const char sql_pairs[] =
	"SELECT id, run, ts_ms, source, model_a, model_b, winner FROM bench_pairs"
	" WHERE (?1 = 0 OR run = ?1) AND ts_ms >= ?2 ORDER BY id";

#define NUM(o, k) json_number_value(json_object_get((o), (k)))
#define STR(o, k) json_string_value(json_object_get((o), (k)))

/* b dominates a: as cheap or cheaper, as good or better, and better on one. */
static int dominates(const json_t *b, const json_t *a)
{
	double cb = NUM(b, "mean_cost_usd"), ca = NUM(a, "mean_cost_usd");
	double sb = NUM(b, "mean_score"), sa = NUM(a, "mean_score");

	return cb <= ca && sb >= sa && (cb < ca || sb > sa);
}

static void mark_frontier(json_t *models)
{
	size_t i, j;
	json_t *a, *b;

	json_array_foreach(models, i, a) {
		int dominated = 0;

		json_array_foreach(models, j, b)
			if (j != i && dominates(b, a))
				dominated = 1;
		json_object_set_new(a, "frontier", json_boolean(!dominated));
	}
}

/* Rows sorted by key, grouped: [{key: value, field: [rows without key]}]. */
static json_t *group(json_t *flat, const char *key, const char *field)
{
	json_t *out = json_array(), *cur = NULL, *r;
	size_t i;

	json_array_foreach(flat, i, r) {
		const char *k = STR(r, key);

		if (!cur || strcmp(STR(cur, key), k)) {
			cur = json_pack("{s:s, s:[]}", key, k, field);
			json_array_append_new(out, cur);
		}
		json_array_append(json_object_get(cur, field), r);
		json_object_del(r, key);
	}
	return out;
}

static size_t index_of(const json_t *names, const char *m)
{
	size_t i;
	json_t *x;

	json_array_foreach(names, i, x)
		if (!strcmp(json_string_value(x), m))
			return i;
	return (size_t)-1;
}

/* Games of row against column: 3 counts (wins, losses, ties) per cell. */
static json_t *cells_of(const json_t *names, const json_t *pairs)
{
	size_t n = json_array_size(names), i, j;
	double *c = llmr_xcalloc(3 * n * n + 1, sizeof(double));
	json_t *p, *out = json_array();

	json_array_foreach(pairs, i, p) {
		size_t a = index_of(names, STR(p, "model_a")), b = index_of(names, STR(p, "model_b"));
		const char *w = STR(p, "winner");
		int k = !strcmp(w, "a") ? 0 : !strcmp(w, "b") ? 1 : 2;

		c[3 * (a * n + b) + k]++;
		c[3 * (b * n + a) + (k == 2 ? 2 : 1 - k)]++;
	}
	for (i = 0; i < n; i++) {
		json_t *row = json_array();

		for (j = 0; j < n; j++) {
			double *x = c + 3 * (i * n + j), g = x[0] + x[1] + x[2];

			json_array_append_new(row, g == 0 ? json_null() :
				json_pack("{s:I, s:I, s:I, s:I, s:f}", "wins", (json_int_t)x[0], "losses",
					  (json_int_t)x[1], "ties", (json_int_t)x[2], "games", (json_int_t)g,
					  "rate", (x[0] + x[2] / 2) / g));
		}
		json_array_append_new(out, row);
	}
	free(c);
	return out;
}

/* The pairwise part: sources, ratings and the win matrix in rating order. */
static int pairwise(json_t *rep, json_t *pairs, const struct llmr_bench_report_opts *o)
{
	json_t *ratings = llmr_bench_ratings_of(pairs, o->rounds, o->seed), *names = json_array(), *m, *p;
	json_int_t judge = 0, human = 0;
	size_t i;

	json_array_foreach(json_object_get(ratings, "models"), i, m)
		json_array_append_new(names, json_string(STR(m, "model")));
	json_array_foreach(pairs, i, p) {
		if (!strcmp(STR(p, "source"), "human"))
			human++;
		else
			judge++;
	}
	json_object_set_new(rep, "pairs", json_pack("{s:I, s:I}", "judge", judge, "human", human));
	json_object_set_new(rep, "win_matrix", json_pack("{s:o, s:o}", "models", names, "cells",
							  cells_of(names, pairs)));
	json_object_set_new(rep, "ratings", ratings);
	return 0;
}

static int run_exists(struct llmr_state *st, int64_t run, struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(llmr_state_db(st), "SELECT 1 FROM bench_runs WHERE id = ?1", -1, &s,
			       NULL) != SQLITE_OK)
		return llmr_state_dberr(st, "cannot read the bench runs", e);
	sqlite3_bind_int64(s, 1, run);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return llmr_state_dberr(st, "cannot read the bench runs", e);
	return llmr_errf(e, LLMR_EX_NOINPUT, "run %lld: no such run", (long long)run);
}

#define ROWS(sql) llmr_bench_report_rows(st, (sql), o, e)

json_t *llmr_bench_report(struct llmr_state *st, const struct llmr_bench_report_opts *o,
			  struct llmr_err *e)
{
	json_t *runs, *models = NULL, *skills = NULL, *trends = NULL, *pairs = NULL, *rep, *sk;
	size_t i;

	if (o->run && run_exists(st, o->run, e) < 0)
		return NULL;
	if (!(runs = ROWS(sql_runs)) || !(models = ROWS(sql_models)) || !(skills = ROWS(sql_skills)) ||
	    !(trends = ROWS(sql_trends)) || !(pairs = ROWS(sql_pairs))) {
		json_decref(runs), json_decref(models), json_decref(skills), json_decref(trends);
		return NULL;
	}
	rep = json_pack("{s:o, s:o, s:o}", "run", o->run ? json_integer(o->run) : json_null(),
			"since_ms", o->since_ms ? json_integer(o->since_ms) : json_null(), "runs", runs);
	json_object_set_new(rep, "models", models);
	json_object_set_new(rep, "skills", group(skills, "skill", "models"));
	json_array_foreach(json_object_get(rep, "skills"), i, sk)
		mark_frontier(json_object_get(sk, "models"));
	json_object_set_new(rep, "trends", group(trends, "model", "points"));
	pairwise(rep, pairs, o);
	json_decref(skills);
	json_decref(trends);
	json_decref(pairs);
	if (llmr_bench_report_arena(st, rep, o, e) < 0) {
		json_decref(rep);
		return NULL;
	}
	return rep;
}
