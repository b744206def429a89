/*
 * bench_db.c - the bench tables, written through llmr_state_tx.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/bench_db.h"

struct run_ctx {
	struct llmr_state *st;
	const char *suite, *file, *kind, *winner, *source, *prompt, *a, *b, *detail;
	double threshold;
	int64_t run, *id;
	const json_t *row;
};

static const char sql_run[] =
	"INSERT INTO bench_runs (suite, file, kind, threshold, started_ms) VALUES (?1, ?2, ?3, ?4, ?5)";

static int run_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct run_ctx *c = ud;
	sqlite3_stmt *s;
	int rc;

	if (llmr_state_stmt(c->st, sql_run, &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, c->suite, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, c->file, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, c->kind, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 4, c->threshold);
	sqlite3_bind_int64(s, 5, llmr_now_ms());
	if ((rc = llmr_state_step_done(c->st, s, "cannot store a bench run", e)))
		return rc;
	*c->id = sqlite3_last_insert_rowid(db);
	return 0;
}

int llmr_bench_db_run(struct llmr_state *st, const char *suite, const char *file,
		      const char *kind, double threshold, int64_t *id, struct llmr_err *e)
{
	struct run_ctx c = {.st = st, .suite = suite, .file = file, .kind = kind,
			    .threshold = threshold, .id = id};

	return llmr_state_tx(st, 1, run_fn, &c, e);
}

static const char sql_result[] =
	"INSERT OR REPLACE INTO bench_results (run, model, case_no, answered_by, prompt, output,"
	" error, cost_usd, latency_ms, ttft_ms, output_tps, pass, score, weight, asserts,"
	" itl_ms, input_tokens, output_tokens, format_score, format)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
	" ?16, ?17, ?18, ?19, ?20)";

static void bind_json(sqlite3_stmt *s, int i, const json_t *v)
{
	if (json_is_string(v))
		sqlite3_bind_text(s, i, json_string_value(v), -1, SQLITE_TRANSIENT);
	else if (json_is_integer(v))
		sqlite3_bind_int64(s, i, json_integer_value(v));
	else if (json_is_number(v))
		sqlite3_bind_double(s, i, json_number_value(v));
	else if (json_is_boolean(v))
		sqlite3_bind_int(s, i, json_is_true(v));
	else if (v && !json_is_null(v)) {
		char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		sqlite3_bind_text(s, i, t ? t : "", -1, SQLITE_TRANSIENT);
		free(t);
	} else
		sqlite3_bind_null(s, i);
}

static int result_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	static const char *const cols[] = {"model", "case", "answered_by", "prompt", "output",
					   "error", "cost_usd", "latency_ms", "ttft_ms",
					   "output_tps", "pass", "score", "weight", "asserts",
					   "itl_ms", "input_tokens", "output_tokens", "format_score",
					   "format"};
	struct run_ctx *c = ud;
	sqlite3_stmt *s;

	(void)db;
	if (llmr_state_stmt(c->st, sql_result, &s, e) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, c->run);
	for (int i = 0; i < (int)(sizeof(cols) / sizeof(cols[0])); i++)
		bind_json(s, i + 2, json_object_get(c->row, cols[i]));
	return llmr_state_step_done(c->st, s, "cannot store a bench result", e);
}

int llmr_bench_db_result(struct llmr_state *st, int64_t run, const json_t *row,
			 struct llmr_err *e)
{
	struct run_ctx c = {.st = st, .run = run, .row = row};

	return llmr_state_tx(st, 0, result_fn, &c, e);
}

static const char sql_status[] =
	"UPDATE bench_runs SET suite_hash = coalesce(?2, suite_hash), status = ?3,"
	" finished_ms = CASE WHEN ?3 = 'running' THEN NULL ELSE ?4 END WHERE id = ?1";

static int status_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct run_ctx *c = ud;
	sqlite3_stmt *s;

	int rc;

	/* Prepared each time (twice a run): the connection's cache of
	 * statements is for the hot ones. */
	if (sqlite3_prepare_v2(db, sql_status, -1, &s, NULL) != SQLITE_OK)
		return llmr_state_dberr(c->st, "cannot store a bench run's status", e);
	sqlite3_bind_int64(s, 1, c->run);
	sqlite3_bind_text(s, 2, c->file, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, c->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, llmr_now_ms());
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return 0;
	return llmr_state_is_busy(rc) ? SQLITE_BUSY : llmr_state_dberr(c->st, "cannot store a bench run's status", e);
}

int llmr_bench_db_run_status(struct llmr_state *st, int64_t run, const char *hash,
			     const char *status, struct llmr_err *e)
{
	/* file and kind carry the hash and the status. */
	struct run_ctx c = {.st = st, .run = run, .file = hash, .kind = status};

	return llmr_state_tx(st, 0, status_fn, &c, e);
}

static const char sql_pair[] =
	"INSERT INTO bench_pairs (run, ts_ms, source, prompt, model_a, model_b, winner, detail)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

static int pair_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct run_ctx *c = ud;
	sqlite3_stmt *s;

	(void)db;
	if (llmr_state_stmt(c->st, sql_pair, &s, e) < 0)
		return -1;
	if (c->run)
		sqlite3_bind_int64(s, 1, c->run);
	sqlite3_bind_int64(s, 2, llmr_now_ms());
	sqlite3_bind_text(s, 3, c->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, c->prompt, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, c->a, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, c->b, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, c->winner, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, c->detail, -1, SQLITE_STATIC);
	return llmr_state_step_done(c->st, s, "cannot store a pairwise result", e);
}

int llmr_bench_db_pair(struct llmr_state *st, int64_t run, const char *source,
		       const char *prompt, const char *a, const char *b, const char *winner,
		       const char *detail, struct llmr_err *e)
{
	struct run_ctx c = {.st = st, .run = run, .source = source, .prompt = prompt, .a = a,
			    .b = b, .winner = winner, .detail = detail};

	return llmr_state_tx(st, 0, pair_fn, &c, e);
}

json_t *llmr_bench_db_pairs(struct llmr_state *st, struct llmr_err *e)
{
	static const char sql[] = "SELECT id, run, ts_ms, source, prompt, model_a, model_b, winner"
				  " FROM bench_pairs ORDER BY id";
	sqlite3 *db = llmr_state_db(st);
	sqlite3_stmt *s;
	json_t *out;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return llmr_state_dberr(st, "cannot read pairwise results", e), NULL;
	out = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *o = json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s}",
				      "id", (json_int_t)sqlite3_column_int64(s, 0),
				      "run", (json_int_t)sqlite3_column_int64(s, 1),
				      "ts_ms", (json_int_t)sqlite3_column_int64(s, 2),
				      "source", (const char *)sqlite3_column_text(s, 3),
				      "prompt", (const char *)sqlite3_column_text(s, 4),
				      "model_a", (const char *)sqlite3_column_text(s, 5),
				      "model_b", (const char *)sqlite3_column_text(s, 6),
				      "winner", (const char *)sqlite3_column_text(s, 7));

		json_array_append_new(out, o);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		json_decref(out);
		return llmr_state_dberr(st, "cannot read pairwise results", e), NULL;
	}
	return out;
}
