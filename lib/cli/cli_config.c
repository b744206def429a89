#include <stdlib.h>

#include "cli/cli.h"
#include "conf/config.h"

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
	if (path_out)
		*path_out = path;
	else
		free(path);
	return cfg;
}
