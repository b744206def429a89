/*
 * run.c - one case of llmr-bench run on one contestant: the call, its
 * measures (latency, TTFT, inter-token latency, tokens/s, tokens, cost),
 * each assertion scored, the format score when JSON was asked, and the
 * case's weighted score against the threshold. run_pool.c runs the cases.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ask/ask.h"
#include "base/interrupt.h"
#include "bench/bench_db.h"
#include "bench/format_score.h"
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

char *llmr_bench_question(const struct llmr_case *c)
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

int bench_cancelled(const json_t *resp)
{
	const char *cls = json_string_value(json_object_get(json_object_get(resp, "error"), "class"));

	return cls && !strcmp(cls, "cancelled");
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
			  double *cost, int *cancelled, char *why, size_t n)
{
	const char *judge = env->judge ? env->judge : s->judge;
	char *p = llmr_judge_prompt(question, answer, rubric);
	json_t *resp = bench_ask(env, s->route, judge, p, NULL);
	const char *err = bench_error(resp);
	double score = -1;

	free(p);
	*cost += json_number_value(json_object_get(resp, "cost_usd"));
	*cancelled |= bench_cancelled(resp);
	if (err)
		snprintf(why, n, "judge %s: %s", judge, err);
	else if (llmr_judge_parse_score(json_string_value(json_object_get(resp, "text")), &score) < 0)
		snprintf(why, n, "judge %s gave no score from 0 to 10", judge);
	json_decref(resp);
	return score;
}

/* Score the assertions of one answered case into res. */
static double score_case(const struct llmr_bench_env *env, const struct llmr_suite *s,
			 const struct llmr_case *c, const struct llmr_answer *base, json_t *res,
			 int *cancelled)
{
	json_t *list = json_array();
	double wsum = 0, sum = 0, judge_cost = 0;
	char *question = llmr_bench_question(c);

	for (size_t i = 0; i < c->nasserts; i++) {
		const struct llmr_assert *a = &c->asserts[i];
		struct llmr_answer ans = *base;
		char why[512] = "", name[32];
		double sc;

		if (a->type == LLMR_A_JUDGE)
			ans.judge = judge_score(env, s, question, ans.text, a->value, &judge_cost,
						cancelled, why, sizeof(why));
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

static double usage_tokens(const json_t *resp, const char *key)
{
	return json_number_value(json_object_get(json_object_get(resp, "usage"), key));
}

/* Output tokens per second of generation: after the first token when the
 * answer was streamed, else over the whole call; -1 when that took under
 * a millisecond (no rate can be told). */
static double output_tps(const json_t *resp)
{
	double out = usage_tokens(resp, "output_tokens");
	double lat = json_number_value(json_object_get(resp, "latency_ms"));
	json_t *ttft = json_object_get(resp, "ttft_ms");
	double gen = lat;

	if (json_is_integer(ttft) && json_integer_value(ttft) < lat)
		gen = lat - (double)json_integer_value(ttft);
	return gen > 0 ? 1000 * out / gen : -1;
}

/* The mean inter-token latency: the time after the first token over the
 * tokens after it (as GenAI-Perf defines it); null without a TTFT or with
 * fewer than two tokens. */
static json_t *itl_ms(const json_t *resp)
{
	double out = usage_tokens(resp, "output_tokens");
	double lat = json_number_value(json_object_get(resp, "latency_ms"));
	json_t *ttft = json_object_get(resp, "ttft_ms");

	if (!json_is_integer(ttft) || out < 2 || lat < (double)json_integer_value(ttft))
		return json_null();
	return json_real((lat - (double)json_integer_value(ttft)) / (out - 1));
}

static void copy_or_null(json_t *to, const json_t *from, const char *key)
{
	json_t *v = json_object_get(from, key);

	json_object_set_new(to, key, v ? json_incref(v) : json_null());
}

/* The format score when the case asks for JSON (json-schema, else
 * is-json; not their not- variants), else nulls. */
static void format_part(const struct llmr_case *c, const char *text, json_t *res)
{
	const struct llmr_assert *want = NULL;
	struct llmr_format_score f;

	for (size_t i = 0; i < c->nasserts; i++) {
		const struct llmr_assert *a = &c->asserts[i];

		if (!a->negate && a->type == LLMR_A_JSON_SCHEMA) {
			want = a;
			break;
		}
		if (!a->negate && a->type == LLMR_A_IS_JSON && !want)
			want = a;
	}
	if (!want || !text) {
		json_object_set_new(res, "format_score", json_null());
		json_object_set_new(res, "format", json_null());
		return;
	}
	llmr_format_score(text, want->schema, &f);
	json_object_set_new(res, "format_score", json_real(f.score));
	json_object_set_new(res, "format", llmr_format_score_json(&f));
}

/* What the call measured, into res. */
static void measures(const json_t *resp, int answered, json_t *res)
{
	double tps;

	json_object_set_new(res, "cost_usd", json_real(json_number_value(json_object_get(resp, "cost_usd"))));
	copy_or_null(res, resp, "latency_ms");
	copy_or_null(res, resp, "ttft_ms");
	json_object_set_new(res, "itl_ms", answered ? itl_ms(resp) : json_null());
	tps = answered ? output_tps(resp) : -1;
	json_object_set_new(res, "output_tps", tps >= 0 ? json_real(tps) : json_null());
	json_object_set_new(res, "input_tokens", json_integer((json_int_t)usage_tokens(resp, "input_tokens")));
	json_object_set_new(res, "output_tokens", json_integer((json_int_t)usage_tokens(resp, "output_tokens")));
}

json_t *bench_run_case(const struct llmr_bench_env *env, const struct llmr_suite *s,
		       const char *contestant, const char *model, size_t k, int *cancelled)
{
	const struct llmr_case *c = &s->cases[k];
	json_t *resp = bench_ask(env, s->route, model, c->prompt, c->messages);
	const char *err = bench_error(resp), *text = json_string_value(json_object_get(resp, "text"));
	char *question = llmr_bench_question(c);
	json_t *res = json_pack("{s:s, s:I, s:s?, s:s, s:s?, s:s?}", "model", contestant, "case",
				(json_int_t)k + 1, "answered_by",
				json_string_value(json_object_get(resp, "model")), "prompt", question,
				"output", text, "error", err);
	double score = 0;

	free(question);
	*cancelled |= bench_cancelled(resp);
	measures(resp, !err, res);
	format_part(c, err ? NULL : text, res);
	if (err) {
		json_object_set_new(res, "asserts", json_array());
		json_object_set_new(res, "judge_cost_usd", json_real(0));
	} else {
		struct llmr_answer ans = {text, json_number_value(json_object_get(resp, "cost_usd")),
					  json_number_value(json_object_get(resp, "latency_ms")), -1};

		score = score_case(env, s, c, &ans, res, cancelled);
	}
	json_object_set_new(res, "score", json_real(score));
	json_object_set_new(res, "weight", json_real(c->weight));
	/* A small tolerance: weights like 0.1 do not sum exactly. */
	json_object_set_new(res, "pass", json_boolean(!err && score >= s->threshold - 1e-9));
	json_decref(resp);
	return res;
}
