/* Warnings for models skipped for their key (skip_warn.h). */
#include "cli/skip_warn.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

void llmr_cli_warn_skips(const json_t *resp, bool quiet)
{
	/* "|VAR|" for each variable already named in this process. */
	static char warned[4096];
	json_t *sk, *s;
	size_t i;
	int keyless = 0;

	sk = json_object_get(resp, "skipped");
	json_array_foreach(sk, i, s) {
		const char *why = json_string_value(json_object_get(s, "why")), *var;
		char tag[300];
		int is_var;

		if (!why || strncmp(why, "no key: ", 8))
			continue;
		keyless++;
		var = why + 8;
		/* route.c says "no key: set VAR" or "no key: key file 'F' is not readable" */
		if ((is_var = !strncmp(var, "set ", 4)))
			var += 4;
		snprintf(tag, sizeof(tag), "|%s|", var);
		if (quiet || strstr(warned, tag) || strlen(warned) + strlen(tag) >= sizeof(warned))
			continue;
		strcat(warned, tag);
		llmr_warn("warning: %s skipped: %s%s", json_string_value(json_object_get(s, "model")),
			  var, is_var ? " is not set" : "");
	}
	if (keyless && !quiet && json_is_true(json_object_get(resp, "extractive")))
		llmr_warn("warning: answered offline (extractive): the models before it had no key");
}
