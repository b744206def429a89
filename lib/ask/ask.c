#include "ask/ask.h"

#include <stdlib.h>
#include <string.h>

#include "ask/cache.h"
#include "index/extractive.h"
#include "ask/hedge.h"
#include "route/route.h"
#include "route/route_ask.h"
#include "provider/attempt_log.h"

/* RAG passages get at most this many tokens of the prompt. */
#define RAG_TOKEN_BUDGET 1500

void llmr_ask_req_init(struct llmr_ask_req *req)
{
	memset(req, 0, sizeof(*req));
	req->complexity = -1;
	req->temperature = -1;
}

/* Everything one llmr_ask() call accumulates. */
struct ask_run {
	struct llmr_ask_ctx *ctx;
	const struct llmr_ask_req *req;
	char id[64];
	const struct llmr_route_cfg *route;
	int complexity;
	const char *priority;
	struct llmr_chain chain;    /* borrowed refs, or the single -m ref */
	struct llmr_model_ref single;
	struct llmr_msg *msgs;
	size_t nmsgs;
	struct llmr_buf system;     /* route/req system prompt + RAG context */
	struct llmr_buf rag_user;   /* the user turn with passages, if any */
	json_t *sources;            /* new ref */
	json_t *attempts;           /* new ref */
	json_t *skipped;            /* new ref */
	int attempt_no;
	bool streamed_text;         /* some text went to on_delta this try */
	const char *last_model;     /* spec of the last failed attempt, for fallback_from */
	const char *first_model;    /* spec of the first model attempted */
	struct llmr_route_ask *ra;  /* routing, quotas, breakers, budget (route_ask.h) */
	bool degraded;
	char *cache_key;            /* exact-cache key, or NULL when not caching */
	const struct llmr_model_ref *answered_by; /* the model that answered */
	bool next_used;             /* a hedge already tried the next candidate */
	const char *status_override; /* logged instead of the class ("cancelled") */
};

static const char *priority_name(int p)
{
	static const char *names[] = {"P0", "P1", "P2", "P3"};

	return p >= 0 && p <= 3 ? names[p] : "P1";
}

static const struct llmr_route_cfg *pick_route(const struct llmr_config *cfg, const char *name,
					       struct llmr_err *e)
{
	const struct llmr_route_cfg *r;

	if (name) {
		r = llmr_config_route(cfg, name);
		if (!r)
			llmr_errf(e, LLMR_EX_USAGE, "unknown route '%s'", name);
		return r;
	}
	if (cfg->default_route && (r = llmr_config_route(cfg, cfg->default_route)))
		return r;
	if (cfg->nroutes)
		return &cfg->routes[0];
	llmr_errf(e, LLMR_EX_CONFIG, "no route is configured");
	return NULL;
}

/* Routing: classify, decide the chain (breakers, spend, degraded mode) and
 * draw on the request budget; the quota is reserved per attempt. */
static int route_begin(struct ask_run *run, struct llmr_err *e)
{
	struct llmr_route_ask_in in = {run->route, run->req->prompt, run->req->messages,
				       llmr_priority_parse(run->priority), run->req->complexity,
				       run->req->max_tokens, run->req->json, run->req->budget,
				       !run->req->model, run->id};
	size_t n;

	if (!(run->ra = llmr_route_ask_begin(run->ctx->cfg, run->ctx->st, &in, e)))
		return -1;
	run->degraded = llmr_route_ask_degraded(run->ra);
	/* With nothing left, walk the tier as written: each candidate then
	 * says why it cannot answer (a missing key exits 77). */
	if (!run->req->model && llmr_route_ask_chain(run->ra, &n) && n) {
		json_t *sk = llmr_route_ask_skipped(run->ra);

		run->chain.refs = (struct llmr_model_ref *)llmr_route_ask_chain(run->ra, &run->chain.n);
		run->complexity = llmr_route_ask_complexity(run->ra);
		json_array_extend(run->skipped, sk);
		json_decref(sk);
	}
	return 0;
}

/*
 * Until the classifier decides, the tier is the route's forced one, the
 * request's, or the first tier the route defines.
 */
static int pick_chain(struct ask_run *run, struct llmr_err *e)
{
	const struct llmr_ask_req *req = run->req;
	int c;

	if (req->model) {
		if (llmr_config_resolve(run->ctx->cfg, req->model, &run->single, e) < 0)
			return -1;
		run->chain.refs = &run->single;
		run->chain.n = 1;
	}
	run->route = pick_route(run->ctx->cfg, req->route, e);
	if (!run->route)
		return -1;
	run->priority = req->priority ? req->priority : priority_name(run->route->priority);
	c = run->route->force >= 0 ? run->route->force : req->complexity;
	if (c < 0)
		for (c = 0; c < LLMR_NCOMPLEXITY - 1 && !run->route->tiers[c].n; c++)
			;
	run->complexity = c;
	if (!req->model)
		run->chain = run->route->tiers[c];
	if (route_begin(run, e) < 0)
		return -1;
	if (!run->chain.n && !run->ra)
		return llmr_errf(e, LLMR_EX_CONFIG, "route '%s' has no model for tier %s",
				 run->route->name, llmr_complexity_name(c));
	return 0;
}

