/*
 * config_parse.c - the schema: one table per mapping says which keys are
 * valid there, what type each holds and where it goes in the config, and
 * the named sections (providers, models, routes, chains) are read here.
 * The walk itself is config_walk.c's. Every problem is recorded and the
 * walk goes on, so a user fixes a file in one round instead of one error
 * per run.
 */
#include <stdlib.h>
#include <string.h>

#include "conf/config_impl.h"

/* K_ENUM stores through an int *: the enum fields must be int-sized. */
_Static_assert(sizeof(enum llmr_protocol) == sizeof(int), "enum size");
_Static_assert(sizeof(enum llmr_tier) == sizeof(int), "enum size");
_Static_assert(sizeof(enum llmr_pstatus) == sizeof(int), "enum size");
_Static_assert(sizeof(enum llmr_strategy) == sizeof(int), "enum size");
_Static_assert(sizeof(enum llmr_on_limit) == sizeof(int), "enum size");

static const char *const protocol_names[] = {"openai", "anthropic", "gemini", "ollama", "extractive", NULL};
static const char *const tier_names[] = {"free", "paid", "enterprise", NULL};
static const char *const status_names[] = {"active", "inactive", "testing", NULL};
static const char *const on_limit_names[] = {"fallback", "wait", NULL};
static const char *const logs_names[] = {"on", "off", NULL};

#define F(k, kind, type, member) {k, kind, offsetof(type, member), NULL, NULL, NULL}
#define FE(k, type, member, names) {k, K_ENUM, offsetof(type, member), names, NULL, NULL}
#define FM(k, off, sub) {k, K_MAP, off, NULL, sub, NULL}
#define FC(k, off, fn) {k, K_CUSTOM, off, NULL, NULL, fn}
#define FEND {NULL, K_DONE, 0, NULL, NULL, NULL}

static cfg_fn read_models, read_routes, read_chain, read_aliases, read_serve;

static const struct cfg_field limits_fields[] = {
	F("rps", K_COUNT, struct llmr_limits, rps),
	F("rpm", K_COUNT, struct llmr_limits, rpm),
	F("rpd", K_COUNT, struct llmr_limits, rpd),
	F("tps", K_COUNT, struct llmr_limits, tps),
	F("tpm", K_COUNT, struct llmr_limits, tpm),
	F("tpd", K_COUNT, struct llmr_limits, tpd),
	F("concurrent", K_COUNT, struct llmr_limits, concurrent),
	F("rpd_reset", K_STR, struct llmr_limits, rpd_reset),
	F("tpd_reset", K_STR, struct llmr_limits, tpd_reset),
	FEND
};
static const struct cfg_table limits_table = {limits_fields};

/* A yes/no key read as an enum: YAML's true/false, no new value kind. */
/* YAML's two booleans; anything else (yes, 1, on) is reported, not guessed. */
static const char *const bool_names[] = {"false", "true", NULL};

static const struct cfg_field model_fields[] = {
	F("input", K_REAL, struct llmr_model_cfg, input),
	F("output", K_REAL, struct llmr_model_cfg, output),
	F("cached_input", K_REAL, struct llmr_model_cfg, cached_input),
	F("cache_write", K_REAL, struct llmr_model_cfg, cache_write),
	F("context", K_COUNT, struct llmr_model_cfg, context),
	F("quality", K_QUALITY, struct llmr_model_cfg, quality),
	FE("tools", struct llmr_model_cfg, tools, bool_names),
	FM("limits", offsetof(struct llmr_model_cfg, limits), &limits_table),
	FEND
};
static const struct cfg_table model_table = {model_fields};

static const struct cfg_field pbudget_fields[] = {
	F("usd_per_month", K_REAL, struct llmr_provider_cfg, budget_usd_per_month),
	F("alert_at", K_FRACTION, struct llmr_provider_cfg, budget_alert_at),
	FEND
};
static const struct cfg_table pbudget_table = {pbudget_fields};

