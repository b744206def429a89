/*
 * cost_prices.h - the prices subcommand of llmr-cost (cost_prices.c).
 */
#ifndef LLMR_COST_PRICES_H
#define LLMR_COST_PRICES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conf/config.h"
#include "store/state.h"

/* argv: [] (the table), ["history"] or ["history", MODEL], or ["import",
 * FILE] (add: keep models the file does not list). Prints to fp; 0, or -1
 * with e (LLMR_EX_USAGE for bad operands). */
int llmr_cli_cost_prices(FILE *fp, struct llmr_state *st, struct llmr_config *cfg, int argc,
			 char **argv, bool add, int64_t now, bool json, struct llmr_err *e);

#endif
