/*
 * suite.h - benchmark suites (llmr-bench run, compare): a YAML file in
 * promptfoo's shape, read with libyaml, and the assertions that score an
 * answer. Every problem in the file is reported as FILE:LINE:COL (65).
 */
#ifndef LLMR_BENCH_SUITE_H
#define LLMR_BENCH_SUITE_H

#include <jansson.h>
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

enum llmr_assert_type {
	LLMR_A_EQUALS,
	LLMR_A_CONTAINS,
	LLMR_A_ICONTAINS,
	LLMR_A_REGEX,
	LLMR_A_IS_JSON,
	LLMR_A_JSON_SCHEMA,
	LLMR_A_MAX_COST,
	LLMR_A_MAX_LATENCY,
	LLMR_A_JUDGE,
	LLMR_A_NTYPES
};

struct llmr_assert {
	enum llmr_assert_type type;
	bool negate;          /* the not- variant */
	char *value;          /* text, pattern or rubric; NULL for is-json */
	json_t *schema;       /* json-schema */
	double limit;         /* max-cost (USD), max-latency (ms) */
	double weight;        /* default 1 */
	regex_t re;           /* regex, compiled once */
	int line, col;
};

struct llmr_case {
	char *prompt;         /* vars substituted; or NULL with messages */
	json_t *messages;     /* [{"role","content"}], vars substituted */
	double weight;        /* default 1 */
	struct llmr_assert *asserts;
	size_t nasserts;
	int line;
};

struct llmr_suite {
	char *file, *name;
	char *route;          /* NULL: the config's default route */
	char **models;        /* provider/model; none when route is given */
	size_t nmodels;
	double threshold;     /* a case passes at a weighted score >= this (default 1) */
	char *judge;          /* judge model, or NULL */
	int judge_line, judge_col;
	struct llmr_case *cases;
	size_t ncases;
	char hash[65];        /* SHA-256 of the file, hex */
};

/* "contains" for LLMR_A_CONTAINS, ... */
const char *llmr_assert_type_name(int type);
/* "contains", "not-regex", ... */
const char *llmr_assert_name(const struct llmr_assert *a, char *buf, size_t n);

/*
 * Read a suite. Returns 0, or -1 with e: 66 for a file that cannot be read,
 * 65 with "FILE:LINE:COL: what" for bad YAML, a missing or unknown key, an
 * unknown assertion type or a regex that does not compile. A judge
 * assertion without a judge model is an error unless judge_default (the
 * config's) is given.
 */
int llmr_suite_load(const char *path, const char *judge_default, struct llmr_suite *s,
		    struct llmr_err *e);
void llmr_suite_release(struct llmr_suite *s);

/*
 * Replace the suite's models (or route) with list, "A,B[,C...]", each
 * provider/model, none twice (llmr-bench run -m). Returns 0, or -1 with
 * e (64) saying what is wrong with the list.
 */
int llmr_suite_set_models(struct llmr_suite *s, const char *list, struct llmr_err *e);

/* What an assertion is scored on: the answer and what it cost. */
struct llmr_answer {
	const char *text;
	double cost_usd;
	double latency_ms;
	double judge;         /* the judge's score 0..10 for a judge assertion, <0: none */
};

/*
 * Score one assertion in [0,1] (the not- variant inverts it); a judge
 * assertion scores judge/10. why (may be NULL) gets a short reason when the
 * assertion fails.
 */
double llmr_assert_score(const struct llmr_assert *a, const struct llmr_answer *ans,
			 char *why, size_t n);

/* Substitute {{name}} (spaces inside the braces allowed) from vars, an
 * object of scalars; unknown names are left as they are. New string. */
char *llmr_suite_subst(const char *text, const json_t *vars);

#endif
