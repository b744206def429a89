/*
 * index_impl.h - what the index*.c files share (not a public interface).
 */
#ifndef LLMR_INDEX_IMPL_H
#define LLMR_INDEX_IMPL_H

#include <stdint.h>

#include "index/ann.h"
#include "index/chunk.h"
#include "index/embed.h"
#include "index/index.h"

struct llmr_index_docrec {
	int64_t id;
	char *source;
	int64_t size, mtime_ns;
	char hash[72];
	int file; /* origin 'file' (else 'stdin') */
	int seen; /* met during this run */
};

struct llmr_index_root {
	char *root, *base; /* canonical folder, its web address */
};

struct llmr_index_pending;
struct llmr_index_prev;
struct llmr_index_pipe;
typedef uint64_t llmr_index_sketch[LLMR_SKETCH_WORDS];

struct llmr_indexer {
	struct llmr_state *st;
	sqlite3 *db;
	const struct llmr_config *cfg;
	struct llmr_index_opts o;
	char *name;
	int64_t coll;
	struct llmr_embedder *em;
	long chunk_tokens, overlap;
	struct llmr_index_docrec *docs;
	size_t ndocs;
	size_t *tab, tabcap; /* open addressing over docs, by source */
	size_t tabused;      /* slots taken, stale ones included */
	int migrated;        /* llmr_index_migrate_sources ran */
	int rebuild_pending; /* --rebuild: the drop waits for the first write */
	struct llmr_index_counts c;
	int changed;         /* chunks were added or removed */
	int dim_saved;
	int in_batch;          /* a batch transaction is open */
	int64_t batch_ms;      /* when it began */
	size_t batch_docs;
	struct llmr_index_root *roots; /* idx_roots of the collection */
	size_t nroots;
	struct llmr_index_pending *pend; /* changes waiting for a commit */
	size_t npend, pendcap;
	struct llmr_index_prev *prev;    /* --rebuild: what it held before */
	size_t nprev;
	struct llmr_index_pipe *pipe;    /* worker threads, or NULL */
	int64_t *skid;                   /* sketches of the chunks written, */
	llmr_index_sketch *sk;           /* by increasing chunk id, for the */
	size_t nsk, skcap;               /* graph at close */
	sqlite3_stmt *stmt[7];           /* index_doc.c's, prepared once */
};

/* One document through the pipeline (index_pipe.c): what the caller
 * knows, then what a worker made of it. */
struct llmr_index_job {
	int file;                 /* else a JSON-lines document */
	char *source, *url, *metas;
	char *text;               /* JSON lines: the text given */
	size_t n;
	int64_t size, mtime_ns;   /* files */
	int fmt;                  /* files: enum llmr_doc_format */
	int have_old;             /* indexed before, as: */
	char old_hash[72];
	int64_t old_id;
	int done;                 /* a worker finished it (under the lock) */
	char *hash;
	int read_errno;           /* files: could not be read */
	char *error;              /* extraction failed */
	int error_code;
	struct llmr_buf md;       /* the extracted text */
	struct llmr_chunks ch;
	llmr_index_sketch *sk;    /* local embedder: one a chunk */
	unsigned char *q8;        /* and its int8 vector, LLMR_ANN_VEC_LEN bytes */
};

struct llmr_index_docrec *llmr_index_find(struct llmr_indexer *ix, const char *source);
/* Rebuild the map over docs; add docs[idx] (after its source changed). */
void llmr_index_rehash(struct llmr_indexer *ix);
void llmr_index_map_add(struct llmr_indexer *ix, size_t idx);

/* index_source.c: the canonical absolute name of a path (new string), or
 * NULL when its folder cannot be resolved; and the move of the rows of an
 * older collection to canonical names (once per run). */
char *llmr_index_canonical(const char *path);
int llmr_index_migrate_sources(struct llmr_indexer *ix, struct llmr_err *e);
/* True if extracted text holds anything but whitespace and headings marks. */
int llmr_index_has_text(const char *md, size_t n);
void llmr_index_free(struct llmr_indexer *ix);
int llmr_index_dberr(sqlite3 *db, struct llmr_err *e, const char *what);
/* Run one statement whose only parameter is a collection id. */
int llmr_index_exec_coll(sqlite3 *db, const char *sql, int64_t coll, struct llmr_err *e);
/* A new string: the hex SHA-256 of data. */
char *llmr_index_sha256(const void *data, size_t n);

