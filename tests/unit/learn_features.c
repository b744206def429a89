/*
 * learn_features: the counts the learned router's feature model reads, its
 * fit (what it finds, when it declines, that it is deterministic), and its
 * blend with the neighbours in the learned score.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learn/evalr.h"
#include "learn/learned.h"
#include "learn/learned_features.h"
#include "tap.h"

enum { WORDS, NUMBERS, DISTINCT, PERCENT, FRACTIONS, DECIMALS, SENTENCES, BIGNUM, DOLLAR,
       QUANTITY, CONDITION, NEGATION, QUESTION, LINES, CAPITALS, LARGEST, WORDLEN };

/* The count behind feature k (each but the mean word length is log1p). */
static double count(const double *f, int k)
{
	return k == WORDLEN ? f[k] : expm1(f[k]);
}

static void test_extract(void)
{
	static const char q[] =
		"Josh buys a house for $80,000 and then puts in $50,000 in repairs.\xc2\xa0"
		"This increased its value by 150%. If he pays 1/2 of 2.5 times 80,000, "
		"how much is left? Not each time!\nOnly twice";
	double f[LLMR_LF_N];

	llmr_lf_extract(q, strlen(q), f);
	is_num(count(f, WORDS), 36, 1e-9, "words, split at white space (a no-break space too)");
	is_num(count(f, NUMBERS), 7, 1e-9, "numbers: 80,000 50,000 150 1 2 2.5 80,000");
	is_num(count(f, DISTINCT), 6, 1e-9, "... 6 of them distinct (80,000 twice, 2 and 2.5 apart)");
	is_num(count(f, PERCENT), 1, 1e-9, "one %%");
	is_num(count(f, FRACTIONS), 1, 1e-9, "one fraction");
	is_num(count(f, DECIMALS), 1, 1e-9, "one decimal: thousands separators are not");
	is_num(count(f, SENTENCES), 4, 1e-9, "four sentence ends (the last has none)");
	is_num(count(f, BIGNUM), 3, 1e-9, "three numbers of four digits or more");
	is_num(count(f, DOLLAR), 2, 1e-9, "two $");
	is_num(count(f, QUANTITY), 3, 1e-9, "quantity words: times, each, twice");
	is_num(count(f, CONDITION), 2, 1e-9, "condition words: then, if");
	is_num(count(f, NEGATION), 2, 1e-9, "negations, any case: Not, Only");
	is_num(count(f, QUESTION), 1, 1e-9, "one question mark");
	is_num(count(f, LINES), 1, 1e-9, "one line break");
	is_num(count(f, CAPITALS), 5, 1e-9, "capitalised words: Josh This If Not Only");
	is_num(count(f, LARGEST), 80000, 1e-6, "the largest number: 80,000");
	{
		double g[LLMR_LF_N];

		llmr_lf_extract("", 0, g);
		ok(g[WORDS] == 0 && g[LARGEST] == 0 && g[WORDLEN] == 0, "an empty prompt: all zero");
		char big[1200];

		memset(big, '9', sizeof(big) - 1);
		big[sizeof(big) - 1] = 0;
		llmr_lf_extract(big, strlen(big), g);
		ok(isfinite(g[LARGEST]) && count(g, LARGEST) >= 1e14 && count(g, BIGNUM) == 1,
		   "a number of 1199 digits is big, not infinite (log %.1f)", g[LARGEST]);
		llmr_lf_extract("3.", 2, g);
		ok(count(g, NUMBERS) == 1 && count(g, DECIMALS) == 0 && count(g, SENTENCES) == 1,
		   "a full stop after a number is no decimal point");
	}
}

/* n prompts; y = 1 on those with a '%' (every third), plus noise words. */
static void percent_set(size_t n, double *x, float *y)
{
	for (size_t i = 0; i < n; i++) {
		char t[160];

		snprintf(t, sizeof(t), "item %zu of the list %s with %zu words%s", i,
			 i % 3 == 0 ? "rose by 5%" : "rose by 5", i % 7, i % 5 ? " today" : "");
		llmr_lf_extract(t, strlen(t), x + i * LLMR_LF_N);
		y[i] = i % 3 == 0;
	}
}

