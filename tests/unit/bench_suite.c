/*
 * bench_suite: the JSON Schema subset keyword by keyword (valid and
 * invalid), every assertion type and its not- variant, {{var}}
 * substitution, suite files and their errors by line and column, and the
 * judge's replies as judges really write them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/jschema.h"
#include "bench/judge.h"
#include "bench/suite.h"
#include "tap.h"

/* Whether text (JSON) is valid against schema (JSON). */
static int valid(const char *schema, const char *text)
{
	json_t *s = json_loads(schema, 0, NULL), *i = json_loads(text, JSON_DECODE_ANY, NULL);
	char why[256];
	int r;

	if (!s || !i || llmr_jschema_check_schema(s, why, sizeof(why)) < 0) {
		json_decref(s), json_decref(i);
		return -1;
	}
	r = llmr_jschema_valid(s, i, why, sizeof(why));
	json_decref(s);
	json_decref(i);
	return r;
}

static void test_jschema_keywords(void)
{
	is_int(valid("{\"type\":\"object\"}", "{}"), 1, "type object: an object");
	is_int(valid("{\"type\":\"object\"}", "[]"), 0, "type object: not an array");
	is_int(valid("{\"type\":\"integer\"}", "3"), 1, "type integer: 3");
	is_int(valid("{\"type\":\"integer\"}", "3.0"), 1, "type integer: 3.0 is an integer, as the spec says");
	is_int(valid("{\"type\":\"integer\"}", "3.5"), 0, "type integer: not 3.5");
	is_int(valid("{\"type\":\"number\"}", "3.5"), 1, "type number: 3.5");
	is_int(valid("{\"type\":\"string\"}", "1"), 0, "type string: not a number");
	is_int(valid("{\"type\":\"boolean\"}", "false"), 1, "type boolean");
	is_int(valid("{\"type\":\"null\"}", "null"), 1, "type null");
	is_int(valid("{\"type\":[\"string\",\"null\"]}", "null"), 1, "a list of types: any of them");
	is_int(valid("{\"type\":[\"string\",\"null\"]}", "2"), 0, "a list of types: none of them");
	is_int(valid("{\"required\":[\"a\",\"b\"]}", "{\"a\":1,\"b\":null}"), 1, "required: present (even null)");
	is_int(valid("{\"required\":[\"a\",\"b\"]}", "{\"a\":1}"), 0, "required: one missing");
	is_int(valid("{\"required\":[\"a\"]}", "[1]"), 1, "required ignores a non-object");
	is_int(valid("{\"properties\":{\"a\":{\"type\":\"string\"}}}", "{\"a\":\"x\"}"), 1, "properties: valid");
	is_int(valid("{\"properties\":{\"a\":{\"type\":\"string\"}}}", "{\"a\":1}"), 0, "properties: invalid");
	is_int(valid("{\"properties\":{\"a\":{\"type\":\"string\"}}}", "{\"b\":1}"), 1, "properties: absent is fine");
	is_int(valid("{\"items\":{\"type\":\"integer\"}}", "[1,2,3]"), 1, "items: all valid");
	is_int(valid("{\"items\":{\"type\":\"integer\"}}", "[1,\"2\"]"), 0, "items: one invalid");
	is_int(valid("{\"enum\":[\"red\",1,null]}", "\"red\""), 1, "enum: a member");
	is_int(valid("{\"enum\":[\"red\",1,null]}", "1.0"), 1, "enum: 1.0 equals 1");
	is_int(valid("{\"enum\":[\"red\",1,null]}", "\"blue\""), 0, "enum: not a member");
	is_int(valid("{\"minimum\":0}", "0"), 1, "minimum: inclusive");
	is_int(valid("{\"minimum\":0}", "-0.5"), 0, "minimum: below");
	is_int(valid("{\"maximum\":10}", "10"), 1, "maximum: inclusive");
	is_int(valid("{\"maximum\":10}", "10.01"), 0, "maximum: above");
	is_int(valid("{\"minimum\":5}", "\"3\""), 1, "minimum ignores a string");
	is_int(valid("{\"minLength\":2}", "\"\xc3\xa9t\""), 1, "minLength counts characters, not bytes");
	is_int(valid("{\"minLength\":3}", "\"\xc3\xa9t\""), 0, "minLength: too short");
	is_int(valid("{\"maxLength\":2}", "\"\xc3\xa9t\""), 1, "maxLength: two characters in three bytes");
	is_int(valid("{\"maxLength\":1}", "\"ab\""), 0, "maxLength: too long");
	is_int(valid("{\"type\":\"object\",\"required\":[\"results\"],\"properties\":{\"results\":"
		     "{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"score\"],"
		     "\"properties\":{\"score\":{\"type\":\"number\",\"minimum\":0,\"maximum\":1}}}}}}",
		     "{\"results\":[{\"score\":0.9},{\"score\":1.5}]}"), 0, "nested: an item's property out of range");
}

