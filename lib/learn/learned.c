#include "learn/learned.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/ann.h" /* llmr_sketch */
#include "index/embed.h"
#include "learn/learned_features.h"
#include "learn/learned_kern.h"
#include "route/classify.h"

#define DIM LLMR_EMBED_LOCAL_DIM

/*
 * Every labelled prompt is kept as its embedding quantised to int8 (a
 * quarter of the floats' size; the cosine moves by less than 0.01) and a
 * 256-bit sketch (learned_kern.c). The neighbours are found in two steps: the Hamming distance of
 * the sketches to every labelled prompt (32 bytes each, a cache-friendly
 * scan), then the cosine of the `candidates` nearest by Hamming distance.
 */
struct llmr_learned {
	struct llmr_learned_opts opts;
	size_t n;
	int8_t *vec;         /* n * DIM */
	float *inv;          /* n: 1 / |vec| (0 for a zero vector) */
	llmr_sketch *sk;     /* n */
	float *gain;         /* n, in [0,1] */
	double base;
	int8_t q[DIM];       /* query scratch */
	float qinv;
	uint16_t *dist;      /* n Hamming distances, scratch */
	uint32_t *cand;      /* candidates, scratch */
	struct llmr_lf_model lf; /* the prompts' structure (learned_features.h) */
};

void llmr_learned_opts_init(struct llmr_learned_opts *o)
{
	o->k = 24;
	o->prior_weight = 3.0;
	o->candidates = 128;
	o->exact = 0;
	o->feature_weight = 1.0;
}

/* The spread of the scores: 1 for pass/fail or any scores within [0,1]. */
static double score_range(const struct llmr_pairs *p)
{
	double lo = INFINITY, hi = -INFINITY;

	for (size_t i = 0; i < p->n; i++) {
		lo = fmin(lo, fmin(p->weak[i], p->strong[i]));
		hi = fmax(hi, fmax(p->weak[i], p->strong[i]));
	}
	return p->n && hi - lo > 1 ? hi - lo : 1;
}

/* text's embedding quantised to out (and 1 / its norm), and its sketch. */
static void embed(const char *text, size_t len, int8_t *out, float *inv, uint64_t *sk)
{
	float v[DIM], top = 0;
	int64_t norm = 0;

	llmr_embed_local(text, len, v);
	llmr_lk_fold_sketch(v, sk);
	for (size_t j = 0; j < DIM; j++)
		if (v[j] > top || -v[j] > top) /* not fmaxf: a libm call per value */
			top = v[j] > 0 ? v[j] : -v[j];
	if (!(top > 0))
		memset(out, 0, DIM);
	else
		llmr_lk_quantize(v, top, out);
	for (size_t j = 0; j < DIM; j++)
		norm += out[j] * out[j];
	*inv = norm ? (float)(1 / sqrt((double)norm)) : 0;
}

static float inverse_norm(const int8_t *v)
{
	int64_t norm = 0;

	for (size_t j = 0; j < DIM; j++)
		norm += v[j] * v[j];
	return norm ? (float)(1 / sqrt((double)norm)) : 0;
}

void llmr_learned_embed(const char *text, size_t len, struct llmr_learned_vec *out)
{
	float inv;

	embed(text, len, out->v, &inv, out->sk);
}

const char *llmr_learned_embed_tag(void)
{
	static char tag[40];
	static const char probe[] = "Compare the two contracts and list every clause that differs.";
	struct llmr_learned_vec v;
	uint64_t h = 1469598103934665603ULL;

	/* A hash of a probe's embedding: any change to the embedder or the
	 * sketch changes it, with no version number to forget. */
	if (tag[0])
		return tag;
	llmr_learned_embed(probe, sizeof(probe) - 1, &v);
	for (size_t j = 0; j < sizeof(v); j++)
		h = (h ^ ((const unsigned char *)&v)[j]) * 1099511628211ULL;
	snprintf(tag, sizeof(tag), "local%d-%016llx", DIM, (unsigned long long)h);
	return tag;
}

