/*
 * ann.h - an HNSW graph (Malkov & Yashunin) over 256-bit vector sketches.
 *
 * The graph is navigated on sketches (embed.h; Hamming distance
 * approximates the angle), and the best candidates are then re-ranked
 * exactly by the caller from int8 vectors: the local embedder's in
 * idx_ann_vec, an API embedder's in the chunk rows (recomputed from text
 * only for chunks written before vectors were stored). Unlike LEANN, the
 * vectors are kept: 1,028 bytes a chunk with the local embedder, besides
 * 32 bytes of sketch, 8 of node-to-chunk id and the links, against 4 bytes
 * a dimension for a float32 vector store. With stored vectors, search
 * skips the graph: it scans every sketch (ann_scan.c).
 *
 * Deleting a chunk leaves its node as a tombstone that still routes the
 * search (the caller skips it); the store rebuilds the graph when tombstones
 * pass a quarter of the nodes.
 *
 * In the state file (ann_store.c): idx_ann_meta (one row per collection),
 * idx_ann_node (one row per node: chunk id, level, links) and idx_ann_sk
 * (sketches, 1024 a row). Searching reads the sketches and only the link
 * rows it visits; updating loads the whole graph, inserts, and writes back
 * what changed, in one transaction, so a killed run leaves the old graph.
 */
#ifndef LLMR_ANN_H
#define LLMR_ANN_H

#include <math.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "index/embed.h"
#include "base/util.h"

#define LLMR_ANN_M 16          /* links per node on upper levels */
#define LLMR_ANN_M0 24         /* links per node on level 0 */
#define LLMR_ANN_EFC 48        /* candidate list while building */
#define LLMR_ANN_SK_BLOCK 1024 /* sketches per idx_ann_sk row */
/* A stored chunk vector (idx_ann_vec): llmr_embed_quantize's float scale
 * then one int8 per dimension of the local embedder. */
#define LLMR_ANN_VEC_LEN (4 + LLMR_EMBED_LOCAL_DIM)

typedef uint64_t llmr_sketch[LLMR_SKETCH_WORDS];

struct llmr_ann {
	uint32_t n, cap;
	llmr_sketch *sk;
	int64_t *chunk;     /* chunk id per node */
	uint8_t *level;
	uint32_t **links;   /* per node: for each level 0..level, a count then ids */
	uint8_t *dirty;     /* node changed since load */
	uint16_t *indeg;    /* links into each node on level 0 */
	int64_t entry;      /* entry node, -1 when empty */
	int maxlevel;
	uint64_t rng;
	uint32_t *visited;  /* search scratch: stamp per node */
	uint32_t stamp;
	uint32_t loaded_n;  /* nodes that came from the store */
};

void llmr_ann_init(struct llmr_ann *a);
void llmr_ann_release(struct llmr_ann *a);

/* Count the level-0 links into each node (after a load). */
void llmr_ann_count_indeg(struct llmr_ann *a);

/*
 * Give every live node that no level-0 link reaches one from its nearest
 * neighbour: such a node can never be found. Returns how many were
 * linked. Graphs written before links were pruned with care had 6% of
 * their nodes so cut off.
 */
size_t llmr_ann_repair(struct llmr_ann *a);

/* Hamming distance of two sketches. */
int llmr_ann_dist(const uint64_t *a, const uint64_t *b);

/* Insert a node for chunk with sketch sk; returns its node number. */
uint32_t llmr_ann_add(struct llmr_ann *a, int64_t chunk, const uint64_t *sk);

/*
 * The up to ef nodes nearest to q (by Hamming distance, nearest first):
 * writes chunk ids to out[0..max) and returns how many.
 */
size_t llmr_ann_search(struct llmr_ann *a, const uint64_t *q, size_t ef, int64_t *out,
		       size_t max);

/*
 * A read-only view of a graph, so that one search routine serves the graph
 * in memory and the graph read lazily from the state file. links returns
 * the node's list at level (a count, then that many node numbers) or NULL.
 */
struct llmr_ann_view {
	const uint64_t *(*sketch)(void *ud, uint32_t node);
	const uint32_t *(*links)(void *ud, uint32_t node, int level);
	void *ud;
	uint32_t n;
	int64_t entry;
	int maxlevel;
	uint32_t *visited; /* n stamps, owned by the caller */
	uint32_t *stamp;
	const float *lut;  /* asymmetric query table (llmr_ann_lut), or NULL
			      for the Hamming distance to the query sketch */
};

#define LLMR_ANN_LUT_SIZE ((LLMR_SKETCH_BITS / 8) * 256)