static const struct cfg_field breaker_fields[] = {
	F("failures", K_INT, struct llmr_provider_cfg, breaker_failures),
	F("cooldown", K_DURATION, struct llmr_provider_cfg, breaker_cooldown_ms),
	FEND
};
static const struct cfg_table breaker_table = {breaker_fields};

static const struct cfg_field provider_fields[] = {
	FE("protocol", struct llmr_provider_cfg, protocol, protocol_names),
	F("base_url", K_URL, struct llmr_provider_cfg, base_url),
	F("api_key_env", K_ENVNAME, struct llmr_provider_cfg, api_key_env),
	F("api_key_file", K_STR, struct llmr_provider_cfg, api_key_file),
	FE("tier", struct llmr_provider_cfg, tier, tier_names),
	FE("status", struct llmr_provider_cfg, status, status_names),
	FM("limits", offsetof(struct llmr_provider_cfg, limits), &limits_table),
	FM("budget", 0, &pbudget_table),
	F("timeout", K_DURATION, struct llmr_provider_cfg, timeout_ms),
	F("connect_timeout", K_DURATION, struct llmr_provider_cfg, connect_timeout_ms),
	F("max_retries", K_INT, struct llmr_provider_cfg, max_retries),
	FM("breaker", 0, &breaker_table),
	F("notes", K_STR, struct llmr_provider_cfg, notes),
	F("key_expires", K_STR, struct llmr_provider_cfg, key_expires),
	FC("models", 0, read_models),
	FEND
};
static const struct cfg_table provider_table = {provider_fields};

#define TIER_OFF(i) (offsetof(struct llmr_route_cfg, tiers) + (i) * sizeof(struct llmr_chain))
static const struct cfg_field tiers_fields[] = {
	FC("simple", TIER_OFF(LLMR_SIMPLE), read_chain),
	FC("medium", TIER_OFF(LLMR_MEDIUM), read_chain),
	FC("complex", TIER_OFF(LLMR_COMPLEX), read_chain),
	FEND
};
static const struct cfg_table tiers_table = {tiers_fields};


static const struct cfg_field route_cache_fields[] = {
	FE("sampled", struct llmr_route_cfg, cache_sampled, bool_names),
	F("namespace", K_STR, struct llmr_route_cfg, cache_namespace),
	F("semantic_threshold", K_FRACTION, struct llmr_route_cfg, cache_semantic_threshold),
	FE("high_stakes", struct llmr_route_cfg, cache_high_stakes, bool_names),
	FEND
};
static const struct cfg_table route_cache_table = {route_cache_fields};

static const struct cfg_field route_fields[] = {
	FE("priority", struct llmr_route_cfg, priority, llmr_priority_names),
	F("max_cost", K_REAL, struct llmr_route_cfg, max_cost),
	FE("force", struct llmr_route_cfg, force, llmr_complexity_names),
	FM("tiers", 0, &tiers_table),
	FE("strategy", struct llmr_route_cfg, strategy, llmr_strategy_names),
	FE("on_limit", struct llmr_route_cfg, on_limit, on_limit_names),
	F("max_wait", K_DURATION, struct llmr_route_cfg, max_wait_ms),
	F("hedge_after", K_DURATION, struct llmr_route_cfg, hedge_after_ms),
	F("index", K_STR, struct llmr_route_cfg, index),
	F("system", K_STR, struct llmr_route_cfg, system),
	F("template", K_STR, struct llmr_route_cfg, template),
	FM("cache", 0, &route_cache_table),
	FEND
};
static const struct cfg_table route_table = {route_fields};

static const struct cfg_field cache_fields[] = {
	F("exact_ttl", K_DURATION, struct llmr_config, cache_exact_ttl_ms),
	F("semantic_threshold", K_FRACTION, struct llmr_config, cache_semantic_threshold),
	F("semantic_ttl", K_DURATION, struct llmr_config, cache_semantic_ttl_ms),
	F("confirm_model", K_STR, struct llmr_config, cache_confirm_model),
	FE("semantic_adaptive", struct llmr_config, cache_semantic_adaptive, bool_names),
	F("semantic_error_rate", K_FRACTION, struct llmr_config, cache_semantic_error_rate),
	F("semantic_floor", K_FRACTION, struct llmr_config, cache_semantic_floor),
	FEND
};
static const struct cfg_table cache_table = {cache_fields};

