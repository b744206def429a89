#include "learn/learned.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "index/ann.h"
#include "index/embed.h"
#include "route/classify.h"

#define DIM LLMR_EMBED_LOCAL_DIM

struct llmr_learned {
	struct llmr_learned_opts opts;
	size_t n;
	float *vec;   /* n * DIM, unit length (or zero) */
	float *gain;  /* n, in [0,1] */
	double base;
	struct llmr_ann ann; /* only above LLMR_LEARNED_EXACT_MAX */
	int use_ann;
	float *q;     /* query scratch */
};

void llmr_learned_opts_init(struct llmr_learned_opts *o)
{
	o->k = 24;
	o->prior_weight = 3.0;
	o->ef = 64;
}

/* The spread of the scores: 1 for pass/fail or any scores within [0,1]. */
static double score_range(const struct llmr_pairs *p)
{
	double lo = 0, hi = 1;

	for (size_t i = 0; i < p->n; i++) {
		lo = fmin(lo, fmin(p->weak[i], p->strong[i]));
		hi = fmax(hi, fmax(p->weak[i], p->strong[i]));
	}
	return hi - lo > 1 ? hi - lo : 1;
}

static void sketch_of(const float *v, uint64_t *sk)
{
	llmr_embed_sketch(v, DIM, sk);
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
	l->gain = llmr_xmalloc((n + 1) * sizeof(*l->gain));
	l->q = llmr_xmalloc(DIM * sizeof(*l->q));
	llmr_ann_init(&l->ann);
	l->use_ann = n > LLMR_LEARNED_EXACT_MAX;
	for (size_t i = 0; i < n; i++) {
		size_t r = rows ? rows[i] : i;
		double g = (p->strong[r] - p->weak[r]) / range;

		l->gain[i] = (float)(g < 0 ? 0 : g > 1 ? 1 : g);
		sum += l->gain[i];
		llmr_embed_local(p->prompt[r], strlen(p->prompt[r]), l->vec + i * DIM);
		if (l->use_ann) {
			uint64_t sk[LLMR_SKETCH_WORDS];

			sketch_of(l->vec + i * DIM, sk);
			llmr_ann_add(&l->ann, (int64_t)i, sk);
		}
	}
	l->base = n ? sum / (double)n : 0.5;
	return l;
}

void llmr_learned_free(struct llmr_learned *l)
{
	if (!l)
		return;
	llmr_ann_release(&l->ann);
	free(l->vec);
	free(l->gain);
	free(l->q);
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

/* Both vectors have unit length: the dot product is the cosine. Eight
 * lanes let the compiler vectorise without reassociating one sum. */
static float dot(const float *a, const float *b)
{
	float d[8] = {0};
	size_t i, j;

	for (i = 0; i < DIM; i += 8)
		for (j = 0; j < 8; j++)
			d[j] += a[i + j] * b[i + j];
	return ((d[0] + d[1]) + (d[2] + d[3])) + ((d[4] + d[5]) + (d[6] + d[7]));
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

static size_t neighbours(struct llmr_learned *l, struct nb *best, size_t k)
{
	size_t nbest = 0;

	if (!l->use_ann) {
		for (size_t i = 0; i < l->n; i++)
			offer(best, &nbest, k, dot(l->q, l->vec + i * DIM), i);
		return nbest;
	}
	{
		uint64_t sk[LLMR_SKETCH_WORDS];
		size_t ef = l->opts.ef > k ? l->opts.ef : k, got;
		int64_t *cand = llmr_xmalloc(ef * sizeof(*cand));

		sketch_of(l->q, sk);
		got = llmr_ann_search(&l->ann, sk, ef, cand, ef);
		for (size_t c = 0; c < got; c++)
			offer(best, &nbest, k, dot(l->q, l->vec + (size_t)cand[c] * DIM), (size_t)cand[c]);
		free(cand);
	}
	return nbest;
}

double llmr_learned_prior(const char *text, size_t len, double base)
{
	struct llmr_classify_in in = {text, len, 0, false};
	struct llmr_class c;
	double tokens = (double)llmr_classify_tokens(len), lenscore, p;

	llmr_classify(&in, &c);
	/* Length in (0,1), half-way at 100 tokens: a GSM8K-sized question. */
	lenscore = tokens / (tokens + 100.0);
	p = 2.0 * base * (0.5 * c.score + 0.5 * lenscore);
	return p < 0 ? 0 : p > 1 ? 1 : p;
}

double llmr_learned_score(struct llmr_learned *l, const char *text, size_t len,
			  struct llmr_learned_why *why)
{
	struct llmr_learned_why w = {NAN, 0, 0, 0, 0};
	size_t k = l->opts.k ? l->opts.k : 1;
	struct nb *best = llmr_xmalloc(k * sizeof(*best));
	double sum = 0, m = l->opts.prior_weight, s;

	w.prior = llmr_learned_prior(text, len, l->base);
	llmr_embed_local(text, len, l->q);
	w.neighbours = neighbours(l, best, k);
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
	if (why)
		*why = w;
	return s < 0 ? 0 : s > 1 ? 1 : s;
}
