#include <stdlib.h>
#include <string.h>

#include "index/ann.h"
#include "index/index_impl.h"

struct graph_ctx {
	int64_t coll;
	struct llmr_embedder *em;
	const int64_t *kid;             /* sketches made while writing, by */
	const llmr_index_sketch *ksk;   /* increasing chunk id (may be none) */
	size_t nk, ki;
};

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The ids of the collection's chunks up to upto, sorted. */
static int64_t *live_ids(sqlite3 *db, int64_t coll, int64_t upto, size_t *n, struct llmr_err *e)
{
	sqlite3_stmt *st;
	int64_t *ids = NULL;
	size_t cap = 0;
	int rc;

	*n = 0;
	if (sqlite3_prepare_v2(db, "SELECT id FROM idx_chunks WHERE coll=? AND id<=? ORDER BY id", -1,
			       &st, NULL) != SQLITE_OK) {
		llmr_index_dberr(db, e, "chunks");
		return NULL;
	}
	sqlite3_bind_int64(st, 1, coll);
	sqlite3_bind_int64(st, 2, upto);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			ids = llmr_xrealloc(ids, cap * sizeof(*ids));
		}
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(ids);
		llmr_index_dberr(db, e, "chunks");
		return NULL;
	}
	return ids ? ids : llmr_xcalloc(1, sizeof(*ids));
}

/* Rebuild from the live nodes' sketches: tombstones were too many. */
static void compact(struct llmr_ann *a, const int64_t *live, size_t nlive)
{
	struct llmr_ann b;
	uint32_t i;

	llmr_ann_init(&b);
	for (i = 0; i < a->n; i++)
		if (a->chunk[i] > 0 && bsearch(&a->chunk[i], live, nlive, sizeof(*live), cmp_i64))
			llmr_ann_add(&b, a->chunk[i], a->sk[i]);
	llmr_ann_release(a);
	*a = b;
}

/* The sketch of the chunk row at st (id, heading, text, vec): from its
 * text with the local embedder, else from its stored vector. v (vdim
 * floats) and in are scratch. Returns 0, or -1 for a chunk with no usable
 * vector (search scores it by text only). */
static int row_sketch(const struct graph_ctx *c, sqlite3_stmt *st, float **v, size_t *vdim,
		      struct llmr_buf *in, llmr_sketch sk)
{
	size_t len;

	if (c->em->local) {
		llmr_buf_reset(in);
		llmr_index_embed_input((const char *)sqlite3_column_text(st, 1),
				       (const char *)sqlite3_column_text(st, 2), in);
		llmr_embed_local(in->s, in->len, *v);
		llmr_embed_sketch(*v, LLMR_EMBED_LOCAL_DIM, sk);
		return 0;
	}
	len = (size_t)sqlite3_column_bytes(st, 3);
	if (len < 5)
		return -1;
	if (len - 4 > *vdim) {
		*vdim = len - 4;
		*v = llmr_xrealloc(*v, *vdim * sizeof(float));
	}
	if (llmr_embed_dequantize(sqlite3_column_blob(st, 3), len, *v, len - 4) < 0)
		return -1;
	llmr_embed_sketch(*v, len - 4, sk);
	return 0;
}

/* A chunk embedded here (its run was killed before the graph, or it came
 * before vectors were stored) keeps its int8 vector for search. */
static int keep_vec(sqlite3 *db, sqlite3_stmt **vst, int64_t id, const float *v,
		    struct llmr_err *e)
{
	unsigned char q8[LLMR_ANN_VEC_LEN];
	int rc;

	if (!*vst && sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO idx_ann_vec(chunk, q) VALUES (?,?)",
					-1, vst, NULL) != SQLITE_OK)
		return llmr_index_dberr(db, e, "vectors");
	llmr_ann_quantize(v, q8);
	sqlite3_bind_int64(*vst, 1, id);
	sqlite3_bind_blob(*vst, 2, q8, LLMR_ANN_VEC_LEN, SQLITE_STATIC);
	rc = sqlite3_step(*vst);
	sqlite3_reset(*vst);
	return rc == SQLITE_DONE ? 0 : llmr_index_dberr(db, e, "vectors");
}