/* The question text: the prompt, or the last user message. */
static const char *question_text(const struct ask_run *run)
{
	size_t i;

	if (run->req->prompt)
		return run->req->prompt;
	for (i = run->nmsgs; i > 0; i--)
		if (!strcmp(run->msgs[i - 1].role, "user"))
			return run->msgs[i - 1].content;
	return "";
}

static int build_messages(struct ask_run *run, struct llmr_err *e)
{
	const struct llmr_ask_req *req = run->req;
	size_t i, n;

	if (req->system)
		llmr_buf_adds(&run->system, req->system);
	else if (run->route->system)
		llmr_buf_adds(&run->system, run->route->system);
	if (req->prompt) {
		run->msgs = llmr_xcalloc(1, sizeof(*run->msgs));
		run->msgs[0].role = "user";
		run->msgs[0].content = req->prompt;
		run->nmsgs = 1;
		return 0;
	}
	n = json_array_size(req->messages);
	if (!n)
		return llmr_errf(e, LLMR_EX_DATAERR, "no prompt and no messages");
	run->msgs = llmr_xcalloc(n, sizeof(*run->msgs));
	for (i = 0; i < n; i++) {
		json_t *m = json_array_get(req->messages, i);
		const char *role = json_string_value(json_object_get(m, "role"));
		const char *content = json_string_value(json_object_get(m, "content"));

		if (!role || !content)
			return llmr_errf(e, LLMR_EX_DATAERR,
					 "messages[%zu]: needs string \"role\" and \"content\"", i);
		run->msgs[i].role = role;
		run->msgs[i].content = content;
	}
	run->nmsgs = n;
	return 0;
}

/*
 * Retrieval-augmented prompt: the system prompt stays a stable prefix (so
 * provider prompt caching applies) and the passages go into the variable
 * user turn, before the question.
 */
static int add_rag_context(struct ask_run *run, struct llmr_err *e)
{
	const char *coll = run->req->collection ? run->req->collection : run->route->index;
	struct llmr_buf ctx = LLMR_BUF_INIT;
	struct llmr_msg *last;

	if (!coll || !run->ctx->st)
		return 0;
	if (llmr_rag_retrieve(run->ctx->st, run->ctx->cfg, coll, question_text(run),
			      RAG_TOKEN_BUDGET, &ctx, &run->sources, e) < 0) {
		llmr_buf_release(&ctx);
		return -1;
	}
	if (!run->system.len)
		llmr_buf_adds(&run->system, "You are a helpful assistant.");
	llmr_buf_adds(&run->system,
		      "\nAnswer from the numbered passages given with the question when they are "
		      "relevant, and cite them as [n]. Say so when they do not hold the answer.");
	last = &run->msgs[run->nmsgs - 1];
	llmr_buf_addf(&run->rag_user, "Passages:\n%s\nQuestion: %s", ctx.s ? ctx.s : "",
		      last->content);
	last->content = run->rag_user.s;
	llmr_buf_release(&ctx);
	return 0;
}

static void note_delta(const char *text, size_t n, void *ud)
{
	struct ask_run *run = ud;

	run->streamed_text = true;
	if (run->ctx->on_delta)
		run->ctx->on_delta(text, n, run->ctx->ud);
}

static void log_attempt(struct ask_run *run, const struct llmr_model_ref *ref,
			const struct llmr_chat_result *r, int64_t started_ms, double cost)
{
	struct llmr_attempt a;
	struct llmr_err e;

	if (!run->ctx->st)
		return;
	memset(&a, 0, sizeof(a));
	a.request_id = run->id;
	a.attempt = run->attempt_no;
	a.ts_ms = started_ms;
	a.route = run->route->name;
	a.priority = run->priority;
	a.complexity = llmr_complexity_name(run->complexity);
	a.provider = ref->provider->name;
	a.model = ref->model->name;
	a.status = run->status_override ? run->status_override : llmr_errclass_name(r->err);
	a.error_message = r->err ? r->errmsg : NULL;
	a.http_status = r->http_status;
	a.usage = r->usage;
	a.cost_usd = cost;
	a.latency_ms = r->latency_ms;
	a.ttft_ms = r->ttft_ms;
	a.fallback_from = run->last_model && strcmp(run->last_model, ref->spec) ? run->last_model
									     : NULL;
	a.cache = "miss";
	/* A failed log write must not lose the answer: it is reported by the
	 * caller's next state access, and the answer still goes out. */
	llmr_state_log_attempt(run->ctx->st, &a, &e);
	if (r->rl.seen)
		/* Seen when the answer came: resets count from then, and quotas
		 * count what was sent after it. */
		llmr_state_save_ratelimit(run->ctx->st, ref->provider->name, ref->model->name,
					  &r->rl, started_ms + (r->latency_ms > 0 ? r->latency_ms : 0), &e);
}

