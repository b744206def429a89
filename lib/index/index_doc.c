#include <stdlib.h>
#include <string.h>

#include "index/extract.h"
#include "index/index_impl.h"

struct write_ctx {
	struct llmr_indexer *ix;
	const struct llmr_index_write *w;
	size_t nsk0; /* sketches kept before this document */
};

/* The graph at close takes these rather than embedding every chunk again. */
static void keep_sketch(struct llmr_indexer *ix, int64_t id, const uint64_t *sk)
{
	if (ix->nsk == ix->skcap) {
		ix->skcap = ix->skcap ? ix->skcap * 2 : 1024;
		ix->skid = llmr_xrealloc(ix->skid, ix->skcap * sizeof(*ix->skid));
		ix->sk = llmr_xrealloc(ix->sk, ix->skcap * sizeof(*ix->sk));
	}
	ix->skid[ix->nsk] = id;
	memcpy(ix->sk[ix->nsk++], sk, sizeof(*ix->sk));
}

/*
 * The statements of every document, prepared once a run: preparing them
 * again for each of 100,000 short documents was a good part of the time
 * of a JSON-lines run. Finalized by llmr_index_free.
 */
enum { ST_DOC, ST_DELCHUNKS, ST_CHUNK, ST_SAVE, ST_RELEASE, ST_UNDO, ST_VEC };

static const char *const stmt_sql[] = {
	"INSERT INTO idx_docs(coll, source, origin, url, meta, format, size,"
	" mtime_ns, hash, bytes, nchunks, error, indexed_ms)"
	" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
	" ON CONFLICT(coll, source) DO UPDATE SET origin=excluded.origin,"
	" url=excluded.url, meta=excluded.meta, format=excluded.format,"
	" size=excluded.size, mtime_ns=excluded.mtime_ns, hash=excluded.hash,"
	" bytes=excluded.bytes, nchunks=excluded.nchunks, error=excluded.error,"
	" indexed_ms=excluded.indexed_ms RETURNING id",
	"DELETE FROM idx_chunks WHERE doc=?",
	"INSERT INTO idx_chunks(doc, coll, seq, pos, heading, text, vec) VALUES (?,?,?,?,?,?,?)",
	"SAVEPOINT llmr_doc", "RELEASE llmr_doc", "ROLLBACK TO llmr_doc",
	"INSERT OR REPLACE INTO idx_ann_vec(chunk, q) VALUES (?,?)"};

static sqlite3_stmt *stmt(struct llmr_indexer *ix, int which)
{
	sqlite3_stmt **st = &ix->stmt[which];

	if (!*st && sqlite3_prepare_v3(ix->db, stmt_sql[which], -1, SQLITE_PREPARE_PERSISTENT, st,
				       NULL) != SQLITE_OK)
		*st = NULL;
	else if (*st)
		sqlite3_reset(*st);
	return *st;
}

void llmr_index_stmts_free(struct llmr_indexer *ix)
{
	size_t i;

	for (i = 0; i < sizeof(ix->stmt) / sizeof(ix->stmt[0]); i++) {
		sqlite3_finalize(ix->stmt[i]);
		ix->stmt[i] = NULL;
	}
}

/* The document's row, inserted or updated: its id, 0 on error. */
static int64_t doc_row(struct llmr_indexer *ix, const struct llmr_index_write *w, size_t nchunks,
		       int *rc)
{
	sqlite3_stmt *st = stmt(ix, ST_DOC);
	int64_t doc;

	if (!st) {
		*rc = SQLITE_ERROR;
		return 0;
	}
	sqlite3_bind_int64(st, 1, ix->coll);
	sqlite3_bind_text(st, 2, w->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, w->origin, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, w->url, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, w->meta, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, w->format, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, w->size);
	sqlite3_bind_int64(st, 8, w->mtime_ns);
	sqlite3_bind_text(st, 9, w->hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)w->bytes);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)nchunks);
	sqlite3_bind_text(st, 12, w->error, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 13, llmr_now_ms());
	*rc = sqlite3_step(st);
	doc = *rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return doc;
}

