/*
 * coord_spend_view.h - the providers' monthly caps as a route decision
 * sees them when coordination is configured (coord.h), so that the
 * decision (route_view.c) skips a provider that the hold at admission
 * (coord_spend.h) would refuse, and llmr-route names llmr-ask's first
 * attempt.
 *
 * Through Redis, one script reads, for every provider with a cap, what
 * the hold's own check counts: every host's spend this month (this
 * host's from its log), every hold in flight, and the outage allowances
 * kept for the other hosts. One round trip per snapshot, whatever the
 * number of providers: a snapshot lives for one llmr-ask request, or at
 * most a second in llmr-route. Redis down or unreachable: the figures
 * the hold then uses, this host's spend and holds against its allowance
 * (llmr_coord_spend_local_cap()).
 */
#ifndef LLMR_COORD_SPEND_VIEW_H
#define LLMR_COORD_SPEND_VIEW_H

#include <stdbool.h>

#include "conf/config.h"
#include "store/state.h"

/* One provider's cap as the hold would judge it. */
struct llmr_coord_cap {
	bool capped;       /* the provider has a monthly cap */
	double cap;        /* the cap, or this host's allowance in an outage */
	double spent;      /* spent this month: every host's, or this host's */
	double held;       /* held by calls in flight (and allowances) */
	char label[200];   /* "provider 'x'", " (this host's allowance, Redis down)" */
	bool shared;       /* the figures are every host's, from Redis */
};

/*
 * Fill caps[i] for cfg->providers[i] (caps has cfg->nproviders entries).
 * 1 filled, 0 when coordination is not configured (the decision's local
 * check stands), -1 when the state could not be read (e).
 */
int llmr_coord_spend_caps(struct llmr_state *st, const struct llmr_config *cfg,
			  struct llmr_coord_cap *caps, struct llmr_err *e);

/* Would est_usd cross c? true with why in spend.h's words. */
bool llmr_coord_cap_crossed(const struct llmr_coord_cap *c, double est_usd, char *why, size_t n);

#endif
