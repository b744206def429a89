#include "cost/quality.h"

#include <string.h>

int llmr_quality_overlay(struct llmr_state *st, struct llmr_config *cfg, struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	/* A state opened read-only before its migration has no such table:
	 * then nothing was measured. */
	if (sqlite3_prepare_v2(llmr_state_db(st), "SELECT model, quality FROM model_quality", -1, &s,
			       NULL) != SQLITE_OK)
		return strstr(sqlite3_errmsg(llmr_state_db(st)), "no such table")
			       ? 0
			       : llmr_state_dberr(st, "cannot read model quality", e);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct llmr_model_ref ref;
		struct llmr_err ignored = {0, ""};
		int q = sqlite3_column_int(s, 1);

		/* The config may have dropped the model since: nothing to set. */
		if (llmr_config_resolve(cfg, (const char *)sqlite3_column_text(s, 0), &ref, &ignored) == 0 &&
		    ref.model && q >= 0 && q <= 100)
			ref.model->quality = q;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return llmr_state_dberr(st, "cannot read model quality", e);
	return 0;
}

struct put {
	struct llmr_state *st;
	const char *spec, *source;
	int quality;
};

static const char sql_put[] = "INSERT OR REPLACE INTO model_quality (model, quality, source, updated_ms)"
			      " VALUES (?1, ?2, ?3, ?4)";

static int put_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct put *p = ud;
	sqlite3_stmt *s;

	(void)db;
	if (llmr_state_stmt(p->st, sql_put, &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, p->spec, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, p->quality);
	sqlite3_bind_text(s, 3, p->source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, llmr_now_ms());
	return llmr_state_step_done(p->st, s, "cannot store a model's quality", e);
}

int llmr_quality_store(struct llmr_state *st, const char *spec, int quality, const char *source,
		       struct llmr_err *e)
{
	struct put p = {st, spec, source, quality};

	return llmr_state_tx(st, 1, put_fn, &p, e);
}
