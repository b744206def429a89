#include "learn/learned.h"

#include <math.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/ann.h" /* llmr_sketch */
#include "index/embed.h"
#include "learn/learned_features.h"
#include "route/classify.h"

#define DIM LLMR_EMBED_LOCAL_DIM

/*
 * Every labelled prompt is kept as its embedding quantised to int8 (a
 * quarter of the floats' size; the cosine moves by less than 0.01) and a
 * 256-bit sketch (fold_sketch). The neighbours are found in two steps: the Hamming distance of
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

/*
 * The sketch that the scan compares: the signs of a sparse random
 * projection, each bit the signed sum of 16 dimensions (each dimension
 * feeding 4 bits). Unlike embed.h's sketch, the sums run over contiguous
 * rotated blocks, which the compiler vectorises: a fraction of the cost.
 * It only picks candidates; their cosine decides.
 */
#define FOLD_PASSES 16
#define FOLD_BLOCKS (DIM / LLMR_SKETCH_BITS)

static float fold_sign[FOLD_PASSES][LLMR_SKETCH_BITS];

static void fold_init(void)
{
	uint64_t x = 0x2545f4914f6cdd1dULL;

	if (fold_sign[0][0] != 0)
		return;
	for (size_t t = 0; t < FOLD_PASSES; t++)
		for (size_t j = 0; j < LLMR_SKETCH_BITS; j++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			fold_sign[t][j] = (x >> 32) & 1 ? 1.0f : -1.0f;
		}
}

static void fold_sketch(const float *v, uint64_t *sk)
{
	float acc[LLMR_SKETCH_BITS] = {0};

	fold_init();
	for (size_t t = 0; t < FOLD_PASSES; t++) {
		const float *src = v + (t % FOLD_BLOCKS) * LLMR_SKETCH_BITS, *sg = fold_sign[t];
		size_t rot = (t * 37) % LLMR_SKETCH_BITS, j;

		for (j = 0; j + rot < LLMR_SKETCH_BITS; j++)
			acc[j] += sg[j] * src[j + rot];
		for (; j < LLMR_SKETCH_BITS; j++)
			acc[j] += sg[j] * src[j + rot - LLMR_SKETCH_BITS];
	}
	for (size_t w = 0; w < LLMR_SKETCH_WORDS; w++) {
		uint64_t bits = 0;

		for (size_t b = 0; b < 64; b++)
			bits |= (uint64_t)(acc[w * 64 + b] > 0) << b;
		sk[w] = bits;
	}
}

/* text's embedding quantised to out (and 1 / its norm), and its sketch. */
static void embed(const char *text, size_t len, int8_t *out, float *inv, uint64_t *sk)
{
	float v[DIM], top = 0;
	int64_t norm = 0;

	llmr_embed_local(text, len, v);
	fold_sketch(v, sk);
	for (size_t j = 0; j < DIM; j++)
		if (v[j] > top || -v[j] > top) /* not fmaxf: a libm call per value */
			top = v[j] > 0 ? v[j] : -v[j];
	for (size_t j = 0; j < DIM; j++) {
		out[j] = (int8_t)(top > 0 ? lrintf(v[j] / top * 127) : 0);
		norm += out[j] * out[j];
	}
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

/* Integer lanes the compiler can vectorise; with AVX2, picked at run
 * time, thirty-two products go at once. */
#define DOT_BODY                                                                     \
	int32_t d[16] = {0};                                                         \
	for (size_t i = 0; i < DIM; i += 16)                                         \
		for (size_t j = 0; j < 16; j++)                                      \
			d[j] += (int16_t)a[i + j] * (int16_t)b[i + j];               \
	int32_t s = 0;                                                               \
	for (size_t j = 0; j < 16; j++)                                              \
		s += d[j];                                                           \
	return s;

static int32_t dot_plain(const int8_t *a, const int8_t *b)
{
	DOT_BODY
}

#if defined(__x86_64__) && defined(__GNUC__)
/* |a| times b with a's sign (maddubs multiplies unsigned by signed bytes);
 * a pair of products fits int16, as no byte is -128. */
__attribute__((target("avx2"))) static int32_t dot_avx2(const int8_t *a, const int8_t *b)
{
	__m256i acc = _mm256_setzero_si256(), ones = _mm256_set1_epi16(1);
	__m128i s;

	for (size_t i = 0; i < DIM; i += 32) {
		__m256i x = _mm256_loadu_si256((const __m256i *)(a + i));
		__m256i y = _mm256_loadu_si256((const __m256i *)(b + i));
		__m256i p = _mm256_maddubs_epi16(_mm256_abs_epi8(x), _mm256_sign_epi8(y, x));

		acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p, ones));
	}
	s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
	s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
	s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
	return _mm_cvtsi128_si32(s);
}
#endif

