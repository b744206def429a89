/*
 * verified.c - providers last verified by a probe.
 */
#include "route/verified.h"

struct rec_ctx {
	struct llmr_state *st;
	const char *provider, *model;
	int64_t latency_ms;
};

static const char sql_rec[] =
	"INSERT INTO provider_verified (provider, verified_ms, model, latency_ms)"
	" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (provider) DO UPDATE SET"
	" verified_ms = excluded.verified_ms, model = excluded.model,"
	" latency_ms = excluded.latency_ms";

static int rec_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct rec_ctx *c = ud;
	sqlite3_stmt *s;

	(void)db;
	if (llmr_state_stmt(c->st, sql_rec, &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, c->provider, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, llmr_now_ms());
	sqlite3_bind_text(s, 3, c->model, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, c->latency_ms);
	return llmr_state_step_done(c->st, s, "cannot store when a provider was verified", e);
}

int llmr_verified_record(struct llmr_state *st, const char *provider, const char *model,
			 int64_t latency_ms, struct llmr_err *e)
{
	struct rec_ctx c = {st, provider, model, latency_ms};

	return llmr_state_tx(st, 0, rec_fn, &c, e);
}

json_t *llmr_verified_get(struct llmr_state *st, const char *provider)
{
	static const char sql[] =
		"SELECT verified_ms, model, latency_ms FROM provider_verified WHERE provider = ?1";
	sqlite3_stmt *s;
	json_t *o = NULL;

	if (sqlite3_prepare_v2(llmr_state_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(s, 1, provider, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		o = json_pack("{s:I, s:s, s:I}", "at", (json_int_t)sqlite3_column_int64(s, 0), "model",
			      (const char *)sqlite3_column_text(s, 1), "latency_ms",
			      (json_int_t)sqlite3_column_int64(s, 2));
	sqlite3_finalize(s);
	return o;
}
