/*
 * arena_db.c - the arena's rows, each written through llmr_state_tx.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sha256.h"
#include "bench/arena.h"
#include "bench/run_impl.h"

struct begin_ctx {
	struct llmr_state *st;
	const struct llmr_suite *s;
	const char *hash, *evaluator, *models;
	uint64_t seed;
	int64_t *run;
};

static const char sql_run[] =
	"INSERT INTO bench_runs (suite, file, kind, threshold, started_ms, suite_hash)"
	" VALUES (?1, ?2, 'arena', ?3, ?4, ?5)";
static const char sql_session[] =
	"INSERT INTO bench_arena_sessions (run, evaluator, suite_hash, seed, models)"
	" VALUES (?1, ?2, ?3, ?4, ?5)";

static int begin_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct begin_ctx *c = ud;
	sqlite3_stmt *s;
	int rc;

	if (llmr_state_stmt(c->st, sql_run, &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, c->s->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, c->s->file, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 3, c->s->threshold);
	sqlite3_bind_int64(s, 4, llmr_now_ms());
	sqlite3_bind_text(s, 5, c->hash, -1, SQLITE_STATIC);
	if ((rc = llmr_state_step_done(c->st, s, "cannot store an arena session", e)))
		return rc;
	*c->run = sqlite3_last_insert_rowid(db);
	if (llmr_state_stmt(c->st, sql_session, &s, e) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, *c->run);
	sqlite3_bind_text(s, 2, c->evaluator, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, c->hash, -1, SQLITE_STATIC);
	/* SQLite integers are signed: the seed's bits are kept as they are. */
	sqlite3_bind_int64(s, 4, (int64_t)c->seed);
	sqlite3_bind_text(s, 5, c->models, -1, SQLITE_STATIC);
	return llmr_state_step_done(c->st, s, "cannot store an arena session", e);
}

int llmr_arena_begin(struct llmr_state *st, const struct llmr_suite *s, const char *hash,
		     const char *evaluator, uint64_t seed, const char *models, int64_t *run,
		     struct llmr_err *e)
{
	struct begin_ctx c = {st, s, hash, evaluator, models, seed, run};

	return llmr_state_tx(st, 1, begin_fn, &c, e);
}

static const char sql_score[] =
	"INSERT INTO bench_arena_scores (run, case_no, evaluator, model, label, prompt, answer,"
	" score, tags, comment, confidence, time_ms, ts_ms)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";

struct row_ctx {
	struct llmr_state *st;
	const struct llmr_arena_score *sc;
	const struct llmr_arena_pref *p;
	const char *detail;
};

static int score_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct row_ctx *c = ud;
	const struct llmr_arena_score *sc = c->sc;
	sqlite3_stmt *s;

	(void)db;
	if (llmr_state_stmt(c->st, sql_score, &s, e) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, sc->run);
	sqlite3_bind_int64(s, 2, sc->case_no);
	sqlite3_bind_text(s, 3, sc->evaluator, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, sc->model, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, sc->label, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, sc->prompt, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, sc->answer ? sc->answer : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 8, sc->score);
	sqlite3_bind_text(s, 9, sc->tags ? sc->tags : "[]", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 10, sc->comment ? sc->comment : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 11, sc->confidence);
	sqlite3_bind_int64(s, 12, sc->time_ms);
	sqlite3_bind_int64(s, 13, llmr_now_ms());
	return llmr_state_step_done(c->st, s, "cannot store an arena score", e);
}

int llmr_arena_db_score(struct llmr_state *st, const struct llmr_arena_score *sc,
			struct llmr_err *e)
{
	struct row_ctx c = {st, sc, NULL, NULL};

	if (sc->score < 0 || sc->score > 10 || sc->confidence < 1 || sc->confidence > 5)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "arena: score %d or confidence %d out of range",
				 sc->score, sc->confidence);
	return llmr_state_tx(st, 0, score_fn, &c, e);
}

static const char sql_pref[] =
	"INSERT INTO bench_pairs (run, ts_ms, source, prompt, model_a, model_b, winner, detail,"
	" evaluator, case_no) VALUES (?1, ?2, 'human', ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

static int pref_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct row_ctx *c = ud;
	const struct llmr_arena_pref *p = c->p;
	sqlite3_stmt *s;

	(void)db;
	if (llmr_state_stmt(c->st, sql_pref, &s, e) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, p->run);
	sqlite3_bind_int64(s, 2, llmr_now_ms());
	sqlite3_bind_text(s, 3, p->prompt, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, p->model_a, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, p->model_b, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, p->winner, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, c->detail, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, p->evaluator, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 9, p->case_no);
	return llmr_state_step_done(c->st, s, "cannot store a preference", e);
}

int llmr_arena_db_pref(struct llmr_state *st, const struct llmr_arena_pref *p,
		       struct llmr_err *e)
{
	/* The detail keeps what export and the audit need beside the vote:
	 * the answers as read, the labels they wore, the time it took. */
	json_t *d = json_pack("{s:s, s:s, s:s?, s:s?, s:I}", "label_a", p->label_a, "label_b",
			      p->label_b, "answer_a", p->answer_a, "answer_b", p->answer_b,
			      "time_ms", (json_int_t)p->time_ms);
	struct row_ctx c = {st, NULL, p, NULL};
	char *dt = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
	int rc;

	c.detail = dt;
	rc = llmr_state_tx(st, 0, pref_fn, &c, e);
	free(dt);
	json_decref(d);
	return rc;
}

int llmr_arena_file_hash(const char *path, char hex[65], struct llmr_err *e)
{
	FILE *f = fopen(path, "rb");
	struct llmr_buf b = LLMR_BUF_INIT;
	char chunk[8192];
	size_t n;

	if (!f)
		return llmr_errf(e, LLMR_EX_NOINPUT, "cannot open '%s': %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		llmr_buf_add(&b, chunk, n);
	fclose(f);
	llmr_sha256_hex(b.s ? b.s : "", b.len, hex);
	llmr_buf_release(&b);
	return 0;
}

json_t *llmr_arena_answer(const struct llmr_bench_env *env, const struct llmr_case *c,
			  const char *model)
{
	return bench_ask(env, NULL, model, c->prompt, c->messages);
}
