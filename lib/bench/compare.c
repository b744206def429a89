/*
 * compare.c - llmr-bench compare: MT-Bench's pairwise judge. Each case is
 * answered by both models, then judged twice, the answers swapped the
 * second time; a model wins only when both verdicts name it, so a judge
 * that prefers whatever it reads first produces ties, not a winner. With
 * -P the cases are judged by that many workers at once (pool.c).
 */
#include <stdlib.h>
#include <string.h>

#include "ask/request.h"
#include "base/interrupt.h"
#include "bench/bench_db.h"
#include "bench/judge.h"
#include "bench/run_impl.h"

struct verdicts {
	int first, second;
	char *err;
	char *why[2]; /* the JSON verdicts' reasons, NULL where none */
};

static int ask_verdict(const struct llmr_bench_env *env, const struct llmr_suite *s,
		       const char *judge, const char *q, const char *x, const char *y, char **err,
		       char **why)
{
	char *p = llmr_judge_pair_prompt(q, x, y);
	json_t *resp = bench_ask(env, s->route, judge, p, NULL);
	const char *text = json_string_value(json_object_get(resp, "text"));
	int v = 0;

	free(p);
	if (bench_error(resp)) {
		*err = llmr_xstrdup(bench_error(resp));
	} else if (text) {
		v = llmr_judge_parse_verdict(text);
		*why = llmr_judge_verdict_reason(text);
	}
	json_decref(resp);
	return v;
}

static void judge_twice(const struct llmr_bench_env *env, const struct llmr_suite *s,
			const char *judge, const char *q, const char *ta, const char *tb,
			struct verdicts *v)
{
	v->err = NULL;
	v->first = ask_verdict(env, s, judge, q, ta, tb, &v->err, &v->why[0]);
	v->second = v->err ? 0 : ask_verdict(env, s, judge, q, tb, ta, &v->err, &v->why[1]);
}

static const char *verdict_name(int v)
{
	return v == 'A' ? "A" : v == 'B' ? "B" : v == 'C' ? "tie" : "unreadable";
}

/* One case: the pair object, with "winner" or "error". */
static json_t *compare_case(const struct llmr_bench_env *env, const struct llmr_suite *s,
			    const char *judge, const char *a, const char *b, size_t k, int64_t run,
			    struct llmr_err *e)
{
	const struct llmr_case *c = &s->cases[k];
	json_t *ra = bench_ask(env, s->route, a, c->prompt, c->messages);
	json_t *rb = bench_ask(env, s->route, b, c->prompt, c->messages);
	char *q = llmr_bench_question(c);
	json_t *pair = json_pack("{s:I}", "case", (json_int_t)k + 1);
	struct verdicts v = {0, 0, NULL, {NULL, NULL}};
	const char *err = bench_error(ra) ? bench_error(ra) : bench_error(rb);