static const struct cfg_field budget_fields[] = {
	F("calls_per_request", K_INT, struct llmr_config, budget_calls_per_request),
	FEND
};
static const struct cfg_table budget_table = {budget_fields};

static const struct cfg_field weights_fields[] = {
	F("bm25", K_REAL, struct llmr_config, index_bm25_weight),
	F("vector", K_REAL, struct llmr_config, index_vector_weight),
	FEND
};
static const struct cfg_table weights_table = {weights_fields};

static const struct cfg_field index_fields[] = {
	F("embedder", K_STR, struct llmr_config, index_embedder),
	F("chunk_tokens", K_TOKENS, struct llmr_config, index_chunk_tokens),
	F("overlap", K_TOKENS, struct llmr_config, index_overlap),
	FM("weights", 0, &weights_table),
	FEND
};
static const struct cfg_table index_table = {index_fields};

static const struct cfg_field router_fields[] = {
	F("classifier", K_STR, struct llmr_config, router_classifier),
	FE("learned", struct llmr_config, router_learned, bool_names),
	FEND
};
static const struct cfg_table router_table = {router_fields};

static const struct cfg_field quota_fields[] = {
	F("alert_below", K_FRACTION, struct llmr_config, quota_alert_below),
	FEND
};
static const struct cfg_table quota_table = {quota_fields};

static const struct cfg_field judge_fields[] = {
	F("model", K_STR, struct llmr_config, judge_model),
	FEND
};
static const struct cfg_table judge_table = {judge_fields};

static const struct cfg_field top_fields[] = {
	{"providers", K_DONE, 0, NULL, NULL, NULL},
	FC("routes", 0, read_routes),
	FM("cache", 0, &cache_table),
	FM("budget", 0, &budget_table),
	FM("index", 0, &index_table),
	FM("router", 0, &router_table),
	FM("quota", 0, &quota_table),
	FM("judge", 0, &judge_table),
	FC("aliases", 0, read_aliases),
	FC("serve", 0, read_serve),
	F("state", K_STR, struct llmr_config, state),
	F("default_route", K_STR, struct llmr_config, default_route),
	FE("logs", struct llmr_config, logs_off, logs_names),
	F("coordination", K_STR, struct llmr_config, coordination),
	F("coordination_prefix", K_STR, struct llmr_config, coordination_prefix),
	F("coordination_password_env", K_ENVNAME, struct llmr_config, coordination_password_env),
	F("coordination_password_file", K_STR, struct llmr_config, coordination_password_file),
	F("coordination_share", K_FRACTION, struct llmr_config, coordination_share),
	F("coordination_hosts", K_COUNT, struct llmr_config, coordination_hosts),
	F("coordination_timeout", K_DURATION, struct llmr_config, coordination_timeout_ms),
	FEND
};
static const struct cfg_table top_table = {top_fields};

static yaml_node_t *node(struct cfg_ctx *c, int i)
{
	return yaml_document_get_node(c->doc, i);
}

/* ---- named sections: providers, models, routes ---- */

static int want_map(struct cfg_ctx *c, const char *key, yaml_node_t *v)
{
	if (cfg_is_null(v) || v->type == YAML_MAPPING_NODE)
		return 1;
	cfg_error(c, v, "'%s' must be a mapping, not %s", key, cfg_kind_name(v));
	return 0;
}

