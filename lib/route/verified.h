/*
 * verified.h - when each provider last answered a probe (llmr-bench
 * probe), kept in the state table provider_verified and shown by
 * llmr-quota: the last time the fallback chain was known to work.
 */
#ifndef LLMR_ROUTE_VERIFIED_H
#define LLMR_ROUTE_VERIFIED_H

#include <jansson.h>
#include <stdint.h>

#include "store/state.h"

/* provider answered model's probe now, in latency_ms: 0, or -1 with e. */
int llmr_verified_record(struct llmr_state *st, const char *provider, const char *model,
			 int64_t latency_ms, struct llmr_err *e);

/*
 * {"at": epoch ms, "model", "latency_ms"} for provider (new reference), or
 * NULL when it never answered a probe, or the state predates the table
 * (a read-only state file is not migrated).
 */
json_t *llmr_verified_get(struct llmr_state *st, const char *provider);

#endif