static void add_attempt_json(struct ask_run *run, const struct llmr_model_ref *ref,
			     const struct llmr_chat_result *r)
{
	if (!run->first_model)
		run->first_model = ref->spec;
	json_t *a = json_pack("{s:s, s:s, s:I}", "model", ref->spec, "status",
			      run->status_override ? run->status_override : llmr_errclass_name(r->err),
			      "latency_ms", (json_int_t)r->latency_ms);

	if (r->http_status)
		json_object_set_new(a, "http_status", json_integer(r->http_status));
	if (r->err && r->errmsg[0])
		json_object_set_new(a, "message", json_string(r->errmsg));
	json_array_append_new(run->attempts, a);
}

static void skip(struct ask_run *run, const struct llmr_model_ref *ref, const char *why)
{
	json_array_append_new(run->skipped, json_pack("{s:s, s:s}", "model", ref->spec, "why", why));
}

/* Full-jitter exponential backoff (AWS architecture blog), 0.5 s base. */
static int64_t backoff_ms(int try_no)
{
	int64_t cap = 500LL << (try_no < 5 ? try_no : 5);

	return cap / 2 + (int64_t)((double)rand() / RAND_MAX * (double)(cap / 2));
}

/* How long to wait before retrying the same model, or -1 to move on. */
static int64_t retry_wait_ms(struct ask_run *run, const struct llmr_chat_result *r, int try_no,
			     bool more_candidates)
{
	double hinted;
	int64_t wait;

	if (!r->retryable || !llmr_errclass_falls_back(r->err))
		return -1;
	/* With a candidate left, falling back beats waiting. */
	if (more_candidates)
		return -1;
	hinted = llmr_ratelimit_wait_s(&r->rl, r->errmsg);
	wait = hinted >= 0 ? (int64_t)(hinted * 1000 + 0.999) : backoff_ms(try_no);
	if (wait > run->ctx->max_retry_wait_ms)
		return -1;
	return wait;
}

static json_t *usage_json(const struct llmr_usage *u)
{
	json_t *o = json_pack("{s:I, s:I, s:I, s:I}", "input_tokens", (json_int_t)u->input_tokens,
			      "output_tokens", (json_int_t)u->output_tokens, "cached_tokens",
			      (json_int_t)u->cached_tokens, "cache_write_tokens",
			      (json_int_t)u->cache_write_tokens);

	if (u->provider_cost_usd >= 0)
		json_object_set_new(o, "provider_cost_usd", json_real(u->provider_cost_usd));
	return o;
}

static json_t *success_json(struct ask_run *run, const struct llmr_model_ref *ref,
			    const struct llmr_chat_result *r, double cost, int64_t total_ms)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(run->id));
	json_object_set_new(o, "text", json_stringn(r->text.s ? r->text.s : "", r->text.len));
	json_object_set_new(o, "model", json_string(ref->spec));
	json_object_set_new(o, "route", json_string(run->route->name));
	json_object_set_new(o, "complexity", json_string(llmr_complexity_name(run->complexity)));
	json_object_set_new(o, "priority", json_string(run->priority));
	json_object_set_new(o, "finish_reason", json_string(r->finish_reason));
	json_object_set_new(o, "usage", usage_json(&r->usage));
	json_object_set_new(o, "cost_usd", json_real(cost));
	json_object_set_new(o, "latency_ms", json_integer(total_ms));
	json_object_set_new(o, "ttft_ms", r->ttft_ms >= 0 ? json_integer(r->ttft_ms) : json_null());
	json_object_set_new(o, "cache", json_string("miss"));
	json_object_set_new(o, "fallback", json_boolean(run->first_model &&
							strcmp(run->first_model, ref->spec)));
	if (ref->provider->protocol == LLMR_PROTO_EXTRACTIVE)
		json_object_set_new(o, "extractive", json_true());
	/* The offline answer after others failed or were skipped is degraded. */
	if (run->degraded || (ref->provider->protocol == LLMR_PROTO_EXTRACTIVE &&
			      (json_array_size(run->skipped) || json_array_size(run->attempts) > 1)))
		json_object_set_new(o, "degraded", json_true());
	json_object_set(o, "attempts", run->attempts);
	if (json_array_size(run->skipped))
		json_object_set(o, "skipped", run->skipped);
	json_object_set_new(o, "sources", run->sources ? json_incref(run->sources) : json_array());
	return o;
}

