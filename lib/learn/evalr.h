/*
 * evalr.h - how good is a router, as RouteLLM measures it (Ong et al.,
 * "RouteLLM", arXiv 2406.18665, section 5.1).
 *
 * A router gives each prompt a score; a threshold sends the prompts with
 * the highest scores to the strong model. For a share c of calls sent to
 * the strong model, perf(c) is the mean score obtained and
 *
 *   PGR(c) = (perf(c) - weak_perf) / (strong_perf - weak_perf)
 *
 * the performance gap recovered (weak_perf, strong_perf: every call to
 * one model). APGR is the area under PGR over c in [0,1], by the trapezoid
 * rule over LLMR_EVAL_STEPS equal steps of c (c = 0, 0.05, ..., 1; at each
 * c the top round(c n) prompts go to the strong model). CPT(x) is the
 * smallest share of strong calls whose PGR reaches x, taken exactly over
 * every count 0..n. Equal scores are ordered by a seeded shuffle, so a
 * router that cannot tell prompts apart gets a random router's figures.
 */
#ifndef LLMR_EVALR_H
#define LLMR_EVALR_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "learn/learned.h"
#include "learn/outcomes.h"

#define LLMR_EVAL_STEPS 20
#define LLMR_EVAL_MAX_FOLDS 100

struct llmr_route_metrics {
	double apgr, cpt50, cpt80; /* cpt: NAN when never reached */
};

/*
 * Metrics of score[0..n) against the weak and strong models' scores.
 * seed orders ties. Returns 0, or -1 when strong_perf equals weak_perf
 * (no gap to recover) or n is 0.
 */
int llmr_route_metrics(const double *score, const double *weak, const double *strong, size_t n,
		       uint64_t seed, struct llmr_route_metrics *m);

/* NEIGHBOURS and STRUCTURE are the learned router's two parts alone
 * (learned.h): its neighbours' vote with the prior, and its structure
 * model (the labels' base rate for every prompt when it has none). */
enum llmr_eval_router {
	LLMR_EVAL_HEURISTIC, LLMR_EVAL_LENGTH, LLMR_EVAL_LEARNED, LLMR_EVAL_NEIGHBOURS,
	LLMR_EVAL_STRUCTURE, LLMR_EVAL_RANDOM, LLMR_EVAL_ORACLE, LLMR_EVAL_NROUTERS
};

/* "heuristic", "length", "learned", "neighbours", "structure", "random",
 * "oracle" (static). */
const char *llmr_eval_router_name(int r);

#define LLMR_EVAL_RANDOM_SEEDS 10

struct llmr_eval_report {
	size_t n, folds;
	uint64_t seed;
	double weak_perf, strong_perf, strong_wins; /* over every prompt */
	/* Mean over the folds of each held-out fold's metrics, and each fold's. */
	struct llmr_route_metrics mean[LLMR_EVAL_NROUTERS];
	struct llmr_route_metrics *fold[LLMR_EVAL_NROUTERS]; /* folds entries, owned */
	size_t *fold_n; /* held-out prompts per fold, owned */
};

/*
 * k-fold cross-validation of the routers on p: the rows are shuffled with
 * seed and dealt into folds; for each fold the learned router is trained
 * on the other folds and every router scores the held-out fold (random:
 * the mean over LLMR_EVAL_RANDOM_SEEDS seeds; oracle: the strong model's
 * gain itself, the best any router can do). Returns 0, or -1 with e
 * (LLMR_EX_DATAERR: fewer rows than folds, or a fold without a gap).
 */
int llmr_eval_routers(const struct llmr_pairs *p, size_t folds, uint64_t seed,
		      const struct llmr_learned_opts *opts, struct llmr_eval_report *r,
		      struct llmr_err *e);
void llmr_eval_report_release(struct llmr_eval_report *r);

/*
 * The report as one JSON object (a new reference): prompts, folds, seed,
 * apgr_steps, weak and strong ({model, perf}), strong_wins, and routers:
 * {NAME: {apgr, cpt50, cpt80, folds: [{n, apgr, cpt50, cpt80}]}}.
 * p names the models.
 */json_t *llmr_eval_report_json(const struct llmr_eval_report *r, const struct llmr_pairs *p);

#endif