static void test_jschema_messages(void)
{
	json_t *s = json_loads("{\"properties\":{\"r\":{\"items\":{\"required\":[\"id\"]}}}}", 0, NULL);
	json_t *i = json_loads("{\"r\":[{\"id\":1},{}]}", 0, NULL);
	char why[256];

	is_int(llmr_jschema_valid(s, i, why, sizeof(why)), 0, "an invalid nested item");
	is_str(why, "/r/1: required property 'id' is missing", "... is named by its JSON Pointer");
	json_decref(s);
	json_decref(i);
	s = json_loads("{\"properties\":{\"a\":{\"pattern\":\"x\"}}}", 0, NULL);
	is_int(llmr_jschema_check_schema(s, why, sizeof(why)), -1, "an unsupported keyword is refused");
	ok(strstr(why, "/properties/a: keyword 'pattern' is not supported") != NULL, "... where it is: %s", why);
	json_decref(s);
	s = json_loads("{\"type\":\"integr\"}", 0, NULL);
	is_int(llmr_jschema_check_schema(s, why, sizeof(why)), -1, "an unknown type name is refused");
	json_decref(s);
	s = json_loads("{\"minLength\":-1}", 0, NULL);
	is_int(llmr_jschema_check_schema(s, why, sizeof(why)), -1, "a negative minLength is refused");
	json_decref(s);
}

static void test_judge_parse(void)
{
	double d = -1;

	is_int(llmr_judge_parse_score("The answer is good. Rating: [[7]]", &d), 0, "MT-Bench's [[7]]");
	is_num(d, 7, 1e-9, "... is 7");
	llmr_judge_parse_score("Step 2 of 3 is right, step [[1]] wrong. Rating: [[8.5]]", &d);
	is_num(d, 8.5, 1e-9, "the last [[N]] wins");
	llmr_judge_parse_score("**Score:** 6\nWell argued.", &d);
	is_num(d, 6, 1e-9, "Score: 6 in markdown");
	llmr_judge_parse_score("I would give it 9/10.", &d);
	is_num(d, 9, 1e-9, "9/10");
	llmr_judge_parse_score("  4\n", &d);
	is_num(d, 4, 1e-9, "a bare number");
	is_int(llmr_judge_parse_score("Rating: [[11]]", &d), -1, "11 is out of range");
	is_int(llmr_judge_parse_score("It lists 3 capitals correctly.", &d), -1, "a number in prose is no score");
	is_int(llmr_judge_parse_score("no idea", &d), -1, "no score at all");
	is_int(llmr_judge_parse_verdict("A is more precise. [[A]]"), 'A', "verdict A");
	is_int(llmr_judge_parse_verdict("[[C]]"), 'C', "verdict tie");
	is_int(llmr_judge_parse_verdict("[[A]] or maybe [[B]]"), 0, "two verdicts: none");
	is_int(llmr_judge_parse_verdict("A wins"), 0, "no brackets: none");
	is_int(llmr_judge_parse_verdict("{\"winner\": \"B\", \"reason\": \"shorter\"}"), 'B',
	       "the JSON asked for: winner B");
	is_int(llmr_judge_parse_verdict("Verdict:\n{\"winner\": \"tie\", \"reason\": \"same\"}"), 'C',
	       "JSON after some text: tie");
	is_int(llmr_judge_parse_verdict("{\"winner\": \"a\"}"), 'A', "JSON: the letter in either case, no reason");
	is_int(llmr_judge_parse_verdict("{\"winner\": \"C\", \"reason\": \"x\"}"), 0,
	       "JSON: a winner other than A, B or tie is none");
	is_int(llmr_judge_parse_verdict("{\"winner\": \"A\", \"reason\": 3}"), 0, "JSON: a reason not a string: none");
	is_int(llmr_judge_parse_verdict("{\"reason\": \"[[A]]\"}"), 0, "JSON without winner: none, [[A]] inside not read");
	is_int(llmr_judge_parse_verdict("{not json} [[B]]"), 'B', "braces that are not JSON: [[B]] read");
	{
		char *why = llmr_judge_verdict_reason("{\"winner\": \"B\", \"reason\": \"shorter\"}");

		is_str(why, "shorter", "a valid JSON verdict's reason");
		free(why);
		ok(!llmr_judge_verdict_reason("{\"winner\": \"maybe\", \"reason\": \"x\"}"),
		   "no reason from a verdict that is not valid");
		ok(!llmr_judge_verdict_reason("[[A]] because"), "no reason from a bracket verdict");
	}
	is_int(llmr_judge_combine('A', 'B'), 'A', "A then B (swapped): the first model wins");
	is_int(llmr_judge_combine('B', 'A'), 'B', "B then A (swapped): the second model wins");
	is_int(llmr_judge_combine('A', 'A'), 'T', "A both times: position bias, a tie");
	is_int(llmr_judge_combine('A', 'C'), 'T', "a win and a tie: a tie");
	is_int(llmr_judge_combine(0, 'B'), 'T', "an unreadable verdict: a tie");
}

