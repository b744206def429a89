#include "route/route_ask.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route/breaker.h"
#include "route/budget.h"
#include "route/classify_model.h"
#include "route/quota.h"
#include "route/route_view.h"
#include "route/spend.h"

struct llmr_route_ask {
	const struct llmr_config *cfg;
	struct llmr_state *st;
	struct llmr_route_ask_in in;
	struct llmr_route_req req;  /* a copy of *in.req, as decided last */
	int asked;                  /* the tier the request asked for, or -1 */
	struct llmr_route_snap *snap;
	struct llmr_route_view view;
	struct llmr_decision *dec;
	struct llmr_model_ref refs[LLMR_ROUTE_MAX];
	size_t n;
	char extractive_spec[160];
	bool cheapest;
	bool has_ticket;
	struct llmr_budget_ticket ticket;
	const char *skip;
	char skip_why[200];
	bool degraded;
	struct llmr_quota_res res;
	struct llmr_spend_hold hold;     /* the admitted attempt's money */
	struct llmr_spend_hold hold_alt; /* the other hedged attempt's, while swapped */
	int calls;                       /* model calls made (budget.calls_per_request) */
	char classifier_by[200];
};

static void take_chain(struct llmr_route_ask *ra)
{
	ra->n = 0;
	for (size_t i = 0; i < ra->dec->nchain; i++)
		ra->refs[ra->n++] = ra->dec->chain[i].ref;
}

/* by: who set complexity (NULL: the request, or the classifier when -1). */
static int decide(struct llmr_route_ask *ra, int complexity, const char *by, struct llmr_err *e)
{
	ra->req.complexity = complexity;
	ra->req.cheapest = ra->cheapest;
	ra->req.complexity_by = by;
	if (llmr_route_decide(ra->cfg, ra->snap ? &ra->view : NULL, &ra->req, ra->dec, e) < 0)
		return -1;
	take_chain(ra);
	return 0;
}

/* A budget-degraded request may only use the offline extractive answer. */
static void extractive_only(struct llmr_route_ask *ra)
{
	size_t k = 0;

	for (size_t i = 0; i < ra->n; i++)
		if (ra->refs[i].provider->protocol == LLMR_PROTO_EXTRACTIVE)
			ra->refs[k++] = ra->refs[i];
	for (size_t i = 0; !k && i < ra->cfg->nproviders; i++)
		if (ra->cfg->providers[i].protocol == LLMR_PROTO_EXTRACTIVE) {
			snprintf(ra->extractive_spec, sizeof(ra->extractive_spec), "%s/extractive",
				 ra->cfg->providers[i].name);
			ra->refs[0].spec = ra->extractive_spec;
			ra->refs[0].provider = &ra->cfg->providers[i];
			ra->refs[0].model = ra->cfg->providers[i].nmodels ? &ra->cfg->providers[i].models[0] : NULL;
			k = 1;
		}
	ra->n = k;
}

static int64_t max_wait(const struct llmr_route_ask *ra)
{
	int64_t w = ra->dec->rcfg ? ra->dec->rcfg->max_wait_ms : -1;

	return w >= 0 ? w : 30000;
}

static int draw_budget(struct llmr_route_ask *ra, struct llmr_err *e)
{
	enum llmr_budget_verdict v;

	if (llmr_budget_draw(ra->st, ra->in.budget, ra->dec->priority, ra->dec->est_cost_usd,
			     max_wait(ra), &ra->ticket, &v, e) < 0)
		return -1;
	ra->has_ticket = true;
	switch (v) {
	case LLMR_BUDGET_CHEAPEST:
		ra->cheapest = true;
		return decide(ra, ra->classifier_by[0] ? ra->dec->complexity : ra->asked,
			      ra->classifier_by[0] ? ra->classifier_by : NULL, e);
	case LLMR_BUDGET_DEGRADE:
		ra->degraded = true;
		extractive_only(ra);
		if (ra->n)
			return 0;
		/* Nothing offline to degrade to. */
		/* fall through */
	case LLMR_BUDGET_SKIP:
		ra->skip = "budget";
		snprintf(ra->skip_why, sizeof(ra->skip_why), "budget '%s' is spent: %s skipped",
			 ra->in.budget, llmr_priority_name(ra->dec->priority));
		return 0;
	default:
		return 0;
	}
}

/* router.classifier: a cheap model picks the tier, unless the request or
 * the route already did; -1 leaves it to the heuristic. */
