#include "index/index.h"

#include <stdlib.h>
#include <string.h>

#include "index/ann.h"
#include "index/chunk.h"
#include "index/cooc.h"
#include "index/embed.h"
#include "index/extract.h"
#include "index/index_impl.h"

static int dberr(sqlite3 *db, struct llmr_err *e, const char *what)
{
	return llmr_index_dberr(db, e, what);
}

static int load_docs(struct llmr_indexer *ix, struct llmr_err *e)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	if (sqlite3_prepare_v2(ix->db,
			       "SELECT id, source, size, mtime_ns, hash, origin FROM idx_docs WHERE coll=?",
			       -1, &st, NULL) != SQLITE_OK)
		return dberr(ix->db, e, "documents");
	sqlite3_bind_int64(st, 1, ix->coll);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct llmr_index_docrec *d;

		if (ix->ndocs == cap) {
			cap = cap ? cap * 2 : 256;
			ix->docs = llmr_xrealloc(ix->docs, cap * sizeof(*ix->docs));
		}
		d = &ix->docs[ix->ndocs++];
		memset(d, 0, sizeof(*d));
		d->id = sqlite3_column_int64(st, 0);
		d->source = llmr_xstrdup((const char *)sqlite3_column_text(st, 1));
		d->size = sqlite3_column_int64(st, 2);
		d->mtime_ns = sqlite3_column_int64(st, 3);
		snprintf(d->hash, sizeof(d->hash), "%s", (const char *)sqlite3_column_text(st, 4));
		d->file = !strcmp((const char *)sqlite3_column_text(st, 5), "file");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return dberr(ix->db, e, "documents");
	llmr_index_rehash(ix);
	return 0;
}

/* --- opening: the collection row, its embedder, --rebuild --------------- */

struct open_ctx {
	struct llmr_indexer *ix;
	const char *name;
};

static int open_tx(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct open_ctx *c = ud;
	struct llmr_indexer *ix = c->ix;
	char *emb = NULL;
	sqlite3_stmt *st;
	int64_t id;
	int rc;

	id = llmr_index_collection(db, c->name, &emb, NULL, e);
	if (id < 0)
		return -1;
	if (id > 0 && strcmp(emb, ix->em->spec) && !ix->o.rebuild) {
		rc = llmr_errf(e, LLMR_EX_CONFIG,
			       "collection '%s' was indexed with embedder '%s', not '%s': "
			       "rerun with --rebuild",
			       c->name, emb, ix->em->spec);
		free(emb);
		return rc;
	}
	free(emb);
	/* --rebuild empties the collection only when the run has something to
	 * put back in it (llmr_index_drop_pending): a run that finds no input
	 * leaves it as it was. */
	if (id > 0 && ix->o.rebuild)
		ix->rebuild_pending = 1;
	if (id == 0) {
		if (sqlite3_prepare_v2(db,
				       "INSERT INTO idx_collections(name, embedder, dim, created_ms)"
				       " VALUES (?,?,?,?)",
				       -1, &st, NULL) != SQLITE_OK)
			return dberr(db, e, "collections");
		sqlite3_bind_text(st, 1, c->name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, ix->em->spec, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)ix->em->dim);
		sqlite3_bind_int64(st, 4, llmr_now_ms());
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return dberr(db, e, "collections");
		id = sqlite3_last_insert_rowid(db);
	}
	ix->coll = id;
	return 0;
}

