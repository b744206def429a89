/*
 * attempt_log.h - the request log: one row per provider attempt (whatever
 * called the provider: an answer, a retry, a hedge, the classifier, an
 * embedding), the latest rate-limit headers per provider and model, and the
 * spend summed from the rows. llmr-cost reads these rows back; nothing
 * rewrites them.
 */
#ifndef LLMR_ATTEMPT_LOG_H
#define LLMR_ATTEMPT_LOG_H

#include <stdint.h>

#include "provider/provider.h"
#include "store/state.h"

/* One provider attempt, as logged in the requests table. */
struct llmr_attempt {
	const char *request_id;
	int attempt;              /* 1, 2, ... within the request */
	int64_t ts_ms;            /* when the attempt started (epoch ms) */
	const char *route, *priority, *complexity; /* may be NULL */
	const char *provider, *model;
	const char *status;       /* "ok" or an error class name */
	const char *error_message; /* may be NULL */
	long http_status;         /* 0 if none */
	struct llmr_usage usage;
	double cost_usd;
	int64_t latency_ms, ttft_ms; /* -1 unknown */
	const char *fallback_from; /* model this attempt replaced, or NULL */
	const char *cache;         /* "miss", "exact", "semantic", or NULL */
	double similarity;         /* of a semantic hit; 0: none (logged NULL) */
};

/* Append one row to requests; a single short transaction. */
int llmr_state_log_attempt(struct llmr_state *st, const struct llmr_attempt *a,
			   struct llmr_err *e);

/* Keep the latest rate-limit headers seen for provider (and model, may be
 * NULL) so llmr-quota can show them. */
int llmr_state_save_ratelimit(struct llmr_state *st, const char *provider, const char *model,
			      const struct llmr_ratelimit *rl, int64_t seen_ms, struct llmr_err *e);

/* Sum of cost_usd logged since since_ms (for /cost in the REPL). */
int llmr_state_spend_since(struct llmr_state *st, int64_t since_ms, double *usd, long *requests,
			   struct llmr_err *e);

#endif
