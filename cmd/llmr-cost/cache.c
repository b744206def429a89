/*
 * llmr-cost cache: hit rates, savings and entries; cache purge: drop
 * entries; cache wrong: a semantic hit a person found wrong.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ask/semcache.h"
#include "cli/cli.h"
#include "cost/cache_report.h"
#include "cost/cost.h"

#include "cost_cmd.h"

/* cache: hit rates, savings and entries; cache purge: drop entries. */
/* cache wrong ID...: each request's semantic hit recorded as wrong, so
 * its entry never serves at that similarity again. */
static int cache_wrong(struct cost_main *m, int nids, char **ids)
{
	struct llmr_err e = {0, ""};
	int code = 0;

	for (int i = 0; i < nids; i++) {
		int rc = llmr_semcache_correct(m->st, ids[i], &e);

		if (rc < 0)
			cost_fail(&e);
		if (rc == 0) {
			llmr_warn("cache wrong: request '%s' got no semantic hit", ids[i]);
			code = LLMR_EX_DATAERR;
		} else if (!m->quiet) {
			printf("%s: recorded as a wrong hit\n", ids[i]);
		}
	}
	return code;
}

int cost_cmd_cache(struct cost_main *m, const char *action, int nids, char **ids)
{
	bool purge = action && !strcmp(action, "purge");

	struct llmr_err e = {0, ""};
	struct llmr_cost_run run;
	struct llmr_buf b = LLMR_BUF_INIT;
	json_t *rep;

	if (action && !strcmp(action, "wrong"))
		return cache_wrong(m, nids, ids);
	if (purge) {
		int64_t before = INT64_MAX;
		long ex, sem;

		if (m->older && (llmr_cost_parse_time(m->older, m->now, &before) || before >= m->now))
			llmr_die(LLMR_EX_USAGE, "--older-than: '%s' is not a duration (try 12h or 7d)",
				 m->older);
		if (llmr_cache_purge(m->st, m->route, m->ns, before, &ex, &sem, &e) < 0)
			cost_fail(&e);
		if (m->fmt == FMT_JSON)
			cost_out_json(json_pack("{s:I,s:I}", "exact", (json_int_t)ex, "semantic", (json_int_t)sem));
		else if (!m->quiet)
			printf("purged %ld exact and %ld semantic entries\n", ex, sem);
		return 0;
	}
	if (llmr_cost_run(llmr_state_db(m->st), m->cfg, m->since, m->until, LLMR_BY_NONE, NULL, &run, &e) ||
	    !(rep = llmr_cache_report(&run, m->cfg, llmr_state_db(m->st), m->since, m->until, m->now, &e)))
		cost_fail(&e);
	if (m->fmt == FMT_JSON) {
		cost_out_json(rep);
	} else {
		llmr_cache_report_text(&b, rep);
		json_decref(rep);
		cost_out(&b);
	}
	llmr_cost_run_release(&run);
	return 0;
}

