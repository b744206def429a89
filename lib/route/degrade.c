#include "route/degrade.h"

#include "route/coord_degrade.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route/quota.h"
#include "route/quota_db.h"

bool llmr_degrade_decide(bool active, const struct llmr_degrade_signals *s, char *reason,
			 size_t n)
{
	bool enough = s->attempts >= LLMR_DEGRADE_MIN_ATTEMPTS;

	if (enough && s->rate_429 >= LLMR_DEGRADE_ON_429) {
		snprintf(reason, n, "429 rate %.0f%% over the last minute", s->rate_429 * 100);
		return true;
	}
	if (s->p95_ms >= LLMR_DEGRADE_ON_P95_MS) {
		snprintf(reason, n, "p95 latency %.1fs", s->p95_ms / 1000.0);
		return true;
	}
	if (s->queue_depth >= LLMR_DEGRADE_ON_QUEUE) {
		snprintf(reason, n, "%ld requests queued for quota", s->queue_depth);
		return true;
	}
	if (!active)
		return false;
	/* Stay on until every signal has calmed down. */
	if ((enough && s->rate_429 >= LLMR_DEGRADE_OFF_429) || s->p95_ms >= LLMR_DEGRADE_OFF_P95_MS ||
	    s->queue_depth >= LLMR_DEGRADE_OFF_QUEUE) {
		snprintf(reason, n, "recovering: 429 rate %.0f%%, p95 %.1fs, queue %ld",
			 s->rate_429 * 100, s->p95_ms < 0 ? 0.0 : s->p95_ms / 1000.0, s->queue_depth);
		return true;
	}
	return false;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int p95(sqlite3 *db, int64_t since, int64_t *out, struct llmr_err *e)
{
	int64_t v[500];
	size_t n = 0;
	sqlite3_stmt *s;
	int rc;

	*out = -1;
	if (llmr_qdb_stmt(db, "SELECT latency_ms FROM requests WHERE ts_ms > ?1 AND status = 'ok'"
			     " AND latency_ms IS NOT NULL ORDER BY ts_ms DESC LIMIT 500", &s, e) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, since);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < 500)
		v[n++] = sqlite3_column_int64(s, 0);
	llmr_qdb_done(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return llmr_qdb_fail(db, rc, "cannot read latencies", e);
	if (n) {
		qsort(v, n, sizeof(v[0]), cmp_i64);
		*out = v[(n * 95 + 99) / 100 - 1];
	}
	return 0;
}

static int measure_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct llmr_degrade_signals *s = ud;
	int64_t now = llmr_now_ms(), since = now - LLMR_DEGRADE_WINDOW_MS;

	memset(s, 0, sizeof(*s));
	if (llmr_qdb_count(db, "SELECT COUNT(*) FROM requests WHERE ts_ms > ?1 AND cache IS NOT 'exact'"
			   " AND cache IS NOT 'semantic'", since, &s->attempts, e) < 0 ||
	    llmr_qdb_count(db, "SELECT COUNT(*) FROM requests WHERE ts_ms > ?1 AND status = 'rate_limited'",
			   since, &s->rate_limited, e) < 0 ||
	    llmr_qdb_count(db, "SELECT COUNT(*) FROM quota_waiters WHERE seen_ms > ?1",
			   now - LLMR_QDB_WAITER_STALE_MS, &s->queue_depth, e) < 0)
		return -1;
	s->rate_429 = s->attempts ? (double)s->rate_limited / (double)s->attempts : 0;
	return p95(db, since, &s->p95_ms, e);
}

int llmr_degrade_measure(struct llmr_state *st, struct llmr_degrade_signals *s,
			 struct llmr_err *e)
{
	return llmr_state_tx(st, 0, measure_fn, s, e);
}

