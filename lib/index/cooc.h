/*
 * cooc.h - word vectors learned from a collection's own text.
 *
 * A statistical model, not a neural one: the words of the collection
 * (folded, stop words dropped, cut to their first six letters as a crude
 * stem) are counted, the most frequent ones kept, and the pairs that occur
 * within a few words of each other in a chunk counted. Their positive
 * pointwise mutual information (PPMI, context counts smoothed to the power
 * 0.75) is reduced to LLMR_COOC_DIM dimensions by a truncated eigen-
 * decomposition (randomised subspace iteration from a fixed seed, then
 * Jacobi on the small projected matrix): two words that keep the same
 * company, "voiture" and "automobile", get close vectors even if they
 * never occur together. A text's vector is the IDF-weighted mean of its
 * known words' vectors. Same texts, same model: the learning is
 * deterministic.
 *
 * Cost: two passes over at most LLMR_COOC_MAX_TOKENS tokens, then sparse
 * products with a vocabulary-sized matrix; embedding a text is one hash
 * look-up per word.
 */
#ifndef LLMR_COOC_H
#define LLMR_COOC_H

#include <stddef.h>
#include <stdint.h>

#define LLMR_COOC_DIM 64
#define LLMR_COOC_MAX_WORDS 12000
#define LLMR_COOC_MAX_TOKENS 2000000

struct llmr_cooc {
	size_t nwords, dim;
	uint64_t *key;   /* nwords: the stem's bytes, packed */
	float *idf;      /* nwords */
	float *vec;      /* nwords * dim, rows L2-normalised */
	uint32_t *tab;   /* open addressing: index + 1, 0 = empty */
	size_t tabcap;
	long ntexts;     /* texts it was learned from */
};

/*
 * Learn from n texts. Returns a model, or NULL when the texts have too few
 * repeated words to learn anything (fewer than 2 * dim). Deterministic.
 */
struct llmr_cooc *llmr_cooc_learn(const char *const *texts, const size_t *lens, size_t n);

/* Fill the look-up table once key, idf, vec and nwords are set. */
void llmr_cooc_index(struct llmr_cooc *m);
void llmr_cooc_free(struct llmr_cooc *m);

/* The vector of text[0..n) into out[m->dim], L2-normalised; returns 0 when
 * no word of it is known (out all zeros), else 1. */
int llmr_cooc_embed(const struct llmr_cooc *m, const char *text, size_t n, float *out);

/* The same from text already folded by llmr_embed_fold. */
int llmr_cooc_embed_folded(const struct llmr_cooc *m, const char *folded, size_t n, float *out);

/* The index of a word (folded and stemmed as above) or -1. */
long llmr_cooc_word(const struct llmr_cooc *m, const char *word);

/* Calls fn(ud, stem key) for each content word of text, in order. */
void llmr_cooc_words(const char *text, size_t n, void (*fn)(void *, uint64_t), void *ud);

/* cooc_svd.c: the d-dimensional vectors of a symmetric sparse matrix of
 * size v (CSR: rowptr[v+1], col, val), scaled by the square root of their
 * eigenvalues, into out[v * d]. Deterministic. */
void llmr_cooc_eigen(size_t v, const uint32_t *rowptr, const uint32_t *col, const float *val,
		     size_t d, float *out);

/* cooc_svd.c: keep, of each row of that matrix, its positive entries
 * among the keep largest of their row or their column (in place). */
void llmr_cooc_prune(size_t v, uint32_t *rowptr, uint32_t *col, float *val, size_t keep);

/*
 * cooc_store.c. The model of collection coll: 0 with *out (NULL when the
 * collection has none), or -1 with e.
 */
struct sqlite3;
struct llmr_state;
struct llmr_err;
int llmr_cooc_load(struct sqlite3 *db, int64_t coll, struct llmr_cooc **out,
		   struct llmr_err *e);
/*
 * Learn the model of collection coll again from its chunks (heading and
 * text) when it has none or its chunk count moved by more than a tenth
 * since it was learned, and store it in one transaction (a kill leaves the
 * old model or the new one). A collection too small to learn from keeps
 * no model. Returns 0, or -1 with e.
 */
int llmr_cooc_refresh(struct llmr_state *st, int64_t coll, struct llmr_err *e);

#endif
