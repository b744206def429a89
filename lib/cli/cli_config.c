#include <stdlib.h>

#include "cli/cli.h"
#include "conf/config.h"
#include "route/coord.h"

/* The one place a coordination outage is told: once per process. */
static void coord_warn(const char *msg)
{
	llmr_warn("%s", msg);
}

struct llmr_config *llmr_cli_config(const char *explicit_path, char **path_out)
{
	struct llmr_diags d = {NULL, 0};
	struct llmr_err e = {0, ""};
	struct llmr_config *cfg = NULL;
	char *path = llmr_config_find(explicit_path);
	size_t i;

	if (llmr_config_load(path, &cfg, &d, &e) < 0) {
		for (i = 0; i < d.n; i++)
			llmr_warn("%s", d.msgs[i]);
		if (!d.n)
			llmr_warn("%s", e.msg);
		llmr_diags_release(&d);
		free(path);
		exit(e.code ? e.code : LLMR_EX_CONFIG);
	}
	llmr_diags_release(&d);
	llmr_coord_set_warn(coord_warn);
	if (llmr_coord_setup(cfg, &e) < 0)
		llmr_die(e.code ? e.code : LLMR_EX_CONFIG, "%s", e.msg);
	if (path_out)
		*path_out = path;
	else
		free(path);
	return cfg;
}
