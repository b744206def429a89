/*
 * compare.c - llmr-bench compare: MT-Bench's pairwise judge. Each case is
 * answered by both models, then judged twice, the answers swapped the
 * second time; a model wins only when both verdicts name it, so a judge
 * that prefers whatever it reads first produces ties, not a winner.
 */
#include <stdlib.h>
#include <string.h>

#include "ask/request.h"
#include "bench/bench_db.h"
#include "bench/judge.h"
#include "bench/run_impl.h"

struct verdicts {
	int first, second;
	char *err;
};

static int ask_verdict(const struct llmr_bench_env *env, const struct llmr_suite *s,
		       const char *judge, const char *q, const char *x, const char *y, char **err)
{
	char *p = llmr_judge_pair_prompt(q, x, y);
	json_t *resp = bench_ask(env, s->route, judge, p, NULL);
	int v = 0;

	free(p);
	if (bench_error(resp))
		*err = llmr_xstrdup(bench_error(resp));
	else
		v = llmr_judge_parse_verdict(json_string_value(json_object_get(resp, "text")));
	json_decref(resp);
	return v;
}

static void judge_twice(const struct llmr_bench_env *env, const struct llmr_suite *s,
			const char *judge, const char *q, const char *ta, const char *tb,
			struct verdicts *v)
{
	v->err = NULL;
	v->first = ask_verdict(env, s, judge, q, ta, tb, &v->err);
	v->second = v->err ? 0 : ask_verdict(env, s, judge, q, tb, ta, &v->err);
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
	char *q = bench_question(c);
	json_t *pair = json_pack("{s:I}", "case", (json_int_t)k + 1);
	struct verdicts v = {0, 0, NULL};
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
	free(q);
	json_decref(ra);
	json_decref(rb);
	return pair;
}

json_t *llmr_bench_compare(const struct llmr_bench_env *env, const struct llmr_suite *s,
			   const char *a, const char *b, struct llmr_err *e)
{
	const char *judge = env->judge ? env->judge : s->judge;
	size_t n[5] = {0, 0, 0, 0, 0}; /* a, b, tie, skipped, inconsistent */
	json_t *pairs;
	int64_t run;

	struct llmr_ask_req req;

	if (!judge)
		return llmr_errf(e, LLMR_EX_DATAERR, "%s: compare needs a judge model "
				 "(judge: {model: provider/model} or --judge)", s->file), NULL;
	llmr_ask_req_init(&req);
	req.model = a;
	if (llmr_ask_req_check(env->cfg, &req, LLMR_EX_USAGE, e) < 0)
		return NULL;
	req.model = b;
	if (llmr_ask_req_check(env->cfg, &req, LLMR_EX_USAGE, e) < 0)
		return NULL;
	if (llmr_bench_db_run(env->st, s->name, s->file, "compare", s->threshold, &run, e) < 0)
		return NULL;
	pairs = json_array();
	for (size_t k = 0; k < s->ncases; k++) {
		json_t *p = compare_case(env, s, judge, a, b, k, run, e);
		const char *w;

		if (!p)
			return json_decref(pairs), NULL;
		w = json_string_value(json_object_get(p, "winner"));
		n[!w ? 3 : !strcmp(w, "a") ? 0 : !strcmp(w, "b") ? 1 : 2]++;
		n[4] += json_is_true(json_object_get(p, "inconsistent"));
		json_array_append_new(pairs, p);
	}
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "run",
			 (json_int_t)run, "suite", s->name, "model_a", a, "model_b", b, "judge",
			 judge, "a", (json_int_t)n[0], "b", (json_int_t)n[1], "tie", (json_int_t)n[2],
			 "inconsistent", (json_int_t)n[4], "skipped", (json_int_t)n[3], "pairs", pairs);
}
