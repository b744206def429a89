/*
 * learned_kern.h - the inner loops of the learned router (learned.c):
 * the sketch, the quantisation, the dot product and the Hamming scan.
 * Each has a portable version and vector ones picked at run time by what
 * the CPU has (AVX2, AVX-512 VPOPCNTDQ); every version gives the same
 * result bit for bit, so a cached embedding or a decision never depends
 * on the machine. Internal to learn/.
 */
#ifndef LLMR_LEARNED_KERN_H
#define LLMR_LEARNED_KERN_H

#include <stddef.h>
#include <stdint.h>

#include "index/ann.h" /* llmr_sketch */
#include "index/embed.h"

/* The 256-bit sketch of v[LLMR_EMBED_LOCAL_DIM] that the scan compares. */
void llmr_lk_fold_sketch(const float *v, uint64_t *sk);

/* out[j] = v[j] / top * 127 rounded to nearest (top > 0), as lrintf. */
void llmr_lk_quantize(const float *v, float top, int8_t *out);

/* The dot product of two int8 vectors of LLMR_EMBED_LOCAL_DIM. */
typedef int32_t (*llmr_lk_dot_fn)(const int8_t *a, const int8_t *b);
llmr_lk_dot_fn llmr_lk_dot(void);

/* The want of sk[0..n) nearest q by Hamming distance (ties at the cut in
 * order of index) into cand (room for n + 1), their count returned;
 * dist[0..n) is scratch. */
size_t llmr_lk_candidates(const llmr_sketch *sk, size_t n, const uint64_t *q, size_t want,
			  uint16_t *dist, uint32_t *cand);

#endif
