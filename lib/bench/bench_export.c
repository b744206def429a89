/*
 * bench_export.c - the bench tables as one dataset: results and pairwise
 * verdicts (a judge's or a person's), with the answers, for study or for
 * training a router later.
 */
#include <string.h>

#include "bench/bench_db.h"

static json_t *column(sqlite3_stmt *s, int i)
{
	switch (sqlite3_column_type(s, i)) {
	case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(s, i));
	case SQLITE_FLOAT: return json_real(sqlite3_column_double(s, i));
	case SQLITE_TEXT: return json_string((const char *)sqlite3_column_text(s, i));
	default: return json_null();
	}
}

/* Each row of sql as an object keyed by names, with "kind" first. */
static int rows(struct llmr_state *st, const char *sql, const char *kind,
		const char *const *names, json_t *out, struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(llmr_state_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return llmr_state_dberr(st, "cannot read the bench tables", e);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *o = json_pack("{s:s}", "kind", kind);

		for (int i = 0; names[i]; i++)
			json_object_set_new(o, names[i], column(s, i));
		if (json_is_integer(json_object_get(o, "pass")))
			json_object_set_new(o, "pass", json_boolean(json_integer_value(json_object_get(o, "pass"))));
		json_array_append_new(out, o);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return llmr_state_dberr(st, "cannot read the bench tables", e);
	return 0;
}

json_t *llmr_bench_db_export(struct llmr_state *st, struct llmr_err *e)
{
	static const char *const rnames[] = {"run", "suite", "model", "case", "prompt", "output",
					     "error", "cost_usd", "latency_ms", "ttft_ms",
					     "output_tps", "score", "pass", NULL};
	static const char *const pnames[] = {"run", "source", "ts_ms", "prompt", "model_a",
					     "model_b", "answer_a", "answer_b", "winner", NULL};
	static const char rsql[] =
		"SELECT r.run, b.suite, r.model, r.case_no, r.prompt, r.output, r.error, r.cost_usd,"
		" r.latency_ms, r.ttft_ms, r.output_tps, r.score, r.pass"
		" FROM bench_results r JOIN bench_runs b ON b.id = r.run ORDER BY r.run, r.model, r.case_no";
	static const char psql[] =
		"SELECT run, source, ts_ms, prompt, model_a, model_b, json_extract(detail, '$.answer_a'),"
		" json_extract(detail, '$.answer_b'), winner FROM bench_pairs ORDER BY id";
	json_t *out = json_array();

	if (rows(st, rsql, "result", rnames, out, e) < 0 || rows(st, psql, "pair", pnames, out, e) < 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}
