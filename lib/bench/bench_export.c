/*
 * bench_export.c - the bench tables as one dataset: results and pairwise
 * verdicts (a judge's or a person's), with the answers, for study or for
 * training a router later.
 */
#include <string.h>

#include "bench/arena.h"
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

/* A column stored as JSON text (tags, a result's format parts and flag),
 * exported as the value it holds. */
static void unstring(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k), *parsed;

	if (json_is_string(v) && (parsed = json_loads(json_string_value(v), JSON_DECODE_ANY, NULL)))
		json_object_set_new(o, k, parsed);
}

/* Tags are stored as JSON text: exported as the array they are; each
 * person's score says whether its evaluator is flagged as an outlier. */
static void finish_scores(json_t *out, const json_t *evaluators)
{
	const json_t *o, *ev;
	size_t i, j;

	json_array_foreach(out, i, o) {
		const char *who = json_string_value(json_object_get(o, "evaluator"));

		if (!strcmp(json_string_value(json_object_get(o, "kind")), "result"))
			unstring((json_t *)o, "format");
		if (!strcmp(json_string_value(json_object_get(o, "kind")), "pair"))
			unstring((json_t *)o, "judge_reasons");
		if (strcmp(json_string_value(json_object_get(o, "kind")), "score"))
			continue;
		unstring((json_t *)o, "tags");
		json_array_foreach(json_object_get(evaluators, "evaluators"), j, ev)
			if (who && !strcmp(who, json_string_value(json_object_get(ev, "evaluator"))))
				json_object_set((json_t *)o, "outlier", json_object_get(ev, "flagged"));
	}
	json_array_foreach(json_object_get(evaluators, "evaluators"), i, ev) {
		json_t *row = json_pack("{s:s}", "kind", "evaluator");

		json_object_update(row, (json_t *)ev);
		json_object_set(row, "median_deviation", json_object_get(evaluators, "median_deviation"));
		json_array_append_new(out, row);
	}
}

json_t *llmr_bench_db_export(struct llmr_state *st, struct llmr_err *e)
{
	static const char *const rnames[] = {"run", "suite", "suite_hash", "run_started_ms",
					     "model", "case", "prompt", "output", "error",
					     "cost_usd", "latency_ms", "ttft_ms", "output_tps",
					     "score", "pass", "answered_by", "itl_ms", "input_tokens",
					     "output_tokens", "format_score", "format", "run_status",
					     "run_finished_ms", NULL};
	static const char *const pnames[] = {"run", "suite", "suite_hash", "source", "ts_ms",
					     "case", "evaluator", "judge", "prompt", "model_a",
					     "model_b", "label_a", "label_b", "answer_a",
					     "answer_b", "winner", "time_ms", "judge_reasons", NULL};
	static const char *const snames[] = {"run", "suite", "suite_hash", "ts_ms", "case",
					     "evaluator", "model", "label", "prompt", "answer",
					     "score", "tags", "comment", "confidence", "time_ms",
					     NULL};
	static const char rsql[] =
		"SELECT r.run, b.suite, b.suite_hash, b.started_ms, r.model, r.case_no, r.prompt, r.output,"
		" r.error, r.cost_usd, r.latency_ms, r.ttft_ms, r.output_tps, r.score, r.pass,"
		" r.answered_by, r.itl_ms, r.input_tokens, r.output_tokens, r.format_score, r.format,"
		" b.status, b.finished_ms FROM bench_results r JOIN bench_runs b ON b.id = r.run ORDER BY r.run, r.model, r.case_no";
	static const char psql[] =
		"SELECT p.run, b.suite, COALESCE(a.suite_hash, b.suite_hash), p.source, p.ts_ms, p.case_no,"
		" p.evaluator, json_extract(p.detail, '$.judge'), p.prompt, p.model_a, p.model_b,"
		" json_extract(p.detail, '$.label_a'), json_extract(p.detail, '$.label_b'),"
		" json_extract(p.detail, '$.answer_a'), json_extract(p.detail, '$.answer_b'), p.winner,"
		" json_extract(p.detail, '$.time_ms'), json_extract(p.detail, '$.reasons') FROM bench_pairs p"
		" LEFT JOIN bench_runs b ON b.id = p.run"
		" LEFT JOIN bench_arena_sessions a ON a.run = p.run ORDER BY p.id";
	static const char ssql[] =
		"SELECT s.run, b.suite, a.suite_hash, s.ts_ms, s.case_no, s.evaluator, s.model,"
		" s.label, s.prompt, s.answer, s.score, s.tags, s.comment, s.confidence, s.time_ms"
		" FROM bench_arena_scores s JOIN bench_runs b ON b.id = s.run"
		" JOIN bench_arena_sessions a ON a.run = s.run ORDER BY s.id";
	json_t *out = json_array(), *ev = NULL;

	if (rows(st, rsql, "result", rnames, out, e) < 0 || rows(st, psql, "pair", pnames, out, e) < 0 ||
	    rows(st, ssql, "score", snames, out, e) < 0 || !(ev = llmr_arena_evaluators(st, e))) {
		json_decref(out);
		return NULL;
	}
	finish_scores(out, ev);
	json_decref(ev);
	return out;
}
