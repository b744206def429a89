#include "cli/collection.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "index/index.h"

int llmr_collection_known(struct llmr_state *st, const char *name, char **near,
			  struct llmr_err *e)
{
	json_t *all = NULL, *c;
	const char **names;
	const char *best;
	size_t i, n = 0;
	int64_t id;

	*near = NULL;
	if (!name)
		name = "default";
	if ((id = llmr_index_collection(llmr_state_db(st), name, NULL, NULL, e)) != 0)
		return id > 0 ? 1 : -1;
	if (llmr_index_stats(st, NULL, &all, e) < 0)
		return -1;
	names = llmr_xcalloc(json_array_size(all) + 1, sizeof(*names));
	json_array_foreach(all, i, c)
		if (json_string_value(json_object_get(c, "collection")))
			names[n++] = json_string_value(json_object_get(c, "collection"));
	if ((best = llmr_nearest(name, names, n)))
		*near = llmr_xstrdup(best);
	free(names);
	json_decref(all);
	return 0;
}
