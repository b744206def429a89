/*
 * quota_report.h - the live status of every provider as one JSON object,
 * the single source of both `llmr-quota --json` and its table:
 *
 *   {"providers":[{"name","status","tier","protocol","limits":{...},"used":{...},
 *     "remaining":{...},"frees_at":{...},
 *     "windows":{"rpd":{"unit","limit","used","remaining","resets_at"},...},
 *     "binding":{"window","blocked","resets_at","why"},
 *     "headers":{...},"cooldown_until",
 *     "breaker":{"state","failures","retry_at","last_error"},
 *     "month_spend_usd","budget_usd_per_month","alerts":[...],
 *     "last_verified":{"at","model","latency_ms"} or null}...],
 *    "degraded":{"active","since","reason","signals":{...}},
 *    "alerts":["openai: 12% of tpd left", ...], "generated_at": ms}
 *
 * Windows are named rps, rpm, rpd, tps, tpm, tpd, concurrent; only those
 * with a limit appear in "limits", "remaining" and "windows" (unit "req" or
 * "tok"; resets_at, when the oldest counted entry leaves, absent while the
 * window is empty). "binding" is the window that refuses a request now
 * (blocked true, why says so; also "cooldown" or "headers"), else the
 * limited window with the smallest share left; absent with no limits.
 * "last_verified" is when a probe (llmr-bench probe) last got an answer
 * from the provider. Times are epoch ms.
 *
 * "sources" says where the figures come from: {"windows", "headers",
 * "month_spend_usd"}, each "redis" (every host's, through Redis) or
 * "state" (this host's state file: no coordination, or Redis down).
 * "headers" are the newest a provider sent: with coordination, those any
 * host read (kept in Redis) when newer than this host's own; they carry
 * "source", "admitted_since":{"requests","tokens"} (by every host, with
 * Redis), and from Redis "learned_by" ("this host" or "another host") and
 * "model" (whose headers). "cooldown_until" (a retry-after) comes with them.
 */
#ifndef LLMR_QUOTA_REPORT_H
#define LLMR_QUOTA_REPORT_H

#include <jansson.h>
#include <stdbool.h>

#include "conf/config.h"
#include "store/state.h"
#include "base/util.h"

/* Build the report (only provider `only` when not NULL). Returns a new
 * reference, or NULL with e. */
json_t *llmr_quota_report(struct llmr_state *st, const struct llmr_config *cfg, const char *only,
			  struct llmr_err *e);

/*
 * Render report r as the status table: one row per provider (tier, status,
 * quota today, used and remaining with their unit, RPM left, breaker, and
 * the reset of the binding window), under it one line per limited window
 * with its own reset, then degraded mode and the alerts. Resets are
 * relative ("in 3h12m"), with the local date when not today. color: ANSI colours for the status. Appends to out;
 * returns 0.
 */
int llmr_quota_table(json_t *r, bool color, struct llmr_buf *out);

#endif
