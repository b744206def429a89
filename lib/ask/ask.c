#include "ask/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ask/transcript.h"
#include "learn/learned_route.h"
#include "route/route.h"

/*
 * The decision llmr-route prints, from the same request structure: the
 * route, the tier and the chain (borrowed from ra), and what it skipped.
 */
static int decide(struct ask_run *run, struct llmr_err *e)
{
	struct llmr_route_req rreq;
	struct llmr_route_ask_in in = {&rreq, run->req->budget, run->id};
	const struct llmr_decision *d;
	char by[160];
	json_t *sk;

	llmr_ask_req_route(run->req, &rreq, &run->route_text);
	rreq.id = run->id;
	llmr_learned_tier(run->ctx->learned, run->ctx->cfg, &rreq, by, sizeof(by));
	if (!(run->ra = llmr_route_ask_begin(run->ctx->cfg, run->ctx->st, &in, e)))
		return -1;
	d = llmr_route_ask_decided(run->ra);
	if (!(run->route = d->rcfg))
		return llmr_errf(e, LLMR_EX_CONFIG, "no route is configured");
	run->priority = llmr_priority_name(d->priority);
	run->complexity = d->complexity;
	run->degraded = llmr_route_ask_degraded(run->ra);
	run->chain.refs = (struct llmr_model_ref *)llmr_route_ask_chain(run->ra, &run->chain.n);
	sk = llmr_route_ask_skipped(run->ra);
	json_array_extend(run->skipped, sk);
	json_decref(sk);
	return 0;
}

/* Nothing left to call: fail as llmr-route exits, naming every skip. */
static void no_candidate(struct ask_run *run)
{
	const struct llmr_decision *d = llmr_route_ask_decided(run->ra);
	enum llmr_errclass cls = llmr_decision_errclass(d);
	struct llmr_buf why = LLMR_BUF_INIT;

	for (size_t i = 0; i < d->nskipped; i++)
		llmr_buf_addf(&why, "%s%s: %s", i ? "; " : "", d->skipped[i].spec, d->skipped[i].why);
	llmr_ask_fail(run, cls != LLMR_ERR_NONE ? cls : LLMR_ERR_NO_CANDIDATE, "no candidate left%s%s",
		      why.len ? ": " : "", why.len ? why.s : "");
	llmr_buf_release(&why);
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
	llmr_buf_release(&run->last_msg);
	llmr_buf_release(&run->route_text);
}

/*
 * Walk the chain from its first candidate until one answers (1), the chain
 * ends (0) or an error stops it (-1). A hedge that called the next
 * candidate already moves past it.
 */
static int walk_chain(struct ask_run *run, struct llmr_chat_result *r)
{
	int rc = 0;

	for (size_t i = 0; i < run->chain.n && rc == 0; i++) {
		rc = llmr_ask_try_candidate(run, &run->chain.refs[i],
					    i + 1 < run->chain.n ? &run->chain.refs[i + 1] : NULL, r);
		if (run->next_used) {
			i++;
			run->next_used = false;
		}
	}
	return rc;
}

/* FrugalGPT cascade: an empty, truncated or non-JSON answer climbs a tier. */
static int cascade(struct ask_run *run, struct llmr_chat_result *r)
{
	char why[200];
	int rc = 1;

	/* Tool calls are an answer, though they hold no text. */
	while (rc == 1 && run->ra && !run->req->model && !json_array_size(r->tool_calls) &&
	       run->answered_by->provider->protocol != LLMR_PROTO_EXTRACTIVE &&
	       llmr_route_check_answer(r->text.s, r->text.len, r->finish_reason, run->req->json,
				       why, sizeof(why)) < 0 &&
	       llmr_route_ask_escalate(run->ra)) {
		llmr_ask_skip(run, run->answered_by, why);
		run->chain.refs = (struct llmr_model_ref *)llmr_route_ask_chain(run->ra, &run->chain.n);
		run->complexity = llmr_route_ask_complexity(run->ra);
		rc = walk_chain(run, r);
	}
	return rc;
}

/* Budget spent (P2/P3) or degraded mode (P3): say so, do not run. */
static json_t *skipped_json(struct ask_run *run, int *exit_code)
{
	char why[200];
	const char *skip;

	if (!run->ra || !(skip = llmr_route_ask_skip(run->ra, why, sizeof(why))))
		return NULL;
	*exit_code = LLMR_EX_TEMPFAIL;
	return json_pack("{s:s,s:s,s:s,s:{s:s,s:s},s:[]}", "id", run->id, "skipped", skip,
			 "priority", run->priority, "error", "class", skip, "message", why,
			 "attempts");
}

/*
 * JSON was asked for and even the last answer is not a JSON object: the
 * request failed (class protocol, exit 69), though out keeps the answer
 * and its cost for whoever wants to look. Not cached.
 */
