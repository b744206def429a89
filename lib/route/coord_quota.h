/*
 * coord_quota.h - quota reservations in Redis (see coord.h and
 * coord_lua.h), called by quota.c when coordination is configured.
 */
#ifndef LLMR_COORD_QUOTA_H
#define LLMR_COORD_QUOTA_H

#include "route/coord.h"
#include "route/quota.h"

/* llmr_coord_quota_acquire() returned this: Redis is not in force; take
 * the reservation from the state file (under llmr_coord_local_cfg()). */
#define LLMR_COORD_GO_LOCAL 2

/* As llmr_quota_acquire(), in Redis: 1 held (res->remote), 0 not admitted
 * in time (why), -1 error, or LLMR_COORD_GO_LOCAL. */
int llmr_coord_quota_acquire(struct llmr_state *st, const struct llmr_provider_cfg *p,
			     const struct llmr_model_cfg *m, long tokens, int64_t max_wait_ms,
			     struct llmr_quota_res *res, char *why, size_t n, struct llmr_err *e);

/* Settle (drop 0) or give back (drop 1) a reservation held in Redis. A
 * Redis gone meanwhile is an outage, not an error: the entry then ends at
 * its lease, which only ever counts it longer. res is emptied. */
void llmr_coord_quota_finish(struct llmr_state *st, struct llmr_quota_res *res, long tokens, int drop);

/* A reservation taken in the state file during an outage was settled or
 * given back there: when Redis is back and holds a copy of it (copied in
 * on return), end the copy too, so that it stops counting as in flight. */
void llmr_coord_quota_local_done(struct llmr_state *st, const struct llmr_quota_res *res, long tokens,
				 int drop);

/* Copies of p and m whose limits are the fallback share of theirs, when
 * coordination is configured (else p and m themselves). */
void llmr_coord_local_cfg(const struct llmr_provider_cfg **p, struct llmr_provider_cfg *pcopy,
			  const struct llmr_model_cfg **m, struct llmr_model_cfg *mcopy);

/* The Redis connection for any coordinated state, after copying in what
 * was reserved locally if Redis has just come back; NULL when not in
 * force. */
struct llmr_redis *llmr_coord_quota_conn(struct llmr_state *st);

/* Usage of provider p (model m's scope when not NULL) across every host,
 * from Redis: w[].used and free_at (epoch ms of this host). 1 when
 * filled, 0 when Redis is not in force. */
int llmr_coord_quota_usage(struct llmr_state *st, const struct llmr_provider_cfg *p,
			   const struct llmr_model_cfg *m, struct llmr_quota_win w[LLMR_QW_N]);

#endif
