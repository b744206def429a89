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

#include "net/ratelimit.h"
#include "route/coord.h"

/* Keep what rl says for provider/model in Redis, for every host; nothing
 * when Redis is not in force (an outage is recorded). */
void llmr_coord_ratelimit_save(struct llmr_state *st, const char *provider, const char *model,
			       const struct llmr_ratelimit *rl);

/* Forget the headers of provider (NULL: every provider) in Redis, as
 * llmr_quota_reset_cooldown() does in the state file. */
void llmr_coord_ratelimit_reset(struct llmr_state *st, const char *provider);

#endif
