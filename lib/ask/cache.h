/*
 * cache.h - the exact response cache: an answer is kept in the state file
 * for cache.exact_ttl and given again, at no cost, to the same question put
 * to the same chain with the same parameters.
 */
#ifndef LLMR_CACHE_H
#define LLMR_CACHE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "provider/provider.h"
#include "store/state.h"
#include "base/util.h"

/*
 * The canonical key of a question: a new JSON string (caller frees) naming
 * the scope (the chain of models that may answer, or the one model asked),
 * the system prompt, the messages and the parameters that change an answer.
 */
char *llmr_cache_key(const char *scope, const char *system, const struct llmr_msg *msgs,
		     size_t nmsgs, long max_tokens, double temperature, bool json);

/*
 * Look key up. Returns 1 and sets *resp (new reference: the Response object
 * stored with it) on a hit that has not expired at now_ms, 0 on a miss, -1
 * with e on a state error.
 */
int llmr_cache_get(struct llmr_state *st, const char *key, int64_t now_ms, json_t **resp,
		   struct llmr_err *e);

/* What an entry is filed under: its key, and the route and namespace
 * llmr-cost cache reports and purges by. */
struct llmr_cache_entry {
	const char *key, *route, *ns;
};

/* Store resp (borrowed) under ent until expires_ms, dropping entries that
 * have expired. Returns 0, or -1 with e. */
int llmr_cache_put(struct llmr_state *st, const struct llmr_cache_entry *ent, const json_t *resp,
		   int64_t now_ms, int64_t expires_ms, struct llmr_err *e);

/* The 128-bit hash (32 hex digits) a key is filed under. */
void llmr_cache_hash(const char *key, char out[33]);

/*
 * Coalescing (cache_lease.c): identical requests in flight in several
 * processes make one call. claim, in one BEGIN IMMEDIATE transaction:
 * the answer if it is stored by now (LLMR_LEASE_HIT, *resp a new
 * reference); else the lease if nobody holds it, or its holder's lease
 * expired or its process is gone (LLMR_LEASE_OWNER: call, store, release);
 * else LLMR_LEASE_WAIT (poll again). Returns -1 with e on a state error.
 */
enum { LLMR_LEASE_HIT = 1, LLMR_LEASE_OWNER = 2, LLMR_LEASE_WAIT = 3 };
struct llmr_lease {
	long pid;
	int64_t token;
};
int llmr_cache_claim(struct llmr_state *st, const char *key, const struct llmr_lease *me,
		     int64_t now_ms, int64_t lease_ms, json_t **resp, struct llmr_err *e);
/* Give the lease back (only if me still holds it). */
int llmr_cache_release(struct llmr_state *st, const char *key, const struct llmr_lease *me,
		       struct llmr_err *e);

#endif