/* The chunk's int8 vector, which search re-scores it by (ann.h). */
static int write_vec(struct llmr_indexer *ix, int64_t id, const unsigned char *q8)
{
	sqlite3_stmt *st = stmt(ix, ST_VEC);
	int rc;

	if (!st)
		return SQLITE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_blob(st, 2, q8, LLMR_ANN_VEC_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc;
}

static int write_chunk(struct write_ctx *c, sqlite3_stmt *st, int64_t doc, size_t i)
{
	const struct llmr_index_write *w = c->w;
	const struct llmr_chunk *k = &w->chunks->v[i];
	int rc;

	sqlite3_bind_int64(st, 1, doc);
	sqlite3_bind_int64(st, 2, c->ix->coll);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)i);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)k->pos);
	sqlite3_bind_text(st, 5, k->heading, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, k->text, -1, SQLITE_STATIC);
	if (w->vecs) {
		size_t len;
		void *q = llmr_embed_quantize(w->vecs + i * w->dim, w->dim, &len);

		sqlite3_bind_blob(st, 7, q, (int)len, free);
	} else {
		sqlite3_bind_null(st, 7);
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE && w->sk)
		keep_sketch(c->ix, sqlite3_last_insert_rowid(sqlite3_db_handle(st)), w->sk[i]);
	if (rc == SQLITE_DONE && w->q8)
		rc = write_vec(c->ix, sqlite3_last_insert_rowid(sqlite3_db_handle(st)),
			       w->q8 + i * LLMR_ANN_VEC_LEN);
	return rc;
}

static int write_body(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct write_ctx *c = ud;
	const struct llmr_index_write *w = c->w;
	size_t nchunks = w->chunks ? w->chunks->n : 0, i;
	sqlite3_stmt *st;
	int64_t doc;
	int rc;

	doc = doc_row(c->ix, w, nchunks, &rc);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_BUSY ? SQLITE_BUSY : llmr_index_dberr(db, e, "documents");
	if (!(st = stmt(c->ix, ST_DELCHUNKS)))
		return llmr_index_dberr(db, e, "chunks");
	sqlite3_bind_int64(st, 1, doc);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return llmr_index_dberr(db, e, "chunks");
	if (!nchunks)
		return 0;
	c->ix->nsk = c->nsk0; /* a retried body must not keep sketches twice */
	if (!(st = stmt(c->ix, ST_CHUNK)))
		return llmr_index_dberr(db, e, "chunks");
	for (i = 0; i < nchunks; i++)
		if (write_chunk(c, st, doc, i) != SQLITE_DONE)
			return llmr_index_dberr(db, e, "chunks");
	return 0;
}

/* One document inside a savepoint: inside a batch, a failure must undo
 * this document only, never leave half of it. */
static int savepoint(struct llmr_indexer *ix, int (*body)(sqlite3 *, void *, struct llmr_err *),
		     void *ud, struct llmr_err *e)
{
	sqlite3_stmt *sp = stmt(ix, ST_SAVE), *rel;
	int rc;

	if (!sp || sqlite3_step(sp) != SQLITE_DONE)
		return llmr_index_dberr(ix->db, e, "savepoint");
	sqlite3_reset(sp);
	rc = body(ix->db, ud, e);
	if (rc && (rel = stmt(ix, ST_UNDO))) {
		sqlite3_step(rel);
		sqlite3_reset(rel);
	}
	if ((rel = stmt(ix, ST_RELEASE))) {
		sqlite3_step(rel);
		sqlite3_reset(rel);
	}
	return rc;
}

static int write_tx(sqlite3 *db, void *ud, struct llmr_err *e)
{
	(void)db;
	return savepoint(((struct write_ctx *)ud)->ix, write_body, ud, e);
}

static int run_tx(struct llmr_indexer *ix, int (*fn)(sqlite3 *, void *, struct llmr_err *),
		  void *ud, struct llmr_err *e)
{
	if (llmr_index_batch_begin(ix, e) < 0 || llmr_state_tx(ix->st, 1, fn, ud, e) < 0 ||
	    llmr_index_batch_end(ix, 0, e) < 0)
		return -1;
	/* Committed (no batch left open): what it held can be told. */
	if (!ix->in_batch && ix->o.change)
		llmr_index_change_flush(ix);
	return 0;
}

int llmr_index_write_doc(struct llmr_indexer *ix, const struct llmr_index_write *w,
			 struct llmr_err *e)
{
	struct write_ctx c = {ix, w, ix->nsk};

	if (llmr_index_drop_pending(ix, e) < 0)
		return -1;
	llmr_index_change_queue(ix, w->change, w->source, w->url, w->hash);
	if (run_tx(ix, write_tx, &c, e) < 0) {
		if (w->change)
			llmr_index_change_unqueue(ix);
		ix->nsk = c.nsk0;
		return -1;
	}
	ix->changed = 1;
	return 0;
}

struct touch_ctx {
	struct llmr_indexer *ix;
	int64_t id, size, mtime;
	int del;
	const char *source; /* rename to this */
};