static void read_models(struct cfg_ctx *c, const struct cfg_field *f, yaml_node_t *k,
			yaml_node_t *v, void *base)
{
	struct llmr_provider_cfg *p = base;
	yaml_node_pair_t *pair;
	size_t *first, i;

	(void)f;
	(void)k;
	if (!want_map(c, "models", v) || cfg_is_null(v))
		return;
	first = cfg_first_keys(c, v);
	for (pair = v->data.mapping.pairs.start, i = 0; pair < v->data.mapping.pairs.top; pair++, i++) {
		const char *name = cfg_entry_key(c, v, first, i, "model");
		struct llmr_model_cfg *m;

		if (!name)
			continue;
		if (!strcmp(p->name, "local") && strcmp(name, "extractive")) {
			cfg_error(c, node(c, pair->key),
				  "provider 'local' is built in and has only the model 'extractive'");
			continue;
		}
		p->models = cfg_grow(p->models, p->nmodels, sizeof(*p->models));
		m = &p->models[p->nmodels++];
		cfg_model_defaults(m);
		m->name = llmr_xstrdup(name);
		m->pos = cfg_pos(node(c, pair->key));
		cfg_walk_map(c, name, node(c, pair->value), &model_table, m);
	}
	free(first);
}

/* What the walk cannot see: a protocol is required, and local is fixed. */
static void finish_provider(struct cfg_ctx *c, struct llmr_provider_cfg *p,
			    yaml_node_t *k, yaml_node_t *v)
{
	int is_local = !strcmp(p->name, "local");

	if (!cfg_has_value(c, v, "protocol")) {
		if (is_local)
			p->protocol = LLMR_PROTO_EXTRACTIVE;
		else
			cfg_error(c, k, "provider '%s' has no 'protocol' (one of openai, anthropic, gemini, ollama, extractive)",
				  cfg_quote(p->name));
	} else if (is_local && p->protocol != LLMR_PROTO_EXTRACTIVE) {
		cfg_error(c, k, "provider 'local' is built in: its protocol must be extractive");
	}
	if (p->protocol == LLMR_PROTO_EXTRACTIVE) {
		free(p->base_url);
		p->base_url = NULL;
	} else if (!p->base_url) {
		static const char *const def[] = {
			"https://api.openai.com/v1", "https://api.anthropic.com",
			"https://generativelanguage.googleapis.com/v1beta", "http://localhost:11434"
		};

		p->base_url = llmr_xstrdup(def[p->protocol]);
	}
}

static void read_providers(struct cfg_ctx *c, yaml_node_t *v)
{
	struct llmr_config *cfg = c->cfg;
	yaml_node_pair_t *pair;
	size_t *first, i;

	if (!want_map(c, "providers", v) || cfg_is_null(v))
		return;
	first = cfg_first_keys(c, v);
	for (pair = v->data.mapping.pairs.start, i = 0; pair < v->data.mapping.pairs.top; pair++, i++) {
		yaml_node_t *k = node(c, pair->key), *val = node(c, pair->value);
		const char *name = cfg_entry_key(c, v, first, i, "provider");
		struct llmr_provider_cfg *p;

		if (!name)
			continue;
		/* Model references split on the first '/'. */
		if (strchr(name, '/')) {
			cfg_error(c, k, "provider name '%s' must not contain '/'", cfg_quote(name));
			continue;
		}
		if (!want_map(c, name, val))
			continue;
		cfg->providers = cfg_grow(cfg->providers, cfg->nproviders, sizeof(*cfg->providers));
		p = &cfg->providers[cfg->nproviders++];
		cfg_provider_defaults(p);
		p->name = llmr_xstrdup(name);
		p->pos = cfg_pos(k);
		cfg_walk_map(c, name, val, &provider_table, p);
		finish_provider(c, p, k, val);
	}
	free(first);
}

