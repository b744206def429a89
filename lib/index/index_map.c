/*
 * index_map.c - the documents of a collection already indexed, in memory,
 * looked up by source (open addressing). Below every other index*.c file.
 */
#include <stdlib.h>
#include <string.h>

#include "index/index_impl.h"

static size_t hash_str(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static void map_put(struct llmr_indexer *ix, size_t idx)
{
	size_t m = ix->tabcap - 1, i = hash_str(ix->docs[idx].source) & m;

	while (ix->tab[i] != (size_t)-1)
		i = (i + 1) & m;
	ix->tab[i] = idx;
}

struct llmr_index_docrec *llmr_index_find(struct llmr_indexer *ix, const char *source)
{
	size_t m, i;

	if (!ix->tabcap)
		return NULL;
	m = ix->tabcap - 1;
	for (i = hash_str(source) & m; ix->tab[i] != (size_t)-1; i = (i + 1) & m)
		if (!strcmp(ix->docs[ix->tab[i]].source, source))
			return &ix->docs[ix->tab[i]];
	return NULL;
}

void llmr_index_rehash(struct llmr_indexer *ix)
{
	size_t i;

	free(ix->tab);
	for (ix->tabcap = 1024; ix->tabcap < ix->ndocs * 4; ix->tabcap *= 2)
		;
	ix->tab = llmr_xmalloc(ix->tabcap * sizeof(*ix->tab));
	memset(ix->tab, 0xff, ix->tabcap * sizeof(*ix->tab));
	for (i = 0; i < ix->ndocs; i++)
		map_put(ix, i);
	ix->tabused = ix->ndocs;
}

void llmr_index_map_add(struct llmr_indexer *ix, size_t idx)
{
	/* The slot of the old name stays (it no longer matches): rehash
	 * before the table is half full. */
	if (++ix->tabused * 2 > ix->tabcap)
		llmr_index_rehash(ix);
	else
		map_put(ix, idx);
}
