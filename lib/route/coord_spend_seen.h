/*
 * coord_spend_seen.h - what this host last saw of every host's monthly
 * spend in Redis (the table coord_spend_seen), for coord_spend.c: the
 * share a host may spend alone in an outage, and the floor that keeps a
 * Redis restarted empty from looking less spent. The functions of
 * coord_spend.h that read it (llmr_coord_spend_local_cap(),
 * llmr_coord_spend_note()) are here.
 */
#ifndef LLMR_COORD_SPEND_SEEN_H
#define LLMR_COORD_SPEND_SEEN_H

#include "route/coord_spend.h"

/* Per scope (provider, route, total; name NULL: not this call's): this
 * host's spend then, its calls in flight included; every host's spend
 * plus holds; every host's spend alone. */
struct llmr_coord_seen {
	const char *scope[3], *name[3];
	double own[3], all[3], spent[3];
	int64_t month0;
	int64_t seq;   /* the hold's number in Redis: a later one wins */
};

/* This host's name in Redis (a hash of its hostname and state file). */
void llmr_coord_spend_host(struct llmr_state *st, char out[24]);

/* The Redis keys of coord_spend.c that say how much of provider's cap is
 * spent and held this month (coord_spend_view.c reads them). */
struct llmr_coord_spend_keys {
	char holds[96], recs[100], back[96], heard[96], mark[96], spent[400], allow[408];
};
void llmr_coord_spend_keys(const char *provider, int64_t month0, struct llmr_coord_spend_keys *out);

/* Keep c (copied) for llmr_coord_spend_note(); NULL forgets it. */
void llmr_coord_seen_set(const struct llmr_coord_seen *c);

#endif