/* What one document write carries (index_doc.c). */
struct llmr_index_write {
	const char *source, *origin, *url, *meta, *format, *hash, *error;
	int64_t size, mtime_ns;
	size_t bytes;
	const struct llmr_chunks *chunks; /* NULL for a failed document */
	const float *vecs;                /* API embedders: one per chunk */
	size_t dim;
	const char *change;               /* "added", "updated" or NULL */
	const llmr_index_sketch *sk;      /* local embedder: one a chunk, or NULL */
	const unsigned char *q8;          /* its int8 vectors (ann.h), or NULL */
};

/* Finalize the statements index_doc.c keeps. */
void llmr_index_stmts_free(struct llmr_indexer *ix);
/* Replace a document (chunks, FTS rows, document row) in one transaction. */
int llmr_index_write_doc(struct llmr_indexer *ix, const struct llmr_index_write *w,
			 struct llmr_err *e);
/* Only record new size and mtime (content unchanged). */
int llmr_index_touch_doc(struct llmr_indexer *ix, int64_t id, int64_t size, int64_t mtime_ns,
			 struct llmr_err *e);
/* Remove a document and its chunks. */
int llmr_index_delete_doc(struct llmr_indexer *ix, int64_t id, struct llmr_err *e);
/* Give a document another source name. */
int llmr_index_rename_doc(struct llmr_indexer *ix, int64_t id, const char *source,
			  struct llmr_err *e);
/* --rebuild: empty the collection now if it waits to be (idempotent). */
int llmr_index_drop_pending(struct llmr_indexer *ix, struct llmr_err *e);
/* Write a document's chunks (API embedders: embedded first, outside the
 * transaction); bytes is its text's size. */
int llmr_index_store_chunks(struct llmr_indexer *ix, struct llmr_index_write *w,
			    const struct llmr_chunks *ch, size_t bytes, struct llmr_err *e);

/* index_pipe.c: start the workers (local embedder only), hand over a job
 * (stolen; written when its turn comes, or at once without workers),
 * write every job given, stop the workers and free what is left. */
void llmr_index_pipe_start(struct llmr_indexer *ix);
int llmr_index_pipe_push(struct llmr_indexer *ix, struct llmr_index_job *j, struct llmr_err *e);
int llmr_index_pipe_drain(struct llmr_indexer *ix, struct llmr_err *e);
void llmr_index_pipe_stop(struct llmr_index_pipe *p);
void llmr_index_job_free(struct llmr_index_job *j);
/* index_job.c: write one finished job (caller's thread). */
int llmr_index_job_write(struct llmr_indexer *ix, struct llmr_index_job *j, struct llmr_err *e);
/* index_graph.c: the graph update of close, using the sketches kept. */
int llmr_index_graph_close(struct llmr_indexer *ix, struct llmr_err *e);
/*
 * Batches: documents are written in transactions of a few documents (at
 * most BATCH_DOCS, or BATCH_MS of work), each document inside its own
 * savepoint. A kill loses at most the open batch, never half a document,
 * and the write lock is never held long. begin is a no-op inside a batch;
 * end commits when the batch is full, or always when force is set.
 */
int llmr_index_batch_begin(struct llmr_indexer *ix, struct llmr_err *e);
int llmr_index_batch_end(struct llmr_indexer *ix, int force, struct llmr_err *e);
/* Build the graph only if chunks exist past what it covers. */
int llmr_index_graph_if_stale(struct llmr_state *st, int64_t coll, const char *embedder,
			      const struct llmr_config *cfg, struct llmr_err *e);

/* index_url.c: the address of a file document (new string, may be NULL);
 * the collection's roots with a web address; --url-base for one root. */
char *llmr_index_file_url(const struct llmr_indexer *ix, const char *source);
int llmr_index_load_roots(struct llmr_indexer *ix, struct llmr_err *e);
int llmr_index_set_url_base(struct llmr_indexer *ix, const char *root, const char *base,
			    struct llmr_err *e);
void llmr_index_roots_free(struct llmr_indexer *ix);

/* index_change.c: queue a change (kind NULL: none; hash compares with the
 * pre-rebuild content), take the last one back, tell the queued ones
 * (after a commit); keep the documents aside before a rebuild drop, and
 * queue those not met again as deleted. */
void llmr_index_change_queue(struct llmr_indexer *ix, const char *kind, const char *source,
			     const char *url, const char *hash);
void llmr_index_change_unqueue(struct llmr_indexer *ix);
void llmr_index_change_flush(struct llmr_indexer *ix);
int llmr_index_change_keep_prev(struct llmr_indexer *ix, struct llmr_err *e);
void llmr_index_change_prev_gone(struct llmr_indexer *ix);
void llmr_index_change_free(struct llmr_indexer *ix);
/* The url stored for document id (new string), or NULL. */
char *llmr_index_stored_url(struct llmr_indexer *ix, int64_t id);

#endif
