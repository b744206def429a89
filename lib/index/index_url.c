/*
 * index_url.c - the address a file document is shown with: the web address
 * of its root's synced copy (--url-base, kept in idx_roots) with the
 * root-relative path percent-encoded, else a file:// URL.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "index/index_impl.h"

static int under(const char *source, const char *root)
{
	size_t n = strlen(root);

	if (n == 1 && root[0] == '/')
		return source[0] == '/';
	return !strncmp(source, root, n) && (source[n] == '/' || source[n] == '\0');
}

/* Append s percent-encoded (RFC 3986: unreserved characters and the
 * slashes that separate folders stay as they are). */
static void add_encoded(struct llmr_buf *b, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
			llmr_buf_add(b, p, 1);
		else
			llmr_buf_addf(b, "%%%02X", *p);
	}
}

static char *file_url(const char *path)
{
	char real[PATH_MAX];
	struct llmr_buf b = LLMR_BUF_INIT;
	const unsigned char *p;

	if (!realpath(path, real))
		return NULL;
	llmr_buf_adds(&b, "file://");
	for (p = (const unsigned char *)real; *p; p++) {
		if (*p <= ' ' || *p == '%' || *p == '#' || *p == '?' || *p >= 0x7f)
			llmr_buf_addf(&b, "%%%02X", *p);
		else
			llmr_buf_add(&b, p, 1);
	}
	return llmr_buf_detach(&b);
}

/* The longest root with a web address that holds source, or NULL. */
static const struct llmr_index_root *root_of(const struct llmr_indexer *ix, const char *source)
{
	const struct llmr_index_root *best = NULL;
	size_t i;

	for (i = 0; i < ix->nroots; i++)
		if (under(source, ix->roots[i].root) &&
		    (!best || strlen(ix->roots[i].root) > strlen(best->root)))
			best = &ix->roots[i];
	return best;
}

static char *web_url(const struct llmr_index_root *r, const char *source)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	const char *rel = source + strlen(r->root);

	llmr_buf_adds(&b, r->base);
	while (*rel == '/')
		rel++;
	if (*rel) {
		if (!b.len || b.s[b.len - 1] != '/')
			llmr_buf_add(&b, "/", 1);
		add_encoded(&b, rel);
	}
	return llmr_buf_detach(&b);
}

char *llmr_index_file_url(const struct llmr_indexer *ix, const char *source)
{
	const struct llmr_index_root *r = root_of(ix, source);

	return r ? web_url(r, source) : file_url(source);
}

int llmr_index_load_roots(struct llmr_indexer *ix, struct llmr_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(ix->db, "SELECT root, url_base FROM idx_roots WHERE coll=?", -1, &st,
			       NULL) != SQLITE_OK)
		return llmr_index_dberr(ix->db, e, "roots");
	sqlite3_bind_int64(st, 1, ix->coll);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ix->roots = llmr_xrealloc(ix->roots, (ix->nroots + 1) * sizeof(*ix->roots));
		ix->roots[ix->nroots].root = llmr_xstrdup((const char *)sqlite3_column_text(st, 0));
		ix->roots[ix->nroots++].base = llmr_xstrdup((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : llmr_index_dberr(ix->db, e, "roots");
}

struct base_ctx {
	struct llmr_indexer *ix;
	const char *root, *base;
};

/* Store the mapping and give the documents already under root their new
 * address, in one transaction. */
static int base_tx(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct base_ctx *c = ud;
	struct llmr_indexer *ix = c->ix;
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if (sqlite3_prepare_v2(db, *c->base ? "INSERT OR REPLACE INTO idx_roots VALUES (?1,?2,?3)"
					    : "DELETE FROM idx_roots WHERE coll=?1 AND root=?2",
			       -1, &st, NULL) != SQLITE_OK)
		return llmr_index_dberr(db, e, "roots");
	sqlite3_bind_int64(st, 1, ix->coll);
	sqlite3_bind_text(st, 2, c->root, -1, SQLITE_STATIC);
	if (*c->base)
		sqlite3_bind_text(st, 3, c->base, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return llmr_index_dberr(db, e, "roots");
	if (sqlite3_prepare_v2(db, "UPDATE idx_docs SET url=? WHERE id=?", -1, &st, NULL) != SQLITE_OK)
		return llmr_index_dberr(db, e, "documents");
	for (i = 0; i < ix->ndocs; i++) {
		const struct llmr_index_docrec *d = &ix->docs[i];
		char *url;

		if (!d->file || !under(d->source, c->root))
			continue;
		url = llmr_index_file_url(ix, d->source);
		sqlite3_bind_text(st, 1, url, -1, free);
		sqlite3_bind_int64(st, 2, d->id);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			sqlite3_finalize(st);
			return llmr_index_dberr(db, e, "documents");
		}
	}
	sqlite3_finalize(st);
	return 0;
}

int llmr_index_set_url_base(struct llmr_indexer *ix, const char *root, const char *base,
			    struct llmr_err *e)
{
	struct base_ctx c = {ix, root, base};
	size_t i;

	for (i = 0; i < ix->nroots && strcmp(ix->roots[i].root, root); i++)
		;
	if (i < ix->nroots && !strcmp(ix->roots[i].base, base))
		return 0; /* as stored: nothing to rewrite */
	if (i == ix->nroots && !*base)
		return 0;
	if (i == ix->nroots) {
		ix->roots = llmr_xrealloc(ix->roots, (ix->nroots + 1) * sizeof(*ix->roots));
		ix->roots[ix->nroots].root = llmr_xstrdup(root);
		ix->roots[ix->nroots++].base = llmr_xstrdup(base);
	} else if (*base) {
		free(ix->roots[i].base);
		ix->roots[i].base = llmr_xstrdup(base);
	} else {
		free(ix->roots[i].root);
		free(ix->roots[i].base);
		ix->roots[i] = ix->roots[--ix->nroots];
	}
	return llmr_state_tx(ix->st, 1, base_tx, &c, e);
}

void llmr_index_roots_free(struct llmr_indexer *ix)
{
	size_t i;

	for (i = 0; i < ix->nroots; i++) {
		free(ix->roots[i].root);
		free(ix->roots[i].base);
	}
	free(ix->roots);
	ix->roots = NULL;
	ix->nroots = 0;
}
