/*
 * route_ask.h - what llmr_ask() asks of routing, in a few calls, so that
 * ask.c stays the attempt loop:
 *
 *   begin   classify and decide (route view: breakers, monthly budgets,
 *           degraded mode), draw on the request budget; the chain to walk;
 *   admit   before each attempt: the breaker (half-open probe included) and
 *           a quota reservation, waiting in the fair queue per on_limit;
 *   done    after each attempt: settle or release the reservation, record
 *           the outcome on the breaker;
 *   end     settle or refund the budget draw, free everything.
 */
#ifndef LLMR_ROUTE_ASK_H
#define LLMR_ROUTE_ASK_H

#include <jansson.h>
#include <stdbool.h>

#include "conf/config.h"
#include "provider/provider.h"
#include "route/quota.h"
#include "route/route.h"
#include "store/state.h"
#include "base/util.h"

struct llmr_route_ask;

struct llmr_route_ask_in {
	/* The request as llmr-route decides it: the same llmr_route_decide()
	 * makes the chain. It is copied; its strings are borrowed until end.
	 * With req->model, no classifier is called and no tier is climbed. */
	const struct llmr_route_req *req;
	const char *budget;      /* request budget id, or NULL */
	const char *request_id;  /* for logging the model classifier's call */
};

/*
 * Start routing one request. st may be NULL (no live state: nothing is
 * reserved). Returns a new object (free with llmr_route_ask_end), or NULL
 * with e (an unknown route, model or budget id: LLMR_EX_DATAERR).
 */
struct llmr_route_ask *llmr_route_ask_begin(const struct llmr_config *cfg, struct llmr_state *st,
					    const struct llmr_route_ask_in *in, struct llmr_err *e);

/* The chain to walk (borrowed, valid until end); n may be 0. */
const struct llmr_model_ref *llmr_route_ask_chain(const struct llmr_route_ask *ra, size_t *n);
/* The tier decided. */
int llmr_route_ask_complexity(const struct llmr_route_ask *ra);
/* The decision (borrowed, valid until end): route, priority, skipped,
 * and why the chain is empty (llmr_decision_errclass). */
const struct llmr_decision *llmr_route_ask_decided(const struct llmr_route_ask *ra);
/* Non-NULL when the request must not run: "budget" or "degraded". */
const char *llmr_route_ask_skip(const struct llmr_route_ask *ra, char *why, size_t n);
/* Degraded mode was on, or the budget degraded this request. */
bool llmr_route_ask_degraded(const struct llmr_route_ask *ra);
/* The decision's skipped candidates: [{"model","why"}], a new reference. */
json_t *llmr_route_ask_skipped(const struct llmr_route_ask *ra);
/* The decision as DESIGN.md prints it, a new reference (NULL if none). */
json_t *llmr_route_ask_decision(const struct llmr_route_ask *ra);

/*
 * May ref be called now? more: a candidate is left after it (fall back
 * rather than wait, unless the route says on_limit: wait). Returns 1 when
 * admitted (call llmr_route_ask_done after the attempt), 0 when ref must be
 * skipped (why says so).
 */
int llmr_route_ask_admit(struct llmr_route_ask *ra, const struct llmr_model_ref *ref, bool more,
			 char *why, size_t n);

/*
 * Hedging runs two admitted attempts at once, while ra holds one quota
 * reservation: swap ra's reservation with *other (zeroed for "none") to
 * admit the second and to close each with llmr_route_ask_done.
 */
void llmr_route_ask_swap_res(struct llmr_route_ask *ra, struct llmr_quota_res *other);

/* The attempt admitted last ended with r. */
void llmr_route_ask_done(struct llmr_route_ask *ra, const struct llmr_model_ref *ref,
			 const struct llmr_chat_result *r);

/*
 * The same, after log(ud) has written the attempt to the request log (log
 * may be NULL), all in one state transaction when the state is this
 * host's alone (no Redis): the attempt's cost is logged, its quota settled,
 * its money released and its breaker told at one commit, so a concurrent
 * cap check sees the cost either held or logged, never neither. With Redis
 * they run one by one, log first, as llmr_route_ask_done does.
 */
void llmr_route_ask_done_logged(struct llmr_route_ask *ra, const struct llmr_model_ref *ref,
				const struct llmr_chat_result *r, void (*log)(void *ud), void *ud);

/* Try a stronger tier after an answer that failed the cascade check?
 * Re-decides one tier up; returns 1 with a new chain, 0 when there is none. */
int llmr_route_ask_escalate(struct llmr_route_ask *ra);

/* The request is over: settle (answered) or refund the budget, free ra. */
void llmr_route_ask_end(struct llmr_route_ask *ra, bool answered, double cost_usd);

#endif
