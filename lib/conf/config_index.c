/*
 * config_index.c - "provider/model" references looked up by hashing
 * instead of scanning every provider's models: a route chain of 40,000
 * references to 40,000 models took 50 s to check.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/config_impl.h"

struct cfg_index {
	size_t mask;
	struct cfg_slot {
		size_t pi, mi; /* provider and model index, plus one; 0 = empty */
	} *slot;
};

/* FNV-1a of provider name, '/', model name (a model index of 0 hashes
 * the provider alone). */
static uint64_t hash_ref(const char *p, size_t plen, const char *m)
{
	uint64_t h = 1469598103934665603u;
	size_t i;

	for (i = 0; i < plen; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211u;
	if (m) {
		h = (h ^ '/') * 1099511628211u;
		for (; *m; m++)
			h = (h ^ (unsigned char)*m) * 1099511628211u;
	}
	return h;
}

static int same(const struct llmr_config *cfg, const struct cfg_slot *s, const char *p, size_t plen,
		const char *m)
{
	const struct llmr_provider_cfg *pc = &cfg->providers[s->pi - 1];

	if (strlen(pc->name) != plen || memcmp(pc->name, p, plen))
		return 0;
	if (!m)
		return s->mi == 0;
	return s->mi && !strcmp(pc->models[s->mi - 1].name, m);
}

static void put(struct cfg_index *ix, const struct llmr_config *cfg, size_t pi, size_t mi)
{
	const struct llmr_provider_cfg *pc = &cfg->providers[pi];
	const char *m = mi ? pc->models[mi - 1].name : NULL;
	size_t i = (size_t)hash_ref(pc->name, strlen(pc->name), m) & ix->mask;

	while (ix->slot[i].pi) {
		if (same(cfg, &ix->slot[i], pc->name, strlen(pc->name), m))
			return; /* a duplicate: the first one stands, as in a scan */
		i = (i + 1) & ix->mask;
	}
	ix->slot[i].pi = pi + 1;
	ix->slot[i].mi = mi;
}

struct cfg_index *cfg_index_build(const struct llmr_config *cfg)
{
	struct cfg_index *ix = llmr_xcalloc(1, sizeof(*ix));
	size_t n = 0, cap = 64, pi, mi;

	for (pi = 0; pi < cfg->nproviders; pi++)
		n += cfg->providers[pi].nmodels + 1;
	while (cap < 2 * n)
		cap *= 2;
	ix->mask = cap - 1;
	ix->slot = llmr_xcalloc(cap, sizeof(*ix->slot));
	for (pi = 0; pi < cfg->nproviders; pi++)
		for (mi = 0; mi <= cfg->providers[pi].nmodels; mi++)
			put(ix, cfg, pi, mi);
	return ix;
}

int cfg_index_find(const struct cfg_index *ix, const struct llmr_config *cfg, const char *p,
		   size_t plen, const char *m, size_t *pi, size_t *mi)
{
	size_t i = (size_t)hash_ref(p, plen, m) & ix->mask;

	for (; ix->slot[i].pi; i = (i + 1) & ix->mask)
		if (same(cfg, &ix->slot[i], p, plen, m)) {
			*pi = ix->slot[i].pi - 1;
			if (mi)
				*mi = ix->slot[i].mi - 1;
			return 0;
		}
	return -1;
}

void cfg_index_free(struct cfg_index *ix)
{
	if (ix)
		free(ix->slot);
	free(ix);
}
