/*
 * config_model.c - the loaded configuration as a model: defaults, the
 * built-in local provider and default route, look-ups by name, and model
 * references ("provider/model") with a "did you mean" for typos. The YAML
 * reader (config_parse.c) and the checks (config_check.c) both build on it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/config_impl.h"

static const struct llmr_limits no_limits = {-1, -1, -1, -1, -1, -1, -1, NULL, NULL};

void cfg_set_defaults(struct llmr_config *cfg)
{
	cfg->cache_exact_ttl_ms = 24 * 3600 * 1000LL;
	cfg->cache_semantic_threshold = 0.92;
	cfg->cache_semantic_ttl_ms = 3600 * 1000LL;
	cfg->cache_semantic_error_rate = 0.02;
	cfg->cache_semantic_floor = 0.80;
	cfg->budget_calls_per_request = 3;
	cfg->index_chunk_tokens = 400;
	cfg->index_overlap = 40;
	cfg->index_bm25_weight = 1.0;
	cfg->index_vector_weight = -1; /* by embedder: search.c */
	cfg->quota_alert_below = 0.2;
	cfg->serve_timeout_ms = 120000;
	cfg->coordination_share = -1;
	cfg->coordination_hosts = -1;
	cfg->coordination_timeout_ms = 50;
}

void cfg_provider_defaults(struct llmr_provider_cfg *p)
{
	memset(p, 0, sizeof(*p));
	p->protocol = LLMR_PROTO_OPENAI;
	p->tier = LLMR_TIER_PAID;
	p->status = LLMR_PSTATUS_ACTIVE;
	p->limits = no_limits;
	p->budget_usd_per_month = -1;
	p->budget_alert_at = 0.8;
	p->timeout_ms = 60000;
	p->connect_timeout_ms = 10000;
	p->max_retries = 2;
	p->breaker_failures = 5;
	p->breaker_cooldown_ms = 30000;
}

void cfg_model_defaults(struct llmr_model_cfg *m)
{
	memset(m, 0, sizeof(*m));
	m->input = m->output = m->cached_input = m->cache_write = -1;
	m->context = -1;
	m->quality = -1;
	m->tools = -1;
	m->limits = no_limits;
}

void cfg_route_defaults(struct llmr_route_cfg *r)
{
	memset(r, 0, sizeof(*r));
	r->priority = 1;
	r->max_cost = -1;
	r->force = -1;
	r->strategy = LLMR_STRATEGY_ORDER;
	r->on_limit = LLMR_ON_LIMIT_FALLBACK;
	r->max_wait_ms = 30000;
	r->hedge_after_ms = -1;
	r->cache_semantic_threshold = -1;
}

/* local/extractive answers from the index and costs nothing: it must
 * always be there as the last resort, whatever the file says. */
void cfg_add_builtin_local(struct llmr_config *cfg)
{
	struct llmr_provider_cfg *p = NULL;
	struct llmr_model_cfg *m = NULL;
	size_t i;

	for (i = 0; i < cfg->nproviders; i++)
		if (!strcmp(cfg->providers[i].name, "local"))
			p = &cfg->providers[i];
	if (!p) {
		cfg->providers = cfg_grow(cfg->providers, cfg->nproviders, sizeof(*cfg->providers));
		p = &cfg->providers[cfg->nproviders++];
		cfg_provider_defaults(p);
		p->name = llmr_xstrdup("local");
		p->protocol = LLMR_PROTO_EXTRACTIVE;
		p->tier = LLMR_TIER_FREE;
	}
	for (i = 0; i < p->nmodels; i++)
		if (!strcmp(p->models[i].name, "extractive"))
			m = &p->models[i];
	if (!m) {
		p->models = cfg_grow(p->models, p->nmodels, sizeof(*p->models));
		m = &p->models[p->nmodels++];
		cfg_model_defaults(m);
		m->name = llmr_xstrdup("extractive");
	}
	if (m->input < 0)
		m->input = 0;
	if (m->output < 0)
		m->output = 0;
	if (m->cached_input < 0)
		m->cached_input = 0;
	if (m->cache_write < 0)
		m->cache_write = 0;
}

static void chain_add(struct llmr_chain *ch, struct llmr_provider_cfg *p, struct llmr_model_cfg *m)
{
	struct llmr_model_ref *r;
	size_t len = strlen(p->name) + strlen(m->name) + 2;

	ch->refs = cfg_grow(ch->refs, ch->n, sizeof(*ch->refs));
	r = &ch->refs[ch->n++];
	r->spec = llmr_xmalloc(len);
	snprintf(r->spec, len, "%s/%s", p->name, m->name);
	r->provider = p;
	r->model = m;
}

