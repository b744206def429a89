/*
 * report_rows.c - the rows of llmr-bench report's queries as JSON objects,
 * for report.c and report_arena.c. Read only.
 */
#include "bench/report_impl.h"

/* One row as an object keyed by the column names. */
static json_t *row_object(sqlite3_stmt *s)
{
	json_t *o = json_object();

	for (int i = 0; i < sqlite3_column_count(s); i++) {
		const char *k = sqlite3_column_name(s, i);

		switch (sqlite3_column_type(s, i)) {
		case SQLITE_INTEGER:
			json_object_set_new(o, k, json_integer(sqlite3_column_int64(s, i)));
			break;
		case SQLITE_FLOAT: json_object_set_new(o, k, json_real(sqlite3_column_double(s, i))); break;
		case SQLITE_NULL: json_object_set_new(o, k, json_null()); break;
		default:
			json_object_set_new(o, k, json_string((const char *)sqlite3_column_text(s, i)));
		}
	}
	return o;
}

json_t *llmr_bench_report_rows(struct llmr_state *st, const char *sql,
			       const struct llmr_bench_report_opts *o, struct llmr_err *e)
{
	sqlite3_stmt *s;
	json_t *out;
	int rc;

	if (sqlite3_prepare_v2(llmr_state_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return llmr_state_dberr(st, "cannot read the bench results", e), NULL;
	sqlite3_bind_int64(s, 1, o->run);
	sqlite3_bind_int64(s, 2, o->since_ms);
	out = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(out, row_object(s));
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		json_decref(out);
		return llmr_state_dberr(st, "cannot read the bench results", e), NULL;
	}
	return out;
}
