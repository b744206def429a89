/*
 * run.c - llmr-bench run: every case on every contestant, each assertion
 * scored, the case's weighted score against the threshold, each result
 * stored as it comes, then a summary per contestant.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ask/ask.h"
#include "base/interrupt.h"
#include "bench/bench_db.h"
#include "bench/judge.h"
#include "bench/run_impl.h"

json_t *bench_ask(const struct llmr_bench_env *env, const char *route, const char *model,
		  const char *prompt, json_t *messages)
{
	/* No learned router: a bench call names its model, no tier is chosen. */
	struct llmr_ask_ctx ctx = {.cfg = env->cfg, .st = env->st, .cancel = llmr_interrupt_flag()};
	struct llmr_ask_req req;
	int code;

	llmr_ask_req_init(&req);
	req.prompt = prompt;
	req.messages = messages;
	req.route = route;
	req.model = model;
	req.stream = true;
	/* A benchmark measures the model, not the cache. */
	req.no_cache = true;
	return llmr_ask(&ctx, &req, &code);
}

json_t *llmr_bench_ask(const struct llmr_bench_env *env, const char *model, const char *prompt)
{
	return bench_ask(env, NULL, model, prompt, NULL);
}

char *bench_question(const struct llmr_case *c)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	size_t i;
	json_t *m;

	if (c->prompt)
		return llmr_xstrdup(c->prompt);
	json_array_foreach(c->messages, i, m)
		llmr_buf_addf(&b, "%s%s: %s", i ? "\n" : "",
			      json_string_value(json_object_get(m, "role")),
			      json_string_value(json_object_get(m, "content")));
	return llmr_buf_detach(&b);
}

const char *bench_error(const json_t *resp)
{
	json_t *err = json_object_get(resp, "error");

	if (!err)
		return NULL;
	return json_string_value(json_object_get(err, "message")) ?
		       json_string_value(json_object_get(err, "message")) : "the call failed";
}

int llmr_bench_check(const struct llmr_bench_env *env, const struct llmr_suite *s,
		     struct llmr_err *e)
{
	struct llmr_ask_req req;
	const char *judge = env->judge ? env->judge : s->judge;

	llmr_ask_req_init(&req);
	req.route = s->route;
	for (size_t i = 0; i <= s->nmodels; i++) {
		req.model = i < s->nmodels ? s->models[i] : judge;
		if (i == s->nmodels && !judge)
			break;
		if (llmr_ask_req_check(env->cfg, &req, LLMR_EX_DATAERR, e) < 0) {
			char msg[sizeof(e->msg)];

			snprintf(msg, sizeof(msg), "%s", e->msg);
			return llmr_errf(e, LLMR_EX_DATAERR, "%s: %s", s->file, msg);
		}
	}
	return 0;
}

/* The judge's score for one judge assertion: -1 when it could not be had
 * (why says so). */
static double judge_score(const struct llmr_bench_env *env, const struct llmr_suite *s,
			  const char *question, const char *answer, const char *rubric,
			  double *cost, char *why, size_t n)
{
	const char *judge = env->judge ? env->judge : s->judge;
	char *p = llmr_judge_prompt(question, answer, rubric);
	json_t *resp = bench_ask(env, s->route, judge, p, NULL);
	const char *err = bench_error(resp);
	double score = -1;

	free(p);
	*cost += json_number_value(json_object_get(resp, "cost_usd"));
	if (err)
		snprintf(why, n, "judge %s: %s", judge, err);
	else if (llmr_judge_parse_score(json_string_value(json_object_get(resp, "text")), &score) < 0)
		snprintf(why, n, "judge %s gave no score from 0 to 10", judge);
	json_decref(resp);
	return score;
}

/* Score the assertions of one answered case into res. */
static double score_case(const struct llmr_bench_env *env, const struct llmr_suite *s,
			 const struct llmr_case *c, const struct llmr_answer *base, json_t *res)
{
	json_t *list = json_array();
	double wsum = 0, sum = 0, judge_cost = 0;
	char *question = bench_question(c);

	for (size_t i = 0; i < c->nasserts; i++) {
		const struct llmr_assert *a = &c->asserts[i];
		struct llmr_answer ans = *base;
		char why[512] = "", name[32];
		double sc;

		if (a->type == LLMR_A_JUDGE)
			ans.judge = judge_score(env, s, question, ans.text, a->value, &judge_cost, why,
						sizeof(why));
		sc = *why ? 0 : llmr_assert_score(a, &ans, why, sizeof(why));
		wsum += a->weight;
		sum += a->weight * sc;
		json_array_append_new(list, json_pack("{s:s, s:f, s:f, s:s*}", "type",
						      llmr_assert_name(a, name, sizeof(name)), "weight",
						      a->weight, "score", sc, "why", *why ? why : NULL));
	}
	free(question);
	json_object_set_new(res, "asserts", list);
	json_object_set_new(res, "judge_cost_usd", json_real(judge_cost));
	/* No assertion: answering is passing, as in promptfoo. */
	return wsum > 0 ? sum / wsum : 1;
}

