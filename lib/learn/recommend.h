/*
 * recommend.h - closing the loop: from outcomes to a routing change that a
 * person approves (llmr-bench recommend, pending, approve, reject).
 *
 * 1. Quality is measured: each configured model that the outcomes name
 *    (as "provider/model", or by its bare model name when only one
 *    configured model has it) gets quality = 100 x its mean score (scores
 *    outside [0,1] first scaled to the spread seen), stored in the state
 *    (cost/quality.h) so that routing by quality uses it from then on.
 * 2. The frontier: a model is dominated when another model, with a known
 *    price and quality, is at least as good and costs less (input +
 *    output USD per 1M tokens). Quality is the measured figure where there
 *    is one, else the config's; models without either are left out, and so
 *    are inactive providers and the offline extractive model.
 * 3. Each route tier whose first model is dominated gets a proposal (on
 *    routes of strategy order: the others sort their chains anyway): the
 *    cheapest model that dominates it, first, then the rest of the chain.
 *    Its impact is llmr-cost's simulation of that --chain over the real
 *    log (cost/simulate.h) of the last 30 days: cost, quality, latency.
 * 4. Each proposal is filed as a pending change (routing_pending), unless
 *    the same one is pending already. Approving one writes a new routing
 *    version (cost/routing_version.h, so llmr-cost rollback undoes it);
 *    rejecting one drops it.
 */
#ifndef LLMR_RECOMMEND_H
#define LLMR_RECOMMEND_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/config.h"
#include "store/state.h"
#include "base/util.h"

struct llmr_measured {
	char *spec;        /* configured "provider/model" */
	char *outcome;     /* the outcomes' name for it */
	int quality, was;  /* measured; what routing used before (-1 unknown) */
	long n;            /* prompts scored */
};

struct llmr_change {
	long id;           /* pending id (0 before it is filed) */
	char *route;
	int tier;
	char *old_chain, *chain; /* "p/m,p/m" */
	char *why;
	char *status;      /* "pending", "approved", "rejected" */
	bool existed;      /* recommend: the same change was already pending */
	long version;      /* approved: the routing version; else 0 */
	int64_t created_ms;
	/* The simulation over the log. */
	long requests, changed;
	double before_usd, after_usd, delta_quality, delta_latency_ms;
};

struct llmr_recommend {
	struct llmr_measured *m;
	size_t nm;
	struct llmr_change *c;
	size_t nc;
	int64_t since, until; /* the period simulated */
};

/*
 * Measure, compare and file, as above. cfg is updated in place (measured
 * quality) and must carry the active routing version (llmr_routing_overlay)
 * so that the proposals start from what is in force. Returns 0 with r
 * filled (llmr_recommend_release), or -1 with e.
 */
int llmr_recommend(struct llmr_state *st, struct llmr_config *cfg, int64_t now_ms,
		   struct llmr_recommend *r, struct llmr_err *e);
void llmr_recommend_release(struct llmr_recommend *r);

/* The pending changes (all: every change ever filed), oldest first. */
int llmr_changes_list(struct llmr_state *st, bool all, struct llmr_change **c, size_t *n,
		      struct llmr_err *e);
void llmr_changes_free(struct llmr_change *c, size_t n);

/*
 * Approve pending change id: its chain is applied to cfg (which must carry
 * the active routing version) and saved as a new routing version, and the
 * change is marked approved. *version gets the version. Fails with
 * LLMR_EX_DATAERR when id is not pending, LLMR_EX_CONFIG when its route
 * or a model is no longer configured.
 */
int llmr_change_approve(struct llmr_state *st, struct llmr_config *cfg, long id, int64_t now_ms,
			long *version, struct llmr_err *e);
/* Reject pending change id (LLMR_EX_DATAERR when it is not pending). */
int llmr_change_reject(struct llmr_state *st, long id, int64_t now_ms, struct llmr_err *e);

/* File c as pending (c->id set), or find the same change pending already
 * (c->existed). */
int llmr_change_file(struct llmr_state *st, struct llmr_change *c, int64_t now_ms,
		     struct llmr_err *e);

/* "route:tier=chain", the llmr-cost simulate --chain of a change. */
char *llmr_change_arg(const struct llmr_change *c);

#endif