static json_t *failure_json(struct ask_run *run, const char *cls, const char *msg)
{
	json_t *o = json_pack("{s:s, s:{s:s, s:s}}", "id", run->id, "error", "class", cls,
			      "message", msg);

	json_object_set(o, "attempts", run->attempts);
	if (json_array_size(run->skipped))
		json_object_set(o, "skipped", run->skipped);
	return o;
}

static int run_extractive(struct ask_run *run, const struct llmr_model_ref *ref,
			  struct llmr_chat_result *r, struct llmr_err *e)
{
	const char *coll = run->req->collection ? run->req->collection : run->route->index;
	json_t *sources = NULL;
	int64_t t0 = llmr_mono_ms();

	if (!run->ctx->st)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "%s needs the state file", ref->spec);
	if (llmr_extractive_answer(run->ctx->st, run->ctx->cfg, coll, question_text(run), r,
				   &sources, e) < 0)
		return -1;
	r->latency_ms = llmr_mono_ms() - t0;
	if (sources) {
		json_decref(run->sources);
		run->sources = sources;
	}
	if (run->ctx->on_delta && r->text.len) {
		r->ttft_ms = r->latency_ms;
		run->ctx->on_delta(r->text.s, r->text.len, run->ctx->ud);
	}
	return 0;
}

/* What a hedged attempt needs between its two halves. */
struct hedge_ctx {
	struct ask_run *run;
	const struct llmr_chat_req *base;
	const struct llmr_model_ref *ref_b;
	char *key_b;
	bool admitted_b;
	struct llmr_quota_res res_a; /* A's reservation while B holds ra's */
	int64_t t0_b;
};

#define HEDGE_NOT_STARTED 2

static bool hedge_wanted(const struct ask_run *run, const struct llmr_model_ref *next)
{
	return run->route->hedge_after_ms >= 0 && !run->req->model && next &&
	       next->provider->protocol != LLMR_PROTO_EXTRACTIVE &&
	       next->provider->status != LLMR_PSTATUS_INACTIVE;
}

/* On this thread, when A is late: admit B like any attempt, with its key. */
static bool hedge_start_b(struct llmr_hedge_leg *b, void *ud)
{
	struct hedge_ctx *hc = ud;
	struct ask_run *run = hc->run;
	const struct llmr_model_ref *ref = hc->ref_b;
	struct llmr_err e = {0, ""};
	char why[200];

	hc->key_b = llmr_provider_api_key(ref->provider, &e);
	if (!hc->key_b)
		return false;
	if (run->ra) {
		memset(&hc->res_a, 0, sizeof(hc->res_a));
		llmr_route_ask_swap_res(run->ra, &hc->res_a);
		if (!llmr_route_ask_admit(run->ra, ref, true, why, sizeof(why))) {
			llmr_route_ask_swap_res(run->ra, &hc->res_a);
			explicit_bzero(hc->key_b, strlen(hc->key_b));
			free(hc->key_b);
			hc->key_b = NULL;
			return false;
		}
	}
	hc->admitted_b = true;
	hc->t0_b = llmr_now_ms();
	b->provider = ref->provider;
	b->key = hc->key_b;
	b->req = *hc->base;
	b->req.model = ref->model->name;
	return true;
}

/* Close one leg: quota and breaker, the log, the attempts list. A leg
 * cancelled because the other answered is no failure of its provider. */
static void hedge_close_leg(struct ask_run *run, const struct llmr_model_ref *ref,
			    struct llmr_chat_result *r, int64_t t0, bool cancelled, bool is_b)
{
	struct llmr_chat_result seen = *r;

	if (cancelled)
		seen.err = LLMR_ERR_NONE;
	if (run->ra)
		llmr_route_ask_done(run->ra, ref, &seen);
	run->attempt_no++;
	run->status_override = cancelled ? "cancelled" : NULL;
	log_attempt(run, ref, r, t0, cancelled ? 0 : llmr_usage_cost(ref->model, &r->usage));
	add_attempt_json(run, ref, r);
	if (is_b)
		json_object_set_new(json_array_get(run->attempts, json_array_size(run->attempts) - 1),
				    "hedged", json_true());
	run->status_override = NULL;
}

/*
 * The first try of a route with hedge_after: call ref; if it sends nothing
 * for hedge_after, call next too and keep the first to answer. Returns
 * HEDGE_NOT_STARTED when next was never called (r then holds ref's outcome,
 * not yet logged), else 1 (answered: run->answered_by) or 0 (both failed).
 */
static int hedged_attempt(struct ask_run *run, const struct llmr_model_ref *ref, const char *key,
			  const struct llmr_chat_req *creq, const struct llmr_model_ref *next,
			  struct llmr_chat_result *r, int64_t t0, enum llmr_errclass *last_class,
			  struct llmr_buf *last_msg)
{
	struct llmr_chat_req base = *creq;
	struct llmr_hedge_leg a, b;
	struct hedge_ctx hc;
	int w;

