/*
 * cli_coord.c - coordination for the programs that share live state
 * (llmr-ask, llmr-route, llmr-quota, llmr-index, llmr-search), apart from
 * cli_config.c so that the others (llmr-cost, llmr-bench) do not link
 * hiredis.
 */
#include "cli/cli.h"
#include "conf/config.h"
#include "route/coord.h"

/* The one place a coordination outage is told: once per process. */
static void coord_warn(const char *msg)
{
	llmr_warn("%s", msg);
}

void llmr_cli_coordinate(const struct llmr_config *cfg)
{
	struct llmr_err e = {0, ""};

	llmr_coord_set_warn(coord_warn);
	if (llmr_coord_setup(cfg, &e) < 0)
		llmr_die(e.code ? e.code : LLMR_EX_CONFIG, "%s", e.msg);
}