static int model_tier(struct llmr_route_ask *ra, struct llmr_err *e)
{
	const struct llmr_route_req *req = &ra->req;
	const struct llmr_route_cfg *route;
	int t;

	bool called;

	/* The classifier's call counts against calls_per_request: it may only
	 * take one when a call is left for the answer. */
	if (req->complexity >= 0 || req->model || !ra->cfg->router_classifier ||
	    ra->cfg->budget_calls_per_request < 2)
		return req->complexity;
	route = llmr_route_find(ra->cfg, req->route, e);
	if (route && route->force >= 0)
		return req->complexity;
	t = llmr_classify_model(ra->cfg, ra->st, ra->in.request_id, req->text, req->text_len,
				&called);
	ra->calls += called;
	if (t >= 0)
		snprintf(ra->classifier_by, sizeof(ra->classifier_by), "classifier %s",
			 ra->cfg->router_classifier);
	return t;
}

struct llmr_route_ask *llmr_route_ask_begin(const struct llmr_config *cfg, struct llmr_state *st,
					    const struct llmr_route_ask_in *in, struct llmr_err *e)
{
	struct llmr_route_ask *ra = llmr_xcalloc(1, sizeof(*ra));

	ra->cfg = cfg;
	ra->st = st;
	ra->in = *in;
	ra->req = *in->req;
	ra->asked = in->req->complexity;
	/* A tier another layer picked (the learned router) stays named as
	 * its own through a re-decision, as the model classifier's does. */
	if (in->req->complexity >= 0 && in->req->complexity_by)
		snprintf(ra->classifier_by, sizeof(ra->classifier_by), "%s", in->req->complexity_by);
	ra->in.req = NULL; /* the caller's may go: ra->req is the copy */
	ra->dec = llmr_xmalloc(sizeof(*ra->dec));
	if (st) {
		if (llmr_route_snap_load(st, cfg, false, &ra->snap, e) < 0)
			goto fail;
		llmr_route_snap_view(ra->snap, &ra->view);
	}
	if (decide(ra, model_tier(ra, e), ra->classifier_by[0] ? ra->classifier_by : NULL, e) < 0)
		goto fail;
	ra->degraded = ra->dec->degraded;
	if (ra->dec->skip) {
		ra->skip = ra->dec->skip;
		snprintf(ra->skip_why, sizeof(ra->skip_why),
			 "degraded mode: %s work is skipped until providers recover",
			 llmr_priority_name(ra->dec->priority));
		return ra;
	}
	if (st && in->budget && draw_budget(ra, e) < 0)
		goto fail;
	return ra;
fail:
	ra->has_ticket = false;
	llmr_route_ask_end(ra, false, 0);
	return NULL;
}

const struct llmr_model_ref *llmr_route_ask_chain(const struct llmr_route_ask *ra, size_t *n)
{
	*n = ra->n;
	return ra->refs;
}

int llmr_route_ask_complexity(const struct llmr_route_ask *ra)
{
	return ra->dec->complexity;
}

const struct llmr_decision *llmr_route_ask_decided(const struct llmr_route_ask *ra)
{
	return ra->dec;
}

const char *llmr_route_ask_skip(const struct llmr_route_ask *ra, char *why, size_t n)
{
	if (ra->skip)
		snprintf(why, n, "%s", ra->skip_why);
	return ra->skip;
}

bool llmr_route_ask_degraded(const struct llmr_route_ask *ra)
{
	return ra->degraded;
}

json_t *llmr_route_ask_skipped(const struct llmr_route_ask *ra)
{
	json_t *a = json_array();

	for (size_t i = 0; i < ra->dec->nskipped; i++)
		json_array_append_new(a, json_pack("{s:s,s:s}", "model", ra->dec->skipped[i].spec, "why",
						   ra->dec->skipped[i].why));
	return a;
}

json_t *llmr_route_ask_decision(const struct llmr_route_ask *ra)
{
	return llmr_decision_json(ra->dec);
}

/*
 * Hold the attempt's estimated cost against every cap (spend.h). Returns 1
 * when held (or when the state failed: a state error must not cost the
 * answer), 0 when a cap would be crossed.
 */
