/*
 * quota_report.h - the live status of every provider as one JSON object,
 * the single source of both `llmr-quota --json` and its table:
 *
 *   {"providers":[{"name","status","protocol","limits":{...},"used":{...},
 *     "remaining":{...},"frees_at":{...},"headers":{...},"cooldown_until",
 *     "breaker":{"state","failures","retry_at","last_error"},
 *     "month_spend_usd","budget_usd_per_month","alerts":[...]}...],
 *    "degraded":{"active","since","reason","signals":{...}},
 *    "alerts":["openai: 12% of tpd left", ...], "generated_at": ms}
 *
 * Windows are named rps, rpm, rpd, tps, tpm, tpd, concurrent; only those
 * with a limit appear in "limits" and "remaining". Times are epoch ms.
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
 * Render report r as the status table: one row per provider (status, quota
 * today, used, remaining, RPM left, next reset, breaker), then degraded
 * mode and the alerts. color: ANSI colours for the status. Appends to out;
 * returns 0.
 */
int llmr_quota_table(json_t *r, bool color, struct llmr_buf *out);

#endif
