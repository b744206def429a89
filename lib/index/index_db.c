/*
 * index_db.c - the small SQL helpers every index*.c and ann_store.c file
 * shares, kept below them so that none of them calls back into index.c.
 */
#include "index/index.h"

#include "index/index_impl.h"
#include "base/sha256.h"

int llmr_index_dberr(sqlite3 *db, struct llmr_err *e, const char *what)
{
	return llmr_errf(e, LLMR_EX_SOFTWARE, "index: %s: %s", what, sqlite3_errmsg(db));
}

void llmr_index_embed_input(const char *heading, const char *text, struct llmr_buf *out)
{
	if (heading && *heading) {
		llmr_buf_adds(out, heading);
		llmr_buf_add(out, "\n", 1);
	}
	llmr_buf_adds(out, text);
}

int llmr_index_exec_coll(sqlite3 *db, const char *sql, int64_t coll, struct llmr_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return llmr_index_dberr(db, e, "prepare");
	sqlite3_bind_int64(st, 1, coll);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : llmr_index_dberr(db, e, "write");
}

char *llmr_index_sha256(const void *data, size_t n)
{
	char h[65];

	llmr_sha256_hex(data, n, h);
	return llmr_xstrdup(h);
}

/* Here, not in index.c: search needs it, and index.c pulls in the whole
 * indexing pipeline (extraction: poppler, libxml2, libzip), which
 * llmr-ask and llmr-search must not link. */
int64_t llmr_index_collection(sqlite3 *db, const char *name, char **embedder, long *dim,
			      struct llmr_err *e)
{
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT id, embedder, dim FROM idx_collections WHERE name=?", -1,
			       &st, NULL) != SQLITE_OK)
		return llmr_index_dberr(db, e, "collections");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		if (embedder)
			*embedder = llmr_xstrdup((const char *)sqlite3_column_text(st, 1));
		if (dim)
			*dim = sqlite3_column_int(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return llmr_index_dberr(db, e, "collections");
	return id;
}