struct llmr_learned *llmr_learned_new_vecs(const struct llmr_pairs *p,
					   const struct llmr_learned_vec *const *vecs,
					   const struct llmr_learned_opts *opts)
{
	struct llmr_learned *l = llmr_learned_new(p, NULL, 0, opts);
	double range = score_range(p), sum = 0;
	size_t n = p->n;

	l->n = n;
	l->vec = llmr_xrealloc(l->vec, (n + 1) * DIM * sizeof(*l->vec));
	l->inv = llmr_xrealloc(l->inv, (n + 1) * sizeof(*l->inv));
	l->sk = llmr_xrealloc(l->sk, (n + 1) * sizeof(*l->sk));
	l->gain = llmr_xrealloc(l->gain, (n + 1) * sizeof(*l->gain));
	l->dist = llmr_xrealloc(l->dist, (n + 1) * sizeof(*l->dist));
	l->cand = llmr_xrealloc(l->cand, (n + 1) * sizeof(*l->cand));
	for (size_t i = 0; i < n; i++) {
		double g = (p->strong[i] - p->weak[i]) / range;

		l->gain[i] = (float)(g < 0 ? 0 : g > 1 ? 1 : g);
		sum += l->gain[i];
		if (vecs && vecs[i]) {
			memcpy(l->vec + i * DIM, vecs[i]->v, DIM);
			memcpy(l->sk[i], vecs[i]->sk, sizeof(l->sk[i]));
			l->inv[i] = inverse_norm(vecs[i]->v);
		} else {
			embed(p->prompt[i], strlen(p->prompt[i]), l->vec + i * DIM, &l->inv[i], l->sk[i]);
		}
	}
	l->base = n ? sum / (double)n : 0.5;
	llmr_lf_fit_prompts(&l->lf, p->prompt, NULL, l->gain, n);
	return l;
}

struct llmr_learned *llmr_learned_new(const struct llmr_pairs *p, const size_t *rows, size_t n,
				      const struct llmr_learned_opts *opts)
{
	struct llmr_learned *l = llmr_xcalloc(1, sizeof(*l));
	double range = score_range(p), sum = 0;

	if (opts)
		l->opts = *opts;
	else
		llmr_learned_opts_init(&l->opts);
	l->n = n;
	l->vec = llmr_xmalloc((n + 1) * DIM * sizeof(*l->vec));
	l->inv = llmr_xmalloc((n + 1) * sizeof(*l->inv));
	l->sk = llmr_xmalloc((n + 1) * sizeof(*l->sk));
	l->gain = llmr_xmalloc((n + 1) * sizeof(*l->gain));
	l->dist = llmr_xmalloc((n + 1) * sizeof(*l->dist));
	l->cand = llmr_xmalloc((n + 1) * sizeof(*l->cand));
	for (size_t i = 0; i < n; i++) {
		size_t r = rows ? rows[i] : i;
		double g = (p->strong[r] - p->weak[r]) / range;

		l->gain[i] = (float)(g < 0 ? 0 : g > 1 ? 1 : g);
		sum += l->gain[i];
		embed(p->prompt[r], strlen(p->prompt[r]), l->vec + i * DIM, &l->inv[i], l->sk[i]);
	}
	l->base = n ? sum / (double)n : 0.5;
	llmr_lf_fit_prompts(&l->lf, p->prompt, rows, l->gain, n);
	return l;
}

void llmr_learned_free(struct llmr_learned *l)
{
	if (!l)
		return;
	free(l->vec);
	free(l->inv);
	free(l->sk);
	free(l->gain);
	free(l->dist);
	free(l->cand);
	free(l);
}

size_t llmr_learned_size(const struct llmr_learned *l)
{
	return l->n;
}

double llmr_learned_base(const struct llmr_learned *l)
{
	return l->base;
}

static llmr_lk_dot_fn dot_fn;