	base.stream = true; /* a first token is what the hedge waits for */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&hc, 0, sizeof(hc));
	hc.run = run;
	hc.base = &base;
	hc.ref_b = next;
	a.provider = ref->provider;
	a.key = key;
	a.req = base;
	llmr_chat_result_init(&a.r);
	llmr_chat_result_init(&b.r);
	w = llmr_hedge_run(&a, &b, run->route->hedge_after_ms, hedge_start_b, &hc, note_delta, run);
	llmr_chat_result_release(r);
	if (!hc.admitted_b) {
		*r = a.r;
		llmr_chat_result_release(&b.r);
		return HEDGE_NOT_STARTED;
	}
	run->next_used = true;
	if (!b.started && b.r.err == LLMR_ERR_NONE) {
		b.r.err = LLMR_ERR_NETWORK;
		snprintf(b.r.errmsg, sizeof(b.r.errmsg), "could not start the hedged call");
	}
	/* B holds ra's reservation now: close B, then give A's back and close A. */
	hedge_close_leg(run, next, &b.r, hc.t0_b, w == 0, true);
	if (run->ra)
		llmr_route_ask_swap_res(run->ra, &hc.res_a);
	hedge_close_leg(run, ref, &a.r, t0, w == 1, false);
	if (hc.key_b) {
		explicit_bzero(hc.key_b, strlen(hc.key_b));
		free(hc.key_b);
	}
	if (w >= 0) {
		run->answered_by = w ? next : ref;
		*r = w ? b.r : a.r;
		llmr_chat_result_release(w ? &a.r : &b.r);
		return 1;
	}
	*last_class = b.r.err ? b.r.err : a.r.err;
	llmr_buf_reset(last_msg);
	llmr_buf_addf(last_msg, "%s: %s; %s: %s", ref->spec, a.r.errmsg, next->spec, b.r.errmsg);
	run->last_model = next->spec;
	*r = b.r;
	llmr_chat_result_release(&a.r);
	return 0;
}

/*
 * One candidate: call it, retrying while the error allows and the wait is
 * short. Returns 1 on an answer, 0 to fall back, -1 to stop the chain.
 */
static int try_candidate(struct ask_run *run, const struct llmr_model_ref *ref,
			 const struct llmr_model_ref *next, struct llmr_chat_result *r,
			 enum llmr_errclass *last_class, struct llmr_buf *last_msg)
{
	bool more = next != NULL;
	const struct llmr_provider_cfg *p = ref->provider;
	struct llmr_chat_req creq;
	struct llmr_err e = {0, ""};
	char *key;
	int try_no;

	if (p->status == LLMR_PSTATUS_INACTIVE) {
		skip(run, ref, "provider inactive");
		return 0;
	}
	if (p->protocol == LLMR_PROTO_EXTRACTIVE) {
		int64_t t0 = llmr_now_ms();

		run->attempt_no++;
		if (run_extractive(run, ref, r, &e) < 0) {
			r->err = LLMR_ERR_SERVER;
			snprintf(r->errmsg, sizeof(r->errmsg), "%s", e.msg);
		}
		log_attempt(run, ref, r, t0, 0);
		add_attempt_json(run, ref, r);
		if (!r->err) {
			run->answered_by = ref;
			return 1;
		}
		*last_class = r->err;
		llmr_buf_reset(last_msg);
		llmr_buf_addf(last_msg, "%s: %s", ref->spec, r->errmsg);
		run->last_model = ref->spec;
		return 0;
	}
	key = llmr_provider_api_key(p, &e);
	if (!key) {
		skip(run, ref, e.msg);
		if (*last_class == LLMR_ERR_NONE) {
			*last_class = LLMR_ERR_AUTH;
			llmr_buf_reset(last_msg);
			llmr_buf_adds(last_msg, e.msg);
		}
		return 0;
	}
	memset(&creq, 0, sizeof(creq));
	creq.model = ref->model->name;
	creq.system = run->system.len ? run->system.s : NULL;
	creq.msgs = run->msgs;
	creq.nmsgs = run->nmsgs;
	creq.max_tokens = run->req->max_tokens;
	creq.temperature = run->req->temperature;
	creq.json = run->req->json;
	creq.stream = run->req->stream;
	for (try_no = 0;; try_no++) {
		int64_t t0 = llmr_now_ms(), wait;
		double cost;
		char why[200];

		/* Breaker and shared quota: skip (fall back) or wait, per the route. */
		if (run->ra && !llmr_route_ask_admit(run->ra, ref, more, why, sizeof(why))) {
			explicit_bzero(key, strlen(key));
			free(key);
			skip(run, ref, why);
			if (*last_class == LLMR_ERR_NONE || *last_class == LLMR_ERR_AUTH) {
				*last_class = LLMR_ERR_RATE_LIMITED;
				llmr_buf_reset(last_msg);
				llmr_buf_addf(last_msg, "%s: %s", ref->spec, why);
			}
			return 0;
		}
		llmr_chat_result_release(r);
		llmr_chat_result_init(r);
		run->attempt_no++;
		run->streamed_text = false;
		if (try_no == 0 && hedge_wanted(run, next)) {
			int hr = hedged_attempt(run, ref, key, &creq, next, r, t0, last_class, last_msg);

			if (hr != HEDGE_NOT_STARTED) {
				explicit_bzero(key, strlen(key));
				free(key);
				return hr;
			}
		} else {
			llmr_provider_chat(p, key, &creq, r, note_delta, run);
		}
		if (run->ra)
			llmr_route_ask_done(run->ra, ref, r);
		cost = llmr_usage_cost(ref->model, &r->usage);
		log_attempt(run, ref, r, t0, cost);
		add_attempt_json(run, ref, r);
		if (!r->err)
			break;
		*last_class = r->err;
		llmr_buf_reset(last_msg);
		llmr_buf_addf(last_msg, "%s: %s%s%s", ref->spec, llmr_errclass_name(r->err),
			      r->errmsg[0] ? ": " : "", r->errmsg);
		run->last_model = ref->spec;
		if (!llmr_errclass_falls_back(r->err)) {
			free(key);
			return -1;
		}
		if (try_no >= p->max_retries || (wait = retry_wait_ms(run, r, try_no, more)) < 0) {
			free(key);
			if (more && run->streamed_text && run->ctx->on_fallback)
				run->ctx->on_fallback(ref->spec, NULL, llmr_errclass_name(r->err),
						      run->ctx->ud);
			return 0;
		}
		llmr_sleep_ms(wait);
	}
	explicit_bzero(key, strlen(key));
	free(key);
	run->answered_by = ref;
	return 1;
}

