/*
 * simulate_int.h - what simulate.c (the replay), simulate_chain.c (ids and
 * chains) and simulate_synth.c (profiles) share; not part of the public
 * interface (use simulate.h).
 */
#ifndef LLMR_SIMULATE_INT_H
#define LLMR_SIMULATE_INT_H

#include "cost/simulate.h"

/*
 * The replay works on small integer ids: every model that can appear in a
 * chain gets a slot ("spec") with its provider, price override, quality
 * and measured latency; chains are computed once per (route, complexity,
 * logged model) and shared by all the requests with that triple.
 */

/* Fixed windows of one provider or model in one world. */
struct win {
	int64_t minute, day;
	long mreq, dreq, mtok, dtok;
};

struct spec {
	int32_t prov;              /* index in world providers */
	const struct llmr_price *override; /* --price, or NULL */
	double quality;            /* -1 unknown */
	double median_ms;          /* -1 unknown */
	int32_t logid;             /* id in the log's names, -1 none */
	int32_t pbid;              /* id in the price book, -1 none */
	struct llmr_limits limits; /* the model's own limits (config) */
	struct win w[2];
};

struct prov {
	char *name;
	struct llmr_limits before, after;
	const struct llmr_sim_plan *plan;
	double usage_after;        /* USD before the plan's discount, fee or credit */
	struct win w[2];           /* before, after */
};

struct chain {
	int32_t *before, *after;
	size_t nb, na;
	bool moved;                /* after differs from before */
};

struct sim {
	const struct llmr_cost_log *log;
	const struct llmr_config *cfg;
	const struct llmr_pricebook *pb;
	const struct llmr_sim_changes *ch;
	struct llmr_names specs, provs, triples;
	struct spec *sp;
	struct prov *pv;
	struct chain *chains;
	size_t nchains;
};

/* The id of a provider (name, n bytes) or of a model spec ("p/m"), adding
 * its slot with its limits, plan, price override and quality on first use. */
int32_t llmr_sim_prov_id(struct sim *s, const char *name, size_t n);
int32_t llmr_sim_spec_id(struct sim *s, const char *spec);

/* The index in s->chains of the before/after chains of row's (route,
 * complexity, logged model); may move s->chains. */
size_t llmr_sim_chain_of(struct sim *s, const struct llmr_cost_row *row);

/* Append to log a synthetic month from since of ch's profiles, sorted by
 * time. Returns 0, or -1 with e (LLMR_EX_USAGE) when a profile has no model. */
int llmr_sim_synth(const struct llmr_config *cfg, const struct llmr_pricebook *pb,
		   const struct llmr_sim_changes *ch, int64_t since, struct llmr_cost_log *log,
		   struct llmr_err *e);

#endif
