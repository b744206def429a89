/*
 * degrade.h - degraded mode, switched on and off by measured signals, not
 * by hand: the recent 429 rate, the p95 latency of answers, and the depth
 * of the quota queue. While it is on, routes prefer the cheapest model,
 * P3 work is skipped, and every response says "degraded":true.
 *
 * Hysteresis keeps it from flapping: it turns on above the ON thresholds
 * and off only when every signal is below the OFF ones.
 */
#ifndef LLMR_DEGRADE_H
#define LLMR_DEGRADE_H

#include <stdbool.h>
#include <stdint.h>

#include "store/state.h"
#include "base/util.h"

#define LLMR_DEGRADE_WINDOW_MS 60000  /* signals look back this far */
#define LLMR_DEGRADE_ON_429 0.25      /* share of attempts answered 429 */
#define LLMR_DEGRADE_OFF_429 0.10
#define LLMR_DEGRADE_MIN_ATTEMPTS 8   /* fewer: the 429 rate says nothing */
#define LLMR_DEGRADE_ON_P95_MS 20000
#define LLMR_DEGRADE_OFF_P95_MS 10000
#define LLMR_DEGRADE_ON_QUEUE 16
#define LLMR_DEGRADE_OFF_QUEUE 4

struct llmr_degrade_signals {
	long attempts, rate_limited; /* in the window */
	double rate_429;             /* rate_limited / attempts, 0 when none */
	int64_t p95_ms;              /* of successful attempts; -1 none */
	long queue_depth;            /* live waiters */
};

struct llmr_degrade {
	bool active;
	int64_t since_ms;            /* when it last switched */
	char reason[160];            /* why it is on (or last went off) */
	struct llmr_degrade_signals sig;
};

/* The pure decision: next state from the current one and the signals;
 * fills reason when the answer is "on". */
bool llmr_degrade_decide(bool active, const struct llmr_degrade_signals *s, char *reason,
			 size_t n);

/* Measure the signals now (read-only). */
int llmr_degrade_measure(struct llmr_state *st, struct llmr_degrade_signals *s,
			 struct llmr_err *e);

/* Measure, decide and store (at most once a second per state file; in
 * between it returns the stored state). Returns 0 or -1 with e. */
int llmr_degrade_update(struct llmr_state *st, struct llmr_degrade *d, struct llmr_err *e);

/* Switch it off by hand (it comes back if the signals say so). */
int llmr_degrade_reset(struct llmr_state *st, struct llmr_err *e);

#endif
