/*
 * extractive.h - the built-in offline "model" (protocol: extractive,
 * named local/extractive): it answers with the best passages of an indexed
 * collection, quoted with their sources, and says that it is extractive.
 * It is what a fresh install uses and what llmr-ask falls back to when every
 * provider fails. Also the retrieval step of RAG in llmr-ask.
 */
#ifndef LLMR_EXTRACTIVE_H
#define LLMR_EXTRACTIVE_H

#include <jansson.h>

#include "conf/config.h"
#include "provider/provider.h"
#include "store/state.h"
#include "base/util.h"

/*
 * Answer question from collection (NULL = "default"). Fills r->text with the
 * answer (passages and their sources), r->finish_reason "stop", zero usage,
 * and sets *sources to a new reference: a JSON array of search hits in the
 * DESIGN.md shape (may be empty). With an empty or missing collection the
 * answer says so and how to index documents; that is not an error.
 * Returns 0, or -1 with e.
 */
int llmr_extractive_answer(struct llmr_state *st, const struct llmr_config *cfg,
			   const char *collection, const char *question,
			   struct llmr_chat_result *r, json_t **sources, struct llmr_err *e);

/*
 * RAG: retrieve passages for query from collection and append them to
 * context (numbered, with their sources), within token_budget tokens
 * (estimated at ~4 bytes a token). *sources gets a new reference: the array
 * of hits used. Returns 0, or -1 with e.
 */
int llmr_rag_retrieve(struct llmr_state *st, const struct llmr_config *cfg,
		      const char *collection, const char *query, long token_budget,
		      struct llmr_buf *context, json_t **sources, struct llmr_err *e);

#endif
