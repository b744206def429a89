/*
 * Pending routing changes (routing_pending): filed by llmr-bench recommend,
 * listed by pending, turned into a routing version by approve (which
 * llmr-cost rollback undoes like any other) or dropped by reject.
 */
#include "learn/recommend.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost/routing_version.h"
#include "cost/simulate.h"

char *llmr_change_arg(const struct llmr_change *c)
{
	struct llmr_buf b = LLMR_BUF_INIT;

	llmr_buf_addf(&b, "%s:%s=%s", c->route, llmr_complexity_name(c->tier), c->chain);
	return b.s;
}

/* The simulated impact, kept as JSON beside the change. */
static char *impact_json(const struct llmr_change *c)
{
	json_t *o = json_pack("{s:I, s:I, s:f, s:f}", "requests", (json_int_t)c->requests, "changed",
			      (json_int_t)c->changed, "before_usd", c->before_usd, "after_usd",
			      c->after_usd);
	char *s;

	json_object_set_new(o, "delta_quality", isnan(c->delta_quality) ? json_null() : json_real(c->delta_quality));
	json_object_set_new(o, "delta_latency_ms",
			    isnan(c->delta_latency_ms) ? json_null() : json_real(c->delta_latency_ms));
	json_object_set_new(o, "why", json_string(c->why));
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(o);
	return s;
}

struct file_ctx {
	struct llmr_state *st;
	struct llmr_change *c;
	int64_t now;
	const char *impact;
};

static const char sql_same[] = "SELECT id FROM routing_pending WHERE status = 'pending'"
			       " AND route = ?1 AND tier = ?2 AND chain = ?3";
static const char sql_add[] = "INSERT INTO routing_pending (created_ms, route, tier, chain, old_chain, impact)"
			      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

static int file_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct file_ctx *f = ud;
	sqlite3_stmt *s;
	int rc;

	if (llmr_state_stmt(f->st, sql_same, &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, f->c->route, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, llmr_complexity_name(f->c->tier), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, f->c->chain, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	f->c->existed = rc == SQLITE_ROW;
	if (f->c->existed)
		f->c->id = (long)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return llmr_state_is_busy(rc) ? SQLITE_BUSY : llmr_state_dberr(f->st, "cannot read pending changes", e);
	if (f->c->existed)
		return 0;
	if (llmr_state_stmt(f->st, sql_add, &s, e) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, f->now);
	sqlite3_bind_text(s, 2, f->c->route, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, llmr_complexity_name(f->c->tier), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, f->c->chain, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, f->c->old_chain, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, f->impact, -1, SQLITE_STATIC);
	if ((rc = llmr_state_step_done(f->st, s, "cannot file a pending change", e)))
		return rc;
	f->c->id = (long)sqlite3_last_insert_rowid(db);
	return 0;
}

int llmr_change_file(struct llmr_state *st, struct llmr_change *c, int64_t now_ms,
		     struct llmr_err *e)
{
	char *impact = impact_json(c);
	struct file_ctx f = {st, c, now_ms, impact};
	int rc = llmr_state_tx(st, 1, file_fn, &f, e);

	c->created_ms = now_ms;
	free(impact);
	return rc ? -1 : 0;
}

void llmr_changes_free(struct llmr_change *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].route);
		free(c[i].old_chain);
		free(c[i].chain);
		free(c[i].why);
		free(c[i].status);
	}
	free(c);
}

