#include "route/route.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Output tokens assumed when the request does not say, per tier: enough to
 * price a typical answer, and what quotas reserve. */
static const long default_out[] = {300, 600, 1200};

void llmr_route_req_init(struct llmr_route_req *r)
{
	memset(r, 0, sizeof(*r));
	r->priority = -1;
	r->complexity = -1;
}

static const struct llmr_route_cfg *find_route(const struct llmr_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nroutes; i++)
		if (!strcmp(cfg->routes[i].name, name))
			return &cfg->routes[i];
	return NULL;
}

static int has_tiers(const struct llmr_route_cfg *r)
{
	for (int t = 0; t < LLMR_NCOMPLEXITY; t++)
		if (r->tiers[t].n)
			return 1;
	return 0;
}

/* The route's chain for tier t; an empty tier borrows the nearest stronger
 * one (never send a hard question to a weaker tier silently), then the
 * nearest weaker one. *used gets the tier actually taken. */
static const struct llmr_chain *tier_chain(const struct llmr_route_cfg *r, int t, int *used)
{
	for (int k = t; k < LLMR_NCOMPLEXITY; k++)
		if (r->tiers[k].n) {
			*used = k;
			return &r->tiers[k];
		}
	for (int k = t - 1; k >= 0; k--)
		if (r->tiers[k].n) {
			*used = k;
			return &r->tiers[k];
		}
	return NULL;
}