static int32_t (*dot_fn)(const int8_t *, const int8_t *);

/* The cosine of the query and labelled prompt i. */
static float similarity(const struct llmr_learned *l, size_t i)
{
	if (!dot_fn) {
		dot_fn = dot_plain;
#if defined(__x86_64__) && defined(__GNUC__)
		__builtin_cpu_init();
		if (__builtin_cpu_supports("avx2"))
			dot_fn = dot_avx2;
#endif
	}
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

/* Hamming distances of the query's sketch to every labelled prompt, and
 * their histogram. The POPCNT instruction, when the CPU has it, makes this
 * scan a few nanoseconds a prompt; four histograms break the chain of
 * increments to the same count. */
#define HAMMING_BODY                                                                 \
	size_t h4[4][LLMR_SKETCH_BITS + 1] = {{0}};                                  \
	for (size_t i = 0; i < n; i++) {                                             \
		int d = __builtin_popcountll(q[0] ^ sk[i][0]) +                      \
			__builtin_popcountll(q[1] ^ sk[i][1]) +                      \
			__builtin_popcountll(q[2] ^ sk[i][2]) +                      \
			__builtin_popcountll(q[3] ^ sk[i][3]);                       \
		dist[i] = (uint16_t)d;                                               \
		h4[i & 3][d]++;                                                      \
	}                                                                            \
	for (size_t d = 0; d <= LLMR_SKETCH_BITS; d++)                               \
		hist[d] = h4[0][d] + h4[1][d] + h4[2][d] + h4[3][d];

_Static_assert(LLMR_SKETCH_WORDS == 4, "the scan is unrolled for 256-bit sketches");

static void hamming_plain(const uint64_t *q, const llmr_sketch *sk, size_t n, uint16_t *dist,
			  size_t *hist)
{
	HAMMING_BODY
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("popcnt"))) static void hamming_popcnt(const uint64_t *q,
							    const llmr_sketch *sk, size_t n,
							    uint16_t *dist, size_t *hist)
{
	HAMMING_BODY
}
#endif

static void hamming(const uint64_t *q, const llmr_sketch *sk, size_t n, uint16_t *dist, size_t *hist)
{
#if defined(__x86_64__) && defined(__GNUC__)
	static int has_popcnt = -1;

	if (has_popcnt < 0) {
		__builtin_cpu_init();
		has_popcnt = __builtin_cpu_supports("popcnt");
	}
	if (has_popcnt) {
		hamming_popcnt(q, sk, n, dist, hist);
		return;
	}
#endif
	hamming_plain(q, sk, n, dist, hist);
}

/* The want labelled prompts nearest the query's sketch by Hamming
 * distance (ties at the cut taken in order), by a counting pass. */
static size_t hamming_candidates(struct llmr_learned *l, const uint64_t *qsk, size_t want)
{
	size_t hist[LLMR_SKETCH_BITS + 1] = {0}, below = 0, nc = 0, at = 0;
	int cut = 0;

	hamming(qsk, l->sk, l->n, l->dist, hist);
	while (cut < LLMR_SKETCH_BITS && below + hist[cut] < want)
		below += hist[cut++];
	for (size_t i = 0; i < l->n && nc < want; i++)
		if (l->dist[i] < cut || (l->dist[i] == cut && at++ < want - below))
			l->cand[nc++] = (uint32_t)i;
	return nc;
}

static size_t neighbours(struct llmr_learned *l, const uint64_t *qsk, struct nb *best, size_t k)
{
	size_t nbest = 0, want = l->opts.candidates > k ? l->opts.candidates : k;

	if (l->opts.exact || l->n <= want) {
		for (size_t i = 0; i < l->n; i++)
			offer(best, &nbest, k, similarity(l, i), i);
		return nbest;
	}
	for (size_t c = 0, nc = hamming_candidates(l, qsk, want); c < nc; c++) {
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
