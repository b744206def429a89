/*
 * cache_report.h - llmr-cost cache: how the response caches did over a
 * period (hits per route and kind, exact or semantic, and what they saved,
 * priced as cost_savings.h prices cache hits), what they hold now
 * (entries and bytes per kind, route and namespace), and purging them.
 */
#ifndef LLMR_CACHE_REPORT_H
#define LLMR_CACHE_REPORT_H

#include <jansson.h>

#include "conf/config.h"
#include "cost/report.h"
#include "store/state.h"
#include "base/util.h"

/*
 * The report as one JSON object (new reference): {"since","until",
 * "routes":[{"route","requests","exact","semantic","hit_rate",
 * "exact_saved_usd","semantic_saved_usd"}], "entries":[{"kind","route",
 * "namespace","entries","bytes"}], "total":{...}}. run holds the period's
 * log and prices (llmr_cost_run). Returns NULL with e on a state error.
 */
json_t *llmr_cache_report(const struct llmr_cost_run *run, const struct llmr_config *cfg,
			  sqlite3 *db, int64_t since, int64_t until, int64_t now,
			  struct llmr_err *e);

/* The same as text, for a terminal. */
void llmr_cache_report_text(struct llmr_buf *b, const json_t *rep);

/*
 * Drop cache entries, exact and semantic: those of route (NULL: any) and
 * namespace (NULL: any) created before before_ms (INT64_MAX: any age).
 * *exact and *semantic get how many went. Returns 0, or -1 with e.
 */
int llmr_cache_purge(struct llmr_state *st, const char *route, const char *ns,
		     int64_t before_ms, long *exact, long *semantic, struct llmr_err *e);

#endif
