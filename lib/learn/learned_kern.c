/* The learned router's inner loops (learned_kern.h). */
#include "learn/learned_kern.h"

#include <math.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif
#include <string.h>

#define DIM LLMR_EMBED_LOCAL_DIM

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

/*
 * Each block twice in a row: a rotated block is then one contiguous run,
 * and every pass a loop of a fixed count that GCC vectorises even at -O2
 * (the same products and sums, in the same order).
 */
#define FOLD_BODY                                                                    \
	float acc[LLMR_SKETCH_BITS] = {0}, twice[FOLD_BLOCKS][2 * LLMR_SKETCH_BITS];  \
	for (size_t b = 0; b < FOLD_BLOCKS; b++) {                                   \
		memcpy(twice[b], v + b * LLMR_SKETCH_BITS, sizeof(acc));             \
		memcpy(twice[b] + LLMR_SKETCH_BITS, v + b * LLMR_SKETCH_BITS, sizeof(acc)); \
	}                                                                            \
	for (size_t t = 0; t < FOLD_PASSES; t++) {                                   \
		const float *src = twice[t % FOLD_BLOCKS] + (t * 37) % LLMR_SKETCH_BITS;  \
		const float *sg = fold_sign[t];                                      \
		for (size_t j = 0; j < LLMR_SKETCH_BITS; j++)                        \
			acc[j] += sg[j] * src[j];                                    \
	}                                                                            \
	for (size_t w = 0; w < LLMR_SKETCH_WORDS; w++) {                             \
		uint64_t bits = 0;                                                   \
		for (size_t b = 0; b < 64; b++)                                      \
			bits |= (uint64_t)(acc[w * 64 + b] > 0) << b;                \
		sk[w] = bits;                                                        \
	}

static void fold_plain(const float *v, uint64_t *sk)
{
	FOLD_BODY
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"))) static void fold_avx2(const float *v, uint64_t *sk)
{
	FOLD_BODY
}
#endif

void llmr_lk_fold_sketch(const float *v, uint64_t *sk)
{
	fold_init();
#if defined(__x86_64__) && defined(__GNUC__)
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2")) {
		fold_avx2(v, sk);
		return;
	}
#endif
	fold_plain(v, sk);
}

/* out = v / top * 127 rounded to the nearest (even on a tie), as lrintf
 * rounds in the default mode; CVTPS2DQ rounds so, eight at once. */
static void quantize_plain(const float *v, float top, int8_t *out)
{
	for (size_t j = 0; j < DIM; j++)
		out[j] = (int8_t)lrintf(v[j] / top * 127);
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"))) static void quantize_avx2(const float *v, float top, int8_t *out)
{
	__m256 t = _mm256_set1_ps(top), k = _mm256_set1_ps(127);
	int32_t r[8];

	for (size_t j = 0; j < DIM; j += 8) {
		__m256 x = _mm256_mul_ps(_mm256_div_ps(_mm256_loadu_ps(v + j), t), k);

		_mm256_storeu_si256((__m256i *)r, _mm256_cvtps_epi32(x));
		for (size_t i = 0; i < 8; i++)
			out[j + i] = (int8_t)r[i];
	}
}
#endif

void llmr_lk_quantize(const float *v, float top, int8_t *out)
{
#if defined(__x86_64__) && defined(__GNUC__)
	if (__builtin_cpu_supports("avx2")) {
		quantize_avx2(v, top, out);
		return;
	}
#endif
	quantize_plain(v, top, out);
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

llmr_lk_dot_fn llmr_lk_dot(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2"))
		return dot_avx2;
#endif
	return dot_plain;
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

/*
 * Eight prompts a step: VPOPCNTQ counts two sketches a register, the
 * counts narrow to 32 bits, two rounds of pairwise sums within 128-bit
 * lanes give each prompt's total (in the order a c e g b d f h), and a
 * permutation puts them back in order. Four times the scalar scan's speed.
 */
__attribute__((target("avx2,avx512f,avx512vl,avx512bw,avx512vpopcntdq"))) static void
hamming_avx512(const uint64_t *q, const llmr_sketch *sk, size_t n, size_t want, uint16_t *dist,
	       size_t *hist)
{
	uint32_t h1[LLMR_SKETCH_BITS + 1] = {0};
	size_t i = 0;
	__m512i qq = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)q));
	__m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);

	for (; i + 8 <= n; i += 8) {
		const uint64_t *r = sk[i];
		__m256i y[4], t;

		for (int k = 0; k < 4; k++) {
			__m512i x = _mm512_loadu_si512((const void *)(r + 8 * k));

			y[k] = _mm512_cvtepi64_epi32(_mm512_popcnt_epi64(_mm512_xor_si512(x, qq)));
		}
		t = _mm256_hadd_epi32(_mm256_hadd_epi32(y[0], y[1]), _mm256_hadd_epi32(y[2], y[3]));
		t = _mm256_permutevar8x32_epi32(t, order);
		_mm_storeu_si128((__m128i *)(dist + i), _mm256_cvtepi32_epi16(t));
	}
	for (; i < n; i++)
		dist[i] = (uint16_t)(__builtin_popcountll(q[0] ^ sk[i][0]) +
				     __builtin_popcountll(q[1] ^ sk[i][1]) +
				     __builtin_popcountll(q[2] ^ sk[i][2]) +
				     __builtin_popcountll(q[3] ^ sk[i][3]));
	/*
	 * The caller reads the counts only up to the cut, the want-th smallest
	 * distance, which is at most the want-th smallest of the first 1,024:
	 * that bound found, only the distances up to it are counted (a tenth
	 * of them with 10,000 prompts), exactly. Counted apart from the scan:
	 * a load of a distance just stored from a vector register waits.
	 */
	size_t m = n < 1024 ? n : 1024, cum = 0;
	int bound = LLMR_SKETCH_BITS;
	__m512i b;

	if (m >= want) {
		for (i = 0; i < m; i++)
			h1[dist[i]]++;
		for (bound = 0; bound < LLMR_SKETCH_BITS && cum + h1[bound] < want; bound++)
			cum += h1[bound];
	}
	memset(hist, 0, (LLMR_SKETCH_BITS + 1) * sizeof(*hist));
	b = _mm512_set1_epi16((short)bound);
	for (i = 0; i + 32 <= n; i += 32) {
		uint32_t mk = _mm512_cmple_epu16_mask(_mm512_loadu_si512((const void *)(dist + i)), b);

		for (; mk; mk &= mk - 1)
			hist[dist[i + (size_t)__builtin_ctz(mk)]]++;
	}
	for (; i < n; i++)
		if (dist[i] <= bound)
			hist[dist[i]]++;
}

