/*
 * outcomes_bench.c - llmr-bench run's results as labelled outcomes: each
 * answered case is a prompt, the model that answered it and the case's
 * score from 0 to 1, so the learned router learns from benchmarks as it
 * does from imported outcome files.
 */
#include "learn/learned_route.h"
#include "learn/outcomes.h"

static const char sql_results[] =
	"SELECT prompt, answered_by, score FROM bench_results"
	" WHERE run = ?1 AND error IS NULL AND answered_by IS NOT NULL ORDER BY model, case_no";

static int read_run(struct llmr_state *st, int64_t run, struct llmr_outcomes *o,
		    struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(llmr_state_db(st), sql_results, -1, &s, NULL) != SQLITE_OK)
		return llmr_state_dberr(st, "cannot read bench results", e);
	sqlite3_bind_int64(s, 1, run);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		size_t row = llmr_outcomes_row(o, (const char *)sqlite3_column_text(s, 0),
					       (size_t)sqlite3_column_bytes(s, 0));

		llmr_outcomes_set(o, row, llmr_outcomes_model(o, (const char *)sqlite3_column_text(s, 1)),
				  sqlite3_column_double(s, 2));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return llmr_state_dberr(st, "cannot read bench results", e);
	return 0;
}

int llmr_outcomes_from_bench(struct llmr_state *st, int64_t run, long *n, struct llmr_err *e)
{
	struct llmr_outcomes o;
	struct llmr_outcomes_stored out = {0, 0, 0};
	long embedded;
	int rc;

	llmr_outcomes_init(&o);
	rc = read_run(st, run, &o, e);
	if (!rc && o.ncells)
		rc = llmr_outcomes_store(st, &o, &out, e);
	/* Embedded now, so that routing with router.learned starts at once. */
	if (!rc && o.ncells)
		rc = llmr_learned_cache(st, &embedded, e);
	*n = out.outcomes;
	llmr_outcomes_release(&o);
	return rc;
}