static void run_release(struct ask_run *run)
{
	free(run->msgs);
	llmr_buf_release(&run->system);
	llmr_buf_release(&run->rag_user);
	json_decref(run->sources);
	json_decref(run->attempts);
	json_decref(run->skipped);
	free(run->cache_key);
}

/*
 * The exact cache serves a question put again to the same route tier (or
 * model) with the same parameters. Sampled answers (temperature > 0) are
 * not cached: asking again is how one gets another one.
 */
static void cache_prepare(struct ask_run *run)
{
	const struct llmr_ask_req *req = run->req;
	struct llmr_buf scope = LLMR_BUF_INIT;

	if (!run->ctx->st || run->ctx->cfg->cache_exact_ttl_ms <= 0 || req->no_cache ||
	    req->temperature > 0)
		return;
	/* The tier's models, not the route's name: a new routing version
	 * (llmr-cost --apply) must not be answered from the old one's cache. */
	if (req->model) {
		llmr_buf_adds(&scope, req->model);
	} else {
		const struct llmr_chain *c = &run->route->tiers[run->complexity];
		size_t i;

		llmr_buf_addf(&scope, "%s:%s:", run->route->name, llmr_complexity_name(run->complexity));
		for (i = 0; i < c->n; i++)
			llmr_buf_addf(&scope, "%s%s", i ? "," : "", c->refs[i].spec);
	}
	run->cache_key = llmr_cache_key(scope.s, run->system.len ? run->system.s : NULL, run->msgs,
					run->nmsgs, req->max_tokens, req->temperature, req->json);
	llmr_buf_release(&scope);
}

/* Log a cache hit as an attempt that cost nothing, with the usage it saved. */
static void log_cache_hit(struct ask_run *run, json_t *resp, int64_t started_ms)
{
	const char *spec = json_string_value(json_object_get(resp, "model"));
	const char *slash = spec ? strchr(spec, '/') : NULL;
	json_t *u = json_object_get(resp, "usage");
	struct llmr_attempt a;
	struct llmr_err e;
	char provider[128];

	if (!slash || (size_t)(slash - spec) >= sizeof(provider))
		return;
	memcpy(provider, spec, (size_t)(slash - spec));
	provider[slash - spec] = '\0';
	memset(&a, 0, sizeof(a));
	a.request_id = run->id;
	a.attempt = 1;
	a.ts_ms = started_ms;
	a.route = run->route->name;
	a.priority = run->priority;
	a.complexity = llmr_complexity_name(run->complexity);
	a.provider = provider;
	a.model = slash + 1;
	a.status = "ok";
	a.usage.input_tokens = (long)json_integer_value(json_object_get(u, "input_tokens"));
	a.usage.output_tokens = (long)json_integer_value(json_object_get(u, "output_tokens"));
	a.usage.cached_tokens = (long)json_integer_value(json_object_get(u, "cached_tokens"));
	a.usage.cache_write_tokens = (long)json_integer_value(json_object_get(u, "cache_write_tokens"));
	a.usage.provider_cost_usd = -1;
	a.latency_ms = llmr_now_ms() - started_ms;
	a.ttft_ms = -1;
	a.cache = "exact";
	llmr_state_log_attempt(run->ctx->st, &a, &e);
}

