/* Sets of row hashes for counting distinct requests (see rowset.h). */
#include "cost/rowset.h"

#include <stdlib.h>

/*
 * Distinct requests are counted with a set of 64-bit (request, group, period) hashes: a million requests
 * cost 16 MB and no string compares; a collision needs ~2^32 requests.
 */

void llmr_rowset_init(struct llmr_rowset *s, size_t n)
{
	size_t cap = 64;

	while (cap < 2 * n + 2)
		cap *= 2;
	s->k = llmr_xcalloc(cap, sizeof(*s->k));
	s->mask = cap - 1;
}

/* 1 when new. Key 0 marks an empty slot, so it is folded onto 1. */
int llmr_rowset_add(struct llmr_rowset *s, uint64_t k)
{
	size_t i;

	k = k ? k : 1;
	i = (size_t)(k ^ (k >> 29)) & s->mask;
	while (s->k[i]) {
		if (s->k[i] == k)
			return 0;
		i = (i + 1) & s->mask;
	}
	s->k[i] = k;
	return 1;
}

int llmr_rowset_has(const struct llmr_rowset *s, uint64_t k)
{
	size_t i;

	k = k ? k : 1;
	i = (size_t)(k ^ (k >> 29)) & s->mask;
	while (s->k[i]) {
		if (s->k[i] == k)
			return 1;
		i = (i + 1) & s->mask;
	}
	return 0;
}

/*
 * Requests with more than one row: only those need the distinct set, and
 * they are few (fallbacks, retries), so the set stays in cache. A request
 * that has a row with attempt > 1 is such a request.
 */
void llmr_cost_multi_build(const struct llmr_cost_log *log, struct llmr_rowset *m)
{
	size_t i, n = 0;

	for (i = 0; i < log->n; i++)
		n += log->rows[i].attempt > 1;
	llmr_rowset_init(m, n);
	for (i = 0; i < log->n; i++)
		if (log->rows[i].attempt > 1)
			llmr_rowset_add(m, log->rows[i].rid);
}

uint64_t llmr_cost_mix(uint64_t rid, uint64_t g)
{
	uint64_t h = rid ^ (g * 0x9E3779B97F4A7C15ULL);

	h ^= h >> 31;
	h *= 0xBF58476D1CE4E5B9ULL;
	return h ^ (h >> 27);
}

size_t llmr_cost_answers(const struct llmr_cost_log *log, int64_t since, int64_t until, size_t **idx)
{
	struct llmr_rowset set, multi;
	size_t i, n = 0, *v = llmr_xmalloc((log->n + 1) * sizeof(*v));

	llmr_cost_multi_build(log, &multi);
	for (i = 0; i < log->n; i++)
		n += log->rows[i].attempt > 1;
	llmr_rowset_init(&set, n);
	n = 0;
	/* Backwards: the first ok row met for a request is its last ok one. */
	for (i = log->n; i-- > 0;) {
		const struct llmr_cost_row *r = &log->rows[i];

		if (r->ok && r->ts_ms >= since && r->ts_ms < until &&
		    (!llmr_rowset_has(&multi, r->rid) || llmr_rowset_add(&set, r->rid)))
			v[n++] = i;
	}
	free(set.k);
	free(multi.k);
	for (i = 0; i < n / 2; i++) {
		size_t t = v[i];

		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
	*idx = v;
	return n;
}
