/*
 * bt.h - Bradley-Terry ratings from pairwise results, as the LMSYS
 * Chatbot Arena computes them: strengths fitted by maximum likelihood,
 * shown on the Elo-like scale 400 * beta / ln 10 + 1000 (beta the log
 * strength), with bootstrap confidence intervals.
 */
#ifndef LLMR_BENCH_BT_H
#define LLMR_BENCH_BT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store/state.h"

/* Bootstrap resamples, as LMSYS's notebook draws them. */
#define LLMR_BENCH_ROUNDS 1000

struct llmr_bt_game {
	size_t a, b;    /* player indices */
	double score_a; /* 1: a won, 0: b won, 0.5: a tie */
};

/*
 * Fit log strengths beta[0..np) by Hunter's MM algorithm (a tie is half a
 * win for each side). Each player also gets a tenth of a game, drawn,
 * against the average player, so that one that never won or never lost
 * has a finite rating; the log strengths are centred on 0 (the average
 * player rates 1000). Returns the iterations used.
 */
int llmr_bt_fit(size_t np, const struct llmr_bt_game *g, size_t ng, double *beta);

/* 400 * beta / ln 10 + 1000. */
double llmr_bt_elo(double beta);

struct llmr_bt_rating {
	double rating, lo, hi; /* lo, hi: the 95% bootstrap interval */
};

/* Ratings with rounds bootstrap resamples of the games (seeded: the same
 * seed gives the same intervals). */
void llmr_bt_ratings(size_t np, const struct llmr_bt_game *g, size_t ng, size_t rounds,
		     uint64_t seed, struct llmr_bt_rating *out);

/*
 * The ratings of every model from the pairwise results in the state:
 * {"games","rounds","seed","models":[{"model","rating","ci_low","ci_high",
 * "games","wins","ties"}]} best first (new reference), or NULL and e.
 */
json_t *llmr_bench_ratings(struct llmr_state *st, size_t rounds, uint64_t seed,
			   struct llmr_err *e);

#endif