static void test_fit(void)
{
	enum { N = 300 };
	double *x = malloc(N * LLMR_LF_N * sizeof(*x)), with[LLMR_LF_N], without[LLMR_LF_N];
	float *y = malloc(N * sizeof(*y));
	struct llmr_lf_model m, again;

	percent_set(N, x, y);
	llmr_lf_fit(&m, x, y, N, LLMR_LF_LAMBDA);
	ok(m.fitted, "fitted to 300 prompts");
	llmr_lf_extract("item 9 of the list rose by 5% with 2 words", 42, with);
	llmr_lf_extract("item 9 of the list rose by 5 with 2 words", 41, without);
	ok(llmr_lf_prob(&m, with) > 0.4 && llmr_lf_prob(&m, without) < 0.2,
	   "the feature that decides is found: %.2f with a %%, %.2f without",
	   llmr_lf_prob(&m, with), llmr_lf_prob(&m, without));
	llmr_lf_fit(&again, x, y, N, LLMR_LF_LAMBDA);
	ok(memcmp(&m, &again, sizeof(m)) == 0, "the same labels fit the very same model");
	llmr_lf_fit(&m, x, y, N, 1e9);
	is_num(llmr_lf_prob(&m, with), 1.0 / 3, 1e-3, "an overwhelming penalty: the base rate alone");
	for (size_t i = 0; i < N; i++)
		y[i] = 1;
	llmr_lf_fit(&m, x, y, N, LLMR_LF_LAMBDA);
	ok(!m.fitted && isnan(llmr_lf_prob(&m, with)), "every label the same: nothing fitted");
	llmr_lf_fit(&m, x, y, 1, LLMR_LF_LAMBDA);
	ok(!m.fitted, "one label: nothing fitted");
	is_num(llmr_lf_blend(0.3, 0.2, 0.2, 1), 0.3, 1e-12, "blend: the base rate adds nothing");
	is_num(llmr_lf_blend(0.5, 0.8, 0.5, 1), 0.8, 1e-12, "... even odds take the model's word");
	ok(llmr_lf_blend(0.6, 0.7, 0.5, 1) > 0.7 && llmr_lf_blend(0.6, 0.7, 0.5, 0.5) < 0.7,
	   "... two opinions above the base push further than either; weight scales the push");
	free(x);
	free(y);
}

/* Prompts of eight random words, split into sentences or listed with
 * commas: the strong model wins (nine times in ten) on the sentences. The
 * embedding sees the words, not the punctuation; the lengths are equal. */
static void build_pairs(struct llmr_outcomes *o, struct llmr_pairs *p)
{
	static const char *const voc[] = {"plan", "meeting", "notes", "budget", "week", "team",
					  "list", "ideas", "friday", "work", "month", "questions"};
	uint32_t x = 12345;

	llmr_outcomes_init(o);
	for (size_t i = 0; i < 300; i++) {
		char t[200];
		size_t r, n = 0;
		int split = i % 2;

		for (int w = 0; w < 8; w++) {
			x = x * 1103515245u + 12345u;
			n += (size_t)snprintf(t + n, sizeof(t) - n, "%s%s%s", w ? " " : "",
					      voc[(x >> 8) % 12], w == 7 || split ? "." : ",");
		}
		r = llmr_outcomes_row(o, t, strlen(t));
		llmr_outcomes_set(o, r, llmr_outcomes_model(o, "weak"), 0);
		llmr_outcomes_set(o, r, llmr_outcomes_model(o, "strong"), split && i % 20 != 1);
	}
	llmr_pairs_pick(o, "weak", "strong", p, NULL);
}

