/*
 * llmr-cost's subcommands in cmd/llmr-cost/ share this: the options as
 * parsed and the helpers that print and fail. cmd/llmr-cost.c parses the
 * options and dispatches.
 */
#ifndef LLMR_COST_CMD_H
#define LLMR_COST_CMD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/util.h"
#include "conf/config.h"
#include "cost/simulate.h"
#include "store/state.h"

struct cost_main {
	const char *config_opt, *state_opt, *baseline, *note;
	const char *route, *ns, *older;
	char *states[64];  /* every --state, in order */
	size_t nstates;
	struct llmr_config *cfg;
	struct llmr_state *st;
	struct llmr_sim_changes ch;
	int64_t now, since, until;
	int by, fmt, check, apply, add, quiet;
	long limit;
	char *since_s, *until_s;
};

enum { FMT_TEXT, FMT_JSON, FMT_CSV, FMT_HTML };

/* Exit with e's message and code. */
_Noreturn void cost_fail(const struct llmr_err *e);
/* Print b and release it. */
void cost_out(struct llmr_buf *b);
/* Print o as one JSON line and release it. */
void cost_out_json(json_t *o);

/* cache: hit rates and entries; cache purge; cache wrong ID... */
int cost_cmd_cache(struct cost_main *m, const char *action, int nids, char **ids);

#endif
