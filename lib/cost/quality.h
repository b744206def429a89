/*
 * quality.h - model quality figures measured from outcomes (llmr-bench
 * recommend), stored in the state and laid over the config's `quality`
 * when llmr-ask and llmr-route load it, as routing versions are: routing
 * by quality then follows what was measured, not what was guessed.
 */
#ifndef LLMR_QUALITY_H
#define LLMR_QUALITY_H

#include "conf/config.h"
#include "store/state.h"
#include "base/util.h"

/* Set every configured model's quality that the state has a figure for.
 * A figure for a model the config does not list is ignored. */
int llmr_quality_overlay(struct llmr_state *st, struct llmr_config *cfg, struct llmr_err *e);

/* Store spec's measured quality (0..100), replacing an earlier one. */
int llmr_quality_store(struct llmr_state *st, const char *spec, int quality, const char *source,
		       struct llmr_err *e);

#endif
