/*
 * index_batch.c - the batch transactions documents are written in, and
 * --rebuild's drop of the collection, which waits for the first write.
 */
#include <stdlib.h>
#include <string.h>

#include "index/ann.h"
#include "index/index_impl.h"

static int dberr(sqlite3 *db, struct llmr_err *e, const char *what)
{
	return llmr_index_dberr(db, e, what);
}

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
	if (llmr_index_change_keep_prev(ix, e) < 0 || llmr_index_batch_begin(ix, e) < 0 ||
	    llmr_state_tx(ix->st, 1, drop_tx, ix, e) < 0)
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

#define BATCH_DOCS 1024
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
		ix->nsk = 0; /* ids of rows that are gone: the graph embeds again */
		return -1;
	}
	return 0;
}
