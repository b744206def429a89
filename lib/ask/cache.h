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

/* Store resp (borrowed) under key until expires_ms, dropping entries that
 * have expired. Returns 0, or -1 with e. */
int llmr_cache_put(struct llmr_state *st, const char *key, const json_t *resp, int64_t now_ms,
		   int64_t expires_ms, struct llmr_err *e);

#endif
