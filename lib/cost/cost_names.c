#include "cost/cost.h"

#include <stdlib.h>
#include <string.h>

/*
 * Interning keeps a million log rows small and makes grouping a matter of
 * comparing integers; the handful of distinct routes and models fit in a
 * tiny open-addressing table.
 */

uint64_t llmr_cost_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static size_t slot_of(const struct llmr_names *t, const char *s, size_t len, int *found)
{
	size_t mask = t->nslots - 1, i = (size_t)llmr_cost_hash(s, len) & mask;

	*found = 0;
	while (t->slots[i]) {
		int32_t id = t->slots[i] - 1;

		if (t->len[id] == len && !memcmp(t->s[id], s, len)) {
			*found = 1;
			break;
		}
		i = (i + 1) & mask;
	}
	return i;
}

static void grow(struct llmr_names *t)
{
	size_t i, nslots = t->nslots ? t->nslots * 2 : 64;
	int32_t *old = t->slots;
	size_t oldn = t->nslots;
	int found;

	t->slots = llmr_xcalloc(nslots, sizeof(*t->slots));
	t->nslots = nslots;
	for (i = 0; i < oldn; i++)
		if (old[i]) {
			int32_t id = old[i] - 1;

			t->slots[slot_of(t, t->s[id], t->len[id], &found)] = old[i];
		}
	free(old);
}

int32_t llmr_names_id(struct llmr_names *t, const char *s, size_t len)
{
	size_t i;
	int found;

	if (2 * (t->n + 1) > t->nslots)
		grow(t);
	i = slot_of(t, s, len, &found);
	if (found)
		return t->slots[i] - 1;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->s = llmr_xrealloc(t->s, t->cap * sizeof(*t->s));
		t->len = llmr_xrealloc(t->len, t->cap * sizeof(*t->len));
	}
	t->s[t->n] = llmr_xstrndup(s, len);
	t->len[t->n] = len;
	t->slots[i] = (int32_t)++t->n;
	return (int32_t)(t->n - 1);
}

int32_t llmr_names_find(const struct llmr_names *t, const char *s)
{
	size_t i;
	int found;

	if (!t->nslots || !s)
		return -1;
	i = slot_of(t, s, strlen(s), &found);
	return found ? t->slots[i] - 1 : -1;
}

const char *llmr_names_get(const struct llmr_names *t, int32_t id)
{
	return id >= 0 && (size_t)id < t->n ? t->s[id] : NULL;
}

void llmr_names_release(struct llmr_names *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->s[i]);
	free(t->s);
	free(t->len);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}
