/*
 * bench_arena: the arena's arithmetic. The evaluator far from the
 * consensus is flagged and the others are not; too few evaluators flag
 * nobody; the order of the answers is a permutation fixed by the seed;
 * tags typed as shortcuts become their names.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/arena.h"
#include "tap.h"

static const json_t *who(const json_t *r, const char *name)
{
	const json_t *o;
	size_t i;

	json_array_foreach(json_object_get(r, "evaluators"), i, o)
		if (!strcmp(json_string_value(json_object_get(o, "evaluator")), name))
			return o;
	return NULL;
}

static int flagged(const json_t *r, const char *name)
{
	return json_is_true(json_object_get(who(r, name), "flagged"));
}

static double deviation(const json_t *r, const char *name)
{
	return json_number_value(json_object_get(who(r, name), "deviation"));
}

static void test_outlier(void)
{
	/* Three items; ann, bea and cid agree within a point, dan is 5 off. */
	static const char *const items[] = {"i1", "i2", "i3"};
	static const double base[] = {8, 3, 6};
	static const double off[4] = {0, 1, -1, 5};
	static const char *const names[4] = {"ann", "bea", "cid", "dan"};
	struct llmr_arena_rating r[12];
	size_t n = 0;
	json_t *out;

	for (int w = 0; w < 4; w++)
		for (int i = 0; i < 3; i++)
			r[n++] = (struct llmr_arena_rating){names[w], items[i], base[i] + off[w]};
	out = llmr_arena_consistency(r, n);
	/* Medians: 8.5, 3.5, 6.5; ann 0.5, bea 0.5, cid 1.5, dan 4.5. */
	is_num(deviation(out, "ann"), 0.5, 1e-9, "ann: mean distance to the median");
	is_num(deviation(out, "dan"), 4.5, 1e-9, "dan: mean distance to the median");
	is_num(json_number_value(json_object_get(out, "median_deviation")), 1.0, 1e-9,
	       "the median evaluator's deviation");
	ok(flagged(out, "dan"), "dan, far from the consensus, is flagged");
	ok(!flagged(out, "ann") && !flagged(out, "bea") && !flagged(out, "cid"), "the others are not");
	json_decref(out);

	/* The same with dan only a point and a half off: not flagged. */
	for (size_t k = 9; k < 12; k++)
		r[k].score -= 3.5;
	out = llmr_arena_consistency(r, n);
	ok(!flagged(out, "dan"), "1.5 points off is not twice the median and 1 point: not flagged");
	json_decref(out);
}

static void test_too_few(void)
{
	/* Two evaluators disagreeing wildly: no consensus to measure from. */
	struct llmr_arena_rating r[] = {{"ann", "i1", 10}, {"bob", "i1", 0}, {"ann", "i2", 9},
					{"bob", "i2", 1}};
	json_t *out = llmr_arena_consistency(r, 4);

	ok(!flagged(out, "ann") && !flagged(out, "bob"), "two evaluators: nobody is flagged");
	ok(json_is_null(json_object_get(who(out, "ann"), "deviation")), "... no deviation without three");
	ok(json_is_null(json_object_get(out, "median_deviation")), "... nor a median");
	json_decref(out);
	out = llmr_arena_consistency(NULL, 0);
	is_int(json_array_size(json_object_get(out, "evaluators")), 0, "no scores: no evaluators");
	json_decref(out);
}

static void test_repeat_scores(void)
{
	/* An evaluator's repeated scores of one item count as their mean. */
	struct llmr_arena_rating r[] = {{"a", "x", 2}, {"a", "x", 4}, {"b", "x", 3}, {"c", "x", 3},
					{"d", "x", 9}};
	json_t *out = llmr_arena_consistency(r, 5);

	is_num(deviation(out, "a"), 0, 1e-9, "a's two scores average to the median");
	is_int(json_integer_value(json_object_get(who(out, "a"), "items")), 1, "... one item");
	ok(flagged(out, "d"), "d is flagged");
	json_decref(out);
}

static void test_order(void)
{
	size_t p[3], q[3];
	int seen[6] = {0}, differ = 0;

	for (long c = 1; c <= 60; c++) {
		llmr_arena_order(42, c, 3, p);
		llmr_arena_order(42, c, 3, q);
		differ |= memcmp(p, q, sizeof(p)) != 0;
		ok(p[0] + p[1] + p[2] == 3 && p[0] != p[1] && p[1] != p[2] && p[0] != p[2] ?
			   1 : 0, "case %ld: a permutation", c);
		seen[p[0] * 2 + (p[1] > p[2])]++;
	}
	ok(!differ, "the same seed and case: the same order");
	for (int k = 0; k < 6; k++)
		ok(seen[k] > 0, "order %d of 6 turns up in 60 cases", k + 1);
}

static void test_tags(void)
{
	json_t *t = llmr_arena_tags(" h, F ,incomplete,, too long ");
	char *s = json_dumps(t, JSON_COMPACT);

	is_str(s, "[\"hallucination\",\"format error\",\"incomplete\",\"too long\"]",
	       "shortcuts become names, free text is kept, empty items dropped");
	free(s);
	json_decref(t);
	t = llmr_arena_tags("");
	is_int(json_array_size(t), 0, "an empty line: no tags");
	json_decref(t);
}

int main(void)
{
	test_outlier();
	test_too_few();
	test_repeat_scores();
	test_order();
	test_tags();
	return done_testing();
}
