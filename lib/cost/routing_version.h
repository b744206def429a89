/*
 * routing_version.h - versions of the routing (every route's tier chains)
 * kept in the state, so that approving a simulated change is one command
 * (llmr-cost simulate --apply) and undoing it is one more (llmr-cost
 * rollback). Version 0 is the config as written; each applied version
 * remembers the version it was made from (its parent) and the whole
 * routing, so rolling back restores it exactly.
 */
#ifndef LLMR_ROUTING_VERSION_H
#define LLMR_ROUTING_VERSION_H

#include <jansson.h>
#include <stdbool.h>

#include "conf/config.h"
#include "cost/simulate.h"
#include "store/state.h"
#include "base/util.h"

/*
 * Rewrite cfg's route chains in place from the active applied version
 * (no-op when none is active). llmr-ask and llmr-route call it after
 * loading the config and opening the state. A version naming a model the
 * config no longer has fails with LLMR_EX_CONFIG.
 */
int llmr_routing_overlay(struct llmr_state *st, struct llmr_config *cfg, struct llmr_err *e);

/* The routing of cfg as JSON: {"route":{"simple":[..],"medium":[..],"complex":[..]}}
 * (new reference). */
json_t *llmr_routing_snapshot(const struct llmr_config *cfg);

/*
 * Apply the routing part of ch (--replace, --chain) to cfg in place. Fails
 * (LLMR_EX_USAGE) when a model does not resolve or a route is unknown;
 * sets *changed to whether any chain changed.
 */
int llmr_routing_apply_changes(struct llmr_config *cfg, const struct llmr_sim_changes *ch,
			       bool *changed, struct llmr_err *e);

/* Store cfg's routing as a new version made from the active one, and make
 * it active. *version gets its number. */
int llmr_routing_save(struct llmr_state *st, const struct llmr_config *cfg, const char *note,
		      int64_t now_ms, long *version, struct llmr_err *e);

/* Make version active (0 = the config as written; -1 = the parent of the
 * active version). *restored gets the version now active. Fails with
 * LLMR_EX_DATAERR for an unknown version, or when nothing is applied. */
int llmr_routing_rollback(struct llmr_state *st, long version, int64_t now_ms, long *restored,
			  struct llmr_err *e);

struct llmr_routing_version {
	long version, parent;
	int64_t created_ms;
	char *note;
	bool active;
};

/* Every stored version, oldest first, and the active one (0 = config). */
int llmr_routing_history(struct llmr_state *st, struct llmr_routing_version **v, size_t *n,
			 long *active, struct llmr_err *e);
void llmr_routing_history_free(struct llmr_routing_version *v, size_t n);

#endif
