/* Calendar resets of the daily windows, and key expiry (quota_calendar.h). */
#include "route/quota_calendar.h"

#include <stdio.h>

#include "base/calreset.h"
#include "route/quota_db.h"

static const char since_sql[] =
	"SELECT COUNT(*), COALESCE(SUM(tokens),0) FROM quota_log"
	" WHERE provider = ?1 AND t_end > ?2 AND (?3 IS NULL OR model = ?3)";

/* One window: what ended after the last reset (or is still held) counts. */
static int recount(sqlite3 *db, const char *provider, const char *model, const char *spec,
		   int64_t now, struct llmr_quota_win *win, int tokens, struct llmr_err *e)
{
	char tz[128], why[300];
	int minute, rc;
	sqlite3_stmt *s;

	if (!spec || llmr_reset_parse(spec, &minute, tz, sizeof(tz), why, sizeof(why)) < 0)
		return 0; /* checked at load: only a zone removed since can fail */
	if (llmr_qdb_stmt(db, since_sql, &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, provider, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, llmr_reset_last(now, minute, tz));
	if (model)
		sqlite3_bind_text(s, 3, model, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		win->used = (long)sqlite3_column_int64(s, tokens ? 1 : 0);
		win->free_at = win->used ? llmr_reset_next(now, minute, tz) : 0;
		rc = SQLITE_OK;
	}
	llmr_qdb_done(s);
	return rc == SQLITE_OK ? 0 : llmr_qdb_fail(db, rc, "cannot read quota usage", e);
}

int llmr_quota_calendar(sqlite3 *db, const char *provider, const char *model,
			const struct llmr_limits *l, int64_t now, struct llmr_quota_win *w,
			struct llmr_err *e)
{
	if (recount(db, provider, model, l->rpd_reset, now, &w[LLMR_QW_RPD], 0, e) < 0 ||
	    recount(db, provider, model, l->tpd_reset, now, &w[LLMR_QW_TPD], 1, e) < 0)
		return -1;
	return 0;
}

void llmr_key_expiry_alert(const struct llmr_provider_cfg *p, int64_t now, json_t *alerts)
{
	int64_t at = p->key_expires ? llmr_date_parse(p->key_expires) : -1;
	int64_t days;
	char msg[200];

	if (at < 0 || at - now > (int64_t)LLMR_KEY_EXPIRY_WARN_DAYS * 86400000)
		return;
	/* Whole days left, rounded up: "in 1 day" until the day itself. */
	days = (at - now + 86399999) / 86400000;
	if (at <= now)
		snprintf(msg, sizeof(msg), "%s: key expired %s", p->name, p->key_expires);
	else
		snprintf(msg, sizeof(msg), "%s: key expires %s (in %lld day%s)", p->name,
			 p->key_expires, (long long)days, days == 1 ? "" : "s");
	json_array_append_new(alerts, json_string(msg));
}
