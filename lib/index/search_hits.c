#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/search_impl.h"

static const char *col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

/* The other sources holding the same content as hit h (document doc). */
static void add_also(sqlite3_stmt *st, int64_t coll, const char *hash, int64_t doc,
		     struct llmr_hit *h)
{
	size_t cap = 0;

	sqlite3_bind_int64(st, 1, coll);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, doc);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (h->nalso == cap) {
			cap = cap ? cap * 2 : 4;
			h->also = llmr_xrealloc(h->also, cap * sizeof(*h->also));
		}
		h->also[h->nalso++] = llmr_xstrdup(col(st, 0));
	}
	sqlite3_reset(st);
}

/* Whether key is among seen[0..n); adds it otherwise. */
static int seen_before(char **seen, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(seen[i], key))
			return 1;
	seen[n] = llmr_xstrdup(key);
	return 0;
}

int llmr_search_fill(sqlite3 *db, int64_t coll, const struct scored *v, size_t n, size_t k,
		     int by_doc, struct llmr_hits *out, struct llmr_err *e)
{
	sqlite3_stmt *st, *also;
	char **seen = llmr_xcalloc(k ? k : 1, sizeof(*seen));
	char key[160];
	size_t i;

	if (sqlite3_prepare_v2(db,
			       "SELECT c.seq, c.heading, c.text, d.source, d.url, d.hash, d.id"
			       " FROM idx_chunks c JOIN idx_docs d ON d.id = c.doc WHERE c.id=?",
			       -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
			       "SELECT source FROM idx_docs WHERE coll=? AND hash=? AND id<>?"
			       " ORDER BY source",
			       -1, &also, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		free(seen);
		return llmr_errf(e, LLMR_EX_SOFTWARE, "search: chunks: %s", sqlite3_errmsg(db));
	}
	out->v = llmr_xcalloc(k ? k : 1, sizeof(*out->v));
	for (i = 0; i < n && out->n < k; i++) {
		sqlite3_bind_int64(st, 1, v[i].id);
		if (sqlite3_step(st) == SQLITE_ROW) {
			struct llmr_hit *h = &out->v[out->n];
			const char *url = (const char *)sqlite3_column_text(st, 4);
			int64_t doc = sqlite3_column_int64(st, 6);

			/* The key of a result: its content, and without by_doc
			 * which chunk of it. Copies share the hash. */
			snprintf(key, sizeof(key), "%s#%d", col(st, 5),
				 by_doc ? -1 : sqlite3_column_int(st, 0));
			if (seen_before(seen, out->n, key)) {
				sqlite3_reset(st);
				continue;
			}
			out->n++;
			h->chunk_id = v[i].id;
			h->seq = sqlite3_column_int(st, 0);
			h->heading = llmr_xstrdup(col(st, 1));
			h->text = llmr_xstrdup(col(st, 2));
			h->source = llmr_xstrdup(col(st, 3));
			h->url = url ? llmr_xstrdup(url) : NULL;
			h->score = v[i].score;
			add_also(also, coll, col(st, 5), doc, h);
		}
		sqlite3_reset(st);
	}
	for (i = 0; i < out->n; i++)
		free(seen[i]);
	free(seen);
	sqlite3_finalize(st);
	sqlite3_finalize(also);
	return 0;
}

void llmr_hits_release(struct llmr_hits *h)
{
	size_t i, j;

	for (i = 0; i < h->n; i++) {
		free(h->v[i].source);
		free(h->v[i].heading);
		free(h->v[i].text);
		free(h->v[i].url);
		for (j = 0; j < h->v[i].nalso; j++)
			free(h->v[i].also[j]);
		free(h->v[i].also);
	}
	free(h->v);
	free(h->collection);
	memset(h, 0, sizeof(*h));
}
