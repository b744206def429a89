/*
 * coord_degrade.h - degraded mode across hosts through Redis (see
 * coord.h). Each host measures its own signals (its request log and
 * queue); a host whose signals turn degraded mode on publishes it, with
 * its reason, in a key that lives 10 s and is refreshed at every update
 * while the signals last; every host finds it there and degrades too.
 * When no host refreshes it, it expires, and the hosts go back to their
 * own signals.
 */
#ifndef LLMR_COORD_DEGRADE_H
#define LLMR_COORD_DEGRADE_H

#include "route/coord_quota.h"
#include "route/degrade.h"

/* After this host's own update of d: publish d when it is on; else turn
 * it on from another host's. Nothing when Redis is not in force. */
void llmr_coord_degrade_share(struct llmr_state *st, struct llmr_degrade *d);

/* Switch it off for every host (a host still over its thresholds turns it
 * on again at its next update). */
void llmr_coord_degrade_reset(struct llmr_state *st);

#endif