/* Output tokens per second of generation: after the first token when the
 * answer was streamed, else over the whole call. */
static double output_tps(const json_t *resp)
{
	double out = json_number_value(json_object_get(json_object_get(resp, "usage"), "output_tokens"));
	double lat = json_number_value(json_object_get(resp, "latency_ms"));
	json_t *ttft = json_object_get(resp, "ttft_ms");
	double gen = lat;

	if (json_is_integer(ttft) && json_integer_value(ttft) < lat)
		gen = lat - (double)json_integer_value(ttft);
	return gen > 0 ? 1000 * out / gen : 0;
}

static void copy_or_null(json_t *to, const json_t *from, const char *key)
{
	json_t *v = json_object_get(from, key);

	json_object_set_new(to, key, v ? json_incref(v) : json_null());
}

static json_t *run_case(const struct llmr_bench_env *env, const struct llmr_suite *s,
			const char *contestant, const char *model, size_t k)
{
	const struct llmr_case *c = &s->cases[k];
	json_t *resp = bench_ask(env, s->route, model, c->prompt, c->messages);
	const char *err = bench_error(resp);
	char *question = bench_question(c);
	json_t *res = json_pack("{s:s, s:I, s:s?, s:s, s:s?, s:s?}", "model", contestant, "case",
				(json_int_t)k + 1, "answered_by",
				json_string_value(json_object_get(resp, "model")), "prompt", question,
				"output", json_string_value(json_object_get(resp, "text")), "error", err);
	double score = 0;

	free(question);
	json_object_set_new(res, "cost_usd", json_real(json_number_value(json_object_get(resp, "cost_usd"))));
	copy_or_null(res, resp, "latency_ms");
	copy_or_null(res, resp, "ttft_ms");
	if (err) {
		json_object_set_new(res, "output_tps", json_null());
		json_object_set_new(res, "asserts", json_array());
		json_object_set_new(res, "judge_cost_usd", json_real(0));
	} else {
		struct llmr_answer ans = {json_string_value(json_object_get(resp, "text")),
					  json_number_value(json_object_get(resp, "cost_usd")),
					  json_number_value(json_object_get(resp, "latency_ms")), -1};

		json_object_set_new(res, "output_tps", json_real(output_tps(resp)));
		score = score_case(env, s, c, &ans, res);
	}
	json_object_set_new(res, "score", json_real(score));
	json_object_set_new(res, "weight", json_real(c->weight));
	/* A small tolerance: weights like 0.1 do not sum exactly. */
	json_object_set_new(res, "pass", json_boolean(!err && score >= s->threshold - 1e-9));
	json_decref(resp);
	return res;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
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
		if (json_object_get(r, "error") && !json_is_null(json_object_get(r, "error")))
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
	free(lat);
	return o;
}

json_t *llmr_bench_run(const struct llmr_bench_env *env, const struct llmr_suite *s,
		       struct llmr_err *e)
{
	size_t nc = s->nmodels ? s->nmodels : 1, answered = 0;
	json_t *results = json_array(), *models = json_array(), *out;
	char route_name[256];
	int64_t run;

	snprintf(route_name, sizeof(route_name), "route:%s", s->route ? s->route : "default");
	if (llmr_bench_db_run(env->st, s->name, s->file, "run", s->threshold, &run, e) < 0)
		goto fail;
	for (size_t m = 0; m < nc; m++) {
		const char *model = s->nmodels ? s->models[m] : NULL;
		const char *contestant = model ? model : route_name;

		for (size_t k = 0; k < s->ncases; k++) {
			json_t *res = run_case(env, s, contestant, model, k);

			answered += json_is_null(json_object_get(res, "error"));
			json_array_append_new(results, res);
			if (llmr_bench_db_result(env->st, run, res, e) < 0)
				goto fail;
		}
		json_array_append_new(models, summary(contestant, results));
	}
	out = json_pack("{s:I, s:s, s:s, s:f, s:I, s:o, s:o}", "run", (json_int_t)run, "suite",
			s->name, "file", s->file, "threshold", s->threshold, "answered",
			(json_int_t)answered, "models", models, "results", results);
	return out;
fail:
	json_decref(results);
	json_decref(models);
	return NULL;
}
