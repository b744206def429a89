/*
 * index_change.c - the documents a run added, updated and deleted, for
 * llmr-index --changes. A change is told (o->change) only once the
 * transaction that holds it has committed, so cron never announces a
 * document that a kill -9 took back. --rebuild empties the collection and
 * adds everything again: the documents it had before are kept aside, so
 * that the run still reports what really changed.
 */
#include <stdlib.h>
#include <string.h>

#include "index/index_impl.h"

struct llmr_index_pending {
	const char *kind; /* static */
	char *source, *url;
};

struct llmr_index_prev {
	char *source, *url;
	char hash[72];
	int seen;
};

static int cmp_prev(const void *a, const void *b)
{
	return strcmp(((const struct llmr_index_prev *)a)->source,
		      ((const struct llmr_index_prev *)b)->source);
}

static void push(struct llmr_indexer *ix, const char *kind, const char *source, const char *url)
{
	struct llmr_index_pending *p;

	if (ix->npend == ix->pendcap) {
		ix->pendcap = ix->pendcap ? ix->pendcap * 2 : 64;
		ix->pend = llmr_xrealloc(ix->pend, ix->pendcap * sizeof(*ix->pend));
	}
	p = &ix->pend[ix->npend++];
	p->kind = kind;
	p->source = llmr_xstrdup(source);
	p->url = url ? llmr_xstrdup(url) : NULL;
}

void llmr_index_change_queue(struct llmr_indexer *ix, const char *kind, const char *source,
			     const char *url, const char *hash)
{
	struct llmr_index_prev key, *p;

	if (!ix->o.change || !kind)
		return;
	if (ix->prev) {
		/* After --rebuild every document is new to the collection:
		 * compare with what it held before instead. */
		key.source = (char *)source;
		p = bsearch(&key, ix->prev, ix->nprev, sizeof(*ix->prev), cmp_prev);
		if (p) {
			p->seen = 1;
			if (hash && !strcmp(p->hash, hash))
				return;
			kind = "updated";
		} else {
			kind = "added";
		}
	}
	push(ix, kind, source, url);
}

void llmr_index_change_unqueue(struct llmr_indexer *ix)
{
	if (!ix->npend)
		return;
	ix->npend--;
	free(ix->pend[ix->npend].source);
	free(ix->pend[ix->npend].url);
}

void llmr_index_change_flush(struct llmr_indexer *ix)
{
	size_t i;

	for (i = 0; i < ix->npend; i++) {
		struct llmr_index_change c = {ix->pend[i].kind, ix->pend[i].source, ix->pend[i].url};

		ix->o.change(&c, ix->o.ud);
		free(ix->pend[i].source);
		free(ix->pend[i].url);
	}
	ix->npend = 0;
}

char *llmr_index_stored_url(struct llmr_indexer *ix, int64_t id)
{
	sqlite3_stmt *st;
	char *url = NULL;

	if (sqlite3_prepare_v2(ix->db, "SELECT url FROM idx_docs WHERE id=?", -1, &st, NULL) !=
	    SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		url = llmr_xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return url;
}

int llmr_index_change_keep_prev(struct llmr_indexer *ix, struct llmr_err *e)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	if (!ix->o.change || ix->prev)
		return 0;
	if (sqlite3_prepare_v2(ix->db, "SELECT source, url, hash FROM idx_docs WHERE coll=?"
				       " AND error IS NULL", -1, &st, NULL) != SQLITE_OK)
		return llmr_index_dberr(ix->db, e, "documents");
	sqlite3_bind_int64(st, 1, ix->coll);
	ix->prev = llmr_xcalloc(1, sizeof(*ix->prev));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct llmr_index_prev *p;
		const char *url = (const char *)sqlite3_column_text(st, 1);

		if (ix->nprev == cap) {
			cap = cap ? cap * 2 : 256;
			ix->prev = llmr_xrealloc(ix->prev, cap * sizeof(*ix->prev));
		}
		p = &ix->prev[ix->nprev++];
		p->source = llmr_xstrdup((const char *)sqlite3_column_text(st, 0));
		p->url = url ? llmr_xstrdup(url) : NULL;
		snprintf(p->hash, sizeof(p->hash), "%s", (const char *)sqlite3_column_text(st, 2));
		p->seen = 0;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return llmr_index_dberr(ix->db, e, "documents");
	if (ix->nprev > 1)
		qsort(ix->prev, ix->nprev, sizeof(*ix->prev), cmp_prev);
	return 0;
}

void llmr_index_change_prev_gone(struct llmr_indexer *ix)
{
	size_t i;

	for (i = 0; ix->prev && i < ix->nprev; i++)
		if (!ix->prev[i].seen)
			push(ix, "deleted", ix->prev[i].source, ix->prev[i].url);
}

void llmr_index_change_free(struct llmr_indexer *ix)
{
	size_t i;

	while (ix->npend)
		llmr_index_change_unqueue(ix);
	free(ix->pend);
	for (i = 0; i < ix->nprev; i++) {
		free(ix->prev[i].source);
		free(ix->prev[i].url);
	}
	free(ix->prev);
}
