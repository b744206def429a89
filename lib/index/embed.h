/*
 * embed.h - text to vectors for the index.
 *
 * The built-in `local` embedder needs no model and no network: it hashes
 * word unigrams, word bigrams and character trigrams (accents and case
 * folded, French and English stop words dropped) into a fixed number of
 * signed dimensions and normalises the result. It is a lexical-semantic
 * hybrid: "tri" finds "trier" and "triage" through shared trigrams, but it
 * knows no synonyms. It is not a neural model. The index stores each
 * chunk's vector as int8 (index/ann.h) so that search need not recompute
 * it from chunk text.
 *
 * API embedders (`provider/model` in index.embedder) go through the
 * provider adapters' build_embed/parse_embed and llmr_http_perform, in
 * batches; their vectors are stored int8-quantised (llmr_embed_quantize).
 *
 * Every vector gets a 256-bit sketch (signs of a signed fold of the vector,
 * a cheap locality-sensitive hash) that the ANN graph (ann.h) navigates on.
 */
#ifndef LLMR_EMBED_H
#define LLMR_EMBED_H

#include <stddef.h>
#include <stdint.h>

#include "conf/config.h"
#include "provider/provider.h"
#include "base/util.h"

#define LLMR_EMBED_LOCAL_DIM 1024
#define LLMR_SKETCH_BITS 256
#define LLMR_SKETCH_WORDS (LLMR_SKETCH_BITS / 64)

/*
 * `local-cooc` is `local` plus word vectors learned from the collection's
 * own chunks at index time (cooc.h): statistical, not neural. Chunk
 * vectors are still recomputed from text, and the ANN graph still walks
 * the hashing vectors' sketches; the exact scoring of candidates blends
 * the two cosines.
 */
/* Whether spec (NULL included) names a local embedder. */
int llmr_embed_is_local(const char *spec);

/* Embed text[0..n) with the local embedder into out[LLMR_EMBED_LOCAL_DIM],
 * L2-normalised (all zeros when the text has no word). Never fails. */
void llmr_embed_local(const char *text, size_t n, float *out);

/* The same from text already folded by llmr_embed_fold (search shares one
 * fold of each chunk with local-cooc's word vectors). */
void llmr_embed_local_folded(const char *folded, size_t n, float *out);

/*
 * Fold text into lowercase ASCII-ish words: accents removed from Latin
 * letters, anything not a letter or digit becomes one space. Appends to
 * out. Shared with the search module to match query terms.
 */
void llmr_embed_fold(const char *text, size_t n, struct llmr_buf *out);

/* Whether the folded word w[0..n) is a French or English stop word. */
int llmr_embed_stopword(const char *w, size_t n);

/* The sketch of a vector of any dimension. */
void llmr_embed_sketch(const float *v, size_t dim, uint64_t out[LLMR_SKETCH_WORDS]);
/* The projections the sketch takes the signs of (for asymmetric search:
 * the query keeps its precision, see ann.h). */
void llmr_embed_project(const float *v, size_t dim, float out[LLMR_SKETCH_BITS]);

/* Cosine of two vectors (0 when either is zero). */
float llmr_embed_cosine(const float *a, const float *b, size_t dim);

/*
 * int8 quantisation: 4 bytes of float scale then dim signed bytes.
 * quantize returns a new malloc'd blob of *len bytes; dequantize fills
 * out[dim] and returns 0, or -1 when the blob does not have dim values.
 */
void *llmr_embed_quantize(const float *v, size_t dim, size_t *len);
int llmr_embed_dequantize(const void *blob, size_t len, float *out, size_t dim);

struct llmr_state;

struct llmr_embedder {
	char *spec;        /* "local" or "provider/model" (owned) */
	int local;         /* "local" or "local-cooc": hashing from text */
	int cooc;          /* "local-cooc": plus the collection's word vectors */
	size_t dim;        /* 0 until the first API answer tells */
	const struct llmr_provider_cfg *provider; /* borrowed from the config */
	const struct llmr_adapter *adapter;
	char *model;       /* owned */
	char *key;         /* owned, wiped on free; never printed */
	size_t batch;      /* texts per request */
	long input_tokens; /* total reported by the API */
	const struct llmr_model_cfg *model_cfg; /* borrowed, NULL if not listed */
	struct llmr_state *st; /* borrowed, may be NULL: when set, every
				  request takes a reservation in the shared
				  quota (quota.h), waiting up to a minute */
};

/*
 * An embedder for spec ("local", NULL = "local", or "provider/model" from
 * cfg). Returns 0 and *out (free with llmr_embedder_free), or -1 with e:
 * LLMR_EX_CONFIG for an unknown provider or a protocol without
 * embeddings, LLMR_EX_NOPERM when the key is missing.
 */
int llmr_embedder_open(const struct llmr_config *cfg, const char *spec,
		       struct llmr_embedder **out, struct llmr_err *e);
void llmr_embedder_free(struct llmr_embedder *em);

/*
 * Embed n texts. *vecs gets n * em->dim floats, L2-normalised (caller
 * frees). API embedders send batches of em->batch texts; a failed request
 * returns -1 with e (LLMR_EX_TEMPFAIL for rate limits and overload,
 * LLMR_EX_UNAVAILABLE otherwise, LLMR_EX_NOPERM for a rejected key).
 */
int llmr_embedder_embed(struct llmr_embedder *em, const char *const *texts, size_t n,
			float **vecs, struct llmr_err *e);

#endif
