/*
 * run_pool.c - llmr-bench run: every case on every contestant, by one
 * worker or by -P workers at once. Each worker has its own connection to
 * the state file (SQLite connections are not shared between threads, as in
 * lib/serve's pool) and goes through llmr_ask like any other caller, so
 * quotas, caps and budgets hold across the workers through the state's
 * transactions. Each result is stored as it comes; Ctrl-C lets the calls
 * in flight stop, starts no new case and keeps what finished.
 */
#include <stdlib.h>
#include <string.h>

#include "base/interrupt.h"
#include "bench/bench_db.h"
#include "bench/run_impl.h"
#include "learn/outcomes.h"

struct pool {
	struct bench_pool w;
	const struct llmr_suite *s;
	char route_name[256];
	json_t **res;          /* per job; NULL: not run, or stopped */
	int64_t run;
};

/* Job j is case j % ncases of contestant j / ncases. */
static void one_job(struct bench_pool *w, const struct llmr_bench_env *env, size_t j)
{
	struct pool *p = w->ud;
	const struct llmr_suite *s = p->s;
	const char *model = s->nmodels ? s->models[j / s->ncases] : NULL;
	struct llmr_err e = {0, ""};
	int cancelled = 0;
	json_t *res = bench_run_case(env, s, model ? model : p->route_name, model, j % s->ncases,
				     &cancelled);

	if (cancelled) {
		/* Stopped half-way: not a result of the model. */
		bench_pool_interrupted(w);
		json_decref(res);
		return;
	}
	if (llmr_bench_db_result(env->st, p->run, res, &e) < 0) {
		bench_pool_fail(w, &e);
		json_decref(res);
		return;
	}
	p->res[j] = res; /* each job its own slot: read once the workers end */
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int is_error(const json_t *r)
{
	return json_object_get(r, "error") && !json_is_null(json_object_get(r, "error"));
}

/* The format figures of a contestant: mean format score over the cases
 * that asked for JSON (null when none did), and how many were prose. */
static void format_summary(json_t *o, const char *contestant, const json_t *results)
{
	double sum = 0;
	size_t i, n = 0, prose = 0;
	json_t *r;

	json_array_foreach(results, i, r) {
		const char *flag = json_string_value(json_object_get(json_object_get(r, "format"), "flag"));

		if (strcmp(json_string_value(json_object_get(r, "model")), contestant) ||
		    !json_is_number(json_object_get(r, "format_score")))
			continue;
		n++;
		sum += json_number_value(json_object_get(r, "format_score"));
		prose += flag && !strcmp(flag, "prose");
	}
	json_object_set_new(o, "mean_format_score", n ? json_real(sum / (double)n) : json_null());
	json_object_set_new(o, "prose", json_integer((json_int_t)prose));
}

/* The streaming figures of a contestant over its answered results: the
 * lower median TTFT, the mean inter-token latency and tokens per second
 * (null when no result has them). */
static void timing_summary(json_t *o, const char *contestant, const json_t *results)
{
	size_t i, nt = 0, ni = 0, np = 0;
	double *ttft = llmr_xcalloc(json_array_size(results) + 1, sizeof(*ttft)), itl = 0, tps = 0;
	json_t *r;

	json_array_foreach(results, i, r) {
		if (strcmp(json_string_value(json_object_get(r, "model")), contestant) || is_error(r))
			continue;
		if (json_is_number(json_object_get(r, "ttft_ms")))
			ttft[nt++] = json_number_value(json_object_get(r, "ttft_ms"));
		if (json_is_number(json_object_get(r, "itl_ms")))
			itl += json_number_value(json_object_get(r, "itl_ms")), ni++;
		if (json_is_number(json_object_get(r, "output_tps")))
			tps += json_number_value(json_object_get(r, "output_tps")), np++;
	}
	qsort(ttft, nt, sizeof(*ttft), cmp_double);
	json_object_set_new(o, "p50_ttft_ms", nt ? json_integer((json_int_t)ttft[(nt - 1) / 2]) : json_null());
	json_object_set_new(o, "mean_itl_ms", ni ? json_real(itl / (double)ni) : json_null());
	json_object_set_new(o, "mean_output_tps", np ? json_real(tps / (double)np) : json_null());
	free(ttft);
}

/* The summary of one contestant over its results. */
static json_t *summary(const char *contestant, const json_t *results)
{
	double w = 0, wpass = 0, wscore = 0, cost = 0, jcost = 0, *lat;
	size_t i, n = 0, nlat = 0, passed = 0, errors = 0;
	json_t *r, *o;

	lat = llmr_xcalloc(json_array_size(results) + 1, sizeof(*lat));
	json_array_foreach(results, i, r) {
		double cw = json_number_value(json_object_get(r, "weight"));

		if (strcmp(json_string_value(json_object_get(r, "model")), contestant))
			continue;
		n++;
		w += cw;
		wscore += cw * json_number_value(json_object_get(r, "score"));
		if (json_is_true(json_object_get(r, "pass")))
			passed++, wpass += cw;
		cost += json_number_value(json_object_get(r, "cost_usd"));
		jcost += json_number_value(json_object_get(r, "judge_cost_usd"));
		if (is_error(r))
			errors++;
		else
			lat[nlat++] = json_number_value(json_object_get(r, "latency_ms"));
	}
	qsort(lat, nlat, sizeof(*lat), cmp_double);
	o = json_pack("{s:s, s:I, s:I, s:I, s:f, s:f, s:f, s:f}", "model", contestant, "cases",
		      (json_int_t)n, "passed", (json_int_t)passed, "errors", (json_int_t)errors,
		      "pass_rate", w > 0 ? wpass / w : 0.0, "mean_score", w > 0 ? wscore / w : 0.0,
		      "cost_usd", cost, "judge_cost_usd", jcost);
	/* The lower median: a latency some call actually had. */
	json_object_set_new(o, "p50_latency_ms",
			    nlat ? json_integer((json_int_t)lat[(nlat - 1) / 2]) : json_null());
	timing_summary(o, contestant, results);
	format_summary(o, contestant, results);
	free(lat);
	return o;
}

/* The results in job order, and the summaries; NULL slots were not run. */
static json_t *report(struct pool *p, long outcomes)
{
	const struct llmr_suite *s = p->s;
	size_t nc = s->nmodels ? s->nmodels : 1, answered = 0, stored = 0, passed = 0;
	json_t *results = json_array(), *models = json_array();
	int interrupted = p->w.interrupted || *llmr_interrupt_flag();

	for (size_t j = 0; j < p->w.njobs; j++)
		if (p->res[j]) {
			stored++;
			answered += !is_error(p->res[j]);
			passed += json_is_true(json_object_get(p->res[j], "pass"));
			json_array_append_new(results, p->res[j]);
			p->res[j] = NULL;
		}
	for (size_t m = 0; m < nc; m++)
		json_array_append_new(models, summary(s->nmodels ? s->models[m] : p->route_name, results));
	return json_pack("{s:I, s:s, s:s, s:s, s:f, s:i, s:I, s:b, s:s, s:b, s:I, s:o, s:o}", "run",
			 (json_int_t)p->run, "suite", s->name, "file", s->file, "suite_hash", s->hash,
			 "threshold", s->threshold, "parallel", p->w.parallel,
			 "answered", (json_int_t)answered,
			 "passed", !interrupted && stored == p->w.njobs && passed == p->w.njobs,
			 "status", interrupted ? "interrupted" : passed == p->w.njobs ? "passed" : "failed",
			 "interrupted", interrupted, "outcomes", (json_int_t)outcomes, "models", models,
			 "results", results);
}

static int finish(struct pool *p, long *outcomes, struct llmr_err *e)
{
	size_t passed = 0, n = p->w.njobs;
	int interrupted = p->w.interrupted || *llmr_interrupt_flag();

	for (size_t j = 0; j < n; j++)
		passed += p->res[j] && json_is_true(json_object_get(p->res[j], "pass"));
	if (llmr_bench_db_run_status(p->w.env->st, p->run, NULL,
				     interrupted ? "interrupted" : passed == n ? "passed" : "failed", e) < 0)
		return -1;
	return llmr_outcomes_from_bench(p->w.env->st, p->run, outcomes, e);
}

json_t *llmr_bench_run(const struct llmr_bench_env *env, const struct llmr_suite *s,
		       int parallel, const char *state_path, struct llmr_err *e)
{
	struct pool p;
	json_t *out = NULL;
	long outcomes = 0;

	memset(&p, 0, sizeof(p));
	p.w.env = env;
	p.s = s;
	p.w.parallel = parallel > 1 && state_path ? parallel : 1;
	p.w.state_path = state_path;
	p.w.job = one_job;
	p.w.ud = &p;
	snprintf(p.route_name, sizeof(p.route_name), "route:%s", s->route ? s->route : "default");
	p.w.njobs = (s->nmodels ? s->nmodels : 1) * s->ncases;
	if (llmr_bench_db_run(env->st, s->name, s->file, "run", s->threshold, &p.run, e) < 0 ||
	    llmr_bench_db_run_status(env->st, p.run, s->hash, "running", e) < 0)
		return NULL;
	p.res = llmr_xcalloc(p.w.njobs + 1, sizeof(*p.res));
	bench_pool_run(&p.w);
	if (p.w.failed)
		*e = p.w.err;
	else if (finish(&p, &outcomes, e) == 0)
		out = report(&p, outcomes);
	for (size_t j = 0; j < p.w.njobs; j++)
		json_decref(p.res[j]);
	free(p.res);
	return out;
}
