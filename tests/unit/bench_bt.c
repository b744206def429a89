/*
 * bench_bt: Bradley-Terry on synthetic comparisons whose strengths are
 * known: the fit recovers their order and their ratios, ties count half,
 * an undefeated model stays finite, and the bootstrap is seeded.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bt.h"
#include "tap.h"

#define MAXG 20000

static struct llmr_bt_game g[MAXG];
static size_t ng;

static void add(size_t a, size_t b, double score_a, int times)
{
	for (int i = 0; i < times && ng < MAXG; i++)
		g[ng++] = (struct llmr_bt_game){a, b, score_a};
}

/* Every pair plays n games and wins exactly its expected share. */
static void test_exact_shares(void)
{
	const double p[4] = {1, 2, 4, 0.5};
	double beta[4];
	const int n = 1000;

	ng = 0;
	for (size_t i = 0; i < 4; i++)
		for (size_t j = i + 1; j < 4; j++) {
			int w = (int)lround(n * p[i] / (p[i] + p[j]));

			add(i, j, 1, w);
			add(i, j, 0, n - w);
		}
	ok(llmr_bt_fit(4, g, ng, beta) < 10000, "the fit converges");
	is_num(exp(beta[1] - beta[0]), 2, 0.02, "strength 2 against 1: ratio 2");
	is_num(exp(beta[2] - beta[1]), 2, 0.02, "strength 4 against 2: ratio 2");
	is_num(exp(beta[0] - beta[3]), 2, 0.02, "strength 1 against 0.5: ratio 2");
	ok(beta[2] > beta[1] && beta[1] > beta[0] && beta[0] > beta[3], "the order is recovered");
	is_num(beta[0] + beta[1] + beta[2] + beta[3], 0, 1e-9, "log strengths centred on 0");
	is_num(llmr_bt_elo(beta[2]) - llmr_bt_elo(beta[1]), 400 * log10(2), 3,
	       "twice as strong is 120 points on the Elo-like scale");
	is_num(llmr_bt_elo(0), 1000, 1e-9, "the average model rates 1000");
}

/* Games drawn at random from known strengths. */
static void test_sampled(void)
{
	const double p[3] = {1, 3, 9};
	double beta[3];
	uint64_t s = 42;

	ng = 0;
	for (int k = 0; k < 9000; k++) {
		size_t a = (size_t)(k % 3), b = (a + 1 + (size_t)(k / 3) % 2) % 3;
		double u;

		s = s * 6364136223846793005ull + 1442695040888963407ull;
		u = (double)(s >> 11) / 9007199254740992.0;
		add(a, b, u < p[a] / (p[a] + p[b]), 1);
	}
	llmr_bt_fit(3, g, ng, beta);
	ok(beta[2] > beta[1] && beta[1] > beta[0], "sampled games: the order is recovered");
	is_num(exp(beta[1] - beta[0]), 3, 0.3, "sampled games: ratio 3 within 10%%");
	is_num(exp(beta[2] - beta[1]), 3, 0.3, "sampled games: ratio 3 within 10%%");
}

static void test_ties(void)
{
	double b1[2], b2[2];

	ng = 0;
	add(0, 1, 0.5, 10);
	llmr_bt_fit(2, g, ng, b1);
	is_num(b1[0], b1[1], 1e-9, "only ties: equal ratings");
	ng = 0;
	add(0, 1, 1, 3);
	add(0, 1, 0.5, 2);
	add(0, 1, 0, 1);
	llmr_bt_fit(2, g, ng, b1);
	ng = 0;
	add(0, 1, 1, 4);
	add(0, 1, 0, 2);
	llmr_bt_fit(2, g, ng, b2);
	is_num(b1[0] - b1[1], b2[0] - b2[1], 1e-6, "3 wins, 2 ties, 1 loss = 4 wins, 2 losses: a tie is half a win");
	is_num(exp(b2[0] - b2[1]), 2, 0.1, "... and 4 wins to 2 is a ratio of about 2");
}

static void test_undefeated_and_bootstrap(void)
{
	struct llmr_bt_rating r1[3], r2[3], r3[3];
	double beta[3];

	ng = 0;
	add(0, 1, 1, 5);
	add(1, 2, 1, 3);
	add(1, 2, 0, 2);
	llmr_bt_fit(3, g, ng, beta);
	ok(isfinite(beta[0]) && beta[0] > beta[1] && beta[1] > beta[2], "an undefeated model: finite, first");
	llmr_bt_ratings(3, g, ng, 200, 7, r1);
	llmr_bt_ratings(3, g, ng, 200, 7, r2);
	llmr_bt_ratings(3, g, ng, 200, 8, r3);
	ok(!memcmp(r1, r2, sizeof(r1)), "the same seed: the same intervals");
	ok(memcmp(r1, r3, sizeof(r1)), "another seed: other intervals");
	for (int i = 0; i < 3; i++)
		ok(r1[i].lo <= r1[i].rating && r1[i].rating <= r1[i].hi, "model %d: %.0f in [%.0f, %.0f]", i,
		   r1[i].rating, r1[i].lo, r1[i].hi);
	ok(r1[1].hi - r1[1].lo > 10, "few games: a wide interval");
}

int main(void)
{
	test_exact_shares();
	test_sampled();
	test_ties();
	test_undefeated_and_bootstrap();
	return done_testing();
}