static bool not_json(struct ask_run *run, const struct llmr_chat_result *r, json_t *out,
		     int *exit_code)
{
	char why[200], msg[400];

	/* Tool calls are the answer: there is no JSON text to check. */
	if (!run->req->json || json_array_size(r->tool_calls) ||
	    llmr_route_check_answer(r->text.s, r->text.len, r->finish_reason, true, why,
				    sizeof(why)) == 0)
		return false;
	snprintf(msg, sizeof(msg), "%s: no JSON object in the answer (%s)", run->answered_by->spec,
		 why);
	json_object_set_new(out, "error", json_pack("{s:s, s:s}", "class",
						    llmr_errclass_name(LLMR_ERR_PROTOCOL), "message", msg));
	*exit_code = llmr_errclass_exit(LLMR_ERR_PROTOCOL);
	return true;
}

/* The chain walked (and climbed): the Response, or why nothing answered. */
static json_t *answer(struct ask_run *run, int64_t t0, int *exit_code)
{
	struct llmr_chat_result r;
	json_t *out;
	int rc;

	llmr_chat_result_init(&r);
	if (!run->chain.n)
		no_candidate(run);
	rc = walk_chain(run, &r);
	if (rc == 1)
		rc = cascade(run, &r);
	if (rc == 1) {
		const struct llmr_model_ref *ref = run->answered_by;
		double cost = ref->provider->protocol == LLMR_PROTO_EXTRACTIVE
				      ? 0
				      : llmr_usage_cost(ref->model, &r.usage);

		*exit_code = 0;
		out = llmr_ask_success_json(run, ref, &r, cost, llmr_mono_ms() - t0);
		if (not_json(run, &r, out, exit_code)) {
			llmr_chat_result_release(&r);
			return out;
		}
		llmr_ask_cache_store(run, out);
		llmr_route_ask_end(run->ra, true, cost);
		run->ra = NULL;
	} else if (run->cancelled) {
		*exit_code = llmr_errclass_exit(LLMR_ERR_CANCELLED);
		out = llmr_ask_failure_json(run, llmr_errclass_name(LLMR_ERR_CANCELLED), "interrupted");
	} else {
		if (run->last_class == LLMR_ERR_NONE)
			llmr_ask_fail(run, LLMR_ERR_NETWORK, "no model of the chain could be tried");
		*exit_code = llmr_errclass_exit(run->last_class);
		out = llmr_ask_failure_json(run, llmr_errclass_name(run->last_class), run->last_msg.s);
	}
	llmr_chat_result_release(&r);
	return out;
}

/* A request that cannot be routed or built: bad input, or the config. */
static json_t *bad_request(struct ask_run *run, const struct llmr_err *e, int *exit_code)
{
	*exit_code = e->code;
	return llmr_ask_failure_json(run, llmr_errclass_name(e->code == LLMR_EX_CONFIG
								     ? LLMR_ERR_CONFIG
								     : LLMR_ERR_BAD_INPUT),
				     e->msg);
}

/* The route named (or the default), before any decision: the prompt and
 * the cache key need it, and a cache hit must cost no classifier call. */
static int find_route(struct ask_run *run, struct llmr_err *e)
{
	e->code = 0;
	if ((run->route = llmr_route_find(run->ctx->cfg, run->req->route, e)))
		return 0;
	return e->code ? -1 : llmr_errf(e, LLMR_EX_CONFIG, "no route is configured");
}

/* The cache first (exact, then waiting for the same question in flight
 * elsewhere), then the decision and the chain. */
static json_t *run_request(struct ask_run *run, int64_t t0, int *exit_code)
{
	struct llmr_err e = {0, ""};
	json_t *out;

	if (find_route(run, &e) < 0 || llmr_ask_build_messages(run, &e) < 0 ||
	    llmr_ask_add_rag(run, &e) < 0)
		return bad_request(run, &e, exit_code);
	llmr_ask_cache_prepare(run);
	if ((out = llmr_ask_cache_lookup(run, t0)) || (out = llmr_ask_cache_coalesce(run, t0))) {
		*exit_code = 0;
		return out;
	}
	if (decide(run, &e) < 0)
		return bad_request(run, &e, exit_code);
	if ((out = skipped_json(run, exit_code)))
		return out;
	return answer(run, t0, exit_code);
}

json_t *llmr_ask(struct llmr_ask_ctx *ctx, const struct llmr_ask_req *req, int *exit_code)
{
	struct ask_run run;
	int64_t t0 = llmr_mono_ms();
	json_t *out;

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
	out = run_request(&run, t0, exit_code);
	llmr_ask_cache_release(&run);
	llmr_route_ask_end(run.ra, false, 0);
	llmr_ask_transcript(ctx, req, out);
	run_release(&run);
	return out;
}