static int touch_body(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct touch_ctx *c = ud;
	sqlite3_stmt *st;
	int rc;

	if (c->del) {
		if (sqlite3_prepare_v2(db, "DELETE FROM idx_chunks WHERE doc=?", -1, &st, NULL) != SQLITE_OK)
			return llmr_index_dberr(db, e, "chunks");
		sqlite3_bind_int64(st, 1, c->id);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return llmr_index_dberr(db, e, "chunks");
		if (sqlite3_prepare_v2(db, "DELETE FROM idx_docs WHERE id=?", -1, &st, NULL) != SQLITE_OK)
			return llmr_index_dberr(db, e, "documents");
		sqlite3_bind_int64(st, 1, c->id);
	} else if (c->source) {
		if (sqlite3_prepare_v2(db, "UPDATE idx_docs SET source=? WHERE id=?", -1, &st, NULL) !=
		    SQLITE_OK)
			return llmr_index_dberr(db, e, "documents");
		sqlite3_bind_text(st, 1, c->source, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, c->id);
	} else {
		if (sqlite3_prepare_v2(db, "UPDATE idx_docs SET size=?, mtime_ns=? WHERE id=?", -1, &st,
				       NULL) != SQLITE_OK)
			return llmr_index_dberr(db, e, "documents");
		sqlite3_bind_int64(st, 1, c->size);
		sqlite3_bind_int64(st, 2, c->mtime);
		sqlite3_bind_int64(st, 3, c->id);
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : llmr_index_dberr(db, e, "documents");
}

static int touch_tx(sqlite3 *db, void *ud, struct llmr_err *e)
{
	(void)db;
	return savepoint(((struct touch_ctx *)ud)->ix, touch_body, ud, e);
}

int llmr_index_touch_doc(struct llmr_indexer *ix, int64_t id, int64_t size, int64_t mtime_ns,
			 struct llmr_err *e)
{
	struct touch_ctx c = {ix, id, size, mtime_ns, 0, NULL};

	return run_tx(ix, touch_tx, &c, e);
}

int llmr_index_rename_doc(struct llmr_indexer *ix, int64_t id, const char *source,
			  struct llmr_err *e)
{
	struct touch_ctx c = {ix, id, 0, 0, 0, source};

	return run_tx(ix, touch_tx, &c, e);
}

int llmr_index_delete_doc(struct llmr_indexer *ix, int64_t id, struct llmr_err *e)
{
	struct touch_ctx c = {ix, id, 0, 0, 1, NULL};

	if (run_tx(ix, touch_tx, &c, e) < 0)
		return -1;
	ix->changed = 1;
	return 0;
}

static int save_dim(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct llmr_indexer *ix = ud;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "UPDATE idx_collections SET dim=? WHERE id=?", -1, &st, NULL) !=
	    SQLITE_OK)
		return llmr_index_dberr(db, e, "collections");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)ix->em->dim);
	sqlite3_bind_int64(st, 2, ix->coll);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : llmr_index_dberr(db, e, "collections");
}

int llmr_index_store_chunks(struct llmr_indexer *ix, struct llmr_index_write *w,
			    const struct llmr_chunks *ch, size_t bytes, struct llmr_err *e)
{
	float *vecs = NULL;
	int rc = 0;

	/* Before the vectors: the drop resets the collection's dimension. */
	if (llmr_index_drop_pending(ix, e) < 0)
		return -1;
	w->chunks = ch;
	w->bytes = bytes;
	if (!ix->em->local && ch->n) {
		/* API embedders: vectors are fetched before the transaction, so
		 * a slow network never holds the write lock. */
		const char **texts = llmr_xcalloc(ch->n, sizeof(*texts));
		struct llmr_buf *bufs = llmr_xcalloc(ch->n, sizeof(*bufs));
		size_t i;

		for (i = 0; i < ch->n; i++) {
			llmr_index_embed_input(ch->v[i].heading, ch->v[i].text, &bufs[i]);
			texts[i] = bufs[i].s;
		}
		rc = llmr_embedder_embed(ix->em, texts, ch->n, &vecs, e);
		for (i = 0; i < ch->n; i++)
			llmr_buf_release(&bufs[i]);
		free(bufs);
		free(texts);
		w->vecs = vecs;
		w->dim = ix->em->dim;
		if (rc == 0 && !ix->dim_saved) {
			rc = llmr_state_tx(ix->st, 1, save_dim, ix, e);
			ix->dim_saved = 1;
		}
	}
	if (rc == 0)
		rc = llmr_index_write_doc(ix, w, e);
	if (rc == 0) {
		ix->c.chunks += ch->n;
		ix->c.bytes += bytes;
	}
	free(vecs);
	w->chunks = NULL;
	w->vecs = NULL;
	return rc;
}

int llmr_index_has_text(const char *md, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (md[i] != ' ' && md[i] != '\n' && md[i] != '\t' && md[i] != '#')
			return 1;
	return 0;
}
