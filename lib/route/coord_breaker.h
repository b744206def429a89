/*
 * coord_breaker.h - circuit breakers in Redis (see coord.h), called by
 * breaker.c when coordination is configured: a breaker opened by one host
 * is open for every host. The state machine is breaker.h's, run as one
 * Lua script per operation on a hash per provider, timed by Redis's clock.
 * Each returns LLMR_COORD_GO_LOCAL when Redis is not in force (the state
 * file's breaker is used, as without coordination).
 */
#ifndef LLMR_COORD_BREAKER_H
#define LLMR_COORD_BREAKER_H

#include "route/breaker.h"
#include "route/coord_quota.h"

/* As llmr_breaker_get(); times in this host's clock. */
int llmr_coord_breaker_get(struct llmr_state *st, const char *provider, struct llmr_breaker *b);

/* As llmr_breaker_allow(), with the provider's cooldown and probe lease;
 * b gets the breaker after the step (for the caller's why). breaker.c
 * passes its settings in: this file must not call back into it. */
int llmr_coord_breaker_allow(struct llmr_state *st, const char *provider, int64_t cooldown_ms,
			     int64_t lease_ms, bool *allowed, bool *probe, struct llmr_breaker *b);

/* As llmr_breaker_record() (c already known to count, or a success). */
int llmr_coord_breaker_record(struct llmr_state *st, const char *provider, enum llmr_errclass c,
			      int threshold);

/* Close provider's breaker (NULL: all) in Redis; the caller closes the
 * state file's too. */
void llmr_coord_breaker_reset(struct llmr_state *st, const char *provider);

#endif
