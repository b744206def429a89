/*
 * collection.h - is a collection name one the state knows? For commands
 * that read a collection (llmr-search): a misspelt name is an error with a
 * suggestion, not an empty result that looks like "no match".
 */
#ifndef LLMR_CLI_COLLECTION_H
#define LLMR_CLI_COLLECTION_H

#include "base/util.h"
#include "store/state.h"

/*
 * Whether collection name (NULL = "default") exists in st. When it does
 * not, *near gets the closest existing name within a few edits (a new
 * string) or NULL. Returns 1 or 0, or -1 with e on a state file error.
 */
int llmr_collection_known(struct llmr_state *st, const char *name, char **near,
			  struct llmr_err *e);

#endif
