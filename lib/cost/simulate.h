/*
 * simulate.h - what-if: replay the logged requests (or a synthetic volume
 * profile) under other models, chains, prices, plans or a cache hit rate.
 *
 * Each answered request (last ok attempt) is replayed in time order. Its
 * chain after the change is the --chain given for its route (and
 * complexity), else its configured tier chain from the logged model on,
 * with every --replace applied. Fixed per-minute and per-day windows of
 * each provider's limits (config, or a plan's) and of each model's own
 * limits (config) decide whether a model
 * would have been over a limit, in which case the request falls back to
 * the next model of the chain. A request whose model, price and plan are
 * unchanged keeps its logged cost exactly; any other is repriced on its
 * logged tokens with the price in force at its time. Failed attempts keep
 * their logged cost. Latency of a moved request is the new model's median
 * measured latency in the log (else unchanged); quality is the model's
 * configured quality.
 */
#ifndef LLMR_SIMULATE_H
#define LLMR_SIMULATE_H

#include <stdbool.h>

#include "conf/config.h"
#include "cost/cost.h"
#include "cost/prices.h"
#include "base/util.h"

struct llmr_sim_replace {
	char *from, *to;   /* provider/model */
	char *route;       /* NULL = every route */
	int complexity;    /* -1 = every tier */
};

struct llmr_sim_chain {
	char *route;
	int complexity;    /* -1 = every tier of the route */
	char **models;
	size_t n;
};

struct llmr_sim_price {
	char *spec;
	struct llmr_price p;
};

/* A plan: a monthly fee with a discount on usage, other limits, or a
 * committed monthly credit that expires at month end. */
struct llmr_sim_plan {
	char *provider;
	double fee_usd;        /* per month; 0 none */
	double discount;       /* fraction off usage, 0..1 */
	double credit_usd;     /* committed per month; 0 none */
	struct llmr_limits limits; /* -1 = keep the configured one */
};

/* A synthetic profile: per_day requests of a route over 30 days. */
struct llmr_sim_profile {
	char *route;
	double per_day;
	long in, out;
	int complexity;    /* default simple */
	char *model;       /* NULL = the route's chain head */
};

struct llmr_sim_changes {
	struct llmr_sim_replace *rep;
	size_t nrep;
	struct llmr_sim_chain *chains;
	size_t nchains;
	struct llmr_sim_price *prices;
	size_t nprices;
	struct llmr_sim_plan *plans;
	size_t nplans;
	struct llmr_sim_profile *profiles;
	size_t nprofiles;
	double cache_rate;     /* -1 = as logged */
};

/*
 * Parse one command-line change into ch. Each returns 0, or -1 with e
 * (LLMR_EX_USAGE) naming what is wrong:
 *   replace: FROM=TO[@ROUTE[:COMPLEXITY]]       ROUTE may be '*'
 *   chain:   ROUTE[:COMPLEXITY]=M1,M2,...
 *   price:   PROVIDER/MODEL=INPUT,OUTPUT[,CACHED]   USD per 1M tokens
 *   plan:    PROVIDER:fee=USD,discount=PCT,credit=USD,rpm=N,rpd=N,tpm=N,tpd=N
 *            (any subset)
 *   profile: ROUTE=PER_DAY[,in=N][,out=N][,complexity=C][,model=P/M]
 */
int llmr_sim_add_replace(struct llmr_sim_changes *ch, const char *arg, struct llmr_err *e);
int llmr_sim_add_chain(struct llmr_sim_changes *ch, const char *arg, struct llmr_err *e);
int llmr_sim_add_price(struct llmr_sim_changes *ch, const char *arg, struct llmr_err *e);
int llmr_sim_add_plan(struct llmr_sim_changes *ch, const char *arg, struct llmr_err *e);
int llmr_sim_add_profile(struct llmr_sim_changes *ch, const char *arg, struct llmr_err *e);
void llmr_sim_changes_init(struct llmr_sim_changes *ch);
void llmr_sim_changes_release(struct llmr_sim_changes *ch);

/* One side (before or after) of a simulation. */
struct llmr_sim_side {
	double cost_usd;       /* over the period, plans included */
	double monthly_usd;    /* cost_usd scaled to 30 days */
	double avg_latency_ms; /* -1 none */
	double avg_quality;    /* -1 none */
	long limited;          /* requests that met a limit on their first model */
	long unserved;         /* requests over the limits of every model in their chain */
};

struct llmr_sim_route {
	char *route;
	long requests;
	double before_usd, after_usd;
};

struct llmr_sim_model {
	char *model;
	long before, after;    /* answered requests */
};

struct llmr_sim_result {
	double days;
	long requests;         /* answered requests replayed */
	long changed;          /* answered by another model after the change */
	long repriced;         /* cost recomputed */
	long unpriced;         /* no price known for the new model (cost 0) */
	struct llmr_sim_side before, after;
	double delta_usd, delta_pct, delta_latency_ms, delta_quality;
	double plan_fees_usd, credit_unused_usd;
	struct llmr_sim_route *routes;
	size_t nroutes;
	struct llmr_sim_model *models;
	size_t nmodels;
};

/*
 * Replay log rows within [since, until) (or, when ch has profiles, a
 * synthetic month from since) under ch. Returns 0 or -1 with e. Release
 * with llmr_sim_result_release.
 */
int llmr_simulate(const struct llmr_cost_log *log, int64_t since, int64_t until,
		  const struct llmr_config *cfg, const struct llmr_pricebook *pb,
		  const struct llmr_sim_changes *ch, struct llmr_sim_result *r, struct llmr_err *e);
void llmr_sim_result_release(struct llmr_sim_result *r);

/* The chain of route/complexity after ch's --chain and --replace changes:
 * new array of borrowed or ch-owned specs (caller frees the array only). */
const char **llmr_sim_chain_for(const struct llmr_config *cfg, const struct llmr_sim_changes *ch,
				const char *route, int complexity, size_t *n);

#endif
