/*
 * index.h - document collections in the state file: add files, folders and
 * JSON-lines documents, incrementally, safely under cron and kill -9.
 *
 * A run: llmr_index_open, then llmr_index_paths and/or llmr_index_doc, then
 * llmr_index_close. Each document is written in its own transaction (old
 * chunks out, new chunks and their full-text rows in, the document row
 * updated), so a run killed at any point leaves every document either as
 * it was or as it is now; the next run sees what is left to do. The ANN
 * graph (ann.h) is brought up to date at close in one more transaction, and
 * search covers chunks the graph does not have yet by brute force.
 *
 * Files are re-read only when size or mtime changed, and re-indexed only
 * when their content hash (SHA-256) changed. Files are named by their
 * canonical absolute path. Files gone from a folder that was walked leave
 * the index; but a named path that is missing or unreadable, a folder that
 * holds no files and a subfolder that cannot be read keep their documents
 * (each is warned about and counted in missing), unless o->prune.
 */
#ifndef LLMR_INDEX_H
#define LLMR_INDEX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/config.h"
#include "store/state.h"
#include "base/util.h"

/* One document of a run that changed (llmr-index --changes): change is
 * "added", "updated" or "deleted"; url may be NULL. All borrowed. */
struct llmr_index_change {
	const char *change, *source, *url;
};

struct llmr_index_opts {
	const char *collection;   /* NULL = "default" */
	bool rebuild;             /* drop the collection's content, once the run
				     has a document to put back (else close
				     fails with LLMR_EX_USAGE) */
	bool prune;               /* let roots that are missing or hold no files
				     lose their documents, and --rebuild empty
				     a collection when nothing is found */
	/* Called before each file (done of total) and with each warning about
	 * a file (path, one-line reason). May be NULL. */
	void (*progress)(size_t done, size_t total, const char *path, void *ud);
	void (*warn)(const char *path, const char *msg, void *ud);
	void *ud;
	bool verbose;             /* also warn about skipped unsupported files */
	/* The web address of the synced copy of the one root that
	 * llmr_index_paths is given (NULL: as stored, "" forgets it). Kept
	 * per collection and root: documents under the root are shown at
	 * url_base + their root-relative path, percent-encoded. */
	const char *url_base;
	/* Called with each document added, updated or deleted, once the
	 * transaction that wrote it has committed. May be NULL. */
	void (*change)(const struct llmr_index_change *c, void *ud);
};

struct llmr_index_counts {
	size_t files;     /* documents looked at */
	size_t added, updated, unchanged, deleted, failed;
	size_t chunks;    /* chunks written */
	size_t bytes;     /* text bytes extracted from added/updated documents */
	size_t missing;   /* roots missing, unreadable or empty (their
			     documents kept), and folders not read */
};

struct llmr_indexer;

/*
 * Start a run on collection o->collection with the config's index.*
 * settings (embedder, chunk_tokens, overlap). st and cfg are borrowed and
 * must outlive the indexer. Fails (-1, e) with LLMR_EX_CONFIG when the
 * collection was built with another embedder (use rebuild), or as
 * llmr_embedder_open does.
 */
int llmr_index_open(struct llmr_state *st, const struct llmr_config *cfg,
		    const struct llmr_index_opts *o, struct llmr_indexer **out, struct llmr_err *e);

/*
 * Index files and folders (recursively; hidden entries skipped). Bad files
 * are reported through o->warn and counted, and the run goes on. Returns
 * 0, or -1 with e on a state file or embedder failure (LLMR_EX_USAGE when
 * o->url_base is set and n is not 1).
 */
int llmr_index_paths(struct llmr_indexer *ix, char *const *paths, size_t n, struct llmr_err *e);

/*
 * Index one document given as text (the JSON-lines input): id names it
 * (the source), url and meta (a JSON object, borrowed) may be NULL. The text
 * is Markdown or plain text, converted to valid UTF-8. Unchanged text is
 * not rewritten. Returns 0, or -1 with e.
 */
int llmr_index_doc(struct llmr_indexer *ix, const char *id, const char *text, size_t n,
		   const char *url, json_t *meta, struct llmr_err *e);

/* Bring the ANN graph up to date, fill counts (may be NULL) and free ix.
 * Returns 0, or -1 with e (ix is freed either way). */
int llmr_index_close(struct llmr_indexer *ix, struct llmr_index_counts *counts,
		     struct llmr_err *e);

/*
 * Figures for --stats: a new JSON object (collection, embedder, documents,
 * failed, chunks, text_bytes, graph_nodes, graph_bytes, vector_bytes,
 * bytes_per_chunk, float32_bytes_per_chunk, state_bytes), or for every
 * collection when collection is NULL (an array). Returns 0, or -1 with e.
 */
int llmr_index_stats(struct llmr_state *st, const char *collection, json_t **out,
		     struct llmr_err *e);

/* The collection's row id, 0 when it does not exist, -1 on error (e). */
int64_t llmr_index_collection(sqlite3 *db, const char *name, char **embedder, long *dim,
			      struct llmr_err *e);

/* The text a chunk is embedded from: its heading path, then its text. */
void llmr_index_embed_input(const char *heading, const char *text, struct llmr_buf *out);

/* Bring coll's graph up to date with its chunks (used by close, and by
 * the benchmarks). Loads the embedder from cfg. Returns 0 or -1 with e. */
int llmr_index_update_graph(struct llmr_state *st, int64_t coll, const char *embedder,
			    const struct llmr_config *cfg, struct llmr_err *e);

#endif
