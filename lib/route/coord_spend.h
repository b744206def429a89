/*
 * coord_spend.h - monthly spending caps across hosts through Redis (see
 * coord.h), called by spend.c: the provider, route and total caps of
 * spend.h hold for every host sharing one Redis, as they hold for every
 * process sharing one state file.
 *
 * The state file stays the source of truth: each host's spend this month
 * is what its own log says. Each host publishes that figure into Redis
 * (one hash per scope and month, one field per host, only ever raised),
 * so a figure published twice counts once, and spending logged during an
 * outage counts as soon as the host is back. Holds (the estimated cost of
 * calls in flight) live in a sorted set scored by their lease: a host
 * that dies leaves nothing held past it. One Lua script checks every cap
 * against every host's spend plus every hold and takes the hold.
 *
 * Each hold also sets the host's outage allowance, its share
 * (coordination_share) of what is left of the cap, which every other
 * host's check counts as held. While Redis is down, each host spends no
 * more than its last allowance (kept in the table coord_spend_seen), so
 * the hosts alone can never together cross a cap; a host that never held
 * through Redis this month gets its share of the cap. When Redis lost its
 * data, and with it the allowances, each host not heard from since keeps
 * its share of the cap held until it speaks again.
 */
#ifndef LLMR_COORD_SPEND_H
#define LLMR_COORD_SPEND_H

#include <sqlite3.h>

#include "route/coord_quota.h"
#include "route/spend.h"

/*
 * Hold q->est_usd in Redis if no cap is crossed across hosts. 1 held
 * (h->remote and the names set), 0 a cap would be crossed (why), or
 * LLMR_COORD_GO_LOCAL when Redis is not in force (not configured, down).
 */
int llmr_coord_spend_reserve(struct llmr_state *st, const struct llmr_spend_req *q,
			     struct llmr_spend_hold *h, char *why, size_t n);

/* Drop h's Redis hold and publish this host's spend (its cost is logged
 * by now). Nothing when h holds nothing in Redis; a Redis gone meanwhile
 * is an outage, and the hold ends at its lease. */
void llmr_coord_spend_release(struct llmr_state *st, struct llmr_spend_hold *h);

/*
 * Inside the local reservation's transaction: the cap to check this
 * host's own spending against for scope ("provider", "route", "total")
 * and name. cap itself unless Redis is configured and down; then its
 * spend at its last hold plus its allowance (above), and label gets
 * " (this host's allowance, Redis down)" appended.
 */
double llmr_coord_spend_local_cap(sqlite3 *db, const char *scope, const char *name, double cap,
				  int64_t month0, char *label, size_t n);

/* llmr-quota: provider's spend this month across every host, from Redis,
 * into *usd (which holds this host's; the larger is kept). 1 when Redis
 * answered, 0 when it is not in force. */
int llmr_coord_spend_month(struct llmr_state *st, const char *provider, double *usd);

/* Inside the local hold's transaction, after llmr_coord_spend_reserve()
 * held in Redis: record what Redis said (coord_spend_seen), for an
 * outage. 0, or -1 with e. */
int llmr_coord_spend_note(sqlite3 *db, struct llmr_err *e);

#endif
