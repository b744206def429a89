/*
 * change_print.h - a proposed routing change (learn/recommend.h) as a JSON
 * object ({id, status, route, tier, old_chain, chain, why, impact}) and as
 * the lines llmr-bench recommend and pending print.
 */
#ifndef LLMR_CHANGE_PRINT_H
#define LLMR_CHANGE_PRINT_H

#include <jansson.h>
#include <stdio.h>

#include "learn/recommend.h"

json_t *llmr_change_json(const struct llmr_change *c);
void llmr_change_print(FILE *fp, const struct llmr_change *c);

#endif
