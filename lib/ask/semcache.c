#include "ask/semcache.h"

#include <stdlib.h>
#include <string.h>

#include "index/ann.h"
#include "index/embed.h"

/* Candidates re-ranked by exact cosine after the sketch scan (some may
 * be ids of entries gone since their block was written). */
#define SEMCACHE_RERANK 16

static int db_err(sqlite3 *db, int rc, struct llmr_err *e)
{
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return rc;
	return llmr_errf(e, LLMR_EX_IOERR, "semantic cache: %s", sqlite3_errmsg(db));
}

struct put_ctx {
	const struct llmr_semcache_entry *ent;
	const char *resp;
	const void *vec;
	size_t veclen;
	llmr_sketch sk;
	int64_t now, expires;
};

static int put_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct put_ctx *p = ud;
	const struct llmr_semcache_entry *ent = p->ent;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db, "DELETE FROM semantic_cache WHERE expires_ms <= ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_err(db, rc, e);
	sqlite3_bind_int64(st, 1, p->now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_err(db, rc, e);
	/* Blocks of groups that expired whole would stay: drop them. */
	if (sqlite3_changes(db) > 0 &&
	    ((rc = sqlite3_exec(db, LLMR_SEMBLOCK_ORPHANS, NULL, NULL, NULL)) ||
	     (rc = sqlite3_exec(db, LLMR_SEMOBS_ORPHANS, NULL, NULL, NULL))))
		return db_err(db, rc, e);
	rc = sqlite3_prepare_v2(db,
				"INSERT INTO semantic_cache (scope, guard, expires_ms, sketch, route,"
				" namespace, created_ms, question, vec, response)"
				" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_err(db, rc, e);
	sqlite3_bind_text(st, 1, ent->scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ent->guard, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, p->expires);
	sqlite3_bind_blob(st, 4, p->sk, sizeof(p->sk), SQLITE_STATIC);
	sqlite3_bind_text(st, 5, ent->route, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, ent->ns, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, p->now);
	sqlite3_bind_text(st, 8, ent->question, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 9, p->vec, (int)p->veclen, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, p->resp, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_err(db, rc, e);
	rc = llmr_semblock_append(db, ent->scope, ent->guard, sqlite3_last_insert_rowid(db), p->sk,
				  p->now);
	return rc == SQLITE_OK ? 0 : db_err(db, rc, e);
}

int llmr_semcache_put(struct llmr_state *st, const struct llmr_semcache_entry *ent,
		      const json_t *resp, int64_t now_ms, int64_t expires_ms, struct llmr_err *e)
{
	struct put_ctx p = {.ent = ent, .now = now_ms, .expires = expires_ms};
	char *text = json_dumps(resp, JSON_COMPACT);
	void *vec = llmr_embed_quantize(ent->vec, ent->dim, &p.veclen);
	int rc;

	p.resp = text;
	p.vec = vec;
	llmr_embed_sketch(ent->vec, ent->dim, p.sk);
	rc = llmr_state_tx(st, 1, put_fn, &p, e);
	free(vec);
	free(text);
	return rc;
}

struct cand {
	int64_t id;
	int dist;
};

struct find_ctx {
	const char *scope, *guard;
	const float *vec;
	size_t dim;
	double threshold;
	int64_t now;
	llmr_sketch sk;
	struct cand best[SEMCACHE_RERANK];
	int nbest;
	json_t *resp;
	double sim;
	int64_t id;     /* the entry that gave resp */
	char *question; /* its question (malloc'd) */
};

/* Keep the SEMCACHE_RERANK closest sketches, sorted by distance. */
static void keep(struct find_ctx *f, int64_t id, int dist)
{
	int i;

	if (f->nbest == SEMCACHE_RERANK) {
		if (f->best[SEMCACHE_RERANK - 1].dist <= dist)
			return;
		i = SEMCACHE_RERANK - 1;
	} else {
		i = f->nbest++;
	}
	for (; i > 0 && f->best[i - 1].dist > dist; i--)
		f->best[i] = f->best[i - 1];
	f->best[i].id = id;
	f->best[i].dist = dist;
}

static int scan(sqlite3 *db, struct find_ctx *f)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db,
				    "SELECT n, ids, sketches FROM semantic_blocks WHERE scope = ?1"
				    " AND guard = ?2", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(st, 1, f->scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->guard, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int n = sqlite3_column_int(st, 0);
		const unsigned char *ids = sqlite3_column_blob(st, 1);
		const unsigned char *sks = sqlite3_column_blob(st, 2);

		if (n <= 0 || sqlite3_column_bytes(st, 1) != n * 8 ||
		    sqlite3_column_bytes(st, 2) != n * LLMR_SEMBLOCK_SK)
			continue;
		for (int k = 0; k < n; k++) {
			llmr_sketch sk;

			memcpy(sk, sks + (size_t)k * LLMR_SEMBLOCK_SK, sizeof(sk));
			keep(f, llmr_semblock_id(ids + (size_t)k * 8), llmr_ann_dist(sk, f->sk));
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : rc;
}

/* Exact cosine of the kept candidates; the best at or above the
 * threshold gives its response. */
static int rerank(sqlite3 *db, struct find_ctx *f)
{
	float *v = llmr_xcalloc(f->dim, sizeof(float));
	int64_t best_id = -1;
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, "SELECT vec FROM semantic_cache WHERE id = ?1 AND expires_ms > ?2",
				    -1, &st, NULL);

	for (int i = 0; rc == SQLITE_OK && i < f->nbest; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, f->best[i].id);
		sqlite3_bind_int64(st, 2, f->now);
		if (sqlite3_step(st) == SQLITE_ROW &&
		    llmr_embed_dequantize(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
					  v, f->dim) == 0) {
			double c = llmr_embed_cosine(v, f->vec, f->dim);

			if (c >= f->threshold && c > f->sim) {
				f->sim = c;
				best_id = f->best[i].id;
			}
		}
	}
	if (rc == SQLITE_OK)
		sqlite3_finalize(st);
	free(v);
	if (rc != SQLITE_OK || best_id < 0)
		return rc;
	rc = sqlite3_prepare_v2(db, "SELECT response, question FROM semantic_cache WHERE id = ?1",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, best_id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    (f->resp = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL))) {
		f->id = best_id;
		f->question = llmr_xstrdup((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : rc;
}

static int find_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct find_ctx *f = ud;
	int rc;

	f->nbest = 0;
	f->sim = -1;
	json_decref(f->resp);
	f->resp = NULL;
	free(f->question);
	f->question = NULL;
	if ((rc = scan(db, f)) || (rc = rerank(db, f)))
		return db_err(db, rc, e);
	return 0;
}

int llmr_semcache_find_entry(struct llmr_state *st, const char *scope, const char *guard,
			     const float *vec, size_t dim, double threshold, int64_t now_ms,
			     struct llmr_semcache_hit *hit, struct llmr_err *e)
{
	struct find_ctx f = {.scope = scope, .guard = guard, .vec = vec, .dim = dim,
			     .threshold = threshold, .now = now_ms};

	llmr_embed_sketch(vec, dim, f.sk);
	memset(hit, 0, sizeof(*hit));
	if (llmr_state_tx(st, 0, find_fn, &f, e) < 0) {
		json_decref(f.resp);
		free(f.question);
		return -1;
	}
	hit->resp = f.resp;
	hit->sim = f.sim;
	hit->id = f.id;
	hit->question = f.question;
	return f.resp != NULL;
}

void llmr_semcache_hit_release(struct llmr_semcache_hit *hit)
{
	json_decref(hit->resp);
	free(hit->question);
	memset(hit, 0, sizeof(*hit));
}

int llmr_semcache_find(struct llmr_state *st, const char *scope, const char *guard,
		       const float *vec, size_t dim, double threshold, int64_t now_ms,
		       json_t **resp, double *sim, struct llmr_err *e)
{
	struct llmr_semcache_hit hit;
	int rc = llmr_semcache_find_entry(st, scope, guard, vec, dim, threshold, now_ms, &hit, e);

	*resp = hit.resp;
	*sim = hit.sim;
	hit.resp = NULL;
	llmr_semcache_hit_release(&hit);
	return rc;
}
