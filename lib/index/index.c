#include "index/index.h"

#include <stdlib.h>
#include <string.h>

#include "index/ann.h"
#include "index/chunk.h"
#include "index/cooc.h"
#include "index/embed.h"
#include "index/extract.h"
#include "index/index_impl.h"
#include "base/sha256.h"

static int dberr(sqlite3 *db, struct llmr_err *e, const char *what)
{
	return llmr_index_dberr(db, e, what);
}

int64_t llmr_index_collection(sqlite3 *db, const char *name, char **embedder, long *dim,
			      struct llmr_err *e)
{
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT id, embedder, dim FROM idx_collections WHERE name=?", -1,
			       &st, NULL) != SQLITE_OK)
		return dberr(db, e, "collections");
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
		return dberr(db, e, "collections");
	return id;
}

/* --- the documents already indexed, looked up by source ---------------- */

static size_t hash_str(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static void map_put(struct llmr_indexer *ix, size_t idx)
{
	size_t m = ix->tabcap - 1, i = hash_str(ix->docs[idx].source) & m;

	while (ix->tab[i] != (size_t)-1)
		i = (i + 1) & m;
	ix->tab[i] = idx;
}

struct llmr_index_docrec *llmr_index_find(struct llmr_indexer *ix, const char *source)
{
	size_t m, i;

	if (!ix->tabcap)
		return NULL;
	m = ix->tabcap - 1;
	for (i = hash_str(source) & m; ix->tab[i] != (size_t)-1; i = (i + 1) & m)
		if (!strcmp(ix->docs[ix->tab[i]].source, source))
			return &ix->docs[ix->tab[i]];
	return NULL;
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

void llmr_index_rehash(struct llmr_indexer *ix)
{
	size_t i;

	free(ix->tab);
	for (ix->tabcap = 1024; ix->tabcap < ix->ndocs * 4; ix->tabcap *= 2)
		;
	ix->tab = llmr_xmalloc(ix->tabcap * sizeof(*ix->tab));
	memset(ix->tab, 0xff, ix->tabcap * sizeof(*ix->tab));
	for (i = 0; i < ix->ndocs; i++)
		map_put(ix, i);
	ix->tabused = ix->ndocs;
}

void llmr_index_map_add(struct llmr_indexer *ix, size_t idx)
{
	/* The slot of the old name stays (it no longer matches): rehash
	 * before the table is half full. */
	if (++ix->tabused * 2 > ix->tabcap)
		llmr_index_rehash(ix);
	else
		map_put(ix, idx);
}

/* --- opening: the collection row, its embedder, --rebuild --------------- */

static int drop_tx(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct llmr_indexer *ix = ud;
	sqlite3_stmt *st;
	int rc;

	if (llmr_index_exec_coll(db, "DELETE FROM idx_chunks WHERE coll=?", ix->coll, e) < 0 ||
	    llmr_index_exec_coll(db, "DELETE FROM idx_docs WHERE coll=?", ix->coll, e) < 0 ||
	    llmr_index_exec_coll(db, "DELETE FROM idx_cooc WHERE coll=?", ix->coll, e) < 0 ||
	    llmr_ann_drop(db, ix->coll, e) < 0)
		return -1;
	if (sqlite3_prepare_v2(db, "UPDATE idx_collections SET embedder=?, dim=0 WHERE id=?", -1,
			       &st, NULL) != SQLITE_OK)
		return dberr(db, e, "collections");
	sqlite3_bind_text(st, 1, ix->em->spec, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, ix->coll);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : dberr(db, e, "collections");
}

int llmr_index_drop_pending(struct llmr_indexer *ix, struct llmr_err *e)
{
	size_t i;

	if (!ix->rebuild_pending)
		return 0;
	if (llmr_index_batch_begin(ix, e) < 0 || llmr_state_tx(ix->st, 1, drop_tx, ix, e) < 0)
		return -1;
	ix->rebuild_pending = 0;
	ix->changed = 1;
	/* Every document is new now. */
	for (i = 0; i < ix->ndocs; i++)
		free(ix->docs[i].source);
	ix->ndocs = 0;
	llmr_index_rehash(ix);
	return llmr_index_batch_end(ix, 0, e);
}

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
	ix->name = llmr_xstrdup(c.name);
	if (llmr_embedder_open(cfg, cfg ? cfg->index_embedder : NULL, &ix->em, e) < 0 ||
	    (ix->em->st = st, llmr_state_tx(st, 1, open_tx, &c, e) < 0) ||
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
	if (ix->in_batch) /* an error left it open: drop the partial batch */
		sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
	for (i = 0; i < ix->ndocs; i++)
		free(ix->docs[i].source);
	free(ix->docs);
	free(ix->tab);
	free(ix->name);
	llmr_embedder_free(ix->em);
	free(ix);
}

#define BATCH_DOCS 64
#define BATCH_MS 250
#define BUSY_DEADLINE_MS 30000

static int exec_busy(struct llmr_indexer *ix, const char *sql, struct llmr_err *e)
{
	int64_t deadline = llmr_mono_ms() + BUSY_DEADLINE_MS, delay = 5;
	int rc;

	while ((rc = sqlite3_exec(ix->db, sql, NULL, NULL, NULL)) == SQLITE_BUSY ||
	       rc == SQLITE_LOCKED) {
		if (llmr_mono_ms() > deadline)
			break;
		llmr_sleep_ms(delay);
		if (delay < 200)
			delay *= 2;
	}
	return rc == SQLITE_OK ? 0 : dberr(ix->db, e, sql);
}

int llmr_index_batch_begin(struct llmr_indexer *ix, struct llmr_err *e)
{
	/* API embedders call the network per document: no lock held then. */
	if (ix->in_batch || !ix->em->local)
		return 0;
	if (exec_busy(ix, "BEGIN IMMEDIATE", e) < 0)
		return -1;
	ix->in_batch = 1;
	ix->batch_ms = llmr_mono_ms();
	ix->batch_docs = 0;
	return 0;
}

int llmr_index_batch_end(struct llmr_indexer *ix, int force, struct llmr_err *e)
{
	if (!ix->in_batch)
		return 0;
	ix->batch_docs++;
	if (!force && ix->batch_docs < BATCH_DOCS && llmr_mono_ms() - ix->batch_ms < BATCH_MS)
		return 0;
	ix->in_batch = 0;
	if (exec_busy(ix, "COMMIT", e) < 0) {
		sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

int llmr_index_close(struct llmr_indexer *ix, struct llmr_index_counts *counts,
		     struct llmr_err *e)
{
	int rc = 0;

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
	if (ix->changed)
		rc = llmr_index_update_graph(ix->st, ix->coll, ix->em->spec, ix->cfg, e);
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

char *llmr_index_sha256(const void *data, size_t n)
{
	char h[65];

	llmr_sha256_hex(data, n, h);
	return llmr_xstrdup(h);
}