static void test_blend(void)
{
	struct llmr_outcomes o;
	struct llmr_pairs p;
	struct llmr_learned_opts opts;
	struct llmr_learned *l, *alone;
	struct llmr_learned_why why;
	const char *hi = "plan. team. list. ideas. week. work. month. notes.",
		   *lo = "plan, team, list, ideas, week, work, month, notes.";
	double shi, slo;

	build_pairs(&o, &p);
	l = llmr_learned_new(&p, NULL, p.n, NULL);
	shi = llmr_learned_score(l, hi, strlen(hi), -1, &why);
	ok(!isnan(why.features) && why.features > llmr_learned_base(l) + 0.1,
	   "the feature model sees the sentences (%.2f, base rate %.2f)", why.features,
	   llmr_learned_base(l));
	ok(shi > why.neighbourhood, "... and lifts the neighbours' estimate (%.2f -> %.2f)",
	   why.neighbourhood, shi);
	slo = llmr_learned_score(l, lo, strlen(lo), -1, &why);
	ok(why.features < llmr_learned_base(l) - 0.1 && slo < why.neighbourhood, "... or lowers it (%.2f: %.2f -> %.2f)",
	   why.features, why.neighbourhood, slo);
	llmr_learned_opts_init(&opts);
	opts.feature_weight = 0;
	alone = llmr_learned_new(&p, NULL, p.n, &opts);
	ok(llmr_learned_score(alone, hi, strlen(hi), -1, &why) == why.neighbourhood &&
	   isnan(why.features), "feature_weight 0: the neighbours and prior alone");
	ok(shi - slo > llmr_learned_score(alone, hi, strlen(hi), -1, NULL) -
			       llmr_learned_score(alone, lo, strlen(lo), -1, NULL),
	   "the blend tells the two apart better than the neighbours alone");
	llmr_learned_free(alone);
	llmr_learned_free(l);
	l = llmr_learned_new(&p, NULL, 0, NULL);
	ok(llmr_learned_score(l, hi, strlen(hi), -1, &why) == why.prior && isnan(why.features),
	   "no labels: no feature model, the prior alone");
	llmr_learned_free(l);
	{
		struct llmr_eval_report with, without;
		struct llmr_err e = {0, ""};

		llmr_eval_routers(&p, 5, 1, NULL, &with, &e);
		llmr_eval_routers(&p, 5, 1, &opts, &without, &e);
		ok(with.mean[LLMR_EVAL_LEARNED].apgr > without.mean[LLMR_EVAL_LEARNED].apgr + 0.15,
		   "held out, the blend beats the neighbours alone (APGR %.3f vs %.3f)",
		   with.mean[LLMR_EVAL_LEARNED].apgr, without.mean[LLMR_EVAL_LEARNED].apgr);
		llmr_eval_report_release(&with);
		llmr_eval_report_release(&without);
	}
	llmr_pairs_release(&p);
	llmr_outcomes_release(&o);
}

/* Above LLMR_LF_FIT_MAX prompts the fit takes a share of them, all the
 * same finding what decides, though the labels repeat with the period of
 * a stride (every third). */
static void test_fit_many(void)
{
	enum { N = 2 * LLMR_LF_FIT_MAX + 7 };
	char **text = malloc(N * sizeof(*text));
	float *y = malloc(N * sizeof(*y));
	struct llmr_lf_model m;
	const char *with = "item 9 rose by 5% today", *without = "item 9 rose by 5 today";

	for (size_t i = 0; i < N; i++) {
		text[i] = malloc(64);
		snprintf(text[i], 64, "item %zu rose by 5%s%s", i, i % 3 ? "" : "%", i % 5 ? " today" : "");
		y[i] = i % 3 == 0;
	}
	llmr_lf_fit_prompts(&m, (const char *const *)text, NULL, y, N);
	ok(m.fitted && llmr_lf_score(&m, with, strlen(with)) > 0.6 &&
	   llmr_lf_score(&m, without, strlen(without)) < 0.1,
	   "%d prompts: fitted on a share, %.2f with a %%, %.2f without", N,
	   llmr_lf_score(&m, with, strlen(with)), llmr_lf_score(&m, without, strlen(without)));
	for (size_t i = 0; i < N; i++)
		free(text[i]);
	free(text);
	free(y);
}

int main(void)
{
	test_extract();
	test_fit();
	test_fit_many();
	test_blend();
	return done_testing();
}
