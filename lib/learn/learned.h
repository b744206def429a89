/*
 * learned.h - the learned router: how much would the strong model gain
 * over the weak one on this prompt, judged from the most similar labelled
 * prompts (outcomes.h), in the spirit of RouteLLM's similarity-weighted
 * ranking (sw_ranking).
 *
 * Each labelled prompt carries a gain: (strong − weak) / range, clamped to
 * [0,1], where range is 1 for scores in [0,1] (true/false), else the spread
 * of the scores seen. For pass/fail outcomes the gain is 1 exactly when the
 * strong model succeeds where the weak one fails (RouteLLM's "strong model
 * wins" label; a tie counts for the weak model), so the score estimates
 * that probability, not the probability that the weak model fails.
 *
 * The estimate for a prompt is a similarity-weighted mean over its k
 * nearest labelled prompts (cosine of the index's `local` embeddings,
 * weight sim^2), shrunk towards a prior made from the heuristic classifier
 * (classify.h) and the prompt's length, as if the prior were prior_weight
 * more neighbours of full similarity:
 *
 *   score = (sum w_i gain_i + m * prior) / (sum w_i + m)
 *
 * so that with few or distant labels the prior decides, and with many
 * close ones the labels do.
 *
 * The neighbours see what a prompt is about, little of how it is built. A
 * logistic model over the prompt's structure (learned_features.h: counts
 * of words, numbers, conditions, ...), fitted to the same labels, adds its
 * evidence as log-odds over the base rate b (the mean gain):
 *
 *   logit(score) = logit(knn) + feature_weight * (logit(features) - logit(b))
 *
 * Where structure says nothing the model answers b and the neighbours
 * decide alone. Higher score: the strong model is needed.
 *
 * Similarity is the cosine of the embeddings (kept as int8). Up to
 * `candidates` labelled prompts every one is compared; above, only the
 * `candidates` nearest by the Hamming distance of 256-bit sketches (a
 * scan over 32 bytes a prompt), and the k best of them kept.
 */
#ifndef LLMR_LEARNED_H
#define LLMR_LEARNED_H

#include <stddef.h>
#include <stdint.h>

#include "index/embed.h"
#include "learn/outcomes.h"

struct llmr_learned_opts {
	size_t k;            /* neighbours (default 24) */
	double prior_weight; /* m above (default 3) */
	size_t candidates;   /* compared exactly, from the sketch scan (default 128) */
	int exact;           /* compare with every labelled prompt, however
				many (for tests and benchmarks) */
	double feature_weight; /* of the feature model's evidence (default 1;
				  0: the neighbours and prior alone) */
};

void llmr_learned_opts_init(struct llmr_learned_opts *o);

struct llmr_learned;

/*
 * Train on rows[0..n) of p (rows NULL: every row). Embeds every prompt.
 * Returns a new router (llmr_learned_free); never fails (n may be 0: the
 * score is then the prior alone).
 */
struct llmr_learned *llmr_learned_new(const struct llmr_pairs *p, const size_t *rows, size_t n,
				      const struct llmr_learned_opts *opts);
void llmr_learned_free(struct llmr_learned *l);

/* One labelled prompt as the router keeps it: what llmr_learned_new
 * computes, and what the state caches (learned_route.h). */
struct llmr_learned_vec {
	int8_t v[LLMR_EMBED_LOCAL_DIM];
	uint64_t sk[LLMR_SKETCH_WORDS];
};

void llmr_learned_embed(const char *text, size_t len, struct llmr_learned_vec *out);

/* A tag that names the embedding: a cached vector under another tag was
 * made by another embedder and must be made again. Static string. */
const char *llmr_learned_embed_tag(void);

/* As llmr_learned_new over every pair row, with vecs[i] (NULL: embed it
 * now) the vector of p's row i. */
struct llmr_learned *llmr_learned_new_vecs(const struct llmr_pairs *p,
					   const struct llmr_learned_vec *const *vecs,
					   const struct llmr_learned_opts *opts);

struct llmr_learned_why {
	double knn;       /* weighted mean gain of the neighbours (NAN: none) */
	double weight;    /* sum of their weights */
	double prior;     /* the prior */
	double nearest;   /* similarity of the nearest (0 when none) */
	size_t neighbours;
	double neighbourhood; /* the neighbours blended with the prior */
	double features;  /* the feature model's probability (NAN: none) */
};

/*
 * The score of text[0..len) in [0,1]; why (may be NULL) says how.
 * heuristic: the classifier's score of the text (classify.h) when the
 * caller has it already, else negative to have it computed. Not
 * thread-safe: l keeps the query's scratch.
 */
double llmr_learned_score(struct llmr_learned *l, const char *text, size_t len, double heuristic,
			  struct llmr_learned_why *why);

/*
 * The prior alone: a number in [0,1] that grows with the heuristic
 * classifier's score (negative: computed here) and with the prompt's
 * length, scaled so that its mean is about base (the mean gain of the
 * labels).
 */
double llmr_learned_prior(const char *text, size_t len, double heuristic, double base);

/* How many labelled prompts, and the mean gain over them. */
size_t llmr_learned_size(const struct llmr_learned *l);
double llmr_learned_base(const struct llmr_learned *l);

#endif