static double score1(const char *type, const char *value, const char *text, double cost,
		     double lat)
{
	struct llmr_assert a;
	struct llmr_answer ans = {text, cost, lat, -1};
	double s;

	memset(&a, 0, sizeof(a));
	a.negate = !strncmp(type, "not-", 4);
	type += a.negate ? 4 : 0;
	a.type = !strcmp(type, "equals") ? LLMR_A_EQUALS : !strcmp(type, "contains") ? LLMR_A_CONTAINS
		: !strcmp(type, "icontains") ? LLMR_A_ICONTAINS : !strcmp(type, "regex") ? LLMR_A_REGEX
		: !strcmp(type, "is-json") ? LLMR_A_IS_JSON : !strcmp(type, "max-cost") ? LLMR_A_MAX_COST
		: LLMR_A_MAX_LATENCY;
	a.value = (char *)value;
	if (value && (a.type == LLMR_A_MAX_COST || a.type == LLMR_A_MAX_LATENCY))
		a.limit = atof(value);
	if (a.type == LLMR_A_REGEX)
		regcomp(&a.re, value, REG_EXTENDED | REG_NOSUB);
	s = llmr_assert_score(&a, &ans, NULL, 0);
	if (a.type == LLMR_A_REGEX)
		regfree(&a.re);
	return s;
}

static void test_asserts(void)
{
	is_num(score1("equals", "Paris", "Paris", 0, 0), 1, 0, "equals");
	is_num(score1("equals", "Paris", "Paris.", 0, 0), 0, 0, "equals is exact");
	is_num(score1("not-equals", "Paris", "Paris.", 0, 0), 1, 0, "not-equals");
	is_num(score1("contains", "Paris", "It is Paris.", 0, 0), 1, 0, "contains");
	is_num(score1("contains", "paris", "It is Paris.", 0, 0), 0, 0, "contains is case-sensitive");
	is_num(score1("icontains", "paris", "It is PARIS.", 0, 0), 1, 0, "icontains");
	is_num(score1("not-icontains", "lyon", "It is PARIS.", 0, 0), 1, 0, "not-icontains");
	is_num(score1("regex", "^[0-9]{4}-[0-9]{2}$", "2026-11", 0, 0), 1, 0, "regex (extended)");
	is_num(score1("not-regex", "[0-9]", "none", 0, 0), 1, 0, "not-regex");
	is_num(score1("is-json", NULL, " {\"a\": [1]}\n", 0, 0), 1, 0, "is-json, white space around");
	is_num(score1("is-json", NULL, "```json\n{}\n```", 0, 0), 0, 0, "is-json: a fenced block is not JSON");
	is_num(score1("not-is-json", NULL, "plain", 0, 0), 1, 0, "not-is-json");
	is_num(score1("max-cost", "0.01", "", 0.005, 0), 1, 0, "max-cost under");
	is_num(score1("max-cost", "0.01", "", 0.02, 0), 0, 0, "max-cost over");
	is_num(score1("max-latency", "500", "", 0, 500), 1, 0, "max-latency inclusive");
	is_num(score1("not-max-latency", "500", "", 0, 800), 1, 0, "not-max-latency: slower than");
}

static void test_subst(void)
{
	json_t *v = json_pack("{s:s, s:i, s:b}", "city", "Lyon", "n", 3, "ok", 1);
	char *s = llmr_suite_subst("{{city}} x{{ n }} {{ok}} {{missing}} {{", v);

	is_str(s, "Lyon x3 true {{missing}} {{", "vars substituted, unknown ones kept");
	free(s);
	json_decref(v);
}

static int load(const char *yaml, struct llmr_suite *s, struct llmr_err *e)
{
	FILE *f = fopen("t.yaml", "w");

	fputs(yaml, f);
	fclose(f);
	return llmr_suite_load("t.yaml", NULL, s, e);
}