/*
 * The candidates of hamming_candidates() below, sixteen distances a step:
 * a mask of those under the cut and of the ties still wanted (the lowest
 * bits of the ties' mask, by PDEP), their indices stored by compression.
 */
__attribute__((target("avx2,avx512f,avx512vl,avx512bw,bmi2,popcnt"))) static size_t
select_avx512(const uint16_t *dist, size_t n, int cut, size_t ties, size_t want, uint32_t *cand)
{
	__m256i c = _mm256_set1_epi16((short)cut);
	__m512i idx = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
	__m512i sixteen = _mm512_set1_epi32(16);
	size_t nc = 0, i = 0;

	for (; i + 16 <= n && nc < want; i += 16) {
		__m256i d = _mm256_loadu_si256((const __m256i *)(dist + i));
		uint32_t lt = _mm256_cmplt_epu16_mask(d, c), eq = _mm256_cmpeq_epu16_mask(d, c);

		if (ties < (size_t)__builtin_popcount(eq))
			eq = (uint32_t)_pdep_u32((1u << ties) - 1, eq);
		ties -= (size_t)__builtin_popcount(eq);
		_mm512_mask_compressstoreu_epi32(cand + nc, (__mmask16)(lt | eq), idx);
		nc += (size_t)__builtin_popcount(lt | eq);
		idx = _mm512_add_epi32(idx, sixteen);
	}
	for (; i < n && nc < want; i++) {
		int tie = dist[i] == cut && ties > 0;

		cand[nc] = (uint32_t)i;
		nc += (size_t)((dist[i] < cut) | tie);
		ties -= (size_t)tie;
	}
	return nc;
}
#endif

#if defined(__x86_64__) && defined(__GNUC__)
static int has_popcnt = -1, has_avx512;
#endif

static void hamming(const uint64_t *q, const llmr_sketch *sk, size_t n, size_t want, uint16_t *dist,
		    size_t *hist)
{
	(void)want; /* only the AVX-512 scan uses it */
#if defined(__x86_64__) && defined(__GNUC__)
	if (has_popcnt < 0) {
		__builtin_cpu_init();
		has_avx512 = __builtin_cpu_supports("avx512vpopcntdq") &&
			     __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
			     __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2");
		has_popcnt = __builtin_cpu_supports("popcnt");
	}
	if (has_avx512) {
		hamming_avx512(q, sk, n, want, dist, hist);
		return;
	}
	if (has_popcnt) {
		hamming_popcnt(q, sk, n, dist, hist);
		return;
	}
#endif
	hamming_plain(q, sk, n, dist, hist);
}

size_t llmr_lk_candidates(const llmr_sketch *sk, size_t n, const uint64_t *q, size_t want,
			  uint16_t *dist, uint32_t *cand)
{
	size_t hist[LLMR_SKETCH_BITS + 1] = {0}, below = 0, nc = 0, at = 0;
	int cut = 0;

	hamming(q, sk, n, want, dist, hist);
	while (cut < LLMR_SKETCH_BITS && below + hist[cut] < want)
		below += hist[cut++];
	/* Every prompt below the cut and the first ties at it, in order;
	 * without branches (cand has room for n + 1), as they are taken at
	 * random. */
#if defined(__x86_64__) && defined(__GNUC__)
	if (has_avx512)
		return select_avx512(dist, n, cut, want - below, want, cand);
#endif
	for (size_t i = 0, ties = want - below; i < n && nc < want; i++) {
		int d = dist[i], tie = d == cut;

		cand[nc] = (uint32_t)i;
		nc += (size_t)((d < cut) | (tie & (at < ties)));
		at += (size_t)tie;
	}
	return nc;
}
