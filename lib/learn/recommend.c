/*
 * llmr-bench recommend: measure quality from outcomes, find the route
 * tiers whose first model is dominated on the quality/price frontier, and
 * price each proposal with llmr-cost's simulation over the real log.
 */
#include "learn/recommend.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost/cost.h"
#include "cost/prices.h"
#include "cost/quality.h"
#include "cost/simulate.h"
#include "learn/outcomes.h"

#define DAY_MS (24LL * 3600 * 1000)

void llmr_recommend_release(struct llmr_recommend *r)
{
	for (size_t i = 0; i < r->nm; i++) {
		free(r->m[i].spec);
		free(r->m[i].outcome);
	}
	free(r->m);
	llmr_changes_free(r->c, r->nc);
	memset(r, 0, sizeof(*r));
}

/* The configured model an outcome's model name stands for: its spec, or
 * a bare model name that exactly one configured model has. */
static struct llmr_model_cfg *configured(const struct llmr_config *cfg, const char *name,
					 char *spec, size_t n)
{
	struct llmr_model_cfg *found = NULL;
	struct llmr_model_ref ref;
	struct llmr_err ignored = {0, ""};
	int hits = 0;

	if (strchr(name, '/') && llmr_config_resolve(cfg, name, &ref, &ignored) == 0 && ref.model) {
		snprintf(spec, n, "%s", name);
		return ref.model;
	}
	for (size_t p = 0; p < cfg->nproviders; p++)
		for (size_t m = 0; m < cfg->providers[p].nmodels; m++)
			if (!strcmp(cfg->providers[p].models[m].name, name)) {
				found = &cfg->providers[p].models[m];
				snprintf(spec, n, "%s/%s", cfg->providers[p].name, name);
				hits++;
			}
	return hits == 1 ? found : NULL;
}

/* Step 1: each named model's mean score, as 0..100, stored and set. */
static int measure(struct llmr_state *st, struct llmr_config *cfg, struct llmr_recommend *r,
		   struct llmr_err *e)
{
	struct llmr_outcomes o;
	double lo = INFINITY, hi = -INFINITY, range;
	int rc = 0;

	llmr_outcomes_init(&o);
	if (llmr_outcomes_load(st, &o, e) < 0)
		rc = -1;
	for (size_t i = 0; i < o.ncells; i++) {
		lo = fmin(lo, o.cells[i].score);
		hi = fmax(hi, o.cells[i].score);
	}
	range = lo >= 0 && hi <= 1 ? 1 : hi - lo;
	if (lo >= 0 && hi <= 1)
		lo = 0;
	for (size_t k = 0; k < o.nmodels && !rc; k++) {
		struct llmr_model_cfg *mc;
		struct llmr_measured *m;
		char spec[200], source[64];
		double sum = 0;
		long n = 0;

		if (!(mc = configured(cfg, o.models[k], spec, sizeof(spec))))
			continue;
		for (size_t i = 0; i < o.ncells; i++)
			if (o.cells[i].model == k) {
				sum += range > 0 ? (o.cells[i].score - lo) / range : 1;
				n++;
			}
		if (!n)
			continue;
		r->m = llmr_xrealloc(r->m, (r->nm + 1) * sizeof(*r->m));
		m = &r->m[r->nm++];
		m->spec = llmr_xstrdup(spec);
		m->outcome = llmr_xstrdup(o.models[k]);
		m->quality = (int)lrint(100 * sum / (double)n);
		m->was = mc->quality;
		m->n = n;
		snprintf(source, sizeof(source), "outcomes: %ld prompts", n);
		if (llmr_quality_store(st, spec, m->quality, source, e) < 0)
			rc = -1;
		mc->quality = m->quality;
	}
	llmr_outcomes_release(&o);
	return rc;
}

static double price_of(const struct llmr_model_cfg *m)
{
	return (m->input > 0 ? m->input : 0) + (m->output > 0 ? m->output : 0);
}

static bool eligible(const struct llmr_provider_cfg *p, const struct llmr_model_cfg *m)
{
	return p->status != LLMR_PSTATUS_INACTIVE && p->protocol != LLMR_PROTO_EXTRACTIVE &&
	       m->quality >= 0 && (m->input >= 0 || m->output >= 0);
}

/* Step 2: the cheapest eligible model at least as good as head and
 * cheaper; ties on price go to the better one. */
