#include "route/coord_sync.h"

#include <stdio.h>
#include <stdlib.h>

#include "route/quota_db.h"

struct claim {
	int64_t since, now;
	struct llmr_coord_row *rows;
	size_t n, cap;
};

static int add_row(struct claim *c, sqlite3_stmt *s)
{
	struct llmr_coord_row *r;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->rows = realloc(c->rows, c->cap * sizeof(*c->rows));
		if (!c->rows)
			return -1;
	}
	r = &c->rows[c->n++];
	r->id = sqlite3_column_int64(s, 0);
	snprintf(r->provider, sizeof(r->provider), "%s", (const char *)sqlite3_column_text(s, 1));
	snprintf(r->model, sizeof(r->model), "%s", (const char *)sqlite3_column_text(s, 2));
	r->t_end = sqlite3_column_int64(s, 3);
	r->tokens = (long)sqlite3_column_int64(s, 4);
	r->held = sqlite3_column_int(s, 5) != 0;
	return 0;
}

static int claim_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct claim *c = ud;
	sqlite3_stmt *s;
	long last = 0, top = 0;
	int rc;

	c->n = 0;
	if (llmr_qdb_count(db, "SELECT COALESCE(MAX(last_id), 0) FROM coord_sync WHERE ?1 = ?1", 0, &last, e) < 0 ||
	    llmr_qdb_count(db, "SELECT COALESCE(MAX(id), 0) FROM quota_log WHERE ?1 = ?1", 0, &top, e) < 0)
		return -1;
	if (llmr_qdb_prepare(db, "SELECT id, provider, model, t_end, tokens, held FROM quota_log"
			     " WHERE id > ?1 AND t_start >= ?2 AND t_end > ?3", &s, e) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, last);
	sqlite3_bind_int64(s, 2, c->since);
	sqlite3_bind_int64(s, 3, c->now - 86400000);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (add_row(c, s) < 0) {
			sqlite3_finalize(s);
			return llmr_errf(e, LLMR_EX_SOFTWARE, "out of memory");
		}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return llmr_qdb_fail(db, rc, "cannot claim rows to copy", e);
	return llmr_qdb_exec_i64(db, "INSERT INTO coord_sync (k, last_id) VALUES (0, ?1)"
				 " ON CONFLICT (k) DO UPDATE SET last_id = MAX(last_id, ?1) WHERE ?2 = ?2", top, 0, e);
}

int llmr_coord_sync_claim(struct llmr_state *st, int64_t since, struct llmr_coord_row **rows, size_t *n)
{
	struct claim c = {since, llmr_now_ms(), NULL, 0, 0};
	int rc = llmr_state_tx(st, 1, claim_fn, &c, NULL);

	if (rc < 0) {
		free(c.rows);
		c.rows = NULL;
		c.n = 0;
	}
	*rows = c.rows;
	*n = c.n;
	return rc;
}
