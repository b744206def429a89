/*
 * conf_test.h - a config from YAML text, for the unit tests that need a
 * loaded config (learn.c, route_ask_tx.c): written to DIR/llmr.conf and
 * loaded as llmr would. NULL (with the error on a TAP comment line) when
 * it does not load.
 */
#ifndef LLMR_CONF_TEST_H
#define LLMR_CONF_TEST_H

#include <stdio.h>

#include "conf/config.h"

static struct llmr_config *conf_from_yaml(const char *dir, const char *yaml)
{
	char path[300];
	struct llmr_config *cfg = NULL;
	struct llmr_diags dg = {NULL, 0};
	struct llmr_err e = {0, ""};
	FILE *f;

	snprintf(path, sizeof(path), "%s/llmr.conf", dir);
	if (!(f = fopen(path, "w")))
		return NULL;
	fputs(yaml, f);
	fclose(f);
	if (llmr_config_load(path, &cfg, &dg, &e) < 0)
		printf("# config: %s\n", e.msg);
	return cfg;
}

#endif