/* A hit: the stored answer under this request's id, at no cost. */
static json_t *cache_lookup(struct ask_run *run, int64_t t0)
{
	struct llmr_err e;
	int64_t now = llmr_now_ms();
	json_t *resp = NULL;

	if (!run->cache_key || llmr_cache_get(run->ctx->st, run->cache_key, now, &resp, &e) != 1)
		return NULL;
	json_object_set_new(resp, "id", json_string(run->id));
	json_object_set_new(resp, "cache", json_string("exact"));
	json_object_set_new(resp, "cost_usd", json_real(0));
	json_object_set_new(resp, "latency_ms", json_integer(llmr_mono_ms() - t0));
	json_object_set_new(resp, "ttft_ms", json_null());
	json_object_set_new(resp, "fallback", json_false());
	json_object_set_new(resp, "attempts", json_array());
	json_object_set_new(resp, "priority", json_string(run->priority));
	log_cache_hit(run, resp, now);
	if (run->ctx->on_delta) {
		const char *text = json_string_value(json_object_get(resp, "text"));

		if (text && *text)
			run->ctx->on_delta(text, strlen(text), run->ctx->ud);
	}
	return resp;
}

static void cache_store(struct ask_run *run, const json_t *resp)
{
	struct llmr_err e;
	int64_t now = llmr_now_ms();

	if (run->cache_key && !json_is_true(json_object_get(resp, "degraded")) &&
	    !json_is_true(json_object_get(resp, "extractive")))
		llmr_cache_put(run->ctx->st, run->cache_key, resp, now,
			       now + run->ctx->cfg->cache_exact_ttl_ms, &e);
}

json_t *llmr_ask(struct llmr_ask_ctx *ctx, const struct llmr_ask_req *req, int *exit_code)
{
	struct ask_run run;
	struct llmr_chat_result r;
	struct llmr_err e = {0, ""};
	struct llmr_buf last_msg = LLMR_BUF_INIT;
	enum llmr_errclass last_class = LLMR_ERR_NONE;
	int64_t t0 = llmr_mono_ms();
	json_t *out = NULL;
	char why[200];
	size_t i;
	int rc = 0;

	memset(&run, 0, sizeof(run));
	run.ctx = ctx;
	run.req = req;
	run.attempts = json_array();
	run.skipped = json_array();
	if (!ctx->max_retry_wait_ms)
		ctx->max_retry_wait_ms = 20000;
	if (req->id)
		snprintf(run.id, sizeof(run.id), "%s", req->id);
	else
		llmr_new_request_id(run.id);
	llmr_chat_result_init(&r);
	if (pick_chain(&run, &e) < 0 || build_messages(&run, &e) < 0 ||
	    add_rag_context(&run, &e) < 0) {
		*exit_code = e.code;
		out = failure_json(&run, e.code == LLMR_EX_CONFIG ? "config" : "bad_request", e.msg);
		goto done;
	}
	cache_prepare(&run);
	if ((out = cache_lookup(&run, t0))) {
		*exit_code = 0;
		goto done;
	}
	if (run.ra && llmr_route_ask_skip(run.ra, why, sizeof(why))) {
		/* Budget spent (P2/P3) or degraded mode (P3): say so, do not run. */
		*exit_code = LLMR_EX_TEMPFAIL;
		out = json_pack("{s:s,s:s,s:s,s:{s:s,s:s},s:[]}", "id", run.id, "skipped",
				llmr_route_ask_skip(run.ra, why, sizeof(why)), "priority", run.priority,
				"error", "class", llmr_route_ask_skip(run.ra, why, sizeof(why)), "message",
				why, "attempts");
		goto done;
	}
	for (i = 0; i < run.chain.n && rc == 0; i++) {
		rc = try_candidate(&run, &run.chain.refs[i],
				   i + 1 < run.chain.n ? &run.chain.refs[i + 1] : NULL, &r, &last_class,
				   &last_msg);
		if (run.next_used) {
			i++;
			run.next_used = false;
		}
	}
	/* FrugalGPT cascade: an empty, truncated or non-JSON answer climbs a tier. */
	while (rc == 1 && run.ra && !req->model &&
	       run.answered_by->provider->protocol != LLMR_PROTO_EXTRACTIVE &&
	       llmr_route_check_answer(r.text.s, r.text.len, r.finish_reason, req->json, why,
				       sizeof(why)) < 0 &&
	       llmr_route_ask_escalate(run.ra)) {
		skip(&run, run.answered_by, why);
		run.chain.refs = (struct llmr_model_ref *)llmr_route_ask_chain(run.ra, &run.chain.n);
		run.complexity = llmr_route_ask_complexity(run.ra);
		for (rc = 0, i = 0; i < run.chain.n && rc == 0; i++) {
			rc = try_candidate(&run, &run.chain.refs[i],
					   i + 1 < run.chain.n ? &run.chain.refs[i + 1] : NULL, &r,
					   &last_class, &last_msg);
			if (run.next_used) {
				i++;
				run.next_used = false;
			}
		}
	}
	if (rc == 1) {
		const struct llmr_model_ref *ref = run.answered_by;
		double cost = ref->provider->protocol == LLMR_PROTO_EXTRACTIVE
				      ? 0
				      : llmr_usage_cost(ref->model, &r.usage);

		*exit_code = 0;
		out = success_json(&run, ref, &r, cost, llmr_mono_ms() - t0);
		cache_store(&run, out);
		llmr_route_ask_end(run.ra, true, cost);
		run.ra = NULL;
	} else {
		if (last_class == LLMR_ERR_NONE) {
			last_class = LLMR_ERR_NETWORK;
			llmr_buf_adds(&last_msg, "no model of the chain could be tried");
		}
		*exit_code = llmr_errclass_exit(last_class);
		out = failure_json(&run, llmr_errclass_name(last_class), last_msg.s);
	}
done:
	llmr_route_ask_end(run.ra, false, 0);
	llmr_chat_result_release(&r);
	llmr_buf_release(&last_msg);
	run_release(&run);
	return out;
}