static bool dominating(const struct llmr_config *cfg, const struct llmr_model_ref *head, char *spec,
		       size_t n, const struct llmr_model_cfg **out)
{
	const struct llmr_model_cfg *best = NULL, *h = head->model;

	if (!h || !eligible(head->provider, h))
		return false;
	for (size_t p = 0; p < cfg->nproviders; p++)
		for (size_t k = 0; k < cfg->providers[p].nmodels; k++) {
			const struct llmr_model_cfg *m = &cfg->providers[p].models[k];

			if (m == h || !eligible(&cfg->providers[p], m) || m->quality < h->quality ||
			    !(price_of(m) < price_of(h)))
				continue;
			if (!best || price_of(m) < price_of(best) ||
			    (price_of(m) == price_of(best) && m->quality > best->quality)) {
				best = m;
				snprintf(spec, n, "%s/%s", cfg->providers[p].name, m->name);
			}
		}
	*out = best;
	return best != NULL;
}

/* The proposal for one tier, or NULL: better first, then the old chain. */
static void propose(const struct llmr_config *cfg, const struct llmr_route_cfg *route, int t,
		    struct llmr_recommend *r)
{
	const struct llmr_chain *ch = &route->tiers[t];
	const struct llmr_model_cfg *better;
	struct llmr_buf old = LLMR_BUF_INIT, now = LLMR_BUF_INIT, why = LLMR_BUF_INIT;
	struct llmr_change *c;
	char spec[200];

	/* Under another strategy the order as written is not what is used:
	 * the route sorts its chain itself. */
	if (route->strategy != LLMR_STRATEGY_ORDER || !ch->n ||
	    !dominating(cfg, &ch->refs[0], spec, sizeof(spec), &better))
		return;
	llmr_buf_adds(&now, spec);
	for (size_t i = 0; i < ch->n; i++) {
		llmr_buf_addf(&old, "%s%s", i ? "," : "", ch->refs[i].spec);
		if (strcmp(ch->refs[i].spec, spec))
			llmr_buf_addf(&now, ",%s", ch->refs[i].spec);
	}
	llmr_buf_addf(&why, "%s (quality %d, $%.2f/1M in+out) is at least as good as %s (quality %d, $%.2f/1M) for less",
		      spec, better->quality, price_of(better), ch->refs[0].spec,
		      ch->refs[0].model->quality, price_of(ch->refs[0].model));
	r->c = llmr_xrealloc(r->c, (r->nc + 1) * sizeof(*r->c));
	c = memset(&r->c[r->nc++], 0, sizeof(*c));
	c->route = llmr_xstrdup(route->name);
	c->tier = t;
	c->old_chain = old.s;
	c->chain = now.s;
	c->why = why.s;
	c->status = llmr_xstrdup("pending");
}

/* Step 3: the simulation of one change over the log. */
static int impact(const struct llmr_config *cfg, const struct llmr_pricebook *pb,
		  const struct llmr_cost_log *log, struct llmr_recommend *r, struct llmr_change *c,
		  struct llmr_err *e)
{
	struct llmr_sim_changes ch;
	struct llmr_sim_result s;
	char *arg = llmr_change_arg(c);
	int rc;

	llmr_sim_changes_init(&ch);
	rc = llmr_sim_add_chain(&ch, arg, e);
	if (rc == 0 && (rc = llmr_simulate(log, r->since, r->until, cfg, pb, &ch, &s, e)) == 0) {
		c->requests = s.requests;
		c->changed = s.changed;
		c->before_usd = s.before.cost_usd;
		c->after_usd = s.after.cost_usd;
		c->delta_quality = s.delta_quality;
		c->delta_latency_ms = s.delta_latency_ms;
		llmr_sim_result_release(&s);
	}
	llmr_sim_changes_release(&ch);
	free(arg);
	return rc ? -1 : 0;
}

int llmr_recommend(struct llmr_state *st, struct llmr_config *cfg, int64_t now_ms,
		   struct llmr_recommend *r, struct llmr_err *e)
{
	struct llmr_cost_log log = {0};
	struct llmr_pricebook pb;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	r->until = now_ms;
	r->since = now_ms - 30 * DAY_MS;
	if (measure(st, cfg, r, e) < 0)
		return -1;
	for (size_t i = 0; i < cfg->nroutes; i++)
		for (int t = 0; t < LLMR_NCOMPLEXITY; t++)
			propose(cfg, &cfg->routes[i], t, r);
	if (!r->nc)
		return 0;
	if (llmr_pricebook_load(&pb, cfg, llmr_state_db(st), e) < 0)
		return -1;
	if (llmr_cost_log_load(llmr_state_db(st), r->since, r->until, &log, e) < 0)
		rc = -1;
	for (size_t i = 0; i < r->nc && !rc; i++)
		if (impact(cfg, &pb, &log, r, &r->c[i], e) < 0 ||
		    llmr_change_file(st, &r->c[i], now_ms, e) < 0)
			rc = -1;
	llmr_cost_log_release(&log);
	llmr_pricebook_release(&pb);
	return rc;
}