static void read_chain(struct cfg_ctx *c, const struct cfg_field *f, yaml_node_t *k,
		       yaml_node_t *v, void *base)
{
	struct llmr_chain *ch = AT(base, f->off, struct llmr_chain);
	yaml_node_item_t *it;

	(void)k;
	if (cfg_is_null(v))
		return;
	if (v->type != YAML_SEQUENCE_NODE) {
		cfg_error(c, v, "'%s' must be a list of provider/model, not %s", f->key, cfg_kind_name(v));
		return;
	}
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *item = node(c, *it);
		struct llmr_model_ref ref;
		char why[400];

		if (!cfg_scalar(item) || cfg_is_null(item)) {
			cfg_error(c, item, "'%s': each entry must be provider/model, not %s", f->key,
				  cfg_kind_name(item));
			continue;
		}
		if (cfg_resolve(c, c->cfg, cfg_scalar(item), &ref, why, sizeof(why)) < 0) {
			cfg_error(c, item, "%s", why);
			continue;
		}
		ch->refs = cfg_grow(ch->refs, ch->n, sizeof(*ch->refs));
		ref.spec = llmr_xstrdup(ref.spec);
		ch->refs[ch->n++] = ref;
	}
}

static void read_routes(struct cfg_ctx *c, const struct cfg_field *f, yaml_node_t *k,
			yaml_node_t *v, void *base)
{
	struct llmr_config *cfg = base;
	yaml_node_pair_t *pair;
	size_t *first, i;

	(void)f;
	(void)k;
	if (!want_map(c, "routes", v) || cfg_is_null(v))
		return;
	first = cfg_first_keys(c, v);
	for (pair = v->data.mapping.pairs.start, i = 0; pair < v->data.mapping.pairs.top; pair++, i++) {
		const char *name = cfg_entry_key(c, v, first, i, "route");
		struct llmr_route_cfg *r;

		if (!name)
			continue;
		cfg->routes = cfg_grow(cfg->routes, cfg->nroutes, sizeof(*cfg->routes));
		r = &cfg->routes[cfg->nroutes++];
		cfg_route_defaults(r);
		r->name = llmr_xstrdup(name);
		r->pos = cfg_pos(node(c, pair->key));
		cfg_walk_map(c, name, node(c, pair->value), &route_table, r);
	}
	free(first);
}

static void read_aliases(struct cfg_ctx *c, const struct cfg_field *f, yaml_node_t *k,
			 yaml_node_t *v, void *base)
{
	(void)f;
	(void)k;
	cfg_read_aliases(c, v, base);
}

static void read_serve(struct cfg_ctx *c, const struct cfg_field *f, yaml_node_t *k,
		       yaml_node_t *v, void *base)
{
	(void)f;
	(void)k;
	cfg_read_serve(c, v, base);
}

void cfg_parse_root(struct cfg_ctx *c, yaml_node_t *root)
{
	yaml_node_pair_t *pair;

	if (!root || cfg_is_null(root))
		goto builtin;
	if (root->type != YAML_MAPPING_NODE) {
		cfg_error(c, root, "the top level must be a mapping of sections, not %s", cfg_kind_name(root));
		goto builtin;
	}
	/* Providers first, whatever the order in the file: routes and the
	 * other sections refer to them. */
	for (pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
		const char *ks = cfg_scalar(node(c, pair->key));

		if (ks && !strcmp(ks, "providers")) {
			read_providers(c, node(c, pair->value));
			break;
		}
	}
	cfg_add_builtin_local(c->cfg);
	cfg_walk_map(c, "top level", root, &top_table, c->cfg);
	return;
builtin:
	cfg_add_builtin_local(c->cfg);
}

yaml_node_t *cfg_lookup(struct cfg_ctx *c, const char *section, const char *key)
{
	yaml_node_t *root = yaml_document_get_root_node(c->doc), *sec = NULL;
	yaml_node_pair_t *pair;

	if (!root || root->type != YAML_MAPPING_NODE)
		return NULL;
	for (pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
		const char *ks = cfg_scalar(node(c, pair->key));

		if (ks && !strcmp(ks, section)) {
			sec = node(c, pair->value);
			break;
		}
	}
	if (!key || !sec)
		return sec;
	if (sec->type != YAML_MAPPING_NODE)
		return NULL;
	for (pair = sec->data.mapping.pairs.start; pair < sec->data.mapping.pairs.top; pair++) {
		const char *ks = cfg_scalar(node(c, pair->key));

		if (ks && !strcmp(ks, key))
			return node(c, pair->value);
	}
	return NULL;
}
