/*
 * spend.h - money held before a model call, so that no path can cross a
 * spending cap: the provider's monthly cap (budget: {usd_per_month} in the
 * config), the route and total monthly caps (llmr-cost budget, table
 * cost_budgets) and the dollar limit of a request budget (budget.h).
 *
 * Before a call, llmr_spend_reserve() checks every cap that applies against
 * what the log says was spent this month plus what other calls in flight
 * hold, and holds the call's estimated cost, in one BEGIN IMMEDIATE
 * transaction: processes sharing the state file cannot overspend a cap
 * together. After the call, log its actual cost first, then release the
 * hold, so that the money is never counted in neither place. A crashed
 * process's hold ends at its lease (the provider timeout plus 10 s).
 */
#ifndef LLMR_SPEND_H
#define LLMR_SPEND_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/config.h"
#include "store/state.h"
#include "base/util.h"

/* What one call may cost at most: input_tokens at the input price plus
 * output_tokens (max_tokens, else the typical answer) at the output price. */
double llmr_spend_estimate(const struct llmr_model_cfg *m, long input_tokens,
			   long output_tokens);

struct llmr_spend_req {
	const struct llmr_provider_cfg *provider; /* borrowed */
	const char *route;       /* the route the call is logged under, or NULL */
	const char *budget;      /* request budget id the call is charged to, or NULL */
	double budget_own_held;  /* what this request's own draw already holds there */
	bool budget_over;        /* a P0 call run over the budget: charge, do not check */
	double est_usd;          /* llmr_spend_estimate() */
};

struct llmr_spend_hold {
	int64_t id;              /* spend_holds row; 0 when nothing is held */
	char budget[48];         /* request budget to charge the actual cost to */
	int64_t remote;          /* the hold's id in Redis (coord_spend.h); 0 none */
	char provider[128], route[128]; /* its scopes there */
};

/*
 * Hold q->est_usd if no cap would be crossed. Returns 1 with *h held,
 * 0 when a cap would be crossed (why names it: "route 'default' monthly cap
 * $1.00: $0.98 spent, $0.00 held, ~$0.05 needed"), -1 on error with e.
 */
int llmr_spend_reserve(struct llmr_state *st, const struct llmr_spend_req *q,
		       struct llmr_spend_hold *h, char *why, size_t n, struct llmr_err *e);

/* The call is over and its cost logged: drop the hold, and add actual_usd
 * to the request budget's spend. h is emptied; nothing held is a no-op. */
int llmr_spend_release(struct llmr_state *st, struct llmr_spend_hold *h, double actual_usd,
		       struct llmr_err *e);

#endif