static int hold_money(struct llmr_route_ask *ra, const struct llmr_model_ref *ref, char *why,
		      size_t n)
{
	struct llmr_spend_req q;
	struct llmr_err e = {0, ""};
	long out = ra->req.max_tokens > 0 ? ra->req.max_tokens : ra->dec->est_output_tokens;

	memset(&q, 0, sizeof(q));
	q.provider = ref->provider;
	q.route = ra->dec->rcfg ? ra->dec->rcfg->name : NULL;
	if (ra->has_ticket && ra->ticket.drawn) {
		q.budget = ra->in.budget;
		q.budget_own_held = ra->ticket.usd_held;
		q.budget_over = ra->ticket.over;
	}
	q.est_usd = llmr_spend_estimate(ref->model, ra->dec->est_input_tokens, out);
	return llmr_spend_reserve(ra->st, &q, &ra->hold, why, n, &e) != 0;
}

/* What one admission decided, for running it inside a batch. */
struct admit {
	struct llmr_route_ask *ra;
	const struct llmr_model_ref *ref;
	int64_t wait;   /* how long the quota may be waited for */
	char *why;
	size_t n;
	int verdict;    /* 1 admitted, 0 skipped, -1 no quota now: wait for it */
};

/* The breaker, the quota (waiting at most a->wait), the money, the probe. */
static int admit_steps(struct admit *a)
{
	struct llmr_route_ask *ra = a->ra;
	const struct llmr_provider_cfg *p = a->ref->provider;
	struct llmr_breaker b;
	struct llmr_err e = {0, ""};
	bool allowed = true, probe;
	int got;

	/* Look first without taking the probe: a quota wait must not hold it. */
	if (llmr_breaker_get(ra->st, p->name, &b, &e) == 0 &&
	    llmr_breaker_blocks(&b, llmr_now_ms(), llmr_breaker_cooldown(p), a->why, a->n))
		return 0;
	got = llmr_quota_acquire(ra->st, p, a->ref->model,
				 ra->dec->est_input_tokens + ra->dec->est_output_tokens,
				 llmr_quota_rank(ra->dec->priority, ra->dec->complexity), a->wait,
				 &ra->res, a->why, a->n, &e);
	if (got == 0)
		return a->wait ? 0 : -1;
	if (hold_money(ra, a->ref, a->why, a->n) == 0) {
		llmr_quota_release(ra->st, &ra->res, false, &e);
		return 0;
	}
	/* A state error must not cost the answer: go on unreserved. */
	if (llmr_breaker_allow(ra->st, p, &allowed, &probe, a->why, a->n, &e) == 0 && !allowed) {
		llmr_quota_release(ra->st, &ra->res, false, &e);
		llmr_spend_release(ra->st, &ra->hold, 0, &e);
		return 0;
	}
	return 1;
}

/* The steps without any wait, as one transaction (see admit_batched). */
static int admit_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct admit *a = ud;

	(void)db;
	(void)e;
	a->verdict = admit_steps(a);
	return 0;
}

/*
 * Without Redis every step is a write to the state file: batched into one
 * BEGIN IMMEDIATE transaction, they cost one commit instead of four. No
 * step may wait in it (the write lock would block every other request), so
 * the quota is only tried: when none is free now and the caller would
 * wait, the batch is dropped and the steps run again one by one, waiting.
 * With Redis, each step talks to it: they stay separate transactions, so
 * that no network round trip happens under the write lock.
 */
static int admit_batched(struct admit *a)
{
	struct llmr_err e = {0, ""};
	int64_t wait = a->wait;
	bool failed;

	if (a->ra->cfg->coordination)
		return admit_steps(a) > 0;
	a->wait = 0;
	a->verdict = 0;
	failed = llmr_state_tx(a->ra->st, 1, admit_fn, a, &e) < 0;
	a->wait = wait;
	if (!failed && (a->verdict >= 0 || !wait))
		return a->verdict < 0 ? 0 : a->verdict;
	/* Nothing committed (a state error), or a wait for the quota: the
	 * long way, as without batching. */
	memset(&a->ra->res, 0, sizeof(a->ra->res));
	memset(&a->ra->hold, 0, sizeof(a->ra->hold));
	return admit_steps(a) > 0;
}