/*
 * The asymmetric distance table of a query from its projections
 * (llmr_embed_project): the query is not reduced to bits, only the nodes
 * are, which ranks nodes far better than Hamming distance between two
 * sketches. lut has LLMR_ANN_LUT_SIZE floats.
 */
void llmr_ann_lut(const float *proj, float *lut);

/* The distance the search ranks node sketch s by (smaller is nearer). */
int llmr_ann_view_dist(const struct llmr_ann_view *v, const uint64_t *q, const uint64_t *s);

/* Search a view: writes up to max node numbers (nearest first) to out and
 * returns how many. */
size_t llmr_ann_search_view(struct llmr_ann_view *v, const uint64_t *q, size_t ef,
			    uint32_t *out, size_t max);

/*
 * Load collection coll's graph from db into a (initialised, empty).
 * *upto gets the largest chunk id the graph covers (0 when none).
 * Returns 0, or -1 with e.
 */
int llmr_ann_load(sqlite3 *db, int64_t coll, struct llmr_ann *a, int64_t *upto,
		  struct llmr_err *e);

/* Write what changed since load (all of it after a rebuild) and the meta
 * row. Call inside a transaction. Returns 0, or -1 with e. */
int llmr_ann_save(sqlite3 *db, int64_t coll, struct llmr_ann *a, int64_t upto, int rebuilt,
		  struct llmr_err *e);

/* Drop collection coll's graph. */
int llmr_ann_drop(sqlite3 *db, int64_t coll, struct llmr_err *e);

/* The exact similarity of the query to chunk (higher is nearer), or NAN
 * when the chunk is gone (a tombstone). */
typedef float (*llmr_ann_exact_fn)(void *ud, int64_t chunk);

/*
 * Search the stored graph of coll without loading it: reads the sketches
 * and the link rows visited. lut (may be NULL) ranks nodes against the
 * query asymmetrically. out gets up to max chunk ids (nearest first), *nout
 * how many, *upto the largest chunk id covered (0: no graph).
 *
 * With exact (may be NULL), the ef sketch candidates are then scored
 * exactly and the search goes on from the best of them for expand more
 * steps on exact scores, as LEANN does: only the nodes on that path have
 * their vectors recomputed. scores[i] then holds out[i]'s exact score, and
 * max should leave room for expand * LLMR_ANN_M0 more. Returns 0, or -1
 * with e.
 */
int llmr_ann_search_db(sqlite3 *db, int64_t coll, const uint64_t *q, const float *lut,
		       size_t ef, llmr_ann_exact_fn exact, void *ud, size_t expand, int64_t *out,
		       float *scores, size_t max, size_t *nout, int64_t *upto,
		       struct llmr_err *e);

/* Quantise a local embedder's vector (LLMR_EMBED_LOCAL_DIM floats) into
 * out[LLMR_ANN_VEC_LEN], llmr_embed_quantize's format. */
void llmr_ann_quantize(const float *v, unsigned char *out);

/* The cosine of query qv (LLMR_EMBED_LOCAL_DIM floats, norm qnorm) and a
 * stored vector q8 (LLMR_ANN_VEC_LEN bytes); NAN for a zero vector. */
float llmr_ann_vec_cosine(const float *qv, float qnorm, const unsigned char *q8);

/*
 * The cosines of query qv (norm qnorm) with the stored vectors of chunks
 * ids[0..n), into scores (NAN where a chunk has none), read through one
 * incremental blob handle in chunk-id order. Returns 0, or -1 when the
 * table cannot be read at all (a state file before it: all NAN).
 */
int llmr_ann_vec_scores(sqlite3 *db, const float *qv, float qnorm, const int64_t *ids, size_t n,
			float *scores);

/*
 * Brute force over coll's packed sketches: the r nodes whose sketches
 * score best against the query's asymmetric table lut, as chunk ids in
 * out[0..*nout) (best first; tombstones included: the caller's exact
 * scoring drops them). Reads meta, sketches and node-to-chunk blocks in
 * three SELECTs. *upto gets the largest chunk id covered. Returns 0; 1
 * when the graph has no node-to-chunk map yet (written before it
 * existed: the caller searches the graph); -1 with e.
 */
int llmr_ann_scan_db(sqlite3 *db, int64_t coll, const float *lut, size_t r, int64_t *out,
		     size_t *nout, int64_t *upto, struct llmr_err *e);

/* Write the node-to-chunk blocks from node first on (ann_scan.c; called
 * by llmr_ann_save inside its transaction). */
int llmr_ann_save_ids(sqlite3 *db, int64_t coll, const struct llmr_ann *a, uint32_t first,
		      struct llmr_err *e);

#endif
