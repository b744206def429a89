/*
 * search.h - keyword, vector and hybrid search over a collection.
 *
 * BM25 comes from SQLite FTS5 (unicode61, diacritics removed). Vector
 * search embeds the query with the collection's embedder, walks the ANN
 * graph on sketches and re-ranks the candidates exactly (vectors recomputed
 * from the chunk text for the local embedder, dequantised for API ones);
 * chunks the graph does not cover yet are scored by brute force. Hybrid
 * sums each side's scores over its best, weighted by index.weights.bm25
 * (default 1) and index.weights.vector (default 0.5 with the local
 * embedder, 1 with an API one), the vector side weighing less when its
 * best two hits are close (search_fuse.c). Queries are processed per
 * language (query.h).
 */
#ifndef LLMR_SEARCH_H
#define LLMR_SEARCH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/config.h"
#include "store/state.h"
#include "base/util.h"

enum llmr_search_mode { LLMR_SEARCH_HYBRID, LLMR_SEARCH_BM25, LLMR_SEARCH_VECTOR };

struct llmr_search_opts {
	const char *collection;     /* NULL = "default" */
	size_t k;                   /* hits wanted; 0 = 10 */
	enum llmr_search_mode mode;
	double bm25_weight, vector_weight; /* < 0: from the config */
	size_t ef;                  /* graph candidates; 0 = max(128, 8k) */
	int by_doc;                 /* one hit per document: its best chunk,
				       ranked by its chunks' scores together
				       (search_hits.c) */
};

struct llmr_hit {
	int64_t chunk_id;
	long seq;          /* chunk number within its document */
	char *source;      /* owned */
	char *heading;     /* owned, "" if none */
	char *text;        /* owned: the whole chunk */
	char *url;         /* owned, may be NULL */
	char **also;       /* owned: other sources of the same content */
	size_t nalso;
	double score;      /* hybrid: fused, in [0,1]; bm25: -bm25();
			      vector: cosine; with by_doc, the document's */
};

struct llmr_hits {
	struct llmr_hit *v;
	size_t n;
	char *collection;  /* owned */
};

/* "bm25", "vector", "hybrid" -> mode, or -1. */
int llmr_search_mode_parse(const char *s);

/*
 * Search query in the collection. Fills out (release with
 * llmr_hits_release), best first, at most o->k hits. A missing collection
 * gives no hits, not an error. Documents with identical content (one hash)
 * give one hit, the others' sources listed in also. Returns 0, or -1 with e (a state file error,
 * or the API embedder failing: LLMR_EX_TEMPFAIL / LLMR_EX_UNAVAILABLE).
 */
int llmr_search(struct llmr_state *st, const struct llmr_config *cfg,
		const struct llmr_search_opts *o, const char *query, struct llmr_hits *out,
		struct llmr_err *e);
void llmr_hits_release(struct llmr_hits *h);

/*
 * The best passage of text for query, about max bytes, cut at words, with
 * "…" where it was cut. With mark_on/mark_off (may be NULL), query words
 * are wrapped in them (terminal highlighting). Newlines become spaces.
 */
void llmr_search_snippet(const char *text, const char *query, size_t max, const char *mark_on,
			 const char *mark_off, struct llmr_buf *out);

/* A hit in the DESIGN.md "Search hit" shape (new reference): source,
 * chunk, heading, snippet, score, url, collection. */
json_t *llmr_hit_json(const struct llmr_hit *h, const char *collection, const char *query);

#endif
