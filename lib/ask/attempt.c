#include "ask/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/extractive.h"

/* Keys are secrets: wiped before the memory goes back. */
static void drop_key(char *key)
{
	if (key) {
		explicit_bzero(key, strlen(key));
		free(key);
	}
}

static int run_extractive(struct ask_run *run, const struct llmr_model_ref *ref,
			  struct llmr_chat_result *r, struct llmr_err *e)
{
	const char *coll = run->req->collection ? run->req->collection : run->route->index;
	json_t *sources = NULL;
	int64_t t0 = llmr_mono_ms();

	if (!run->ctx->st)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "%s needs the state file", ref->spec);
	if (llmr_extractive_answer(run->ctx->st, run->ctx->cfg, coll, llmr_ask_question(run), r,
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

/* The offline answer from the index: no key, no quota, no retry. */
static int try_extractive(struct ask_run *run, const struct llmr_model_ref *ref,
			  struct llmr_chat_result *r)
{
	struct llmr_err e = {0, ""};
	int64_t t0 = llmr_now_ms();

	run->attempt_no++;
	if (run_extractive(run, ref, r, &e) < 0) {
		r->err = LLMR_ERR_SERVER;
		snprintf(r->errmsg, sizeof(r->errmsg), "%s", e.msg);
	}
	llmr_ask_log_attempt(run, ref, r, t0, 0);
	llmr_ask_add_attempt(run, ref, r);
	if (!r->err) {
		run->answered_by = ref;
		return 1;
	}
	llmr_ask_fail(run, r->err, "%s: %s", ref->spec, r->errmsg);
	run->last_model = ref->spec;
	return 0;
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

/* May ref be called now (breaker, shared quota)? If not, it is skipped. */
static bool admitted(struct ask_run *run, const struct llmr_model_ref *ref, bool more)
{
	char why[200];

	if (!run->ra || llmr_route_ask_admit(run->ra, ref, more, why, sizeof(why)))
		return true;
	llmr_ask_skip(run, ref, why);
	if (run->last_class == LLMR_ERR_NONE || run->last_class == LLMR_ERR_AUTH)
		llmr_ask_fail(run, LLMR_ERR_RATE_LIMITED, "%s: %s", ref->spec, why);
	return false;
}

/*
 * An interrupted call is billed for what the provider did: when it said
 * nothing about usage, count the prompt and the text streamed so far
 * (about four bytes a token), so that the log does not lose the money.
 */
static void usage_so_far(const struct ask_run *run, struct llmr_chat_result *r)
{
	size_t bytes = run->system.len;

	if (r->usage_seen || !r->text.len)
		return;
	for (size_t i = 0; i < run->nmsgs; i++)
		bytes += strlen(run->msgs[i].content);
	r->usage.input_tokens = (long)(bytes + 3) / 4;
	r->usage.output_tokens = (long)(r->text.len + 3) / 4;
}

/*
 * One call of ref, hedged with next on a first try when the route says
 * so. Returns 1 or 0 when a hedge settled it (answered or both failed),
 * else LLMR_ASK_HEDGE_NOT_STARTED with ref's outcome in r, logged.
 */
static int call_once(struct ask_run *run, const struct llmr_model_ref *ref, const char *key,
		     const struct llmr_chat_req *creq, const struct llmr_model_ref *next,
		     struct llmr_chat_result *r, int try_no)
{
	int64_t t0 = llmr_now_ms();
	int hr;

	llmr_chat_result_release(r);
	llmr_chat_result_init(r);
	run->attempt_no++;
	run->streamed_text = false;
	if (try_no == 0 && llmr_ask_hedge_wanted(run, next)) {
		hr = llmr_ask_hedged_attempt(run, ref, key, creq, next, r, t0);
		if (hr != LLMR_ASK_HEDGE_NOT_STARTED)
			return hr;
	} else {
		llmr_provider_chat(ref->provider, key, creq, r, llmr_ask_note_delta, run);
	}
	if (llmr_ask_stopping(run)) {
		struct llmr_chat_result seen;

		usage_so_far(run, r);
		seen = *r;
		/* The user's stop is no failure of the provider: its breaker is
		 * left alone, and the quota counts what was sent, ended now. */
		seen.err = LLMR_ERR_NONE;
		run->status_override = llmr_errclass_name(LLMR_ERR_CANCELLED);
		llmr_ask_attempt_over(run, ref, r, &seen, t0, llmr_usage_cost(ref->model, &r->usage));
		llmr_ask_add_attempt(run, ref, r);
		run->status_override = NULL;
		return 0;
	}
	/* Logged before done gives the money held back: a cost is always in
	 * the log or in a hold, so a concurrent cap check never misses it. */
	llmr_ask_attempt_over(run, ref, r, r, t0, llmr_usage_cost(ref->model, &r->usage));
	llmr_ask_add_attempt(run, ref, r);
	return LLMR_ASK_HEDGE_NOT_STARTED;
}

static void chat_req(const struct ask_run *run, const struct llmr_model_ref *ref,
		     struct llmr_chat_req *creq)
{
	memset(creq, 0, sizeof(*creq));
	creq->model = ref->model->name;
	creq->system = run->system.len ? run->system.s : NULL;
	creq->msgs = run->msgs;
	creq->nmsgs = run->nmsgs;
	creq->max_tokens = run->req->max_tokens;
	creq->temperature = run->req->temperature;
	creq->json = run->req->json;
	creq->stream = run->req->stream;
	creq->cancel = run->ctx->cancel;
	creq->params = run->req->params;
	creq->on_tool = llmr_ask_note_tool;
}

/* ref's key, or NULL when it has none (ref is then skipped). */
static char *candidate_key(struct ask_run *run, const struct llmr_model_ref *ref)
{
	struct llmr_err e = {0, ""};
	char *key = llmr_provider_api_key(ref->provider, &e);

	if (!key) {
		llmr_ask_skip(run, ref, e.msg);
		if (run->last_class == LLMR_ERR_NONE)
			llmr_ask_fail(run, LLMR_ERR_AUTH, "%s", e.msg);
	}
	return key;
}

int llmr_ask_try_candidate(struct ask_run *run, const struct llmr_model_ref *ref,
			   const struct llmr_model_ref *next, struct llmr_chat_result *r)
{
	bool more = next != NULL;
	const struct llmr_provider_cfg *p = ref->provider;
	struct llmr_chat_req creq;
	char *key;
	int try_no, rc;
	int64_t wait;

	if (p->status == LLMR_PSTATUS_INACTIVE) {
		llmr_ask_skip(run, ref, "provider inactive");
		return 0;
	}
	/* A tool exchange goes on only with a model that takes tools. */
	if (llmr_ask_req_uses_tools(run->req) &&
	    (p->protocol == LLMR_PROTO_EXTRACTIVE || ref->model->tools == 0)) {
		llmr_ask_skip(run, ref, p->protocol == LLMR_PROTO_EXTRACTIVE
						? "the request uses tools: the extractive model has none"
						: "the request uses tools: the model does not take them "
						  "(tools: false)");
		if (run->last_class == LLMR_ERR_NONE)
			llmr_ask_fail(run, LLMR_ERR_NO_CANDIDATE, "%s: does not take tools", ref->spec);
		return 0;
	}
	if (p->protocol == LLMR_PROTO_EXTRACTIVE)
		return try_extractive(run, ref, r);
	if (!(key = candidate_key(run, ref)))
		return 0;
	chat_req(run, ref, &creq);
	for (try_no = 0;; try_no++) {
		if (llmr_ask_stopping(run) || !admitted(run, ref, more))
			break;
		rc = call_once(run, ref, key, &creq, next, r, try_no);
		if (rc != LLMR_ASK_HEDGE_NOT_STARTED || run->cancelled) {
			drop_key(key);
			/* An answer that was complete stands, even if a stop came. */
			return rc == 1 ? 1 : run->cancelled ? -1 : rc;
		}
		if (!r->err) {
			drop_key(key);
			run->answered_by = ref;
			return 1;
		}
		llmr_ask_fail(run, r->err, "%s: %s%s%s", ref->spec, llmr_errclass_name(r->err),
			      r->errmsg[0] ? ": " : "", r->errmsg);
		run->last_model = ref->spec;
		if (!llmr_errclass_falls_back(r->err)) {
			drop_key(key);
			return -1;
		}
		if (try_no >= p->max_retries || (wait = retry_wait_ms(run, r, try_no, more)) < 0) {
			if (more && run->streamed_text && run->ctx->on_fallback)
				run->ctx->on_fallback(ref->spec, NULL, llmr_errclass_name(r->err),
						      run->ctx->ud);
			break;
		}
		/* The retry streams its answer from the start again: a reader
		 * of the stream must know the text so far is void. */
		if (run->streamed_text && run->ctx->on_fallback)
			run->ctx->on_fallback(ref->spec, ref->spec, llmr_errclass_name(r->err),
					      run->ctx->ud);
		/* In slices, so that an interrupt does not wait out a retry-after. */
		for (int64_t until = llmr_mono_ms() + wait, left; (left = until - llmr_mono_ms()) > 0 &&
								  !llmr_ask_stopping(run);)
			llmr_sleep_ms(left < 100 ? left : 100);
	}
	drop_key(key);
	return run->cancelled ? -1 : 0;
}