/* snprintf(dst, n, "%s", src) without the format machinery: hot path. */
static void copy_str(char *dst, size_t n, const char *src)
{
	size_t len = strnlen(src, n - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

static double model_price(double v)
{
	return v < 0 ? 0 : v;
}

static double est_cost(const struct llmr_model_cfg *m, long in, long out)
{
	if (!m)
		return 0;
	return (in * model_price(m->input) + out * model_price(m->output)) / 1e6;
}

static void add_cand(struct llmr_decision *d, const struct llmr_provider_cfg *p,
		     const struct llmr_model_cfg *m, const char *spec)
{
	struct llmr_route_cand *c;

	if (d->nchain >= LLMR_ROUTE_MAX)
		return;
	c = &d->chain[d->nchain++];
	memset(c, 0, sizeof(*c));
	copy_str(c->spec, sizeof(c->spec), spec);
	c->ref.spec = c->spec;
	c->ref.provider = (struct llmr_provider_cfg *)p;
	c->ref.model = (struct llmr_model_cfg *)m;
	c->est_cost_usd = est_cost(m, d->est_input_tokens, d->est_output_tokens);
}

/* cls: rate_limited for what passes, auth for a missing key, else
 * no_candidate (llmr_decision_errclass). */
static void skip(struct llmr_decision *d, const struct llmr_route_cand *c, enum llmr_errclass cls,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Without routes (the built-in config), every model of every provider in
 * config order is a candidate. A provider with no models has nothing to
 * call (a request must name a model): it is skipped, not guessed at. */
static void all_models(const struct llmr_config *cfg, struct llmr_decision *d)
{
	char spec[160];

	for (size_t i = 0; i < cfg->nproviders; i++) {
		const struct llmr_provider_cfg *p = &cfg->providers[i];

		if (!p->nmodels) {
			struct llmr_route_cand c;

			memset(&c, 0, sizeof(c));
			snprintf(c.spec, sizeof(c.spec), "%s/*", p->name);
			c.ref.provider = (struct llmr_provider_cfg *)p;
			skip(d, &c, LLMR_ERR_NO_CANDIDATE, "provider has no models configured");
		}
		for (size_t j = 0; j < p->nmodels; j++) {
			snprintf(spec, sizeof(spec), "%s/%s", p->name, p->models[j].name);
			add_cand(d, p, &p->models[j], spec);
		}
	}
}

static void skip(struct llmr_decision *d, const struct llmr_route_cand *c, enum llmr_errclass cls,
		 const char *fmt, ...)
{
	struct llmr_route_cand *s;
	va_list ap;

	if (d->nskipped >= LLMR_ROUTE_MAX)
		return;
	s = &d->skipped[d->nskipped++];
	*s = *c;
	s->ref.spec = s->spec;
	s->cls = cls;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
}

/* A key is present when its variable is set (never read into anything
 * else) or its key file is readable; a provider naming neither needs none. */
static const char *missing_key(const struct llmr_provider_cfg *p)
{
	const char *v;

	if (p->protocol == LLMR_PROTO_EXTRACTIVE)
		return NULL;
	if (p->api_key_env && (v = getenv(p->api_key_env)) && *v)
		return NULL;
	if (p->api_key_file && access(p->api_key_file, R_OK) == 0)
		return NULL;
	if (!p->api_key_env && !p->api_key_file)
		return NULL;
	return p->api_key_env ? p->api_key_env : p->api_key_file;
}

/* Drop candidates that cannot answer now, keeping the order of the rest.
 * named: the request named the model, which overrides the route's limits. */
static void filter(struct llmr_decision *d, const struct llmr_route_view *view, bool named,
		   bool tools)
{
	const enum llmr_errclass never = LLMR_ERR_NO_CANDIDATE;

	size_t k = 0;
	long need = d->est_input_tokens + d->est_output_tokens;

	for (size_t i = 0; i < d->nchain; i++) {
		struct llmr_route_cand *c = &d->chain[i];
		const struct llmr_provider_cfg *p = c->ref.provider;
		const struct llmr_model_cfg *m = c->ref.model;
		const char *key;
		char why[160];
		bool temp = true;

		if (!p) {
			skip(d, c, never, "unknown provider");
			continue;
		}
		if (p->status == LLMR_PSTATUS_INACTIVE) {
			skip(d, c, never, "provider inactive");
			continue;
		}
		if (p->status == LLMR_PSTATUS_TESTING && !named) {
			skip(d, c, never, "provider in testing (name it with --model to try it)");
			continue;
		}
		if ((key = missing_key(p))) {
			if (p->api_key_env)
				skip(d, c, LLMR_ERR_AUTH, "no key: set %s", key);
			else
				skip(d, c, LLMR_ERR_AUTH, "no key: key file '%s' is not readable", key);
			continue;
		}
		if (tools && p->protocol == LLMR_PROTO_EXTRACTIVE) {
			skip(d, c, never, "the request uses tools: the extractive model has none");
			continue;
		}
		if (tools && m && m->tools == 0) {
			skip(d, c, never, "the request uses tools: the model does not take them "
					  "(tools: false)");
			continue;
		}
		if (m && m->context > 0 && need > m->context) {
			skip(d, c, never, "context window %ld too small for ~%ld tokens", m->context, need);
			continue;
		}
		if (!named && d->rcfg && d->rcfg->max_cost >= 0 && c->est_cost_usd > d->rcfg->max_cost) {
			skip(d, c, never, "over max_cost: ~$%.6f > $%.6f", c->est_cost_usd,
			     d->rcfg->max_cost);
			continue;
		}
		if (view && view->blocked && view->blocked(view->ud, &c->ref, need, why, sizeof(why), &temp)) {
			skip(d, c, temp ? LLMR_ERR_RATE_LIMITED : never, "%s", why);
			continue;
		}
		if (view && view->over_cap && view->over_cap(view->ud, &c->ref, c->est_cost_usd, why, sizeof(why))) {
			skip(d, c, LLMR_ERR_RATE_LIMITED, "%s", why); /* a spent cap: try later (75) */
			continue;
		}
		if (k != i) {
			d->chain[k] = *c;
			d->chain[k].ref.spec = d->chain[k].spec;
		}
		k++;
	}
	d->nchain = k;
}

static int is_extractive(const struct llmr_route_cand *c)
{
	return c->ref.provider && c->ref.provider->protocol == LLMR_PROTO_EXTRACTIVE;
}

/* Sort keys for the strategies; lower sorts first. */
struct keyed {
	struct llmr_route_cand c;
	double key;
	size_t pos;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int xe = is_extractive(&x->c), ye = is_extractive(&y->c);

	/* The offline extractive answer is the last resort whatever the key. */
	if (xe != ye)
		return xe - ye;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static void order(struct llmr_decision *d, enum llmr_strategy s, const struct llmr_route_view *view)
{
	struct keyed k[LLMR_ROUTE_MAX];

	if (s == LLMR_STRATEGY_ORDER || d->nchain < 2)
		return;
	for (size_t i = 0; i < d->nchain; i++) {
		const struct llmr_model_cfg *m = d->chain[i].ref.model;
		int64_t lat;

		k[i].c = d->chain[i];
		k[i].pos = i;
		if (s == LLMR_STRATEGY_CHEAPEST) {
			k[i].key = d->chain[i].est_cost_usd;
		} else if (s == LLMR_STRATEGY_FASTEST) {
			lat = view && view->latency_ms ? view->latency_ms(view->ud, &d->chain[i].ref) : -1;
			k[i].key = lat < 0 ? 1e12 : (double)lat; /* unmeasured goes last */
		} else {
			k[i].key = m && m->quality >= 0 ? -(double)m->quality : 1.0;
		}
	}
	qsort(k, d->nchain, sizeof(k[0]), cmp_keyed);
	for (size_t i = 0; i < d->nchain; i++) {
		d->chain[i] = k[i].c;
		d->chain[i].ref.spec = d->chain[i].spec;
	}
}

/* A route without tiers (one that only forces a tier, say) takes them from
 * the default route, else the first route that has some. */
static const struct llmr_route_cfg *tier_source(const struct llmr_config *cfg,
						const struct llmr_route_cfg *r)
{
	const struct llmr_route_cfg *d;

	if (r && has_tiers(r))
		return r;
	if (cfg->default_route && (d = find_route(cfg, cfg->default_route)) && has_tiers(d))
		return d;
	for (size_t i = 0; i < cfg->nroutes; i++)
		if (has_tiers(&cfg->routes[i]))
			return &cfg->routes[i];
	return NULL;
}

static int fill_chain(const struct llmr_config *cfg, const struct llmr_route_req *req,
		      struct llmr_decision *d, int *tier_used, const struct llmr_route_cfg **src,
		      struct llmr_err *e)
{
	const struct llmr_chain *ch = NULL;
	struct llmr_model_ref named;

	*tier_used = d->complexity;
	if (req->model) {
		if (llmr_config_resolve(cfg, req->model, &named, e) < 0) {
			e->code = LLMR_EX_DATAERR;
			return -1;
		}
		*src = NULL;
		add_cand(d, named.provider, named.model, req->model);
		return 0;
	}
	if ((*src = tier_source(cfg, d->rcfg)))
		ch = tier_chain(*src, d->complexity, tier_used);
	if (!ch) {
		all_models(cfg, d);
		return 0;
	}
	for (size_t i = 0; i < ch->n; i++)
		add_cand(d, ch->refs[i].provider, ch->refs[i].model, ch->refs[i].spec);
	return 0;
}

const struct llmr_route_cfg *llmr_route_find(const struct llmr_config *cfg, const char *name,
					     struct llmr_err *e)
{
	const struct llmr_route_cfg *r;

	if (name) {
		if (!(r = find_route(cfg, name)))
			llmr_errf(e, LLMR_EX_DATAERR, "unknown route '%s'", name);
		return r;
	}
	if (cfg->default_route && (r = find_route(cfg, cfg->default_route)))
		return r;
	return cfg->nroutes ? &cfg->routes[0] : NULL;
}

/* Classify unless the request or the route fixes the tier. */
static void pick_tier(const struct llmr_route_req *req, struct llmr_decision *d, char *why, size_t n)
{
	struct llmr_classify_in in = {req->text ? req->text : "", req->text_len, req->max_tokens, req->json};
	struct llmr_class c;

	llmr_classify(&in, &c);
	d->score = c.score;
	d->task = c.task;
	d->complexity = c.complexity;
	copy_str(why, n, c.reason);
	if (d->rcfg && d->rcfg->force >= 0 && d->rcfg->force < LLMR_NCOMPLEXITY) {
		d->complexity = d->rcfg->force;
		snprintf(why, n, "forced %s by route '%s' (%s)", llmr_complexity_name(d->complexity),
			 d->rcfg->name, c.reason);
	} else if (req->complexity >= 0 && req->complexity < LLMR_NCOMPLEXITY) {
		d->complexity = req->complexity;
		if (req->complexity_by && req->scored)
			d->score = req->score;
		if (req->complexity_by)
			snprintf(why, n, "%s by the %s (heuristic: %s)", llmr_complexity_name(d->complexity),
				 req->complexity_by, c.reason);
		else
			snprintf(why, n, "%s asked by the request", llmr_complexity_name(d->complexity));
	}
}

/* The decision's reason: why this tier, which chain, how it was ordered. */
static void explain(struct llmr_decision *d, const struct llmr_route_req *req, const char *why,
		    int used, const struct llmr_route_cfg *src, enum llmr_strategy strat)
{
	char chain[160], borrowed[64] = "", of[80] = "";

	if (used != d->complexity)
		snprintf(borrowed, sizeof(borrowed), " (borrowed: the route has no %s tier)",
			 llmr_complexity_name(d->complexity));
	if (src && src != d->rcfg)
		snprintf(of, sizeof(of), " of route '%s'", src->name);
	if (req->model)
		snprintf(chain, sizeof(chain), "model %s named by the request", req->model);
	else if (!src)
		snprintf(chain, sizeof(chain), "tier %s (no routes: every configured model)",
			 llmr_complexity_name(used));
	else
		snprintf(chain, sizeof(chain), "tier %s%s%s", llmr_complexity_name(used), borrowed, of);
	snprintf(d->reason, sizeof(d->reason), "%s; %s, strategy %s%s%s", why, chain,
		 llmr_strategy_name(strat), d->degraded ? ", degraded mode" : "",
		 d->nchain ? "" : "; no candidate left");
}

int llmr_route_decide(const struct llmr_config *cfg, const struct llmr_route_view *view,
		      const struct llmr_route_req *req, struct llmr_decision *d,
		      struct llmr_err *e)
{
	enum llmr_strategy strat;
	const struct llmr_route_cfg *src;
	char why[300];
	int used;

	memset(d, 0, sizeof(*d));
	copy_str(d->id, sizeof(d->id), req->id ? req->id : "");
	d->rcfg = llmr_route_find(cfg, req->route, e);
	if (req->route && !d->rcfg)
		return -1;
	d->route = d->rcfg ? d->rcfg->name : "";
	d->priority = req->priority >= 0 && req->priority <= 3 ? req->priority
		      : d->rcfg && d->rcfg->priority >= 0 ? d->rcfg->priority : 1;
	pick_tier(req, d, why, sizeof(why));
	d->est_input_tokens = llmr_classify_tokens(req->text_len) + 8; /* framing */
	d->est_output_tokens = req->max_tokens > 0 ? req->max_tokens : default_out[d->complexity];
	d->degraded = view && view->degraded;
	if (fill_chain(cfg, req, d, &used, &src, e) < 0)
		return -1;
	filter(d, view, req->model != NULL, req->tools);
	strat = d->rcfg ? d->rcfg->strategy : LLMR_STRATEGY_ORDER;
	/* Degraded mode trades quality for headroom, except for P0. */
	if (req->cheapest || (d->degraded && d->priority > 0))
		strat = LLMR_STRATEGY_CHEAPEST;
	if (d->degraded && d->priority == 3)
		d->skip = "degraded";
	order(d, strat, view);
	d->est_cost_usd = d->nchain ? d->chain[0].est_cost_usd : 0;
	explain(d, req, why, used, src, strat);
	return 0;
}

enum llmr_errclass llmr_decision_errclass(const struct llmr_decision *d)
{
	enum llmr_errclass cls = LLMR_ERR_NO_CANDIDATE;

	if (d->nchain)
		return LLMR_ERR_NONE;
	for (size_t i = 0; i < d->nskipped; i++) {
		if (d->skipped[i].cls == LLMR_ERR_RATE_LIMITED)
			return LLMR_ERR_RATE_LIMITED;
		if (d->skipped[i].cls == LLMR_ERR_AUTH)
			cls = LLMR_ERR_AUTH;
	}
	return cls;
}

int llmr_route_check_answer(const char *text, size_t len, const char *finish_reason,
			    bool json, char *why, size_t n)
{
	size_t i = 0;
	json_error_t jerr;
	json_t *v;

	if (!text)
		len = 0;
	while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t' || text[i] == '\r'))
		i++;
	if (i == len) {
		snprintf(why, n, "empty answer");
		return -1;
	}
	if (finish_reason && !strcmp(finish_reason, "length")) {
		snprintf(why, n, "truncated by length");
		return -1;
	}
	if (json) {
		/* Models often fence JSON in ```json ... ```: accept that. */
		if (len - i > 6 && !strncmp(text + i, "```", 3)) {
			const char *nl = memchr(text + i, '\n', len - i), *end = text + len;

			while (end > text + i && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\r'))
				end--;
			if (nl && end - nl > 3 && !strncmp(end - 3, "```", 3)) {
				i = (size_t)(nl - text);
				len = (size_t)(end - 3 - text);
			}
		}
		v = json_loadb(text + i, len - i, JSON_DECODE_ANY, &jerr);
		if (!v) {
			snprintf(why, n, "invalid JSON: %s", jerr.text);
			return -1;
		}
		json_decref(v);
	}
	return 0;
}
