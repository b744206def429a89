/*
 * key_status.h - whether each provider's key is there, without reading it,
 * and every model of the config with what a user checks before asking:
 * llmr-ask --check-config and --list-models, and the warning llmr-ask
 * prints when a route skips a model for its key.
 */
#ifndef LLMR_CONF_KEY_STATUS_H
#define LLMR_CONF_KEY_STATUS_H

#include <jansson.h>
#include <stddef.h>

#include "conf/config.h"

/*
 * Why p's key is missing, into why (n bytes): "OPENAI_API_KEY is not set"
 * or "key file '~/.k' is not readable"; returns why, or NULL when the key
 * is there or the provider needs none (local servers, extractive). The
 * same test as the route's (route/route.c), so both agree.
 */
const char *llmr_key_missing(const struct llmr_provider_cfg *p, char *why, size_t n);

/*
 * Every model, in config order: a new array of {"model" (provider/model),
 * "provider","protocol","tier","status","key" ("present", "absent" or
 * "none" when none is needed),"key_env" (or null),"input","output",
 * "cached_input" (USD per 1M tokens, null unset),"context" (null unknown),
 * "quality" (null unknown)}; "why" for an absent key.
 */
json_t *llmr_models_json(const struct llmr_config *cfg);

/* The same as a table with a header line: model, tier, status, key,
 * input and output prices, context. */
void llmr_models_text(json_t *models, struct llmr_buf *out);

#endif