static int load(sqlite3 *db, struct llmr_degrade *d, int64_t *checked, struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	*checked = 0;
	if (llmr_qdb_stmt(db, "SELECT active, since_ms, checked_ms, COALESCE(reason,'') FROM degrade"
			     " WHERE id = 1", &s, e) < 0)
		return -1;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		d->active = sqlite3_column_int(s, 0) != 0;
		d->since_ms = sqlite3_column_int64(s, 1);
		*checked = sqlite3_column_int64(s, 2);
		snprintf(d->reason, sizeof(d->reason), "%s", (const char *)sqlite3_column_text(s, 3));
	}
	llmr_qdb_done(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : llmr_qdb_fail(db, rc, "cannot read degraded mode", e);
}

static int store(sqlite3 *db, const struct llmr_degrade *d, int64_t now, struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (llmr_qdb_stmt(db, "INSERT OR REPLACE INTO degrade (id, active, since_ms, checked_ms, reason)"
			     " VALUES (1, ?, ?, ?, ?)", &s, e) < 0)
		return -1;
	sqlite3_bind_int(s, 1, d->active);
	sqlite3_bind_int64(s, 2, d->since_ms);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_text(s, 4, d->reason, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	llmr_qdb_done(s);
	return rc == SQLITE_DONE ? 0 : llmr_qdb_fail(db, rc, "cannot store degraded mode", e);
}

struct update_ctx {
	struct llmr_degrade *d;
	bool readonly;   /* a read-only state: decide, but store nothing */
};

static int update_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct update_ctx *c = ud;
	struct llmr_degrade *d = c->d;
	int64_t now = llmr_now_ms(), checked;
	char reason[160] = "";
	bool next;

	memset(d, 0, sizeof(*d));
	if (load(db, d, &checked, e) < 0)
		return -1;
	if (now - checked < 1000)
		return 0;
	if (measure_fn(db, &d->sig, e) < 0)
		return -1;
	next = llmr_degrade_decide(d->active, &d->sig, reason, sizeof(reason));
	if (next != d->active)
		d->since_ms = now;
	if (next || d->active)
		snprintf(d->reason, sizeof(d->reason), "%s", next ? reason : "signals back to normal");
	d->active = next;
	return c->readonly ? 0 : store(db, d, now, e);
}

/* The stored state, when it was checked less than a second ago: *fresh. */
struct peek_ctx {
	struct llmr_degrade *d;
	bool fresh;
};

static int peek_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct peek_ctx *c = ud;
	int64_t checked;

	memset(c->d, 0, sizeof(*c->d));
	if (load(db, c->d, &checked, e) < 0)
		return -1;
	c->fresh = llmr_now_ms() - checked < 1000;
	return 0;
}

int llmr_degrade_update(struct llmr_state *st, struct llmr_degrade *d, struct llmr_err *e)
{
	struct update_ctx c = {d, sqlite3_db_readonly(llmr_state_db(st), "main") == 1};
	struct peek_ctx pk = {d, false};
	int rc;

	/* Checked within the second (nearly every request of a busy server):
	 * a read answers, without the write lock. Else the check under it,
	 * which reads again, as another process may have just stored one. */
	rc = llmr_state_tx(st, 0, peek_fn, &pk, e);
	if (rc == 0 && !pk.fresh)
		rc = llmr_state_tx(st, !c.readonly, update_fn, &c, e);

	/* Coordinated: on for every host when any host's signals say so. */
	if (rc == 0)
		llmr_coord_degrade_share(st, d);
	return rc;
}

static int reset_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	(void)ud;
	return llmr_qdb_exec_i64(db, "INSERT OR REPLACE INTO degrade (id, active, since_ms, checked_ms,"
				 " reason) VALUES (1, 0, ?1, ?2, 'reset by hand')",
				 llmr_now_ms(), llmr_now_ms(), e);
}

int llmr_degrade_reset(struct llmr_state *st, struct llmr_err *e)
{
	llmr_coord_degrade_reset(st);
	return llmr_state_tx(st, 1, reset_fn, NULL, e);
}
