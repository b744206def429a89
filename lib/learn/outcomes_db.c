/*
 * Outcomes in the state file. An import is one transaction, so a failure
 * half-way leaves what was stored before, untouched.
 */
#include "learn/outcomes.h"

#include <stdlib.h>
#include <string.h>

struct store_ctx {
	struct llmr_state *st;
	const struct llmr_outcomes *o;
	struct llmr_outcomes_stored *out;
	int64_t *ids;
};

static const char sql_add[] =
	"INSERT INTO outcome_prompts (prompt, added_ms) VALUES (?1, ?2) ON CONFLICT (prompt) DO NOTHING";
static const char sql_id[] = "SELECT id FROM outcome_prompts WHERE prompt = ?1";
static const char sql_score[] =
	"INSERT OR REPLACE INTO outcomes (prompt, model, score) VALUES (?1, ?2, ?3)";

static int prompt_id(struct store_ctx *c, sqlite3 *db, sqlite3_stmt *add, sqlite3_stmt *get,
		     size_t row, struct llmr_err *e)
{
	int rc;

	sqlite3_bind_text(add, 1, c->o->prompts[row], -1, SQLITE_STATIC);
	sqlite3_bind_int64(add, 2, llmr_now_ms());
	if ((rc = llmr_state_step_done(c->st, add, "cannot store a prompt", e)))
		return rc;
	if (sqlite3_changes(db)) {
		c->ids[row] = sqlite3_last_insert_rowid(db);
		c->out->prompts_new++;
		return 0;
	}
	sqlite3_bind_text(get, 1, c->o->prompts[row], -1, SQLITE_STATIC);
	rc = sqlite3_step(get);
	if (rc == SQLITE_ROW)
		c->ids[row] = sqlite3_column_int64(get, 0);
	sqlite3_reset(get);
	if (rc != SQLITE_ROW)
		return llmr_state_is_busy(rc) ? SQLITE_BUSY
					      : llmr_state_dberr(c->st, "cannot read a prompt", e);
	c->out->prompts_seen++;
	return 0;
}

static int store_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct store_ctx *c = ud;
	sqlite3_stmt *add, *get, *score;
	int rc = 0;

	memset(c->out, 0, sizeof(*c->out));
	if (llmr_state_stmt(c->st, sql_add, &add, e) < 0 || llmr_state_stmt(c->st, sql_id, &get, e) < 0 ||
	    llmr_state_stmt(c->st, sql_score, &score, e) < 0)
		return -1;
	for (size_t i = 0; i < c->o->n && !rc; i++)
		rc = prompt_id(c, db, add, get, i, e);
	for (size_t i = 0; i < c->o->ncells && !rc; i++) {
		const struct llmr_outcome_cell *cell = &c->o->cells[i];

		sqlite3_bind_int64(score, 1, c->ids[cell->row]);
		sqlite3_bind_text(score, 2, c->o->models[cell->model], -1, SQLITE_STATIC);
		sqlite3_bind_double(score, 3, cell->score);
		rc = llmr_state_step_done(c->st, score, "cannot store an outcome", e);
		c->out->outcomes++;
	}
	return rc;
}

int llmr_outcomes_store(struct llmr_state *st, const struct llmr_outcomes *o,
			struct llmr_outcomes_stored *out, struct llmr_err *e)
{
	struct store_ctx c = {st, o, out, llmr_xcalloc(o->n + 1, sizeof(int64_t))};
	int r = llmr_state_tx(st, 1, store_fn, &c, e);

	free(c.ids);
	return r;
}

int llmr_outcomes_load(struct llmr_state *st, struct llmr_outcomes *o, struct llmr_err *e)
{
	sqlite3 *db = llmr_state_db(st);
	sqlite3_stmt *s;
	int rc;
	int64_t last = -1;
	size_t row = 0;

	if (sqlite3_prepare_v2(db,
			       "SELECT p.id, p.prompt, o.model, o.score FROM outcomes o"
			       " JOIN outcome_prompts p ON p.id = o.prompt ORDER BY p.id",
			       -1, &s, NULL) != SQLITE_OK)
		return llmr_state_dberr(st, "cannot read outcomes", e);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (sqlite3_column_int64(s, 0) != last) {
			last = sqlite3_column_int64(s, 0);
			row = llmr_outcomes_row(o, (const char *)sqlite3_column_text(s, 1),
						(size_t)sqlite3_column_bytes(s, 1));
		}
		llmr_outcomes_set(o, row,
				  llmr_outcomes_model(o, (const char *)sqlite3_column_text(s, 2)),
				  sqlite3_column_double(s, 3));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return llmr_state_dberr(st, "cannot read outcomes", e);
	return 0;
}
