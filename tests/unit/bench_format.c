/*
 * bench_format: the format score of plan section 5.3 on good JSON, prose,
 * missing fields, wrong types and JSON wrapped in text, part by part; the
 * judge's JSON reply, validated; the consistency of swapped verdicts; a
 * suite's models replaced by -m.
 */
#include <stdio.h>
#include <string.h>

#include "bench/format_score.h"
#include "bench/judge.h"
#include "bench/suite.h"
#include "tap.h"

static const char schema_text[] =
	"{\"type\": \"object\", \"required\": [\"name\", \"age\", \"address\"],"
	" \"properties\": {\"name\": {\"type\": \"string\"}, \"age\": {\"type\": \"integer\"},"
	" \"address\": {\"type\": \"object\", \"required\": [\"city\"],"
	"  \"properties\": {\"city\": {\"type\": \"string\"}}},"
	" \"tags\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}}}}";

static void check(const char *text, const json_t *schema, double p, double r, double n, double t,
		  double score, const char *flag, const char *what)
{
	struct llmr_format_score f;

	llmr_format_score(text, schema, &f);
	is_num(f.parseable, p, 1e-9, "%s: parseable %g", what, p);
	is_num(f.required, r, 1e-9, "%s: required fields %g", what, r);
	is_num(f.nested, n, 1e-9, "%s: nested structure %g", what, n);
	is_num(f.types, t, 1e-9, "%s: types %g", what, t);
	is_num(f.score, score, 1e-9, "%s: format score %g, their mean", what, score);
	ok(flag ? f.flag && !strcmp(f.flag, flag) : !f.flag, "%s: flag %s", what, flag ? flag : "none");
}

static void test_format(void)
{
	json_t *schema = json_loads(schema_text, 0, NULL);
	json_t *j;

	check("{\"name\": \"Ada\", \"age\": 36, \"address\": {\"city\": \"Paris\"}, \"tags\": [\"x\"]}",
	      schema, 1, 1, 1, 1, 1, NULL, "good JSON");
	check("Ada is 36 and lives in Paris.", schema, 0, 0, 0, 0, 0, "prose", "prose");
	/* name, address present, age and city missing: 2 of 4 required. */
	check("{\"name\": \"Ada\", \"address\": {}}", schema, 1, 0.5, 1, 1, 0.875, NULL,
	      "missing fields");
	/* root, address, city right; name and age wrong: 3 of 5 typed. */
	check("{\"name\": 7, \"age\": \"36\", \"address\": {\"city\": \"Paris\"}}", schema, 1, 1, 1,
	      0.6, 0.9, NULL, "wrong types");
	/* address a string: a broken nest, a wrong type, its city missing. */
	check("{\"name\": \"Ada\", \"age\": 36, \"address\": \"Paris\", \"tags\": \"x\"}", schema, 1,
	      0.75, 1.0 / 3, 0.6, (1 + 0.75 + 1.0 / 3 + 0.6) / 4, NULL, "broken nesting");
	check("Here you are:\n```json\n{\"name\": \"Ada\", \"age\": 36, \"address\": {\"city\": \"P\"}}\n```",
	      schema, 0.5, 1, 1, 1, 0.875, "wrapped", "JSON in a fence");
	check("Sure! {\"name\": \"Ada\", \"age\": 36, \"address\": {\"city\": \"P\"}} Hope it helps.",
	      schema, 0.5, 1, 1, 1, 0.875, "wrapped", "JSON inside prose");
	check("[1, 2]", NULL, 1, 1, 1, 1, 1, NULL, "is-json, no schema: good JSON");
	check("not json", NULL, 0, 0, 0, 0, 0, "prose", "is-json, no schema: prose");
	j = llmr_format_score_json(&(struct llmr_format_score){0, 0, 0, 0, 0, "prose"});
	ok(!strcmp(json_string_value(json_object_get(j, "flag")), "prose"), "the flag is in the JSON");
	json_decref(j);
	json_decref(schema);
}

static void test_judge(void)
{
	double d = -1;

	is_int(llmr_judge_parse_score("{\"score\": 7, \"reason\": \"clear\"}", &d), 0, "the JSON asked for");
	is_num(d, 7, 1e-9, "... is 7");
	is_int(llmr_judge_parse_score("Here: {\"score\": 6.5, \"reason\": \"ok\"}", &d), 0, "JSON after words");
	is_num(d, 6.5, 1e-9, "... is 6.5");
	is_int(llmr_judge_parse_score("{\"score\": 12, \"reason\": \"great\"}", &d), -1,
	       "a score out of range is not valid");
	is_int(llmr_judge_parse_score("{\"score\": \"7\"}", &d), -1, "a score that is a string is not valid");
	is_int(llmr_judge_parse_score("{\"reason\": \"fine\"} Rating: [[8]]", &d), -1,
	       "JSON without a score is not valid");
	is_int(llmr_judge_parse_score("{\"score\": 3, \"reason\": 5}", &d), -1, "a reason that is not text");
	is_int(llmr_judge_parse_score("Rating: [[8]]", &d), 0, "no JSON: MT-Bench's form still reads");
	is_num(d, 8, 1e-9, "... as 8");
	ok(llmr_judge_consistent('A', 'B') && llmr_judge_consistent('B', 'A') &&
	   llmr_judge_consistent('C', 'C'), "A/B, B/A and tie/tie are consistent");
	ok(!llmr_judge_consistent('A', 'A') && !llmr_judge_consistent('B', 'B') &&
	   !llmr_judge_consistent('A', 'C'), "A/A, B/B, A/tie are not");
	is_int(llmr_judge_combine('A', 'A'), 'T', "... and they make a tie");
}

static void test_set_models(void)
{
	struct llmr_suite s;
	struct llmr_err e = {0, ""};

	memset(&s, 0, sizeof(s));
	s.route = strdup("default");
	is_int(llmr_suite_set_models(&s, "openai/a,groq/b", &e), 0, "-m A,B");
	ok(s.nmodels == 2 && !strcmp(s.models[1], "groq/b") && !s.route, "... replaces the route with two models");
	is_int(llmr_suite_set_models(&s, "openai/a,openai/a", &e), -1, "a model twice");
	ok(strstr(e.msg, "'openai/a' is listed twice") != NULL, "... says which: %s", e.msg);
	is_int(llmr_suite_set_models(&s, "openai/a,", &e), -1, "an empty name");
	is_int(llmr_suite_set_models(&s, "gpt", &e), -1, "not provider/model");
	is_int(e.code, 64, "... a usage error");
	ok(s.nmodels == 2, "a bad list leaves the models as they were");
	llmr_suite_release(&s);
}

int main(void)
{
	test_format();
	test_judge();
	test_set_models();
	return done_testing();
}
