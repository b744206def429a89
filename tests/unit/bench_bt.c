/*
 * bench_bt: Bradley-Terry on synthetic comparisons whose strengths are
 * known: the fit recovers their order and their ratios, ties count half,
 * an undefeated model stays finite, the bootstrap is seeded and its 95%
 * intervals cover the true ratings, and two players match a computation
 * by hand. tests/bench/bt.sh runs it with "--bench MODELS VOTES" and
 * prints the time of a fit (CPU time: the machine may be shared).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/*
 * Two players, A 4 wins and B 2. Without prior games the likelihood
 * p^4 (1-p)^2 peaks at p = P(A beats B) = 2/3, so p_A / p_B = 2, and
 * centred on the geometric mean A rates 1000 + 200 log10 2 = 1060.206 and
 * B 939.794. With the prior, A and B also play a tenth of a game, drawn:
 * A scores 4.05 of 6.1, so p_A / p_B = 4.05 / 2.05 and A rates 1000 +
 * 200 log10(4.05 / 2.05) = 1059.140, B 940.860.
 */
static void test_two_players(void)
{
	double w[4], beta[2];

	ng = 0;
	add(0, 1, 1, 4);
	add(0, 1, 0, 2);
	llmr_bt_count(2, g, ng, w);
	is_num(w[1], 4, 0, "the win matrix: A scored 4 against B");
	is_num(w[2], 2, 0, "the win matrix: B scored 2 against A");
	llmr_bt_fit_matrix(2, w, 0, beta);
	is_num(llmr_bt_elo(beta[0]), 1000 + 200 * log10(2), 1e-6, "4-2, no prior: A rates 1060.206");
	is_num(llmr_bt_elo(beta[1]), 1000 - 200 * log10(2), 1e-6, "4-2, no prior: B rates 939.794");
	llmr_bt_fit(2, g, ng, beta);
	is_num(llmr_bt_elo(beta[0]), 1059.1402324, 1e-6, "4-2 with the prior games: A rates 1059.140");
	is_num(llmr_bt_elo(beta[1]), 940.8597676, 1e-6, "4-2 with the prior games: B rates 940.860");
	ng = 0;
	add(0, 1, 1, 3);
	add(1, 0, 0.5, 2);
	add(1, 0, 1, 1);
	llmr_bt_count(2, g, ng, w);
	llmr_bt_fit_matrix(2, w, 0, beta);
	is_num(llmr_bt_elo(beta[0]), 1000 + 200 * log10(2), 1e-6,
	       "3 wins, 2 ties (either side first), 1 loss: 1060.206 too");
}

static double uniform(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (double)(*s >> 11) / 9007199254740992.0;
}

/* One game between players rated ra and rb: a's score. A tie (half a win)
 * one time in ten where the odds allow, and a's expected score is always
 * P(a beats b) = 1 / (1 + 10^((rb - ra) / 400)), as the model has it. */
static double play(double ra, double rb, uint64_t *s)
{
	double pa = 1 / (1 + pow(10, (rb - ra) / 400));

	if (pa > 0.05 && pa < 0.95) {
		if (uniform(s) < 0.1)
			return 0.5;
		pa = (pa - 0.05) / 0.9;
	}
	return uniform(s) < pa;
}

/* n games between random pairs of np players rated true_r. */
static void sample_games(size_t np, const double *true_r, size_t n, uint64_t *s)
{
	ng = 0;
	while (ng < n) {
		size_t a = (size_t)(uniform(s) * (double)np), b = (size_t)(uniform(s) * (double)np);

		if (a != b)
			add(a, b, play(true_r[a], true_r[b], s), 1);
	}
}

/* Twenty data sets drawn from known ratings (mean 1000, as the fit is
 * centred): the order comes back, and the 95% intervals, as narrow as
 * 1000 games a model allow, hold the truth about 95% of the time (at
 * least 85% of 120 intervals). */
static void test_coverage(void)
{
	static const double true_r[6] = {800, 900, 975, 1025, 1100, 1200};
	struct llmr_bt_rating r[6];
	uint64_t s = 2026;
	int covered = 0, ordered = 0, ranked = 0;
	double width = 0;

	for (int set = 0; set < 20; set++) {
		sample_games(6, true_r, 3000, &s);
		llmr_bt_ratings(6, g, ng, 200, (uint64_t)set + 1, r);
		ordered += r[0].rating < r[1].rating && r[1].rating < r[2].rating &&
			   r[2].rating < r[3].rating && r[3].rating < r[4].rating && r[4].rating < r[5].rating;
		ranked += r[5].rank == 1 && r[0].rank > 1;
		for (int i = 0; i < 6; i++) {
			covered += r[i].lo <= true_r[i] && true_r[i] <= r[i].hi;
			width += (r[i].hi - r[i].lo) / 120;
		}
	}
	ok(ordered >= 18, "known ratings: the order is recovered in %d of 20 sets", ordered);
	ok(covered >= 102, "95%% intervals cover the truth: %d of 120", covered);
	/* 1000 games a model: a standard error near 13 points, so about 50 wide. */
	ok(width > 20 && width < 100, "... and are not wide for it: %.0f points on average", width);
	ok(ranked == 20, "the best is ranked 1, the worst below: %d of 20", ranked);
}

/* --bench NP NG: ratings of NP players from NG votes, timed. */
static int bench(size_t np, size_t n)
{
	double *true_r = llmr_xcalloc(np, sizeof(double)), *beta = llmr_xcalloc(np, sizeof(double));
	struct llmr_bt_rating *r = llmr_xcalloc(np, sizeof(*r));
	struct llmr_bt_game *big = llmr_xcalloc(n, sizeof(*big));
	uint64_t s = 1;
	clock_t t0;
	double fit, full;
	size_t k, inv = 0;

	for (size_t i = 0; i < np; i++)
		true_r[i] = 600 + 800 * (double)i / (double)(np > 1 ? np - 1 : 1);
	for (k = 0; k < n;) {
		size_t a = (size_t)(uniform(&s) * (double)np), b = (size_t)(uniform(&s) * (double)np);

		if (a != b)
			big[k++] = (struct llmr_bt_game){a, b, play(true_r[a], true_r[b], &s)};
	}
	t0 = clock();
	llmr_bt_fit(np, big, n, beta);
	fit = (double)(clock() - t0) / CLOCKS_PER_SEC;
	t0 = clock();
	llmr_bt_ratings(np, big, n, LLMR_BENCH_ROUNDS, 1, r);
	full = (double)(clock() - t0) / CLOCKS_PER_SEC;
	for (size_t i = 0; i + 1 < np; i++)
		inv += r[i].rating > r[i + 1].rating;
	printf("Bradley-Terry, %zu models x %zu votes (CPU time):\n", np, n);
	printf("  count into a win matrix + fit:        %8.3f s\n", fit);
	printf("  fit + %d bootstrap refits (95%% CI):  %8.3f s\n", LLMR_BENCH_ROUNDS, full);
	printf("  neighbours out of true order: %zu of %zu; best %.0f [%.0f, %.0f]\n", inv, np - 1,
	       r[np - 1].rating, r[np - 1].lo, r[np - 1].hi);
	free(big), free(r), free(beta), free(true_r);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--bench"))
		return bench((size_t)atol(argv[2]), (size_t)atol(argv[3]));
	test_exact_shares();
	test_sampled();
	test_ties();
	test_undefeated_and_bootstrap();
	test_two_players();
	test_coverage();
	return done_testing();
}
