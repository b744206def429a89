/*
 * classify_model.h - the optional model classifier: with
 * `router: {classifier: provider/model}`, llmr-ask asks that (cheap) model
 * whether a request is simple, medium or complex. Any failure (no key, an
 * error, an answer that names no tier) leaves the heuristic in charge.
 */
#ifndef LLMR_CLASSIFY_MODEL_H
#define LLMR_CLASSIFY_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/config.h"
#include "store/state.h"

/*
 * Ask cfg->router_classifier to classify text. Returns the tier
 * (LLMR_SIMPLE..LLMR_COMPLEX), or -1 when the heuristic must decide. The
 * call is logged in the state (st may be NULL) under request_id (may be
 * NULL) with route "router", so its cost is counted; like any call, it
 * first holds its cost (spend.h) and is not made when that would cross a
 * cap. *called (may be NULL) says whether a model call was made.
 */
int llmr_classify_model(const struct llmr_config *cfg, struct llmr_state *st,
			const char *request_id, const char *text, size_t len, bool *called);

/* The tier named by a model's answer ("complex", "Medium.", ...), or -1. */
int llmr_classify_parse_tier(const char *answer);

#endif
