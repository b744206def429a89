/*
 * learned_route.h - the learned router inside a route decision: load it
 * from the outcomes in the state file, and decide a request as
 * llmr_route_decide() does but with the tier picked by the learned score,
 * the way the model classifier (classify_model.h) feeds its verdict in:
 * as the request's complexity, with who set it.
 *
 * The estimate (the chance that the strong model wins, learned.h) is the
 * decision's score. The tier follows its lift over the labels' base rate
 * b (their mean gain): the classifier's thresholds (classify.h) apply to
 * est / (est + b), so a prompt at the base rate is medium, one at under
 * 0.54 b simple and one at over 1.86 b complex. A tier fixed by the
 * request or forced by the route is left alone.
 */
#ifndef LLMR_LEARNED_ROUTE_H
#define LLMR_LEARNED_ROUTE_H

#include "learn/learned.h"
#include "route/route.h"
#include "store/state.h"

/*
 * The learned router over every outcome stored in st, for the pair of
 * models with the most outcomes (outcomes.h), from the embeddings cached
 * in the state (a prompt without one is embedded now). Returns 0 with
 * *out (free with llmr_learned_free), *out NULL when fewer than two models
 * have outcomes; or -1 with e.
 */
int llmr_learned_load(struct llmr_state *st, const struct llmr_learned_opts *opts,
		      struct llmr_learned **out, struct llmr_err *e);

/*
 * Cache the embedding of every stored outcome prompt that has none under
 * the current embedder (llmr-bench import-outcomes does, after storing).
 * *made gets how many were made. Returns 0, or -1 with e.
 */
int llmr_learned_cache(struct llmr_state *st, long *made, struct llmr_err *e);

/*
 * Set req's tier from the learned score (complexity, complexity_by = by,
 * score), as llmr-ask and llmr-route do with router.learned. Returns 1
 * when it did; 0 when l is NULL or the tier is not the router's to pick
 * (fixed by the request, a named model, a route's force).
 */
int llmr_learned_tier(struct llmr_learned *l, const struct llmr_config *cfg,
		      struct llmr_route_req *req, char *by, size_t n);

/*
 * llmr_route_decide() with the learned tier. l may be NULL (the plain
 * decision). On success d->score is the estimate and d->reason starts
 * "TIER by the learned router (...)". Returns what llmr_route_decide does.
 */
int llmr_learned_decide(struct llmr_learned *l, const struct llmr_config *cfg,
			const struct llmr_route_view *view, const struct llmr_route_req *req,
			struct llmr_decision *d, struct llmr_err *e);

#endif
