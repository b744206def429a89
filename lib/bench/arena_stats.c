/*
 * arena_stats.c - the arena's arithmetic: the seeded order of the answers,
 * tags as typed, and the consistency of evaluators with one another.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bench/arena.h"

/* splitmix64: a seed and a case number give a well mixed stream. */
static uint64_t mix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void llmr_arena_order(uint64_t seed, long case_no, size_t n, size_t *perm)
{
	uint64_t x = seed ^ ((uint64_t)case_no * 0xd1b54a32d192ed03ULL);

	for (size_t i = 0; i < n; i++)
		perm[i] = i;
	/* Fisher-Yates; the modulo bias over n <= 3 is nil in practice. */
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(mix(&x) % i), t = perm[i - 1];

		perm[i - 1] = perm[j];
		perm[j] = t;
	}
}

static const char *const tag_names[][2] = {
	{"h", "hallucination"}, {"f", "format error"}, {"i", "incomplete"},
	{"format-error", "format error"},
};

json_t *llmr_arena_tags(const char *line)
{
	json_t *out = json_array();
	const char *p = line ? line : "";

	while (*p) {
		size_t n = strcspn(p, ",");
		const char *s = p, *t = p + n;
		char *word;

		while (s < t && isspace((unsigned char)*s))
			s++;
		while (t > s && isspace((unsigned char)t[-1]))
			t--;
		word = llmr_xstrndup(s, (size_t)(t - s));
		for (size_t k = 0; k < sizeof(tag_names) / sizeof(tag_names[0]); k++)
			if (!strcasecmp(word, tag_names[k][0]) || !strcasecmp(word, tag_names[k][1])) {
				free(word);
				word = llmr_xstrdup(tag_names[k][1]);
			}
		if (*word)
			json_array_append_new(out, json_string(word));
		free(word);
		p += n + (p[n] == ',');
	}
	return out;
}

static int by_item(const void *x, const void *y)
{
	const struct llmr_arena_rating *a = x, *b = y;
	int c = strcmp(a->item, b->item);

	return c ? c : strcmp(a->evaluator, b->evaluator);
}

static int by_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), by_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Per evaluator (sorted by name): the sum of deviations and their count. */
struct dev {
	const char *who;
	double sum;
	size_t items;
};

static struct dev *dev_of(struct dev *d, size_t *nd, const char *who)
{
	for (size_t i = 0; i < *nd; i++)
		if (!strcmp(d[i].who, who))
			return &d[i];
	d[*nd] = (struct dev){who, 0, 0};
	return &d[(*nd)++];
}

/* The ratings of one item, r[0..n) sorted by evaluator: each evaluator's
 * mean into mean[], their names into who[]; returns how many evaluators. */
static size_t per_evaluator(const struct llmr_arena_rating *r, size_t n, double *mean,
			    const char **who)
{
	size_t k = 0;

	for (size_t i = 0; i < n;) {
		size_t j = i;
		double sum = 0;

		while (j < n && !strcmp(r[j].evaluator, r[i].evaluator))
			sum += r[j++].score;
		who[k] = r[i].evaluator;
		mean[k++] = sum / (double)(j - i);
		i = j;
	}
	return k;
}

static int by_who(const void *x, const void *y)
{
	return strcmp(((const struct dev *)x)->who, ((const struct dev *)y)->who);
}

static json_t *summary(struct dev *d, size_t nd)
{
	double *v = llmr_xcalloc(nd + 1, sizeof(*v)), med = 0;
	size_t nv = 0;
	json_t *list = json_array();

	qsort(d, nd, sizeof(*d), by_who);
	for (size_t i = 0; i < nd; i++)
		if (d[i].items)
			v[nv++] = d[i].sum / (double)d[i].items;
	if (nv)
		med = median(v, nv);
	for (size_t i = 0; i < nd; i++) {
		double dv = d[i].items ? d[i].sum / (double)d[i].items : 0;
		int flag = nv >= 3 && d[i].items && dv > 2 * med && dv >= 1;

		json_array_append_new(list, json_pack("{s:s, s:I, s:o, s:b}", "evaluator", d[i].who,
						      "items", (json_int_t)d[i].items, "deviation",
						      d[i].items ? json_real(dv) : json_null(),
						      "flagged", flag));
	}
	free(v);
	return json_pack("{s:o, s:o}", "median_deviation", nv ? json_real(med) : json_null(),
			 "evaluators", list);
}

json_t *llmr_arena_consistency(const struct llmr_arena_rating *r, size_t n)
{
	struct llmr_arena_rating *s = llmr_xcalloc(n + 1, sizeof(*s));
	struct dev *d = llmr_xcalloc(n + 1, sizeof(*d));
	double *mean = llmr_xcalloc(n + 1, sizeof(*mean)), *tmp = llmr_xcalloc(n + 1, sizeof(*tmp));
	const char **who = llmr_xcalloc(n + 1, sizeof(*who));
	size_t nd = 0;
	json_t *out;

	if (n)
		memcpy(s, r, n * sizeof(*s));
	qsort(s, n, sizeof(*s), by_item);
	for (size_t i = 0; i < n;) {
		size_t j = i, k;
		double m;

		while (j < n && !strcmp(s[j].item, s[i].item))
			j++;
		k = per_evaluator(s + i, j - i, mean, who);
		for (size_t x = 0; x < k; x++)
			dev_of(d, &nd, who[x]);
		if (k >= 3) {
			memcpy(tmp, mean, k * sizeof(*tmp));
			m = median(tmp, k);
			for (size_t x = 0; x < k; x++) {
				struct dev *p = dev_of(d, &nd, who[x]);

				p->sum += fabs(mean[x] - m);
				p->items++;
			}
		}
		i = j;
	}
	out = summary(d, nd);
	free(s);
	free(d);
	free(mean);
	free(tmp);
	free(who);
	return out;
}

json_t *llmr_arena_evaluators(struct llmr_state *st, struct llmr_err *e)
{
	static const char sql[] =
		"SELECT s.evaluator, a.suite_hash || ' ' || s.case_no || ' ' || s.model, s.score"
		" FROM bench_arena_scores s JOIN bench_arena_sessions a ON a.run = s.run";
	struct llmr_arena_rating *r = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s;
	json_t *out = NULL;
	int rc;

	if (sqlite3_prepare_v2(llmr_state_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return llmr_state_dberr(st, "cannot read the arena scores", e), NULL;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap)
			r = llmr_xrealloc(r, (cap = cap ? 2 * cap : 64) * sizeof(*r));
		r[n].evaluator = llmr_xstrdup((const char *)sqlite3_column_text(s, 0));
		r[n].item = llmr_xstrdup((const char *)sqlite3_column_text(s, 1));
		r[n++].score = sqlite3_column_double(s, 2);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		out = llmr_arena_consistency(r, n);
	else
		llmr_state_dberr(st, "cannot read the arena scores", e);
	for (size_t i = 0; i < n; i++) {
		free((char *)r[i].evaluator);
		free((char *)r[i].item);
	}
	free(r);
	return out;
}
