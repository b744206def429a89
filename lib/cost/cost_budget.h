/*
 * cost_budget.h - monthly caps and their alerts, for llmr-cost --check
 * (cron). Provider caps come from the config (budget: {usd_per_month,
 * alert_at}); route caps and a total cap, which the config has no key
 * for, are kept in the state (cost_budgets) and set with llmr-cost budget.
 */
#ifndef LLMR_COST_BUDGET_H
#define LLMR_COST_BUDGET_H

#include "conf/config.h"
#include "cost/cost.h"
#include "store/state.h"

enum llmr_budget_level {
	LLMR_BUDGET_OK,
	LLMR_BUDGET_ALERT,     /* spent >= alert_at * cap */
	LLMR_BUDGET_FORECAST,  /* the forecast's middle reaches the cap */
	LLMR_BUDGET_OVER       /* spent >= cap */
};

struct llmr_budget_status {
	char scope[16];        /* "provider", "route", "total" */
	char name[128];
	double cap_usd, alert_at;
	double spent_usd, forecast_low_usd, forecast_high_usd;
	int level;             /* enum llmr_budget_level */
};

/* Every cap with this month's spend and forecast at now_ms. *out is new
 * (caller frees). */
int llmr_budget_check(struct llmr_state *st, const struct llmr_config *cfg, int64_t now_ms,
		      struct llmr_budget_status **out, size_t *n, struct llmr_err *e);

/* Set (usd >= 0) or remove (usd < 0) a state-kept cap; scope is "route"
 * or "total" (name ignored for total). */
int llmr_budget_set(struct llmr_state *st, const char *scope, const char *name, double usd,
		    double alert_at, struct llmr_err *e);

const char *llmr_budget_level_name(int level);

#endif
