#include <math.h>
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

static int fill(sqlite3 *db, int64_t coll, const struct scored *v, size_t n, size_t k,
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

struct agg {
	int64_t doc, first; /* the document, its best chunk */
	double score;
	size_t seen;        /* its chunks in the ranking so far */
	long chunks;        /* its chunks in all */
};

static int by_agg(const void *a, const void *b)
{
	const struct agg *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/*
 * --by doc: one score per document from the ranking of its chunks, the
 * best chunk's plus DAMP times the next ones' (the i-th divided by i),
 * over 1 + LENGTH_PRIOR * ln(chunks of the document). The sum rewards a
 * document that answers in several places; the prior keeps a long one
 * from winning on its number of chunks alone. Dev halves of
 * tests/bench/retrieval.sh, hybrid MRR@10 / recall@5 (fr; en): best chunk
 * only 0.811 / 0.887, 0.815; sum alone 0.798 / 0.906, 0.772; prior alone
 * 0.804 / 0.887, 0.772; both 0.817 / 0.906, 0.815. Tried DAMP 0.6 (worse)
 * and the prior at 0.15.
 */
#define DAMP 0.3
#define LENGTH_PRIOR 0.3

/* The documents' best chunks, best document first, in *out (malloc'd). */
static size_t aggregate(sqlite3 *db, const struct scored *v, size_t n, struct scored **out)
{
	struct agg *a = llmr_xcalloc(n + 1, sizeof(*a));
	sqlite3_stmt *st;
	size_t na = 0, i, j;

	if (sqlite3_prepare_v2(db, "SELECT c.doc, (SELECT count(*) FROM idx_chunks x WHERE x.doc = c.doc)"
			       " FROM idx_chunks c WHERE c.id=?", -1, &st, NULL) != SQLITE_OK) {
		free(a);
		*out = NULL;
		return 0;
	}
	for (i = 0; i < n; i++) {
		int64_t doc;

		sqlite3_bind_int64(st, 1, v[i].id);
		if (sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_reset(st);
			continue;
		}
		doc = sqlite3_column_int64(st, 0);
		for (j = 0; j < na && a[j].doc != doc; j++)
			;
		if (j == na) {
			a[na].doc = doc;
			a[na].first = v[i].id;
			a[na].chunks = sqlite3_column_int(st, 1);
			a[na++].score = v[i].score;
		} else {
			a[j].score += v[i].score * DAMP / (double)(a[j].seen + 1);
		}
		a[j].seen++;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	for (j = 0; j < na; j++)
		a[j].score /= 1 + LENGTH_PRIOR * log((double)(a[j].chunks > 0 ? a[j].chunks : 1));
	if (na > 1)
		qsort(a, na, sizeof(*a), by_agg);
	*out = llmr_xmalloc((na + 1) * sizeof(**out));
	for (j = 0; j < na; j++) {
		(*out)[j].id = a[j].first;
		(*out)[j].score = a[j].score;
	}
	free(a);
	return na;
}

int llmr_search_fill(sqlite3 *db, int64_t coll, const struct scored *v, size_t n, size_t k,
		     int by_doc, struct llmr_hits *out, struct llmr_err *e)
{
	struct scored *agg = NULL;
	int rc;

	if (by_doc) {
		n = aggregate(db, v, n, &agg);
		v = agg;
	}
	rc = fill(db, coll, v, n, k, by_doc, out, e);
	free(agg);
	return rc;
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
