/*
 * coord_ratelimit.h - limits learned from response headers, shared by the
 * hosts through Redis (see coord.h). What one host reads in a provider's
 * x-ratelimit-*, anthropic-ratelimit-* or retry-after headers is kept in
 * Redis, on Redis's clock, and every host's reservation script applies it
 * (coord_lua.h), counting what every host admitted since, as quota.h
 * does with the ratelimits table for one state file. The table is still
 * written: the state file records every header it saw.
 */
#ifndef LLMR_COORD_RATELIMIT_H
#define LLMR_COORD_RATELIMIT_H

#include <stdbool.h>

#include "net/ratelimit.h"
#include "route/coord.h"

/* Keep what rl says for provider/model in Redis, for every host; nothing
 * when Redis is not in force (an outage is recorded). */
void llmr_coord_ratelimit_save(struct llmr_state *st, const char *provider, const char *model,
			       const struct llmr_ratelimit *rl);

/* Forget the headers of provider (NULL: every provider) in Redis, as
 * llmr_quota_reset_cooldown() does in the state file. */
void llmr_coord_ratelimit_reset(struct llmr_state *st, const char *provider);

/* What the newest response headers of a provider (or of one of its
 * models) said, as kept in Redis by any host; instants on this host's
 * clock, 0 none; counts -1 absent. */
struct llmr_coord_headers {
	int64_t seen_ms, req_reset_at, tok_reset_at, cooldown_until;
	long req_limit, req_remaining, tok_limit, tok_remaining;
	long req_since, tok_since;  /* admitted by every host since */
	char model[128];            /* whose headers; "" the provider's */
	bool mine;                  /* this host read them */
};

/* llmr-quota: 1 and h filled, 0 when Redis has none for p, or
 * LLMR_COORD_GO_LOCAL when Redis is not in force (an outage is
 * recorded). One round trip. */
int llmr_coord_ratelimit_read(struct llmr_state *st, const struct llmr_provider_cfg *p,
			      struct llmr_coord_headers *h);

#endif
