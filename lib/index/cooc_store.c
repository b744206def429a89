/*
 * cooc_store.c - a collection's learned word vectors in the state file
 * (table idx_cooc): loaded by search, learned again at the end of an index
 * run that changed the collection enough.
 */
#include "index/cooc.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "index/embed.h"
#include "index/index.h"
#include "store/state.h"

static int dberr(sqlite3 *db, struct llmr_err *e, const char *what)
{
	return llmr_errf(e, LLMR_EX_SOFTWARE, "index: word vectors: %s: %s", what,
			 sqlite3_errmsg(db));
}

static struct llmr_cooc *from_row(sqlite3_stmt *s)
{
	struct llmr_cooc *m = llmr_xcalloc(1, sizeof(*m));
	size_t n = (size_t)sqlite3_column_int64(s, 1), d = (size_t)sqlite3_column_int64(s, 0), i;
	const unsigned char *vb = sqlite3_column_blob(s, 4);

	m->nwords = n;
	m->dim = d;
	m->ntexts = sqlite3_column_int64(s, 5);
	if (!n || !d || (size_t)sqlite3_column_bytes(s, 2) != n * 8 ||
	    (size_t)sqlite3_column_bytes(s, 3) != n * 4 ||
	    (size_t)sqlite3_column_bytes(s, 4) != n * (4 + d)) {
		free(m);
		return NULL;
	}
	m->key = llmr_xmalloc(n * 8);
	m->idf = llmr_xmalloc(n * 4);
	m->vec = llmr_xmalloc(n * d * sizeof(float));
	memcpy(m->key, sqlite3_column_blob(s, 2), n * 8);
	memcpy(m->idf, sqlite3_column_blob(s, 3), n * 4);
	for (i = 0; i < n; i++)
		llmr_embed_dequantize(vb + i * (4 + d), 4 + d, m->vec + i * d, d);
	llmr_cooc_index(m);
	return m;
}

int llmr_cooc_load(sqlite3 *db, int64_t coll, struct llmr_cooc **out, struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT dim, nwords, words, idf, vecs, chunks FROM idx_cooc WHERE coll=?",
			       -1, &s, NULL) != SQLITE_OK)
		return dberr(db, e, "load");
	sqlite3_bind_int64(s, 1, coll);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = from_row(s);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : dberr(db, e, "load");
}

/* --- learning again ------------------------------------------------------ */

struct learn {
	int64_t coll;
	long chunks;
	struct llmr_cooc *m;
};

static long count_of(sqlite3 *db, const char *sql, int64_t coll)
{
	sqlite3_stmt *s;
	long n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, coll);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* The chunks' texts (heading, newline, text), in id order, until the
 * learner's token budget is surely spent. */
static int read_texts(sqlite3 *db, int64_t coll, char ***texts, size_t **lens, size_t *n,
		      struct llmr_err *e)
{
	sqlite3_stmt *s;
	size_t cap = 0, bytes = 0;
	int rc;

	*n = 0;
	if (sqlite3_prepare_v2(db, "SELECT heading, text FROM idx_chunks WHERE coll=? ORDER BY id",
			       -1, &s, NULL) != SQLITE_OK)
		return dberr(db, e, "chunks");
	sqlite3_bind_int64(s, 1, coll);
	while (bytes < (size_t)LLMR_COOC_MAX_TOKENS * 12 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct llmr_buf b = LLMR_BUF_INIT;

		llmr_index_embed_input((const char *)sqlite3_column_text(s, 0),
				       (const char *)sqlite3_column_text(s, 1), &b);
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			*texts = llmr_xrealloc(*texts, cap * sizeof(**texts));
			*lens = llmr_xrealloc(*lens, cap * sizeof(**lens));
		}
		(*texts)[*n] = b.s ? b.s : llmr_xstrdup("");
		(*lens)[(*n)++] = b.len;
		bytes += b.len;
	}
	sqlite3_finalize(s);
	return 0;
}

static int save_tx(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct learn *l = ud;
	struct llmr_cooc *m = l->m;
	sqlite3_stmt *s;
	unsigned char *vb;
	size_t i;
	int rc;

	if (!m) {
		if (sqlite3_prepare_v2(db, "DELETE FROM idx_cooc WHERE coll=?", -1, &s, NULL) !=
		    SQLITE_OK)
			return dberr(db, e, "save");
		sqlite3_bind_int64(s, 1, l->coll);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		return rc == SQLITE_DONE ? 0 : dberr(db, e, "save");
	}
	if (sqlite3_prepare_v2(db,
			       "INSERT OR REPLACE INTO idx_cooc(coll, dim, nwords, chunks, learned_ms,"
			       " words, idf, vecs) VALUES (?,?,?,?,?,?,?,?)",
			       -1, &s, NULL) != SQLITE_OK)
		return dberr(db, e, "save");
	vb = llmr_xmalloc(m->nwords * (4 + m->dim));
	for (i = 0; i < m->nwords; i++) {
		size_t len;
		void *q = llmr_embed_quantize(m->vec + i * m->dim, m->dim, &len);

		memcpy(vb + i * (4 + m->dim), q, len);
		free(q);
	}
	sqlite3_bind_int64(s, 1, l->coll);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)m->dim);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)m->nwords);
	sqlite3_bind_int64(s, 4, l->chunks);
	sqlite3_bind_int64(s, 5, llmr_now_ms());
	sqlite3_bind_blob(s, 6, m->key, (int)(m->nwords * 8), SQLITE_TRANSIENT);
	sqlite3_bind_blob(s, 7, m->idf, (int)(m->nwords * 4), SQLITE_TRANSIENT);
	sqlite3_bind_blob(s, 8, vb, (int)(m->nwords * (4 + m->dim)), SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	free(vb);
	return rc == SQLITE_DONE ? 0 : dberr(db, e, "save");
}

int llmr_cooc_refresh(struct llmr_state *st, int64_t coll, struct llmr_err *e)
{
	sqlite3 *db = llmr_state_db(st);
	struct learn l = {coll, 0, NULL};
	char **texts = NULL;
	size_t *lens = NULL, n = 0, i;
	long learned;
	int rc;

	l.chunks = count_of(db, "SELECT count(*) FROM idx_chunks WHERE coll=?", coll);
	learned = count_of(db, "SELECT chunks FROM idx_cooc WHERE coll=?", coll);
	if (l.chunks < 0)
		return dberr(db, e, "chunks");
	if (learned >= 0 && labs(l.chunks - learned) * 10 <= learned)
		return 0;
	if (read_texts(db, coll, &texts, &lens, &n, e) < 0)
		return -1;
	l.m = llmr_cooc_learn((const char *const *)texts, lens, n);
	for (i = 0; i < n; i++)
		free(texts[i]);
	free(texts);
	free(lens);
	rc = llmr_state_tx(st, 1, save_tx, &l, e);
	llmr_cooc_free(l.m);
	return rc;
}