int llmr_route_ask_admit(struct llmr_route_ask *ra, const struct llmr_model_ref *ref, bool more,
			 char *why, size_t n)
{
	const struct llmr_provider_cfg *p = ref->provider;
	struct admit a = {ra, ref, 0, why, n, 0};

	memset(&ra->res, 0, sizeof(ra->res));
	memset(&ra->hold, 0, sizeof(ra->hold));
	if (p->protocol == LLMR_PROTO_EXTRACTIVE)
		return 1;
	if (ra->cfg->budget_calls_per_request > 0 && ra->calls >= ra->cfg->budget_calls_per_request) {
		snprintf(why, n, "budget.calls_per_request (%d) reached", ra->cfg->budget_calls_per_request);
		return 0;
	}
	if (!ra->st) {
		ra->calls++;
		return 1;
	}
	a.wait = (ra->dec->rcfg && ra->dec->rcfg->on_limit == LLMR_ON_LIMIT_WAIT) || !more ? max_wait(ra) : 0;
	if (!admit_batched(&a))
		return 0;
	ra->calls++;
	return 1;
}

void llmr_route_ask_swap_res(struct llmr_route_ask *ra, struct llmr_quota_res *other)
{
	struct llmr_quota_res tmp = ra->res;
	struct llmr_spend_hold h = ra->hold;

	ra->res = *other;
	*other = tmp;
	/* The money held travels with the quota reservation. */
	ra->hold = ra->hold_alt;
	ra->hold_alt = h;
}

void llmr_route_ask_done(struct llmr_route_ask *ra, const struct llmr_model_ref *ref,
			 const struct llmr_chat_result *r)
{
	struct llmr_err e = {0, ""};

	if (!ra->st || ref->provider->protocol == LLMR_PROTO_EXTRACTIVE)
		return;
	if (r->err == LLMR_ERR_NONE)
		llmr_quota_settle(ra->st, &ra->res,
				  r->usage_seen ? r->usage.input_tokens + r->usage.output_tokens
						: ra->res.tokens, &e);
	else
		llmr_quota_release(ra->st, &ra->res, r->http_status > 0 || r->err == LLMR_ERR_TIMEOUT, &e);
	llmr_spend_release(ra->st, &ra->hold, llmr_usage_cost(ref->model, &r->usage), &e);
	llmr_breaker_record(ra->st, ref->provider, r->err, &e);
}

struct done_batch {
	struct llmr_route_ask *ra;
	const struct llmr_model_ref *ref;
	const struct llmr_chat_result *r;
	void (*log)(void *ud);
	void *ud;
};

static void done_steps(struct done_batch *d)
{
	if (d->log)
		d->log(d->ud);
	llmr_route_ask_done(d->ra, d->ref, d->r);
}

static int done_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	(void)db;
	(void)e;
	done_steps(ud);
	return 0;
}

void llmr_route_ask_done_logged(struct llmr_route_ask *ra, const struct llmr_model_ref *ref,
				const struct llmr_chat_result *r, void (*log)(void *ud), void *ud)
{
	struct done_batch d = {ra, ref, r, log, ud};
	struct llmr_quota_res res = ra->res;
	struct llmr_spend_hold hold = ra->hold;
	struct llmr_err e = {0, ""};

	/* With Redis the steps talk to it: not under the write lock. */
	if (!ra->st || ra->cfg->coordination || ref->provider->protocol == LLMR_PROTO_EXTRACTIVE) {
		done_steps(&d);
		return;
	}
	if (llmr_state_tx(ra->st, 1, done_fn, &d, &e) == 0)
		return;
	/* Nothing was committed: the steps again, one transaction each. */
	ra->res = res;
	ra->hold = hold;
	done_steps(&d);
}

int llmr_route_ask_escalate(struct llmr_route_ask *ra)
{
	struct llmr_err e = {0, ""};

	if (ra->req.model || ra->dec->complexity >= LLMR_COMPLEX)
		return 0;
	if (decide(ra, ra->dec->complexity + 1, "cascade: the last answer failed its check", &e) < 0)
		return 0;
	return ra->n > 0;
}

void llmr_route_ask_end(struct llmr_route_ask *ra, bool answered, double cost_usd)
{
	struct llmr_err e = {0, ""};

	if (!ra)
		return;
	/* Each call's cost went to the budget as its hold was released. */
	(void)cost_usd;
	if (ra->has_ticket) {
		if (answered)
			llmr_budget_settle(ra->st, &ra->ticket, 0, &e);
		else
			llmr_budget_refund(ra->st, &ra->ticket, 0, &e);
	}
	llmr_spend_release(ra->st, &ra->hold, 0, &e);
	llmr_spend_release(ra->st, &ra->hold_alt, 0, &e);
	llmr_route_snap_free(ra->snap);
	free(ra->dec);
	free(ra);
}
