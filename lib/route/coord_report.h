/*
 * coord_report.h - the "coordination" part of llmr-quota's report:
 *
 *   "coordination": {"mode": "local"|"redis"|"fallback", "url", "prefix",
 *     "healthy", "rtt_us", "error", "share",
 *     "last_outage": {"started_at", "ended_at", "reason"}}
 *
 * url is without the password; healthy and rtt_us come from one PING
 * (a failing one is an outage like any other). Times are epoch ms.
 */
#ifndef LLMR_COORD_REPORT_H
#define LLMR_COORD_REPORT_H

#include <jansson.h>

#include "store/state.h"
#include "base/util.h"

json_t *llmr_coord_report(struct llmr_state *st);

/* One line or two under llmr-quota's table. */
void llmr_coord_table(json_t *c, struct llmr_buf *out);

#endif
