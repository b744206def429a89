#include "ask/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ask/hedge.h"

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

bool llmr_ask_hedge_wanted(const struct ask_run *run, const struct llmr_model_ref *next)
{
	/* Tool-call pieces are not raced: a tool exchange is never hedged. */
	return run->route->hedge_after_ms >= 0 && !run->req->model && next &&
	       !llmr_ask_req_uses_tools(run->req) &&
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
	run->attempt_no++;
	run->status_override = cancelled ? llmr_errclass_name(LLMR_ERR_CANCELLED) : NULL;
	/* Logged first, then the hold released (see attempt.c). */
	/* A cancelled leg is billed what its usage says (usually nothing). */
	llmr_ask_attempt_over(run, ref, r, &seen, t0, llmr_usage_cost(ref->model, &r->usage));
	llmr_ask_add_attempt(run, ref, r);
	if (is_b)
		json_object_set_new(json_array_get(run->attempts, json_array_size(run->attempts) - 1),
				    "hedged", json_true());
	run->status_override = NULL;
}

int llmr_ask_hedged_attempt(struct ask_run *run, const struct llmr_model_ref *ref, const char *key,
			    const struct llmr_chat_req *creq, const struct llmr_model_ref *next,
			    struct llmr_chat_result *r, int64_t t0)
{
	struct llmr_chat_req base = *creq;
	struct llmr_hedge_leg a, b;
	struct hedge_ctx hc;
	bool stop;
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
	w = llmr_hedge_run(&a, &b, run->route->hedge_after_ms, hedge_start_b, &hc, llmr_ask_note_delta, run);
	llmr_chat_result_release(r);
	if (!hc.admitted_b) {
		*r = a.r;
		llmr_chat_result_release(&b.r);
		return LLMR_ASK_HEDGE_NOT_STARTED;
	}
	run->next_used = true;
	if (!b.started && b.r.err == LLMR_ERR_NONE) {
		b.r.err = LLMR_ERR_NETWORK;
		snprintf(b.r.errmsg, sizeof(b.r.errmsg), "could not start the hedged call");
	}
	/* B holds ra's reservation now: close B, then give A's back and close A.
	 * With no winner, a leg the user stopped is cancelled, not failed. */
	stop = w < 0 && llmr_ask_stopping(run);
	hedge_close_leg(run, next, &b.r, hc.t0_b, w == 0 || stop, true);
	if (run->ra)
		llmr_route_ask_swap_res(run->ra, &hc.res_a);
	hedge_close_leg(run, ref, &a.r, t0, w == 1 || stop, false);
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
	llmr_ask_fail(run, b.r.err ? b.r.err : a.r.err, "%s: %s; %s: %s", ref->spec, a.r.errmsg,
		      next->spec, b.r.errmsg);
	run->last_model = next->spec;
	*r = b.r;
	llmr_chat_result_release(&a.r);
	return 0;
}
