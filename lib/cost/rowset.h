/*
 * rowset.h - sets of 64-bit row hashes, shared by the cost report and the
 * simulation to count distinct requests; internal to lib/cost.
 */
#ifndef LLMR_ROWSET_H
#define LLMR_ROWSET_H

#include <stddef.h>
#include <stdint.h>

#include "cost/cost.h"

/* Open addressing; key 0 marks an empty slot (a 0 key is folded onto 1). */
struct llmr_rowset {
	uint64_t *k;
	size_t mask;
};

/* Room for n keys; free(s->k) releases it. */
void llmr_rowset_init(struct llmr_rowset *s, size_t n);
/* 1 when k is new (and now added), else 0. */
int llmr_rowset_add(struct llmr_rowset *s, uint64_t k);
int llmr_rowset_has(const struct llmr_rowset *s, uint64_t k);

/* The requests of log with more than one row (retries, fallbacks). */
void llmr_cost_multi_build(const struct llmr_cost_log *log, struct llmr_rowset *m);
/* A hash of (request, group) for the distinct set. */
uint64_t llmr_cost_mix(uint64_t rid, uint64_t g);

#endif
