/*
 * judge.c - the judge's prompts (MT-Bench's wording, shortened) and the
 * reading of its replies. Judges wander from the format they are given,
 * so the score is looked for in the forms they actually use.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "base/util.h"
#include "bench/judge.h"

char *llmr_judge_prompt(const char *question, const char *answer, const char *rubric)
{
	struct llmr_buf b = LLMR_BUF_INIT;

	llmr_buf_addf(&b,
		      "Please act as an impartial judge and evaluate the response of an AI "
		      "assistant to the question below, against this rubric:\n%s\n\n"
		      "Be as objective as possible. Rate the response from 0 to 10 and reply with "
		      "one JSON object only, in this form: {\"score\": 5, \"reason\": \"a short "
		      "explanation\"}.\n\n"
		      "[Question]\n%s\n\n[The Start of Assistant's Answer]\n%s\n"
		      "[The End of Assistant's Answer]",
		      rubric, question, answer);
	return llmr_buf_detach(&b);
}

char *llmr_judge_pair_prompt(const char *question, const char *answer_a, const char *answer_b)
{
	struct llmr_buf b = LLMR_BUF_INIT;

	llmr_buf_addf(&b,
		      "Please act as an impartial judge and evaluate the quality of the responses "
		      "provided by two AI assistants to the user question below. Avoid any position "
		      "bias: the order of the responses must not influence your decision, nor their "
		      "length, nor the assistants' names. Reply with one JSON object only, in this "
		      "form: {\"winner\": \"A\", \"reason\": \"a short explanation\"}, where winner is "
		      "\"A\" if assistant A is better, \"B\" if assistant B is better, and \"tie\" for "
		      "a tie.\n\n"
		      "[User Question]\n%s\n\n[The Start of Assistant A's Answer]\n%s\n"
		      "[The End of Assistant A's Answer]\n\n[The Start of Assistant B's Answer]\n%s\n"
		      "[The End of Assistant B's Answer]",
		      question, answer_a, answer_b);
	return llmr_buf_detach(&b);
}

/* A number at p, in 0..10; -1 if none. */
static double number_at(const char *p, const char **end)
{
	char *e;
	double d;

	while (*p == ' ' || *p == '\t' || *p == '*' || *p == '[')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	d = strtod(p, &e);
	if (end)
		*end = e;
	return d >= 0 && d <= 10 ? d : -1;
}

/* The last "[[N]]", then the last "score"/"rating" followed by a number,
 * then the last "N/10": a judge's explanation may quote other numbers
 * before its verdict, so the last one wins. */
static double find_score(const char *t)
{
	double best = -1, d;
	const char *p, *e;

	for (p = t; (p = strstr(p, "[[")); p += 2)
		if ((d = number_at(p + 2, &e)) >= 0 && !strncmp(e, "]]", 2))
			best = d;
	if (best >= 0)
		return best;
	for (p = t; *p; p++) {
		if (!strncasecmp(p, "score", 5) || !strncasecmp(p, "rating", 6)) {
			const char *q = p + (tolower((unsigned char)*p) == 's' ? 5 : 6);

			while (*q == ':' || *q == ' ' || *q == '*' || *q == '=' || *q == '\t')
				q++;
			if ((d = number_at(q, NULL)) >= 0)
				best = d;
		}
	}
	if (best >= 0)
		return best;
	for (p = t; (p = strstr(p, "/10")); p += 3) {
		const char *s = p;

		while (s > t && (isdigit((unsigned char)s[-1]) || s[-1] == '.'))
			s--;
		if (s < p && (d = number_at(s, &e)) >= 0 && e == p && !isdigit((unsigned char)p[3]))
			best = d;
	}
	return best;
}

/* The JSON object of a reply: from its first '{' to its last '}', or NULL. */
static json_t *reply_object(const char *t)
{
	const char *open = strchr(t, '{'), *close = strrchr(t, '}');

	if (!open || close < open)
		return NULL;
	return json_loadb(open, (size_t)(close - open + 1), JSON_REJECT_DUPLICATES, NULL);
}

/* The JSON the judge was asked for: 1 and *d for a valid object, 0 when
 * the reply holds no JSON object, -1 for one that is not valid (no
 * "score", not a number, out of 0..10, "reason" not a string). */
static int json_score(const char *t, double *d)
{
	json_t *j, *sc, *why;
	int rc = -1;

	if (!(j = reply_object(t)))
		return 0;
	sc = json_object_get(j, "score");
	why = json_object_get(j, "reason");
	if (json_is_number(sc) && json_number_value(sc) >= 0 && json_number_value(sc) <= 10 &&
	    (!why || json_is_string(why))) {
		*d = json_number_value(sc);
		rc = 1;
	}
	json_decref(j);
	return rc;
}

int llmr_judge_parse_score(const char *text, double *score)
{
	const char *e;
	double d;
	int js = json_score(text, &d);

	if (js) {
		if (js < 0)
			return -1;
		*score = d;
		return 0;
	}
	d = find_score(text);

	if (d < 0) {
		/* A reply that is only a number. */
		const char *p = text;

		while (isspace((unsigned char)*p))
			p++;
		d = number_at(p, &e);
		if (d >= 0) {
			while (isspace((unsigned char)*e) || *e == '.')
				e++;
			if (*e)
				d = -1;
		}
	}
	if (d < 0)
		return -1;
	*score = d;
	return 0;
}

/* The verdict object the pairwise prompt asks for: 'A', 'B' or 'C', 0
 * for an object that is not valid (winner missing or not "A", "B" or
 * "tie", reason not a string), -1 when the reply holds no JSON object. */
static int json_verdict(const char *t)
{
	json_t *j = reply_object(t), *why;
	const char *w;
	int v = 0;

	if (!j)
		return -1;
	why = json_object_get(j, "reason");
	w = json_string_value(json_object_get(j, "winner"));
	if (w && (!why || json_is_string(why)))
		v = !strcasecmp(w, "A") ? 'A' : !strcasecmp(w, "B") ? 'B' : !strcasecmp(w, "tie") ? 'C' : 0;
	json_decref(j);
	return v;
}

char *llmr_judge_verdict_reason(const char *text)
{
	json_t *j;
	const char *why;
	char *out;

	if (json_verdict(text) <= 0)
		return NULL;
	j = reply_object(text);
	why = json_string_value(json_object_get(j, "reason"));
	out = why ? llmr_xstrdup(why) : NULL;
	json_decref(j);
	return out;
}

int llmr_judge_parse_verdict(const char *text)
{
	int found = json_verdict(text);

	if (found >= 0)
		return found;
	found = 0;

	if (strstr(text, "[[A]]"))
		found = 'A';
	if (strstr(text, "[[B]]"))
		found = found ? -1 : 'B';
	if (strstr(text, "[[C]]"))
		found = found ? -1 : 'C';
	return found > 0 ? found : 0;
}

int llmr_judge_consistent(int first, int second)
{
	return (first == 'A' && second == 'B') || (first == 'B' && second == 'A') ||
	       (first == 'C' && second == 'C');
}

int llmr_judge_combine(int first, int second)
{
	/* In the second asking the first model is shown as B. */
	if (first == 'A' && second == 'B')
		return 'A';
	if (first == 'B' && second == 'A')
		return 'B';
	return 'T';
}
