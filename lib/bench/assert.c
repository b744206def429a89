/*
 * assert.c - scoring one assertion on one answer, and {{var}}
 * substitution. Text assertions are all or nothing; a judge assertion
 * scores the judge's 0..10 as a fraction, so the case's weighted score can
 * land between pass and fail and the threshold decides.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bench/jschema.h"
#include "bench/suite.h"

static const char *const type_names[LLMR_A_NTYPES] = {
	"equals", "contains", "icontains", "regex", "is-json", "json-schema",
	"max-cost", "max-latency", "judge"
};

const char *llmr_assert_type_name(int type)
{
	return type >= 0 && type < LLMR_A_NTYPES ? type_names[type] : "?";
}

const char *llmr_assert_name(const struct llmr_assert *a, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s", a->negate ? "not-" : "", type_names[a->type]);
	return buf;
}

static int icontains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return !n;
}

/* Models put white space around JSON; a strict parse of the rest. */
static json_t *parse_answer(const char *text, char *why, size_t n)
{
	json_error_t je;
	json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);

	if (!j)
		snprintf(why, n, "not JSON: %s", je.text);
	return j;
}

static double raw_score(const struct llmr_assert *a, const struct llmr_answer *ans, char *why,
			size_t n)
{
	const char *t = ans->text ? ans->text : "";
	json_t *j;
	int ok;

	/* Said of the text; the not- variant words its own failure. */
	if (a->value && a->type <= LLMR_A_REGEX)
		snprintf(why, n, "%s '%.200s'", a->type == LLMR_A_EQUALS ? "the answer is not" :
			 a->type == LLMR_A_REGEX ? "no match for" : "no", a->value);
	switch (a->type) {
	case LLMR_A_EQUALS: return !strcmp(t, a->value);
	case LLMR_A_CONTAINS: return strstr(t, a->value) != NULL;
	case LLMR_A_ICONTAINS: return icontains(t, a->value);
	case LLMR_A_REGEX: return regexec(&a->re, t, 0, NULL, 0) == 0;
	case LLMR_A_IS_JSON:
		j = parse_answer(t, why, n);
		json_decref(j);
		return j != NULL;
	case LLMR_A_JSON_SCHEMA:
		if (!(j = parse_answer(t, why, n)))
			return 0;
		ok = llmr_jschema_valid(a->schema, j, why, n);
		json_decref(j);
		return ok;
	case LLMR_A_MAX_COST:
		snprintf(why, n, "cost %g USD, limit %g", ans->cost_usd, a->limit);
		return ans->cost_usd <= a->limit;
	case LLMR_A_MAX_LATENCY:
		snprintf(why, n, "latency %g ms, limit %g", ans->latency_ms, a->limit);
		return ans->latency_ms <= a->limit;
	case LLMR_A_JUDGE:
		if (ans->judge < 0) {
			snprintf(why, n, "the judge gave no score");
			return 0;
		}
		return ans->judge / 10;
	default: return 0;
	}
}

double llmr_assert_score(const struct llmr_assert *a, const struct llmr_answer *ans, char *why,
			 size_t n)
{
	char tmp[256] = "", name[32];
	double s = raw_score(a, ans, tmp, sizeof(tmp));

	if (a->negate)
		s = 1 - s;
	if (why && n) {
		*why = '\0';
		if (s < 1 && a->type == LLMR_A_JUDGE && ans->judge >= 0)
			snprintf(why, n, "%s: the judge gave %g/10", llmr_assert_name(a, name, sizeof(name)),
				 ans->judge);
		else if (s < 1 && *tmp && (!a->negate || a->type == LLMR_A_MAX_COST ||
					   a->type == LLMR_A_MAX_LATENCY))
			snprintf(why, n, "%s: %s", llmr_assert_name(a, name, sizeof(name)), tmp);
		else if (s < 1)
			snprintf(why, n, "%s failed", llmr_assert_name(a, name, sizeof(name)));
	}
	return s;
}

static void add_scalar(struct llmr_buf *b, const json_t *v)
{
	if (json_is_string(v))
		llmr_buf_adds(b, json_string_value(v));
	else if (json_is_integer(v))
		llmr_buf_addf(b, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		llmr_buf_addf(b, "%g", json_real_value(v));
	else if (json_is_boolean(v))
		llmr_buf_adds(b, json_is_true(v) ? "true" : "false");
	else {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		llmr_buf_adds(b, s ? s : "");
		free(s);
	}
}

char *llmr_suite_subst(const char *text, const json_t *vars)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	const char *p = text;

	while (*p) {
		const char *open = strstr(p, "{{"), *close, *s, *e;
		char name[128];
		json_t *v;

		if (!open || !(close = strstr(open + 2, "}}")))
			break;
		for (s = open + 2; s < close && isspace((unsigned char)*s); s++)
			;
		for (e = close; e > s && isspace((unsigned char)e[-1]); e--)
			;
		v = NULL;
		if ((size_t)(e - s) < sizeof(name)) {
			memcpy(name, s, (size_t)(e - s));
			name[e - s] = '\0';
			v = json_object_get(vars, name);
		}
		llmr_buf_add(&b, p, (size_t)(open - p));
		if (v)
			add_scalar(&b, v);
		else
			llmr_buf_add(&b, open, (size_t)(close + 2 - open));
		p = close + 2;
	}
	llmr_buf_adds(&b, p);
	return llmr_buf_detach(&b);
}
