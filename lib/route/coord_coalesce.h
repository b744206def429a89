/*
 * coord_coalesce.h - identical requests in flight on several hosts make
 * one call, through Redis (see coord.h), as the processes of one host do
 * through the state file (ask/cache.h, cache_lease.c).
 *
 * The first host to miss takes a lease in Redis (SET NX, for the call's
 * bound) and calls; the others poll. The owner publishes its answer in
 * Redis for the lease's length, so that every waiter, on any host, gets it,
 * then drops the lease; when it fails, it drops the lease and one waiter
 * takes over. An owner that dies holds the lease until it lapses (another
 * host cannot see that a process is gone). Keys are named by a hash of the
 * cache key and expire by themselves.
 */
#ifndef LLMR_COORD_COALESCE_H
#define LLMR_COORD_COALESCE_H

#include <stdint.h>

#include "route/coord_quota.h" /* LLMR_COORD_GO_LOCAL */
#include "store/state.h"

enum { LLMR_COORD_CO_HIT = 1, LLMR_COORD_CO_OWNER = 3, LLMR_COORD_CO_WAIT = 4 };

/*
 * Claim key for token (unique to the request) for lease_ms. HIT with
 * *answer (the owner's answer as JSON text; free it), OWNER (call, then
 * llmr_coord_coalesce_done()), WAIT (poll again), or LLMR_COORD_GO_LOCAL
 * when Redis is not in force (the state file's lease then).
 */
int llmr_coord_coalesce_claim(struct llmr_state *st, const char *key, const char *token, int64_t lease_ms,
			      char **answer);

/* Publish answer (JSON text; NULL: none, the call failed) for keep_ms
 * and drop the lease if token still holds it. */
void llmr_coord_coalesce_done(struct llmr_state *st, const char *key, const char *token, const char *answer,
			      int64_t keep_ms);

#endif
