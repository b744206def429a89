/*
 * side_call.h - a small call to a named cheap model on the side of a
 * request: the model classifier (classify_model.c) and the semantic
 * cache's confirmation (ask/ask_semconfirm.c) are both one short question
 * answered in a word.
 *
 * Like every call it holds its estimated cost first (spend.h) and is not
 * made when that would cross a cap; it is logged in the request log under
 * its own route label, so llmr-cost counts it. Any failure (no model, no
 * key, a refused hold, a provider error) returns -1: a side call never
 * costs the request its answer.
 */
#ifndef LLMR_SIDE_CALL_H
#define LLMR_SIDE_CALL_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/config.h"
#include "store/state.h"
#include "base/util.h"

struct llmr_side_call {
	const char *model;      /* "provider/model" from the config */
	const char *label;      /* route it is logged and held under ("router", "cache") */
	const char *request_id; /* the request it serves, or NULL (logged as label) */
	const char *system;     /* the instruction */
	const char *text;       /* the user turn, cut to max_bytes */
	size_t len, max_bytes;
	long max_tokens;
};

/* Ask q->model; the answer's text is appended to out. st may be NULL (no
 * hold, no log). *called (may be NULL) says whether a model call was made.
 * Returns 0, or -1 when there is no answer. */
int llmr_side_call(const struct llmr_config *cfg, struct llmr_state *st,
		   const struct llmr_side_call *q, struct llmr_buf *out, bool *called);

#endif