static int get_str(json_t *obj, const char *key, const char **out, struct llmr_err *e)
{
	json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return llmr_errf(e, LLMR_EX_DATAERR, "\"%s\" must be a string", key);
	*out = json_string_value(v);
	return 0;
}

int llmr_ask_req_from_json(json_t *obj, struct llmr_ask_req *req, struct llmr_err *e)
{
	const char *complexity = NULL;
	json_t *v;

	if (!json_is_object(obj))
		return llmr_errf(e, LLMR_EX_DATAERR, "a request must be a JSON object");
	if (get_str(obj, "id", &req->id, e) < 0 || get_str(obj, "prompt", &req->prompt, e) < 0 ||
	    get_str(obj, "route", &req->route, e) < 0 || get_str(obj, "model", &req->model, e) < 0 ||
	    get_str(obj, "priority", &req->priority, e) < 0 ||
	    get_str(obj, "system", &req->system, e) < 0 ||
	    get_str(obj, "budget", &req->budget, e) < 0 ||
	    get_str(obj, "collection", &req->collection, e) < 0 ||
	    get_str(obj, "complexity", &complexity, e) < 0)
		return -1;
	if ((v = json_object_get(obj, "id")) && json_is_integer(v))
		return llmr_errf(e, LLMR_EX_DATAERR, "\"id\" must be a string");
	if ((v = json_object_get(obj, "messages"))) {
		if (!json_is_array(v))
			return llmr_errf(e, LLMR_EX_DATAERR, "\"messages\" must be an array");
		req->messages = v;
	}
	if (!req->prompt && !req->messages)
		return llmr_errf(e, LLMR_EX_DATAERR, "needs \"prompt\" or \"messages\"");
	if (complexity && (req->complexity = llmr_complexity_parse(complexity)) < 0)
		return llmr_errf(e, LLMR_EX_DATAERR,
				 "\"complexity\": '%s' is not simple, medium or complex", complexity);
	if (req->priority && !(strlen(req->priority) == 2 && req->priority[0] == 'P' &&
			       req->priority[1] >= '0' && req->priority[1] <= '3'))
		return llmr_errf(e, LLMR_EX_DATAERR, "\"priority\": '%s' is not P0..P3",
				 req->priority);
	if ((v = json_object_get(obj, "max_tokens"))) {
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return llmr_errf(e, LLMR_EX_DATAERR,
					 "\"max_tokens\" must be a non-negative integer");
		req->max_tokens = (long)json_integer_value(v);
	}
	if ((v = json_object_get(obj, "temperature"))) {
		if (!json_is_number(v) || json_number_value(v) < 0)
			return llmr_errf(e, LLMR_EX_DATAERR,
					 "\"temperature\" must be a non-negative number");
		req->temperature = json_number_value(v);
	}
	if ((v = json_object_get(obj, "cache"))) {
		if (!json_is_boolean(v))
			return llmr_errf(e, LLMR_EX_DATAERR, "\"cache\" must be true or false");
		req->no_cache = !json_is_true(v);
	}
	if ((v = json_object_get(obj, "json"))) {
		if (!json_is_boolean(v))
			return llmr_errf(e, LLMR_EX_DATAERR, "\"json\" must be true or false");
		req->json = json_is_true(v);
	}
	return 0;
}
