/*
 * budget.h - request budgets for multi-agent work. An orchestrator opens a
 * budget for one user request (so many calls, so many dollars) and its
 * agents draw on it by id from any process. Draws are reservations taken
 * in one BEGIN IMMEDIATE transaction, so concurrent agents cannot overspend
 * (a common complaint about gateways that check after the fact).
 *
 * When the budget is spent, the priority decides (the P0..P3 table of the
 * background plan): P0 still runs, on the cheapest capable model; P1 waits
 * for a call in flight to come back, then degrades to the offline answer;
 * P2 and P3 are skipped ("skipped: budget", exit 75) so the orchestrator
 * can synthesise without them.
 */
#ifndef LLMR_BUDGET_H
#define LLMR_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

#include "store/state.h"
#include "base/util.h"

enum llmr_budget_verdict {
	LLMR_BUDGET_RUN,      /* drawn: run as routed */
	LLMR_BUDGET_CHEAPEST, /* spent, P0: run on the cheapest capable model */
	LLMR_BUDGET_WAIT,     /* spent, P1: wait for a call to come back */
	LLMR_BUDGET_DEGRADE,  /* spent, P1 after waiting: offline answer only */
	LLMR_BUDGET_SKIP      /* spent, P2/P3: do not run */
};

struct llmr_budget {
	char id[48];
	long calls_max;         /* -1: no call limit */
	long calls_used;        /* drawn within the budget, in flight included */
	long calls_held;        /* in flight */
	long over_calls;        /* P0 calls run over the budget */
	long skipped;           /* requests skipped or degraded */
	double usd_max;         /* -1: no dollar limit */
	double usd_used, usd_held;
	int64_t created_ms, closed_ms; /* closed_ms 0 while open */
};

/* What a draw holds until settle or refund. */
struct llmr_budget_ticket {
	char id[48];
	bool drawn;             /* a call was counted */
	bool over;              /* a P0 call over the budget */
	double usd_held;
	bool remote;            /* drawn in Redis (route/coord_budget.h) */
};

/* "run", "cheapest", "wait", "degrade", "skip" (static). */
const char *llmr_budget_verdict_name(enum llmr_budget_verdict v);

/* The policy, pure: what priority gets when the budget is spent. */
enum llmr_budget_verdict llmr_budget_policy(int priority, bool spent);

/* Would one more call of est_usd overspend b (or is b closed)? */
bool llmr_budget_spent(const struct llmr_budget *b, double est_usd);

/* Open a budget; calls/usd < 0 mean no limit of that kind. id gets the
 * new id ("b-..."). Returns 0 or -1 with e. */
int llmr_budget_open(struct llmr_state *st, long calls, double usd, char id[48],
		     struct llmr_err *e);

/* Read one budget; -1 with e (LLMR_EX_DATAERR) when id is unknown. */
int llmr_budget_get(struct llmr_state *st, const char *id, struct llmr_budget *b,
		    struct llmr_err *e);

/* Close a budget: later draws find it spent. */
int llmr_budget_close(struct llmr_state *st, const char *id, struct llmr_err *e);

/*
 * Draw one call of est_usd for priority (0..3). A P1 on a spent budget
 * waits up to max_wait_ms for calls in flight to come back, then gets
 * DEGRADE. *verdict says what to do; t records what is held (settle or
 * refund it, whatever the verdict). Returns 0 or -1 with e.
 */
int llmr_budget_draw(struct llmr_state *st, const char *id, int priority, double est_usd,
		     int64_t max_wait_ms, struct llmr_budget_ticket *t,
		     enum llmr_budget_verdict *verdict, struct llmr_err *e);

/* The call finished: count actual_usd, free what was held. */
int llmr_budget_settle(struct llmr_state *st, struct llmr_budget_ticket *t, double actual_usd,
		       struct llmr_err *e);

/* The call never ran or failed: give the call back (its spend, actual_usd,
 * still counts). */
int llmr_budget_refund(struct llmr_state *st, struct llmr_budget_ticket *t, double actual_usd,
		       struct llmr_err *e);

#endif
