/*
 * breaker.h - one circuit breaker per provider, kept in the state file so
 * that every process sees it (LiteLLM keeps cooldowns per instance; users
 * complain that they cannot see them).
 *
 * closed: calls go through; breaker_failures consecutive failures (429,
 * 529, 5xx, timeouts, network, garbled answers) open it. open: calls are
 * refused until breaker_cooldown_ms has passed. half-open: exactly one
 * caller gets a probe; its success closes the breaker, its failure opens it
 * for another cooldown. A probe whose process died frees itself after its
 * lease.
 */
#ifndef LLMR_BREAKER_H
#define LLMR_BREAKER_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/config.h"
#include "provider/provider.h"
#include "store/state.h"
#include "base/util.h"

enum llmr_breaker_state { LLMR_BREAKER_CLOSED, LLMR_BREAKER_OPEN, LLMR_BREAKER_HALF_OPEN };

struct llmr_breaker {
	char provider[64];
	int state;               /* enum llmr_breaker_state */
	int failures;            /* consecutive */
	int64_t opened_ms;       /* when it last opened; 0 never */
	int64_t probe_until_ms;  /* half-open: a probe is out until then */
	int64_t updated_ms;
	char last_error[64];     /* error class of the last failure */
};

/* "closed", "open", "half-open" (static). */
const char *llmr_breaker_state_name(int s);

/* Whether an error class counts as a provider failure (auth and bad
 * requests do not: they are ours to fix, not the provider's). */
bool llmr_breaker_counts(enum llmr_errclass c);

/*
 * The pure state machine, for tests and for the functions below.
 * allow: may a call go now? Moves open -> half-open when the cooldown has
 * passed and takes the probe (sets *probe). record: apply an outcome
 * (LLMR_ERR_NONE is a success). threshold and cooldown_ms come from the
 * provider's config (defaults 5 and 30 s when unset).
 */
bool llmr_breaker_step_allow(struct llmr_breaker *b, int64_t now, int64_t cooldown_ms,
			     int64_t probe_lease_ms, bool *probe);
void llmr_breaker_step_record(struct llmr_breaker *b, enum llmr_errclass c, int64_t now,
			      int threshold);

/* Read provider's breaker (a closed one when none is stored). Read-only. */
int llmr_breaker_get(struct llmr_state *st, const char *provider, struct llmr_breaker *b,
		     struct llmr_err *e);

/* May p be called now? Atomic across processes. *allowed false fills why
 * ("breaker open (retry in 12s)"). *probe (may be NULL) tells a half-open
 * probe. Returns 0 or -1 with e. */
int llmr_breaker_allow(struct llmr_state *st, const struct llmr_provider_cfg *p, bool *allowed,
		       bool *probe, char *why, size_t n, struct llmr_err *e);

/* Record the outcome of a call to p. */
int llmr_breaker_record(struct llmr_state *st, const struct llmr_provider_cfg *p,
			enum llmr_errclass c, struct llmr_err *e);

/* Close provider's breaker by hand (NULL: every breaker). */
int llmr_breaker_reset(struct llmr_state *st, const char *provider, struct llmr_err *e);

/* Why a breaker refuses at now, or false when it lets calls through (for
 * route views that must not take the probe). */
bool llmr_breaker_blocks(const struct llmr_breaker *b, int64_t now, int64_t cooldown_ms,
			 char *why, size_t n);

/* Cooldown and threshold of p with defaults applied. */
int64_t llmr_breaker_cooldown(const struct llmr_provider_cfg *p);
int llmr_breaker_threshold(const struct llmr_provider_cfg *p);

#endif