void cfg_synth_default_route(struct llmr_config *cfg)
{
	struct llmr_route_cfg *r;
	struct llmr_provider_cfg *local = llmr_config_provider(cfg, "local");
	size_t i, j;
	int t;

	cfg->routes = cfg_grow(cfg->routes, cfg->nroutes, sizeof(*cfg->routes));
	r = &cfg->routes[cfg->nroutes++];
	cfg_route_defaults(r);
	r->name = llmr_xstrdup("default");
	for (t = 0; t < LLMR_NCOMPLEXITY; t++) {
		for (i = 0; i < cfg->nproviders; i++) {
			struct llmr_provider_cfg *p = &cfg->providers[i];

			if (p == local || p->status != LLMR_PSTATUS_ACTIVE)
				continue;
			for (j = 0; j < p->nmodels; j++)
				chain_add(&r->tiers[t], p, &p->models[j]);
		}
		for (j = 0; local && j < local->nmodels; j++)
			if (!strcmp(local->models[j].name, "extractive"))
				chain_add(&r->tiers[t], local, &local->models[j]);
	}
}


/* Every "provider/model" known, for suggestions. Caller frees each and
 * the array. */
static char **all_specs(const struct llmr_config *cfg, size_t *n)
{
	char **v = NULL;
	size_t i, j;

	*n = 0;
	for (i = 0; i < cfg->nproviders; i++)
		for (j = 0; j < cfg->providers[i].nmodels; j++) {
			size_t len = strlen(cfg->providers[i].name) + strlen(cfg->providers[i].models[j].name) + 2;

			v = cfg_grow(v, *n, sizeof(*v));
			v[*n] = llmr_xmalloc(len);
			snprintf(v[*n], len, "%s/%s", cfg->providers[i].name, cfg->providers[i].models[j].name);
			(*n)++;
		}
	return v;
}

static void suggest(const struct llmr_config *cfg, const char *spec, char *out, size_t len)
{
	size_t n, i;
	char **v = all_specs(cfg, &n);
	const char *near = llmr_nearest(spec, (const char *const *)v, n);

	if (near)
		snprintf(out, len, " (did you mean '%s'?)", near);
	else
		out[0] = '\0';
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The provider and model of spec, by scanning (a single lookup) or through
 * c's index (many). */
static void find_ref(struct cfg_ctx *c, const struct llmr_config *cfg, const char *spec,
		     size_t plen, struct llmr_model_ref *ref)
{
	const char *m = spec + plen + 1;
	size_t i, pi, mi;

	if (c) {
		if (!c->refs)
			c->refs = cfg_index_build(cfg);
		if (cfg_index_find(c->refs, cfg, spec, plen, NULL, &pi, NULL) == 0)
			ref->provider = &cfg->providers[pi];
		if (cfg_index_find(c->refs, cfg, spec, plen, m, &pi, &mi) == 0)
			ref->model = &cfg->providers[pi].models[mi];
		return;
	}
	for (i = 0; i < cfg->nproviders && !ref->provider; i++)
		if (strlen(cfg->providers[i].name) == plen && !strncmp(cfg->providers[i].name, spec, plen))
			ref->provider = &cfg->providers[i];
	for (i = 0; ref->provider && i < ref->provider->nmodels && !ref->model; i++)
		if (!strcmp(ref->provider->models[i].name, m))
			ref->model = &ref->provider->models[i];
}

int cfg_resolve(struct cfg_ctx *c, const struct llmr_config *cfg, const char *spec,
		struct llmr_model_ref *ref, char *why, size_t whylen)
{
	const char *slash = strchr(spec, '/');
	char hint[300] = "";
	size_t plen;

	if (!slash || slash == spec || !slash[1]) {
		snprintf(why, whylen, "malformed model reference '%s' (expected provider/model)", cfg_quote(spec));
		return -1;
	}
	/* Split on the first '/': OpenRouter's model names have their own. */
	plen = (size_t)(slash - spec);
	ref->spec = (char *)spec;
	ref->provider = NULL;
	ref->model = NULL;
	find_ref(c, cfg, spec, plen, ref);
	if (ref->model)
		return 0;
	if (!c || c->suggested++ < CFG_MAX_SUGGESTIONS)
		suggest(cfg, spec, hint, sizeof(hint));
	if (!ref->provider)
		snprintf(why, whylen, "unknown provider '%.*s' in '%s'%s", (int)plen, spec,
			 cfg_quote(spec), hint);
	else
		snprintf(why, whylen, "unknown model '%s'%s", cfg_quote(spec), hint);
	return -1;
}

struct llmr_provider_cfg *llmr_config_provider(const struct llmr_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nproviders; i++)
		if (!strcmp(cfg->providers[i].name, name))
			return &cfg->providers[i];
	return NULL;
}

struct llmr_route_cfg *llmr_config_route(const struct llmr_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nroutes; i++)
		if (!strcmp(cfg->routes[i].name, name))
			return &cfg->routes[i];
	return NULL;
}

int llmr_config_resolve(const struct llmr_config *cfg, const char *spec,
			struct llmr_model_ref *ref, struct llmr_err *e)
{
	char why[400];

	if (cfg_resolve(NULL, cfg, spec, ref, why, sizeof(why)) < 0)
		return llmr_errf(e, LLMR_EX_USAGE, "%s", why);
	return 0;
}
