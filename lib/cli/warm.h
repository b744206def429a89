/*
 * warm.h - llmr-ask --warm FILE: fill the response caches ahead of demand
 * from a list of questions, one a line (plain text, or a JSON request line
 * as --jsonl reads them). Every question is asked at P3, the lowest
 * priority, so the route's quotas, the fair queue, budgets and degraded
 * mode treat it as the first work to drop; a question already cached
 * costs nothing and is reported as such.
 */
#ifndef LLMR_WARM_H
#define LLMR_WARM_H

#include <jansson.h>

#include "ask/request.h"
#include "conf/config.h"
#include "base/util.h"

/*
 * One line into req (which may hold the command line's defaults): a JSON
 * object when it starts with '{', else the prompt. *obj gets a new
 * reference the caller keeps while req is used. Returns 0, or -1 with e
 * (LLMR_EX_DATAERR) for a bad JSON line.
 */
int llmr_warm_request(const struct llmr_config *cfg, const char *line, size_t len, json_t **obj,
		      struct llmr_ask_req *req, struct llmr_err *e);

/* What --warm prints for one question (new reference): {"line","id",
 * "cache","cost_usd"}, or {"line","id","skipped"} or {"line","id","error"}. */
json_t *llmr_warm_summary(const json_t *resp, long lineno);

#endif