static double num_or_nan(json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* One row of routing_pending (columns as selected below) into c. */
static void read_change(sqlite3_stmt *s, struct llmr_change *c)
{
	json_t *im = json_loads((const char *)sqlite3_column_text(s, 6), 0, NULL);

	memset(c, 0, sizeof(*c));
	c->id = (long)sqlite3_column_int64(s, 0);
	c->created_ms = sqlite3_column_int64(s, 1);
	c->route = llmr_xstrdup((const char *)sqlite3_column_text(s, 2));
	c->tier = llmr_complexity_parse((const char *)sqlite3_column_text(s, 3));
	c->chain = llmr_xstrdup((const char *)sqlite3_column_text(s, 4));
	c->old_chain = llmr_xstrdup((const char *)sqlite3_column_text(s, 5));
	c->status = llmr_xstrdup((const char *)sqlite3_column_text(s, 7));
	c->version = (long)sqlite3_column_int64(s, 8);
	c->requests = (long)json_integer_value(json_object_get(im, "requests"));
	c->changed = (long)json_integer_value(json_object_get(im, "changed"));
	c->before_usd = num_or_nan(json_object_get(im, "before_usd"));
	c->after_usd = num_or_nan(json_object_get(im, "after_usd"));
	c->delta_quality = num_or_nan(json_object_get(im, "delta_quality"));
	c->delta_latency_ms = num_or_nan(json_object_get(im, "delta_latency_ms"));
	c->why = llmr_xstrdup(json_string_value(json_object_get(im, "why")) ? json_string_value(json_object_get(im, "why")) : "");
	json_decref(im);
}

static int select_changes(struct llmr_state *st, const char *where, long id, struct llmr_change **out,
			  size_t *n, struct llmr_err *e)
{
	char sql[256];
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	*n = 0;
	snprintf(sql, sizeof(sql),
		 "SELECT id, created_ms, route, tier, chain, old_chain, impact, status, version"
		 " FROM routing_pending WHERE %s ORDER BY id", where);
	if (sqlite3_prepare_v2(llmr_state_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return llmr_state_dberr(st, "cannot read pending changes", e);
	if (id)
		sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out = llmr_xrealloc(*out, (*n + 1) * sizeof(**out));
		read_change(s, &(*out)[(*n)++]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return llmr_state_dberr(st, "cannot read pending changes", e);
	return 0;
}

int llmr_changes_list(struct llmr_state *st, bool all, struct llmr_change **c, size_t *n,
		      struct llmr_err *e)
{
	return select_changes(st, all ? "1" : "status = 'pending'", 0, c, n, e);
}

struct decide_ctx {
	long id, version;
	int64_t now;
	const char *status;
};

static int decide_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct decide_ctx *d = ud;
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db,
			       "UPDATE routing_pending SET status = ?2, version = ?3, decided_ms = ?4"
			       " WHERE id = ?1 AND status = 'pending'",
			       -1, &s, NULL) != SQLITE_OK)
		return llmr_errf(e, LLMR_EX_IOERR, "cannot update a pending change: %s", sqlite3_errmsg(db));
	sqlite3_bind_int64(s, 1, d->id);
	sqlite3_bind_text(s, 2, d->status, -1, SQLITE_STATIC);
	if (d->version)
		sqlite3_bind_int64(s, 3, d->version);
	sqlite3_bind_int64(s, 4, d->now);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (llmr_state_is_busy(rc))
		return SQLITE_BUSY;
	if (rc != SQLITE_DONE)
		return llmr_errf(e, LLMR_EX_IOERR, "cannot update a pending change: %s", sqlite3_errmsg(db));
	if (!sqlite3_changes(db))
		return llmr_errf(e, LLMR_EX_DATAERR, "no pending change %ld", d->id);
	return 0;
}

int llmr_change_reject(struct llmr_state *st, long id, int64_t now_ms, struct llmr_err *e)
{
	struct decide_ctx d = {id, 0, now_ms, "rejected"};

	return llmr_state_tx(st, 1, decide_fn, &d, e) ? -1 : 0;
}

/*
 * The chain goes into a routing version first, then the change is marked:
 * were the second step lost, the change would still read pending and a
 * second approve would find the chain already in force (nothing changed).
 */
int llmr_change_approve(struct llmr_state *st, struct llmr_config *cfg, long id, int64_t now_ms,
			long *version, struct llmr_err *e)
{
	struct llmr_change *c;
	struct llmr_sim_changes ch;
	struct decide_ctx d = {id, 0, now_ms, "approved"};
	char *arg = NULL, note[160];
	bool changed = false;
	size_t n;
	int rc;

	if (select_changes(st, "id = ?1 AND status = 'pending'", id, &c, &n, e) < 0)
		return -1;
	if (!n)
		return llmr_errf(e, LLMR_EX_DATAERR, "no pending change %ld", id);
	llmr_sim_changes_init(&ch);
	arg = llmr_change_arg(&c[0]);
	snprintf(note, sizeof(note), "llmr-bench approve %ld", id);
	rc = llmr_sim_add_chain(&ch, arg, e);
	if (rc == 0 && (rc = llmr_routing_apply_changes(cfg, &ch, &changed, e)) != 0)
		e->code = LLMR_EX_CONFIG;
	if (rc == 0 && changed)
		rc = llmr_routing_save(st, cfg, note, now_ms, &d.version, e);
	if (rc == 0)
		rc = llmr_state_tx(st, 1, decide_fn, &d, e);
	*version = d.version;
	free(arg);
	llmr_sim_changes_release(&ch);
	llmr_changes_free(c, n);
	return rc ? -1 : 0;
}
