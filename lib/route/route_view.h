/*
 * route_view.h - a snapshot of what the state file says about every
 * provider (breaker, quota windows, header-learned limits, this month's
 * spend, measured latency, degraded mode), read once and turned into the
 * struct llmr_route_view that route decisions consult. llmr-route refreshes
 * it every second instead of querying per decision; llmr-ask loads one per
 * request. A snapshot previews; the atomic check is llmr_quota_acquire().
 */
#ifndef LLMR_ROUTE_VIEW_H
#define LLMR_ROUTE_VIEW_H

#include <stdbool.h>

#include "conf/config.h"
#include "route/route.h"
#include "store/state.h"
#include "base/util.h"

struct llmr_route_snap;

/* Read the snapshot. cfg and st are borrowed and must outlive it. quotas:
 * whether the view drops candidates whose quota is full; llmr-ask passes
 * false, as its reservations check quotas atomically and wait or fall back
 * per the route's on_limit. Returns 0 and *out (free with
 * llmr_route_snap_free), or -1 with e. */
int llmr_route_snap_load(struct llmr_state *st, const struct llmr_config *cfg, bool quotas,
			 struct llmr_route_snap **out, struct llmr_err *e);
void llmr_route_snap_free(struct llmr_route_snap *s);

/* Fill v so that route decisions use s (borrowed by v). */
void llmr_route_snap_view(struct llmr_route_snap *s, struct llmr_route_view *v);

/* Spend of provider since the first day of this month (UTC), from the
 * requests log. */
int llmr_route_month_spend(struct llmr_state *st, const char *provider, double *usd,
			   struct llmr_err *e);

/* Epoch ms of the first instant of the current month, UTC. */
int64_t llmr_route_month_start(int64_t now_ms);

#endif