static void test_suite_file(void)
{
	struct llmr_suite s;
	struct llmr_err e = {0, ""};

	is_int(load("name: t\nmodels: [a/b, c/d]\nthreshold: 0.75\njudge: {model: j/k}\n"
		    "cases:\n  - prompt: 'Hi {{who}}'\n    vars: {who: Bob}\n    weight: 2\n"
		    "    assert:\n      - {type: not-contains, value: sorry, weight: 3}\n"
		    "      - {type: judge, value: polite}\n"
		    "  - messages: [{role: user, content: 'Q {{x}}'}]\n    vars: {x: 1}\n",
		    &s, &e), 0, "a suite: %s", e.msg);
	is_int(s.nmodels, 2, "two models");
	is_num(s.threshold, 0.75, 1e-9, "the threshold");
	is_str(s.judge, "j/k", "the judge");
	is_str(s.cases[0].prompt, "Hi Bob", "vars in the prompt");
	is_num(s.cases[0].weight, 2, 0, "the case's weight");
	ok(s.cases[0].asserts[0].negate && s.cases[0].asserts[0].type == LLMR_A_CONTAINS, "not-contains");
	is_num(s.cases[0].asserts[0].weight, 3, 0, "the assertion's weight");
	is_str(json_string_value(json_object_get(json_array_get(s.cases[1].messages, 0), "content")),
	       "Q 1", "vars in messages");
	llmr_suite_release(&s);

	is_int(load("name: t\ncases:\n  - prompt: x\n    assert:\n      - {type: containz, value: a}\n",
		    &s, &e), -1, "an unknown type");
	is_int(e.code, 65, "... exit 65");
	ok(strstr(e.msg, "t.yaml:5:16: unknown assertion type 'containz'") == e.msg, "... at its line and column: %s", e.msg);
	load("name: t\ncases:\n  - prompt: x\n    asert: []\n", &s, &e);
	is_str(e.msg, "t.yaml:4:5: unknown key 'asert' in a case (did you mean 'assert'?)", "a misspelt key");
	load("name: t\ncases:\n  - prompt: [x\n", &s, &e);
	ok(!strncmp(e.msg, "t.yaml:4:1: ", 12), "bad YAML: the parser's position: %s", e.msg);
	load("name: t\ncases:\n  - prompt: x\n    assert: [{type: regex, value: 'a(b'}]\n", &s, &e);
	ok(strstr(e.msg, "t.yaml:4:35: bad regex") == e.msg, "a regex that does not compile: %s", e.msg);
	load("name: t\ncases:\n  - prompt: x\n    assert: [{type: judge, value: nice}]\n", &s, &e);
	ok(strstr(e.msg, "t.yaml:4:14: a judge assertion needs a judge model") == e.msg, "judge without a judge: %s", e.msg);
	is_int(llmr_suite_load("t.yaml", "j/k", &s, &e), 0, "... unless a default judge is given");
	llmr_suite_release(&s);
	load("name: t\ncases:\n  - prompt: x\n    assert: [{type: json-schema, value: {type: object, patternProperties: {}}}]\n", &s, &e);
	ok(strstr(e.msg, "t.yaml:4:41: bad schema: /: keyword 'patternProperties' is not supported") == e.msg,
	   "an unsupported schema keyword: %s", e.msg);
	load("name: t\ncases:\n  - prompt: x\n    assert: [{type: max-cost, value: cheap}]\n", &s, &e);
	ok(strstr(e.msg, "'value': 'cheap' is not a number") != NULL, "max-cost needs a number: %s", e.msg);
	load("name: t\nroute: r\nmodels: [a/b]\ncases: [{prompt: x}]\n", &s, &e);
	ok(strstr(e.msg, "give 'route' or 'models', not both") != NULL, "route and models: %s", e.msg);
	load("name: t\nmodels: [a/b, c/d, a/b]\ncases: [{prompt: x}]\n", &s, &e);
	is_str(e.msg, "t.yaml:2:20: 'a/b' is listed twice", "a model listed twice");
	load("name: t\ncases: [{prompt: x, messages: []}]\n", &s, &e);
	ok(strstr(e.msg, "'prompt' or 'messages' (one of them)") != NULL, "prompt and messages: %s", e.msg);
	is_int(llmr_suite_load("nosuch.yaml", NULL, &s, &e), -1, "a missing file");
	is_int(e.code, 66, "... exit 66");
	unlink("t.yaml");
}

int main(void)
{
	char dir[] = "/tmp/llmr-bench-suite.XXXXXX";

	if (!mkdtemp(dir) || chdir(dir) < 0)
		return 1;
	test_jschema_keywords();
	test_jschema_messages();
	test_judge_parse();
	test_asserts();
	test_subst();
	test_suite_file();
	rmdir(dir);
	return done_testing();
}
