/*
 * quota_calendar.h - daily windows that reset at a wall-clock time
 * (limits: {rpd_reset: "00:00 America/Los_Angeles"}) count from the last
 * reset instead of over a sliding 24 h; and a key's expiry as an alert.
 */
#ifndef LLMR_QUOTA_CALENDAR_H
#define LLMR_QUOTA_CALENDAR_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

#include "conf/config.h"
#include "route/quota.h"

/*
 * Recount w's rpd and tpd windows for provider (model NULL: every model)
 * from their last calendar reset when l has one; free_at becomes the next
 * reset. Windows without a reset are left as they are. Returns 0 or -1.
 */
int llmr_quota_calendar(sqlite3 *db, const char *provider, const char *model,
			const struct llmr_limits *l, int64_t now, struct llmr_quota_win *w,
			struct llmr_err *e);

/* Days before key_expires when the alert starts. */
#define LLMR_KEY_EXPIRY_WARN_DAYS 14

/* An alert into alerts when p's key expires within LLMR_KEY_EXPIRY_WARN_DAYS
 * of now, or has expired: "openai: key expires 2027-03-01 (in 9 days)". */
void llmr_key_expiry_alert(const struct llmr_provider_cfg *p, int64_t now, json_t *alerts);

#endif
