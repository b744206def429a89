/*
 * learned_features.h - the learned router's second opinion: a logistic
 * model over a prompt's structure, fitted to the labels' gains.
 *
 * The nearest neighbours (learned.h) tell what a prompt is about; they
 * see little of how it is built: how many quantities it gives, how many
 * steps and conditions it chains. A few counts do, in any language and
 * on any topic:
 *
 *   words, numbers, distinct numbers, '%' signs, fractions (3/4),
 *   decimals (2.5), sentences, numbers of four digits or more, '$' signs,
 *   quantity words (half, twice, each, per, total, ...), condition words
 *   (if, then, after, but, ...), negations (not, no, except, only, ...),
 *   question marks, lines, capitalised words (names, mostly, and sentence
 *   starts), the largest number's value, and the mean length of a word,
 *
 * each but the last as log(1 + count). The model is a logistic regression
 * on those features standardised over the labelled prompts, fitted by
 * Newton's method (iteratively reweighted least squares) with an L2
 * penalty on every weight but the intercept; the target is each label's
 * gain in [0,1]. Deterministic: a fixed number of steps at most, one
 * linear solve each.
 *
 * With labels that say nothing about structure the penalty keeps the
 * weights near 0 and the model answers the base rate everywhere, which
 * leaves the neighbours to decide (learned.c blends the two).
 */
#ifndef LLMR_LEARNED_FEATURES_H
#define LLMR_LEARNED_FEATURES_H

#include <stddef.h>

#define LLMR_LF_N 17 /* features */
/* The penalty the learned router fits with: on the summed log-loss, so
 * it weighs less as labels grow (a hundred prompts' worth). */
#define LLMR_LF_LAMBDA 100.0

/* The features of text[0..len) into f[LLMR_LF_N]. */
void llmr_lf_extract(const char *text, size_t len, double *f);

struct llmr_lf_model {
	int fitted;              /* 0: prob() answers NAN */
	double mu[LLMR_LF_N];    /* standardisation */
	double sd[LLMR_LF_N];
	double w[LLMR_LF_N + 1]; /* intercept, then one weight per feature */
};

/*
 * Fit m to the n rows x[i * LLMR_LF_N ...] with targets y[i] in [0,1],
 * penalty lambda (on the standardised weights). Leaves m unfitted when
 * n < 2 or every target is the same (nothing to learn).
 */
void llmr_lf_fit(struct llmr_lf_model *m, const double *x, const float *y, size_t n, double lambda);

/* The model's probability for features f (NAN when unfitted). */
double llmr_lf_prob(const struct llmr_lf_model *m, const double *f);

/* Fit m to the prompts prompt[rows[i]] (rows NULL: prompt[i]) for i < n,
 * with targets gain[i], at LLMR_LF_LAMBDA: to every prompt up to
 * LLMR_LF_FIT_MAX, above to about that many, one in k picked by a hash of
 * i (seventeen weights need no more; the router's start-up stays bounded
 * however many outcomes are stored). */
#define LLMR_LF_FIT_MAX 4096
void llmr_lf_fit_prompts(struct llmr_lf_model *m, const char *const *prompt, const size_t *rows,
			 const float *gain, size_t n);

/* The model's probability for text[0..len) (NAN when unfitted). */
double llmr_lf_score(const struct llmr_lf_model *m, const char *text, size_t len);

/* The estimate s with the model's probability f added as log-odds over
 * the base rate b, times weight: sigmoid(logit s + weight (logit f −
 * logit b)), each probability kept within [1e-4, 1 − 1e-4]. Two opinions
 * that agree push further than either. */
double llmr_lf_blend(double s, double f, double b, double weight);

#endif
