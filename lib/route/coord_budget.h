/*
 * coord_budget.h - request budgets in Redis (see coord.h), called by
 * budget.c when coordination is configured: a budget opened on one host
 * is drawn on by agents on every host, and spent for all. Each operation
 * is one Lua script on a hash per budget, with budget.h's rules. Each
 * returns LLMR_COORD_GO_LOCAL when Redis is not in force or does not know
 * the budget (one opened before coordination, or during an outage), so
 * that the state file's budget is used as before.
 */
#ifndef LLMR_COORD_BUDGET_H
#define LLMR_COORD_BUDGET_H

#include "route/budget.h"
#include "route/coord_quota.h"

int llmr_coord_budget_open(struct llmr_state *st, long calls, double usd, const char *id);
int llmr_coord_budget_get(struct llmr_state *st, const char *id, struct llmr_budget *b);
int llmr_coord_budget_close(struct llmr_state *st, const char *id);

/* One draw step (budget.c loops while a P1 waits); fills t (t->remote) and
 * *verdict. */
int llmr_coord_budget_draw(struct llmr_state *st, const char *id, int priority, double est_usd,
			   bool last_try, struct llmr_budget_ticket *t, enum llmr_budget_verdict *verdict);

/* Settle or refund a ticket drawn in Redis. A Redis gone meanwhile loses
 * the settlement (recorded as an outage); the hold then stays until the
 * budget expires, which only ever makes it look more spent. */
void llmr_coord_budget_finish(struct llmr_state *st, const struct llmr_budget_ticket *t, double usd,
			      bool refund);

/* Charge a call's actual dollars to budget id, as spend.c does in the
 * state file when a call ends; nothing when Redis does not know it. */
void llmr_coord_budget_charge(struct llmr_state *st, const char *id, double usd);

#endif