	if (err) {
		json_object_set_new(pair, "error", json_string(err));
		goto out;
	}
	judge_twice(env, s, judge, q, json_string_value(json_object_get(ra, "text")),
		    json_string_value(json_object_get(rb, "text")), &v);
	if (v.err) {
		json_object_set_new(pair, "error", json_string(v.err));
		goto out;
	} else {
		int w = llmr_judge_combine(v.first, v.second);
		const char *winner = w == 'A' ? "a" : w == 'B' ? "b" : "tie";
		json_t *detail = json_pack("{s:s, s:s, s:s, s:b}", "judge", judge, "first",
					   verdict_name(v.first), "second", verdict_name(v.second),
					   "inconsistent", v.first && v.second &&
					   !llmr_judge_consistent(v.first, v.second));
		char *dt;

		json_object_set_new(detail, "reasons", json_pack("[s?, s?]", v.why[0], v.why[1]));
		json_object_update(pair, detail);
		/* The answers are kept with the verdict: the pair is a dataset row. */
		json_object_set(detail, "answer_a", json_object_get(ra, "text"));
		json_object_set(detail, "answer_b", json_object_get(rb, "text"));
		dt = json_dumps(detail, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_object_set_new(pair, "winner", json_string(winner));
		if (llmr_bench_db_pair(env->st, run, "judge", q, a, b, winner, dt, e) < 0) {
			json_decref(pair);
			pair = NULL;
		}
		free(dt);
		json_decref(detail);
	}
out:
	free(v.err);
	free(v.why[0]);
	free(v.why[1]);
	free(q);
	json_decref(ra);
	json_decref(rb);
	return pair;
}

struct cmp {
	struct bench_pool w;
	const struct llmr_suite *s;
	const char *judge, *a, *b;
	int64_t run;
	json_t **pairs; /* per case; NULL: not run (Ctrl-C) */
};

static void cmp_job(struct bench_pool *w, const struct llmr_bench_env *env, size_t k)
{
	struct cmp *c = w->ud;
	struct llmr_err e = {0, ""};
	json_t *p = compare_case(env, c->s, c->judge, c->a, c->b, k, c->run, &e);

	if (!p) {
		bench_pool_fail(w, &e);
		return;
	}
	if (json_object_get(p, "error") && *llmr_interrupt_flag()) {
		/* Stopped half-way by Ctrl-C: not a skipped case. */
		bench_pool_interrupted(w);
		json_decref(p);
		return;
	}
	c->pairs[k] = p; /* each case its own slot: read once the workers end */
}

/* Both models and the judge exist; the run is opened: 0, or -1 and e. */
static int cmp_start(const struct llmr_bench_env *env, struct cmp *c, struct llmr_err *e)
{
	struct llmr_ask_req req;

	if (!c->judge)
		return llmr_errf(e, LLMR_EX_DATAERR, "%s: compare needs a judge model "
				 "(judge: {model: provider/model} or --judge)", c->s->file);
	llmr_ask_req_init(&req);
	req.model = c->a;
	if (llmr_ask_req_check(env->cfg, &req, LLMR_EX_USAGE, e) < 0)
		return -1;
	req.model = c->b;
	if (llmr_ask_req_check(env->cfg, &req, LLMR_EX_USAGE, e) < 0)
		return -1;
	return llmr_bench_db_run(env->st, c->s->name, c->s->file, "compare", c->s->threshold, &c->run, e);
}

/* The pairs in case order, and the tally. */
static json_t *cmp_report(struct cmp *c)
{
	size_t n[5] = {0, 0, 0, 0, 0}; /* a, b, tie, skipped, inconsistent */
	json_t *pairs = json_array();

	for (size_t k = 0; k < c->w.njobs; k++) {
		json_t *p = c->pairs[k];
		const char *w;

		if (!p)
			continue;
		w = json_string_value(json_object_get(p, "winner"));
		n[!w ? 3 : !strcmp(w, "a") ? 0 : !strcmp(w, "b") ? 1 : 2]++;
		n[4] += json_is_true(json_object_get(p, "inconsistent"));
		json_array_append_new(pairs, p);
		c->pairs[k] = NULL;
	}
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:i, s:b, s:I, s:I, s:I, s:I, s:I, s:o}", "run",
			 (json_int_t)c->run, "suite", c->s->name, "model_a", c->a, "model_b", c->b,
			 "judge", c->judge, "parallel", c->w.parallel, "interrupted",
			 c->w.interrupted || *llmr_interrupt_flag(), "a", (json_int_t)n[0], "b",
			 (json_int_t)n[1], "tie", (json_int_t)n[2], "inconsistent", (json_int_t)n[4],
			 "skipped", (json_int_t)n[3], "pairs", pairs);
}

json_t *llmr_bench_compare(const struct llmr_bench_env *env, const struct llmr_suite *s,
			   const char *a, const char *b, int parallel, const char *state_path,
			   struct llmr_err *e)
{
	struct cmp c;
	json_t *out = NULL;

	memset(&c, 0, sizeof(c));
	c.s = s;
	c.judge = env->judge ? env->judge : s->judge;
	c.a = a;
	c.b = b;
	if (cmp_start(env, &c, e) < 0)
		return NULL;
	c.w.env = env;
	c.w.parallel = parallel > 1 && state_path ? parallel : 1;
	c.w.state_path = state_path;
	c.w.njobs = s->ncases;
	c.w.job = cmp_job;
	c.w.ud = &c;
	c.pairs = llmr_xcalloc(s->ncases + 1, sizeof(*c.pairs));
	bench_pool_run(&c.w);
	if (c.w.failed)
		*e = c.w.err;
	else
		out = cmp_report(&c);
	for (size_t k = 0; k < s->ncases; k++)
		json_decref(c.pairs[k]);
	free(c.pairs);
	return out;
}
