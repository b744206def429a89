#include "ask/semcache.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * What the semantic cache learns of each entry, in the spirit of vCache
 * (arXiv 2502.03771): rather than one fixed similarity threshold, each
 * entry earns its own from hits whose correctness is known.
 *
 * - A wrong hit (a confirmation that said no, or a person's correction)
 *   at similarity s means questions that close to this entry's are not
 *   the same question: the entry never serves at s or below again.
 * - Right hits lower the entry's threshold below the route's, but only to
 *   a similarity at or above which at least n hits were all right, n the
 *   fewest for which the exact 95% upper bound on the error rate after n
 *   clean trials, 1 - 0.05^(1/n), is within the target error rate (149
 *   at 2%). Until then the route's threshold stands.
 */

long llmr_semcache_needed(double error_rate)
{
	if (error_rate >= 1)
		return 1;
	return (long)ceil(log(0.05) / log(1 - error_rate) - 1e-9);
}

struct learn_ctx {
	int64_t id;
	double base, error_rate;
	struct llmr_semcache_learned *out;
};

static int learn_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct learn_ctx *c = ud;
	long need = llmr_semcache_needed(c->error_rate), right = 0;
	sqlite3_stmt *st;
	int rc;

	c->out->threshold = c->base;
	c->out->wrong_at = -1;
	c->out->confirmed = 0;
	/* Known observations, highest similarity first: the wrong ones set
	 * the floor, the right ones above it count towards lowering. */
	rc = sqlite3_prepare_v2(db,
				"SELECT similarity, correct FROM semantic_obs WHERE entry_id = ?1"
				" AND correct IS NOT NULL ORDER BY similarity DESC", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc == SQLITE_BUSY || rc == SQLITE_LOCKED
			       ? rc
			       : llmr_errf(e, LLMR_EX_IOERR, "semantic cache: %s", sqlite3_errmsg(db));
	sqlite3_bind_int64(st, 1, c->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		double s = sqlite3_column_double(st, 0);

		c->out->confirmed++;
		if (!sqlite3_column_int(st, 1)) {
			if (c->out->wrong_at < 0)
				c->out->wrong_at = s; /* the highest wrong one */
		} else if (c->out->wrong_at < 0 && ++right == need && s < c->base) {
			c->out->threshold = s;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc == SQLITE_BUSY || rc == SQLITE_LOCKED
			       ? rc
			       : llmr_errf(e, LLMR_EX_IOERR, "semantic cache: %s", sqlite3_errmsg(db));
	/* A wrong hit above the threshold raises it past that hit. */
	if (c->out->wrong_at >= c->out->threshold)
		c->out->threshold = nextafter(c->out->wrong_at, 2.0);
	return 0;
}

int llmr_semcache_learned(struct llmr_state *st, int64_t entry_id, double base,
			  double error_rate, struct llmr_semcache_learned *out,
			  struct llmr_err *e)
{
	struct learn_ctx c = {entry_id, base, error_rate, out};

	return llmr_state_tx(st, 0, learn_fn, &c, e);
}

struct obs_ctx {
	struct llmr_state *st;
	int64_t id;
	const char *request_id, *source;
	double sim;
	int correct;
};

static const char insert_obs_sql[] =
	"INSERT INTO semantic_obs (entry_id, request_id, similarity, correct, source, ts_ms)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

static int observe_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct obs_ctx *c = ud;
	sqlite3_stmt *s;

	(void)db;
	if (llmr_state_stmt(c->st, insert_obs_sql, &s, e) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, c->id);
	if (c->request_id)
		sqlite3_bind_text(s, 2, c->request_id, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 3, c->sim);
	if (c->correct >= 0)
		sqlite3_bind_int(s, 4, c->correct);
	sqlite3_bind_text(s, 5, c->source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, llmr_now_ms());
	return llmr_state_step_done(c->st, s, "semantic cache", e);
}

int llmr_semcache_observe(struct llmr_state *st, int64_t entry_id, const char *request_id,
			  double sim, int correct, const char *source, struct llmr_err *e)
{
	struct obs_ctx c = {st, entry_id, request_id, source, sim, correct};

	return llmr_state_tx(st, 1, observe_fn, &c, e);
}

struct correct_ctx {
	const char *request_id;
	int found;
};

/* The hit served to the request becomes a wrong one. */
static int correct_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct correct_ctx *c = ud;
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db,
				    "INSERT INTO semantic_obs (entry_id, request_id, similarity, correct,"
				    " source, ts_ms) SELECT entry_id, request_id, similarity, 0,"
				    " 'correction', ?2 FROM semantic_obs WHERE request_id = ?1 AND"
				    " source IN ('hit', 'confirm') ORDER BY id DESC LIMIT 1",
				    -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, c->request_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, llmr_now_ms());
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return rc;
	if (rc != SQLITE_DONE)
		return llmr_errf(e, LLMR_EX_IOERR, "semantic cache: %s", sqlite3_errmsg(db));
	c->found = sqlite3_changes(db) > 0;
	return 0;
}

int llmr_semcache_correct(struct llmr_state *st, const char *request_id, struct llmr_err *e)
{
	struct correct_ctx c = {request_id, 0};

	if (llmr_state_tx(st, 1, correct_fn, &c, e) < 0)
		return -1;
	return c.found;
}
