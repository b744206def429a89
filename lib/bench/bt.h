/*
 * bt.h - Bradley-Terry ratings from pairwise results, as the LMSYS
 * Chatbot Arena computes them (FastChat's elo_analysis.py): strengths
 * fitted by maximum likelihood with P(i beats j) = 1 / (1 + 10^((r_j -
 * r_i) / 400)), shown as r = 400 * log10(p) + 1000 = 400 * beta / ln 10 +
 * 1000 (beta the natural log strength), ties half a win to each side, 95%
 * intervals from the 2.5 and 97.5 percentiles of bootstrap refits, and
 * rank = 1 + the models whose interval lies wholly above.
 */
#ifndef LLMR_BENCH_BT_H
#define LLMR_BENCH_BT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store/state.h"

/* Bootstrap resamples, as LMSYS's notebook draws them. */
#define LLMR_BENCH_ROUNDS 1000

/* Each player also plays this much of a game, drawn, against the average
 * player (see llmr_bt_fit). */
#define LLMR_BT_PRIOR_GAMES 0.1

struct llmr_bt_game {
	size_t a, b;    /* player indices */
	double score_a; /* 1: a won, 0: b won, 0.5: a tie */
};

/*
 * Fit log strengths beta[0..np) by Hunter's MM algorithm (a tie is half a
 * win for each side). Each player also gets a tenth of a game, drawn,
 * spread evenly over the other players, so that one that never won or
 * never lost has a finite rating (LMSYS's fit has no such prior: with
 * hundreds of votes per model the difference is a fraction of a point);
 * the log strengths are centred on 0 (the geometric mean player rates
 * 1000). Returns the iterations used.
 */
int llmr_bt_fit(size_t np, const struct llmr_bt_game *g, size_t ng, double *beta);

/* Count games into w[i * np + j]: i's score against j (ties half). */
void llmr_bt_count(size_t np, const struct llmr_bt_game *g, size_t ng, double *w);

/* The same fit on a win matrix as llmr_bt_count fills, with prior games
 * (LLMR_BT_PRIOR_GAMES; 0: none, the plain maximum likelihood, which is
 * finite only when every player has won and lost). */
int llmr_bt_fit_matrix(size_t np, const double *w, double prior, double *beta);

/* 400 * beta / ln 10 + 1000. */
double llmr_bt_elo(double beta);

struct llmr_bt_rating {
	double rating, lo, hi; /* lo, hi: the 95% bootstrap interval */
	size_t rank;	       /* 1 + the players whose lo is above this hi */
};

/* Ratings with rounds bootstrap resamples of the games (seeded: the same
 * seed gives the same intervals). A resample draws ng games with
 * replacement, which is a multinomial draw of the win matrix's counts;
 * each refit starts from the full fit. */
void llmr_bt_ratings(size_t np, const struct llmr_bt_game *g, size_t ng, size_t rounds,
		     uint64_t seed, struct llmr_bt_rating *out);

/*
 * The ratings of every model from the pairwise results in the state:
 * {"games","rounds","seed","models":[{"model","rating","ci_low","ci_high",
 * "rank","games","wins","ties"}]} best first (new reference), or NULL and e.
 * (lib/bench/report_ratings.c)
 */
json_t *llmr_bench_ratings(struct llmr_state *st, size_t rounds, uint64_t seed,
			   struct llmr_err *e);

/* The same from pairs as llmr_bench_db_pairs returns them (borrowed). */
json_t *llmr_bench_ratings_of(const json_t *pairs, size_t rounds, uint64_t seed);

#endif
