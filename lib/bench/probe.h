/*
 * probe.h - llmr-bench probe, the plan's "test the fallback chain" button:
 * one tiny request to each model of each chain, through llmr_ask (so
 * quotas, caps and the cost log apply as to any call), its status and
 * latency stored in bench_probes, and each provider that answered marked
 * verified (route/verified.h) for llmr-quota to show.
 */
#ifndef LLMR_BENCH_PROBE_H
#define LLMR_BENCH_PROBE_H

#include <jansson.h>

#include "conf/config.h"
#include "store/state.h"

/* What a probe asks: short, so that it costs next to nothing. */
#define LLMR_PROBE_PROMPT "Reply with the single word OK."
#define LLMR_PROBE_MAX_TOKENS 8

/*
 * The models to probe, each once, in the order met: every tier's chain of
 * route (NULL: of every route; with no routes, every configured model).
 * Returns [{"model","provider","routes":[names]}] (new reference), or NULL
 * with e (65) for an unknown route.
 */
json_t *llmr_probe_plan(const struct llmr_config *cfg, const char *route, struct llmr_err *e);

/*
 * Probe one model of the plan: adds "status": "ok"; "failed" with
 * "error"; or "skipped" with "why" when no call was made, which is no
 * fault of the provider: it has no key or is inactive, or (then also
 * "temporary": true) a quota, breaker or budget refused the call; "latency_ms" and "error" to item, and stores the
 * outcome. cancel (borrowed, may be NULL) stops the call in flight when it
 * becomes non-zero. Returns 0, or -1 with e when the state cannot be
 * written.
 */
int llmr_probe_one(const struct llmr_config *cfg, struct llmr_state *st, json_t *item,
		   const volatile int *cancel, struct llmr_err *e);

#endif
