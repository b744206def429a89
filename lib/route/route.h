/*
 * route.h - route decisions: for a request, pick the route and the tier,
 * walk that tier's chain, drop every candidate that cannot take the request
 * now (and say why), order the rest by the route's strategy, and estimate
 * tokens and cost. Nothing is called; the decision is data (DESIGN.md
 * "Decision") that llmr-route prints and llmr-ask follows.
 *
 * What the state file knows (breakers, quotas, monthly spend, latency) comes
 * in through a struct llmr_route_view, so decisions are pure functions of
 * config + view + request and can be tested without a state file.
 */
#ifndef LLMR_ROUTE_H
#define LLMR_ROUTE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "route/classify.h"
#include "conf/config.h"
#include "base/util.h"

/* Candidates kept or skipped per decision; longer chains are cut. */
#define LLMR_ROUTE_MAX 24

/*
 * The live state behind a decision. Every member may be NULL/false.
 * blocked: return true and fill why ("rpm exhausted (resets in 12s)",
 * "breaker open (retry in 20s)") when ref cannot take est_tokens now.
 * temporary is set to false when waiting would not help (monthly budget).
 * latency_ms: measured typical latency of ref, or -1 when unknown.
 * over_cap: return true and fill why when holding est_usd, ref's estimated
 * cost, would cross a monthly cap (the check llmr-ask's hold makes).
 */
struct llmr_route_view {
	bool (*blocked)(void *ud, const struct llmr_model_ref *ref, long est_tokens,
			char *why, size_t n, bool *temporary);
	int64_t (*latency_ms)(void *ud, const struct llmr_model_ref *ref);
	bool degraded; /* degraded mode is on (degrade.h) */
	void *ud;
	bool (*over_cap)(void *ud, const struct llmr_model_ref *ref, double est_usd, char *why,
			 size_t n);
};

struct llmr_route_req {
	const char *id;       /* may be NULL */
	const char *route;    /* NULL: default_route, else the first route */
	const char *model;    /* "provider/model": the chain is this model only */
	const char *text;     /* prompt, or the messages' contents joined */
	size_t text_len;
	int priority;         /* 0..3 for P0..P3; -1: the route's */
	int complexity;       /* forced by the request; -1: classify */
	long max_tokens;      /* 0 unknown */
	bool json;            /* a JSON object is asked for */
	bool cheapest;        /* order by price whatever the strategy (P0 on a
				 spent budget: cheapest capable model) */
	const char *complexity_by; /* who set complexity: NULL the request,
				      else e.g. "classifier openai/gpt-4o-mini" */
	bool scored;          /* score is the estimate behind complexity_by's
				 tier (the learned router's): the decision
				 carries it instead of the heuristic's */
	double score;
	bool tools;           /* tools defined, or a tool exchange under way:
				 only models that take tools are candidates */
};

void llmr_route_req_init(struct llmr_route_req *r);

struct llmr_route_cand {
	struct llmr_model_ref ref; /* provider/model borrowed from the config */
	char spec[160];            /* "provider/model" */
	double est_cost_usd;
	char why[160];             /* for a skipped candidate */
	enum llmr_errclass cls;    /* for a skipped candidate: rate_limited (it
				      passes: quota, breaker), auth (no key) or
				      no_candidate */
};

struct llmr_decision {
	char id[64];
	const char *route;        /* route name (borrowed) or "" */
	const struct llmr_route_cfg *rcfg; /* borrowed; NULL without routes */
	int priority;             /* 0..3 */
	int complexity;           /* tier used */
	double score;
	const char *task;         /* static */
	char reason[512];
	struct llmr_route_cand chain[LLMR_ROUTE_MAX]; /* candidates kept, in order */
	size_t nchain;
	struct llmr_route_cand skipped[LLMR_ROUTE_MAX];
	size_t nskipped;
	long est_input_tokens, est_output_tokens;
	double est_cost_usd;      /* for chain[0]; 0 when the chain is empty */
	bool degraded;            /* degraded mode was on */
	const char *skip;         /* the whole request is skipped: "degraded", or NULL */
};

/*
 * Decide for req. view may be NULL (no live state: nothing is blocked).
 * Returns 0 with d filled (d->nchain may be 0: every candidate was dropped,
 * see d->skipped), or -1 with e (LLMR_EX_DATAERR: unknown route or model).
 * A named model (req->model) is the whole chain, dropped only for what
 * stops any call (no key, inactive, context, live state), not for the
 * route's max_cost or a provider in testing.
 */
int llmr_route_decide(const struct llmr_config *cfg, const struct llmr_route_view *view,
		      const struct llmr_route_req *req, struct llmr_decision *d,
		      struct llmr_err *e);

/*
 * Why nothing can be called: LLMR_ERR_NONE when the chain is not empty;
 * else rate_limited when a candidate was dropped for a reason that passes
 * (exit 75), auth when one lacks its key (77), else no_candidate (69).
 * llmr-route exits, and llmr-ask fails, with llmr_errclass_exit() of it.
 */
enum llmr_errclass llmr_decision_errclass(const struct llmr_decision *d);

/* The route a request names, else default_route, else the first route;
 * NULL with e (LLMR_EX_DATAERR) for an unknown name, NULL without
 * routes. */
const struct llmr_route_cfg *llmr_route_find(const struct llmr_config *cfg, const char *name,
					     struct llmr_err *e);

/* The Decision object of DESIGN.md. Returns a new reference. */
json_t *llmr_decision_json(const struct llmr_decision *d);
/* The same object as one compact JSON text appended to b (no newline),
 * byte for byte what jansson would print, without building it. */
void llmr_decision_write(const struct llmr_decision *d, struct llmr_buf *b);

/*
 * The FrugalGPT cascade check: does this answer deserve a stronger tier?
 * Returns 0 when it is acceptable, or -1 and fills why: "empty answer",
 * "truncated by length", "invalid JSON" (when json was asked for).
 */
int llmr_route_check_answer(const char *text, size_t len, const char *finish_reason,
			    bool json, char *why, size_t n);

#endif