int llmr_index_open(struct llmr_state *st, const struct llmr_config *cfg,
		    const struct llmr_index_opts *o, struct llmr_indexer **out, struct llmr_err *e)
{
	struct llmr_indexer *ix = llmr_xcalloc(1, sizeof(*ix));
	struct open_ctx c;

	ix->st = st;
	ix->db = llmr_state_db(st);
	ix->cfg = cfg;
	ix->o = *o;
	ix->chunk_tokens = cfg && cfg->index_chunk_tokens > 0 ? cfg->index_chunk_tokens : 400;
	ix->overlap = cfg && cfg->index_overlap >= 0 ? cfg->index_overlap : 40;
	c.ix = ix;
	c.name = o->collection ? o->collection : "default";
	/* Each document is written inside a savepoint, whose journal of the
	 * pages it changes went to a temporary file, page by page: tens of
	 * writes a document. Memory is enough for one document's pages. */
	sqlite3_exec(ix->db, "PRAGMA temp_store=MEMORY", NULL, NULL, NULL);
	ix->name = llmr_xstrdup(c.name);
	if (llmr_embedder_open(cfg, cfg ? cfg->index_embedder : NULL, &ix->em, e) < 0 ||
	    (ix->em->st = st, llmr_state_tx(st, 1, open_tx, &c, e) < 0) ||
	    llmr_index_load_roots(ix, e) < 0 ||
	    (llmr_index_pipe_start(ix), 0) ||
	    (ix->rebuild_pending ? (llmr_index_rehash(ix), 0) : load_docs(ix, e)) < 0) {
		llmr_index_free(ix);
		return -1;
	}
	*out = ix;
	return 0;
}

void llmr_index_free(struct llmr_indexer *ix)
{
	size_t i;

	if (!ix)
		return;
	llmr_index_pipe_stop(ix->pipe);
	if (ix->in_batch) /* an error left it open: drop the partial batch */
		sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
	free(ix->skid);
	free(ix->sk);
	llmr_index_stmts_free(ix);
	for (i = 0; i < ix->ndocs; i++)
		free(ix->docs[i].source);
	free(ix->docs);
	free(ix->tab);
	free(ix->name);
	llmr_index_roots_free(ix);
	llmr_index_change_free(ix);
	llmr_embedder_free(ix->em);
	free(ix);
}

int llmr_index_close(struct llmr_indexer *ix, struct llmr_index_counts *counts,
		     struct llmr_err *e)
{
	int rc = 0;

	/* The JSON-lines documents still in the pipeline. */
	if (llmr_index_pipe_drain(ix, e) < 0) {
		llmr_index_free(ix);
		return -1;
	}
	/* --rebuild, and nothing found to put back: refuse, unless --prune
	 * asked for the collection to be emptied anyway. */
	if (ix->rebuild_pending && !ix->o.prune) {
		if (counts)
			*counts = ix->c;
		llmr_errf(e, LLMR_EX_USAGE,
			  "nothing to index: collection '%s' left as it was (--rebuild --prune empties it)",
			  ix->name);
		llmr_index_free(ix);
		return -1;
	}
	if (llmr_index_drop_pending(ix, e) < 0) {
		llmr_index_free(ix);
		return -1;
	}
	if (ix->in_batch && llmr_index_batch_end(ix, 1, e) < 0) {
		llmr_index_free(ix);
		return -1;
	}
	if (ix->o.change) {
		llmr_index_change_prev_gone(ix);
		llmr_index_change_flush(ix);
	}
	if (ix->changed)
		rc = llmr_index_graph_close(ix, e);
	else
		rc = llmr_index_graph_if_stale(ix->st, ix->coll, ix->em->spec, ix->cfg, e);
	/* local-cooc: learn the word vectors again if the collection changed
	 * enough (cooc.h); the graph does not depend on them. */
	if (rc == 0 && ix->em->cooc)
		rc = llmr_cooc_refresh(ix->st, ix->coll, e);
	/* A run that wrote much leaves a long WAL that every later search must
	 * look pages up in: fold it into the database now, without waiting for
	 * readers (a passive checkpoint never blocks). */
	if (rc == 0 && ix->changed)
		sqlite3_wal_checkpoint_v2(llmr_state_db(ix->st), NULL, SQLITE_CHECKPOINT_PASSIVE,
					  NULL, NULL);
	if (counts)
		*counts = ix->c;
	llmr_index_free(ix);
	return rc;
}
