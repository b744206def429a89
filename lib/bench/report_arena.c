/*
 * report_arena.c - the human arena's part of llmr-bench report: per model,
 * how many answers people scored, their mean score (0..10, a person's, kept
 * apart from the suites' 0..1 scores) and how often each tag was given,
 * from bench_arena_scores (tags are a JSON array of strings, read with
 * json_each). Read only.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/report.h"
#include "bench/report_impl.h"

#define FILTER " WHERE (?1 = 0 OR s.run = ?1) AND s.ts_ms >= ?2"

static const char sql_models[] =
	"SELECT s.model AS model, COUNT(*) AS answers, AVG(s.score) AS mean_human_score,"
	" COUNT(DISTINCT s.evaluator) AS evaluators FROM bench_arena_scores s" FILTER
	" GROUP BY s.model ORDER BY mean_human_score DESC, model";
/* An answer given a tag twice counts once; text tags only. */
static const char sql_tags[] =
	"SELECT s.model AS model, j.value AS tag, COUNT(DISTINCT s.id) AS count"
	" FROM bench_arena_scores s,"
	" json_each(CASE WHEN json_valid(s.tags) THEN s.tags ELSE '[]' END) j" FILTER
	" AND j.type = 'text' GROUP BY s.model, j.value ORDER BY model, count DESC, tag";

/* The three tags the arena offers by letter, always listed, in this order. */
static const char *const canonical[] = {"hallucination", "format error", "incomplete"};
#define NCANON (sizeof(canonical) / sizeof(canonical[0]))

#define STR(o, k) json_string_value(json_object_get((o), (k)))
#define INT(o, k) json_integer_value(json_object_get((o), (k)))

static json_t *tag_list(void)
{
	json_t *out = json_array();

	for (size_t i = 0; i < NCANON; i++)
		json_array_append_new(out, json_pack("{s:s, s:I}", "tag", canonical[i], "count",
						     (json_int_t)0));
	return out;
}

/* Add n to tag's count in list (appended when new). */
static void tag_add(json_t *list, const char *tag, json_int_t n)
{
	size_t i;
	json_t *t;

	json_array_foreach(list, i, t)
		if (!strcmp(STR(t, "tag"), tag)) {
			json_object_set_new(t, "count", json_integer(INT(t, "count") + n));
			return;
		}
	json_array_append_new(list, json_pack("{s:s, s:I}", "tag", tag, "count", n));
}

/* Free-text tags after the canonical ones, most given first, then by name. */
static int by_count(const void *x, const void *y)
{
	const json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	json_int_t ca = INT(a, "count"), cb = INT(b, "count");

	return ca != cb ? (ca < cb) - (ca > cb) : strcmp(STR(a, "tag"), STR(b, "tag"));
}

static void sort_free_text(json_t *list)
{
	size_t n = json_array_size(list), i;
	json_t **v;

	if (n <= NCANON + 1)
		return;
	v = llmr_xcalloc(n - NCANON, sizeof(*v));
	for (i = NCANON; i < n; i++)
		v[i - NCANON] = json_incref(json_array_get(list, i));
	qsort(v, n - NCANON, sizeof(*v), by_count);
	for (i = NCANON; i < n; i++)
		json_array_set_new(list, i, v[i - NCANON]);
	free(v);
}

static json_t *model_named(json_t *models, const char *name)
{
	size_t i;
	json_t *m;

	json_array_foreach(models, i, m)
		if (!strcmp(STR(m, "model"), name))
			return m;
	return NULL;
}

int llmr_bench_report_arena(struct llmr_state *st, json_t *rep, const struct llmr_bench_report_opts *o,
			    struct llmr_err *e)
{
	json_t *models, *tags, *all, *m, *t;
	json_int_t answers = 0;
	size_t i;

	if (!(models = llmr_bench_report_rows(st, sql_models, o, e)))
		return -1;
	if (!(tags = llmr_bench_report_rows(st, sql_tags, o, e))) {
		json_decref(models);
		return -1;
	}
	all = tag_list();
	json_array_foreach(models, i, m) {
		answers += INT(m, "answers");
		json_object_set_new(m, "tags", tag_list());
	}
	json_array_foreach(tags, i, t) {
		if ((m = model_named(models, STR(t, "model"))))
			tag_add(json_object_get(m, "tags"), STR(t, "tag"), INT(t, "count"));
		tag_add(all, STR(t, "tag"), INT(t, "count"));
	}
	json_array_foreach(models, i, m)
		sort_free_text(json_object_get(m, "tags"));
	sort_free_text(all);
	json_decref(tags);
	json_object_set_new(rep, "arena", json_pack("{s:I, s:o, s:o}", "answers", answers, "tags", all,
						    "models", models));
	return 0;
}