/* The cosine of the query and labelled prompt i. */
static float similarity(const struct llmr_learned *l, size_t i)
{
	if (!dot_fn)
		dot_fn = llmr_lk_dot();
	return (float)dot_fn(l->q, l->vec + i * DIM) * l->qinv * l->inv[i];
}

struct nb {
	float sim;
	size_t i;
};

/* Keep the k most similar in best[0..*nbest), most similar first. */
static void offer(struct nb *best, size_t *nbest, size_t k, float sim, size_t i)
{
	size_t j;

	if (*nbest == k && sim <= best[k - 1].sim)
		return;
	j = *nbest < k ? (*nbest)++ : k - 1;
	while (j > 0 && best[j - 1].sim < sim) {
		best[j] = best[j - 1];
		j--;
	}
	best[j] = (struct nb){sim, i};
}

static size_t neighbours(struct llmr_learned *l, const uint64_t *qsk, struct nb *best, size_t k)
{
	size_t nbest = 0, want = l->opts.candidates > k ? l->opts.candidates : k;

	if (l->opts.exact || l->n <= want) {
		for (size_t i = 0; i < l->n; i++)
			offer(best, &nbest, k, similarity(l, i), i);
		return nbest;
	}
	for (size_t c = 0, nc = llmr_lk_candidates(l->sk, l->n, qsk, want, l->dist, l->cand); c < nc; c++) {
		/* The rows are scattered: ask for the one after next early. */
		if (c + 2 < nc)
			for (size_t b = 0; b < DIM; b += 64)
				__builtin_prefetch(l->vec + (size_t)l->cand[c + 2] * DIM + b);
		offer(best, &nbest, k, similarity(l, l->cand[c]), l->cand[c]);
	}
	return nbest;
}

double llmr_learned_prior(const char *text, size_t len, double heuristic, double base)
{
	double tokens = (double)llmr_classify_tokens(len), lenscore, p;

	if (heuristic < 0) {
		struct llmr_classify_in in = {text, len, 0, false};
		struct llmr_class c;

		llmr_classify(&in, &c);
		heuristic = c.score;
	}
	/* Length in (0,1), half-way at 100 tokens: a GSM8K-sized question. */
	lenscore = tokens / (tokens + 100.0);
	p = 2.0 * base * (0.5 * heuristic + 0.5 * lenscore);
	return p < 0 ? 0 : p > 1 ? 1 : p;
}

double llmr_learned_score(struct llmr_learned *l, const char *text, size_t len, double heuristic,
			  struct llmr_learned_why *why)
{
	struct llmr_learned_why w = {NAN, 0, 0, 0, 0, 0, NAN};
	size_t k = l->opts.k ? l->opts.k : 1;
	struct nb *best = llmr_xmalloc(k * sizeof(*best));
	double sum = 0, m = l->opts.prior_weight, s;
	llmr_sketch qsk;

	w.prior = llmr_learned_prior(text, len, heuristic, l->base);
	embed(text, len, l->q, &l->qinv, qsk);
	w.neighbours = neighbours(l, qsk, best, k);
	for (size_t j = 0; j < w.neighbours; j++) {
		double sim = best[j].sim > 0 ? best[j].sim : 0, wt = sim * sim;

		w.weight += wt;
		sum += wt * l->gain[best[j].i];
	}
	if (w.neighbours)
		w.nearest = best[0].sim;
	if (w.weight > 0)
		w.knn = sum / w.weight;
	s = (sum + m * w.prior) / (w.weight + m);
	if (!(w.weight + m > 0))
		s = w.prior;
	free(best);
	w.neighbourhood = s < 0 ? 0 : s > 1 ? 1 : s;
	w.features = NAN;
	s = w.neighbourhood;
	if (l->opts.feature_weight > 0 && l->base > 0 && l->base < 1 &&
	    !isnan(w.features = llmr_lf_score(&l->lf, text, len)))
		s = llmr_lf_blend(s, w.features, l->base, l->opts.feature_weight);
	if (why)
		*why = w;
	return s < 0 ? 0 : s > 1 ? 1 : s;
}
