/*
 * cost_savings.h - what routing and the response cache saved, recomputed
 * from the log so that a claim such as "routing + cache saves 98%" can be
 * checked rather than asserted.
 *
 * For each answered request (its last ok attempt) within the period:
 *   baseline  = its tokens priced on the baseline model, at the price in
 *               force when it was made: the route's most expensive model
 *               (highest input + output price among the route's tiers),
 *               or one named model for every request;
 *   cache     = for a cache hit, its tokens priced on the model it names
 *               (tokens a hit did not log are the route's average miss);
 *   actual    = every logged cost_usd, failed attempts included.
 * routing saved = baseline - actual - cache; total saved = baseline - actual.
 */
#ifndef LLMR_COST_SAVINGS_H
#define LLMR_COST_SAVINGS_H

#include "conf/config.h"
#include "cost/cost.h"
#include "cost/prices.h"

struct llmr_savings {
	char baseline[256];    /* "route max" or the named model */
	long requests;         /* answered requests */
	long cache_hits;
	long unpriced;         /* requests without a baseline price (left out) */
	double actual_usd, baseline_usd, cache_usd, routing_usd;
	double saved_pct;      /* (baseline - actual) / baseline * 100; NAN if 0 */
	double cache_pct, routing_pct; /* shares of baseline */
};

/* The route's most expensive model (borrowed spec) or NULL. */
const char *llmr_savings_route_max(const struct llmr_config *cfg, const struct llmr_pricebook *pb,
				   const char *route);

/*
 * Compute savings over log rows within [since, until). baseline NULL means
 * each route's most expensive model; a "provider/model" must be in pb
 * (else -1, LLMR_EX_USAGE).
 */
int llmr_savings_compute(const struct llmr_cost_log *log, int64_t since, int64_t until,
			 const struct llmr_config *cfg, const struct llmr_pricebook *pb,
			 const char *baseline, struct llmr_savings *s, struct llmr_err *e);

#endif
