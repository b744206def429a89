/*
 * ann_dist.c - the distances of the ANN graph and scan (ann.h): Hamming
 * between sketches, and the asymmetric score of a query's projection
 * against a sketch through a lookup table.
 */
#include "index/ann.h"

#include <string.h>

/*
 * Hamming distance is the inner loop of both building and searching. The
 * build flags target any x86-64, where __builtin_popcountll becomes a
 * library call; the POPCNT instruction (every x86-64 CPU since 2008) is
 * used when the CPU has it, picked once at run time.
 */
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("popcnt"))) static int dist_popcnt(const uint64_t *a, const uint64_t *b)
{
	int d = 0, i;

	for (i = 0; i < LLMR_SKETCH_WORDS; i++)
		d += __builtin_popcountll(a[i] ^ b[i]);
	return d;
}
#endif

static int dist_plain(const uint64_t *a, const uint64_t *b)
{
	int d = 0, i;

	for (i = 0; i < LLMR_SKETCH_WORDS; i++) {
		uint64_t x = a[i] ^ b[i];

		x = x - ((x >> 1) & 0x5555555555555555ULL);
		x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
		x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
		d += (int)((x * 0x0101010101010101ULL) >> 56);
	}
	return d;
}

static int (*dist_fn)(const uint64_t *, const uint64_t *);

int llmr_ann_dist(const uint64_t *a, const uint64_t *b)
{
	if (!dist_fn) {
		dist_fn = dist_plain;
#if defined(__x86_64__) && defined(__GNUC__)
		__builtin_cpu_init();
		if (__builtin_cpu_supports("popcnt"))
			dist_fn = dist_popcnt;
#endif
	}
	return dist_fn(a, b);
}

void llmr_ann_lut(const float *proj, float *lut)
{
	int b, x, k;

	for (b = 0; b < LLMR_SKETCH_BITS / 8; b++)
		for (x = 0; x < 256; x++) {
			float sum = 0;

			for (k = 0; k < 8; k++)
				sum += (x >> k) & 1 ? proj[b * 8 + k] : -proj[b * 8 + k];
			lut[b * 256 + x] = sum;
		}
}

/*
 * Distance of a node to the query: Hamming, or with a table the negated
 * asymmetric score shifted to be positive; a non-negative float's bits
 * order like the float, so both fit the heaps' integer keys.
 */
int llmr_ann_view_dist(const struct llmr_ann_view *v, const uint64_t *q, const uint64_t *s)
{
	float score = 0, d;
	uint32_t bits;
	int b;

	if (!v->lut)
		return llmr_ann_dist(q, s);
	for (b = 0; b < LLMR_SKETCH_BITS / 8; b++)
		score += v->lut[b * 256 + ((s[b / 8] >> ((b % 8) * 8)) & 0xff)];
	d = 4096.0f - score; /* |score| stays far below: projections of unit vectors */
	if (d < 0)
		d = 0;
	memcpy(&bits, &d, sizeof(bits));
	return (int)(bits >> 1);
}
