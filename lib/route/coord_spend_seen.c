/* What this host last saw of Redis, for an outage (coord_spend_seen.h). */
#include "route/coord_spend_seen.h"

#include <stdio.h>
#include <string.h>

#include "route/quota_db.h"

/* What Redis said at the last hold, written with the local hold (per
 * thread: the threads of llmr-ask --serve hold at the same time)
 * (llmr_coord_spend_note(); again if that transaction is retried). */
static _Thread_local struct llmr_coord_seen pending;
static _Thread_local char pending_names[3][128];
static _Thread_local int pending_set;

static int seen_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct llmr_coord_seen *c = ud;
	sqlite3_stmt *s;
	int rc;

	for (int i = 0; i < 3; i++) {
		if (!c->name[i])
			continue;
		/* Processes of one host commit in any order: Redis's order wins
		 * (its counter restarts only when Redis lost its data). */
		if (llmr_qdb_prepare(db, "INSERT INTO coord_spend_seen (scope, name, month0, own_usd, all_usd,"
				     " spent_usd, seen_ms, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
				     " ON CONFLICT (scope, name) DO UPDATE SET month0 = excluded.month0,"
				     " own_usd = excluded.own_usd, all_usd = excluded.all_usd,"
				     " spent_usd = excluded.spent_usd, seen_ms = excluded.seen_ms, seq = excluded.seq"
				     " WHERE excluded.seq > seq OR excluded.month0 <> month0"
				     " OR excluded.seen_ms > seen_ms + 60000", &s, e) < 0)
			return -1;
		sqlite3_bind_text(s, 1, c->scope[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, c->name[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, c->month0);
		sqlite3_bind_double(s, 4, c->own[i]);
		sqlite3_bind_double(s, 5, c->all[i]);
		sqlite3_bind_double(s, 6, c->spent[i]);
		sqlite3_bind_int64(s, 7, llmr_now_ms());
		sqlite3_bind_int64(s, 8, c->seq);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			return llmr_qdb_fail(db, rc, "cannot record the spend seen in Redis", e);
	}
	return 0;
}

double llmr_coord_spend_local_cap(sqlite3 *db, const char *scope, const char *name, double cap,
				  int64_t month0, char *label, size_t n)
{
	double share = llmr_coord_share(), eff = cap * share;
	sqlite3_stmt *s;
	size_t len;

	if (cap < 0 || llmr_coord_mode() != LLMR_COORD_FALLBACK)
		return cap;
	if (sqlite3_prepare_v2(db, "SELECT month0, own_usd, all_usd FROM coord_spend_seen"
			       " WHERE scope = ?1 AND name = ?2", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, scope, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int64(s, 0) == month0) {
			double own = sqlite3_column_double(s, 1), left = cap - sqlite3_column_double(s, 2);

			/* Its own spend then, plus its allowance: its share of what was
			 * left, which Redis keeps free for it (coord_spend.c). */
			eff = own + (left > 0 ? left * share : 0);
		}
		sqlite3_finalize(s);
	}
	len = strlen(label);
	if (len < n)
		snprintf(label + len, n - len, " (this host's allowance, Redis down)");
	return eff;
}

void llmr_coord_seen_set(const struct llmr_coord_seen *c)
{
	pending_set = 0;
	if (!c)
		return;
	pending = *c;
	for (int i = 0; i < 3; i++)
		if (c->name[i]) {
			snprintf(pending_names[i], sizeof(pending_names[i]), "%s", c->name[i]);
			pending.name[i] = pending_names[i];
			pending_set = 1;
		}
}

int llmr_coord_spend_note(sqlite3 *db, struct llmr_err *e)
{
	return pending_set ? seen_fn(db, &pending, e) : 0;
}