static int graph_tx(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct graph_ctx *c = ud;
	struct llmr_ann a;
	sqlite3_stmt *st = NULL, *vst = NULL;
	int64_t upto = 0, newupto;
	int64_t *live = NULL;
	size_t nlive = 0;
	int rebuilt = 0, rc;
	uint32_t added = 0;
	float *v = llmr_xmalloc(LLMR_EMBED_LOCAL_DIM * sizeof(float));
	size_t vdim = LLMR_EMBED_LOCAL_DIM;
	struct llmr_buf in = LLMR_BUF_INIT;

	llmr_ann_init(&a);
	if (llmr_ann_load(db, c->coll, &a, &upto, e) < 0)
		goto fail;
	newupto = upto;
	if (a.n) {
		live = live_ids(db, c->coll, upto, &nlive, e);
		if (!live)
			goto fail;
		if (a.n - nlive > a.n / 4) {
			compact(&a, live, nlive);
			rebuilt = 1;
		}
	}
	if (sqlite3_prepare_v2(db,
			       "SELECT id, heading, text, vec FROM idx_chunks WHERE coll=? AND id>?"
			       " ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK) {
		llmr_index_dberr(db, e, "chunks");
		goto fail;
	}
	sqlite3_bind_int64(st, 1, c->coll);
	sqlite3_bind_int64(st, 2, upto);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		llmr_sketch sk;

		while (c->ki < c->nk && c->kid[c->ki] < id)
			c->ki++;
		if (c->ki < c->nk && c->kid[c->ki] == id)
			memcpy(sk, c->ksk[c->ki], sizeof(sk));
		else if (row_sketch(c, st, &v, &vdim, &in, sk) < 0)
			continue;
		else if (c->em->local && keep_vec(db, &vst, id, v, e) < 0)
			goto fail;
		llmr_ann_add(&a, id, sk);
		newupto = id;
		added++;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE) {
		llmr_index_dberr(db, e, "chunks");
		goto fail;
	}
	if (added || rebuilt)
		llmr_ann_repair(&a);
	if ((added || rebuilt) && llmr_ann_save(db, c->coll, &a, newupto, rebuilt, e) < 0)
		goto fail;
	llmr_ann_release(&a);
	sqlite3_finalize(vst);
	free(live);
	free(v);
	llmr_buf_release(&in);
	return 0;
fail:
	sqlite3_finalize(st);
	sqlite3_finalize(vst);
	llmr_ann_release(&a);
	free(live);
	free(v);
	llmr_buf_release(&in);
	return -1;
}

static int update_graph(struct llmr_state *st, int64_t coll, const char *embedder,
			const struct llmr_config *cfg, struct graph_ctx *kept, struct llmr_err *e)
{
	struct graph_ctx c;
	int rc;

	memset(&c, 0, sizeof(c));
	if (kept) {
		c.kid = kept->kid;
		c.ksk = kept->ksk;
		c.nk = kept->nk;
	}
	c.coll = coll;
	if (!llmr_embed_is_local(embedder)) {
		/* Stored vectors are enough: no key, no network needed here. */
		c.em = llmr_xcalloc(1, sizeof(*c.em));
		c.em->local = 0;
	} else {
		if (llmr_embedder_open(cfg, "local", &c.em, e) < 0)
			return -1;
	}
	rc = llmr_state_tx(st, 1, graph_tx, &c, e);
	if (!llmr_embed_is_local(embedder))
		free(c.em);
	else
		llmr_embedder_free(c.em);
	return rc;
}

int llmr_index_update_graph(struct llmr_state *st, int64_t coll, const char *embedder,
			    const struct llmr_config *cfg, struct llmr_err *e)
{
	return update_graph(st, coll, embedder, cfg, NULL, e);
}

int llmr_index_graph_close(struct llmr_indexer *ix, struct llmr_err *e)
{
	struct graph_ctx kept;

	memset(&kept, 0, sizeof(kept));
	kept.kid = ix->skid;
	kept.ksk = (const llmr_index_sketch *)ix->sk;
	kept.nk = ix->nsk;
	return update_graph(ix->st, ix->coll, ix->em->spec, ix->cfg, &kept, e);
}

int llmr_index_graph_if_stale(struct llmr_state *st, int64_t coll, const char *embedder,
			      const struct llmr_config *cfg, struct llmr_err *e)
{
	sqlite3 *db = llmr_state_db(st);
	sqlite3_stmt *s;
	int stale = 0;

	/* A killed run may have written chunks but not the graph. */
	if (sqlite3_prepare_v2(db,
			       "SELECT EXISTS(SELECT 1 FROM idx_chunks WHERE coll=?1 AND id >"
			       " coalesce((SELECT upto FROM idx_ann_meta WHERE coll=?1), 0))",
			       -1, &s, NULL) != SQLITE_OK)
		return llmr_index_dberr(db, e, "chunks");
	sqlite3_bind_int64(s, 1, coll);
	if (sqlite3_step(s) == SQLITE_ROW)
		stale = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return stale ? llmr_index_update_graph(st, coll, embedder, cfg, e) : 0;
}
