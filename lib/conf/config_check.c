/*
 * config_check.c - the checks that need the whole file read first: model
 * references, the default route, index and budget settings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/config_impl.h"

static void check_ref(struct cfg_ctx *c, const char *section, const char *key, const char *spec)
{
	struct llmr_model_ref ref;
	char why[400];

	if (spec && cfg_resolve(c, c->cfg, spec, &ref, why, sizeof(why)) < 0)
		cfg_error(c, cfg_lookup(c, section, key), "'%s': %s", key, why);
}

void cfg_check(struct cfg_ctx *c)
{
	struct llmr_config *cfg = c->cfg;

	/* Synthesise first: "default_route: default" may name that route. */
	if (!cfg->nroutes)
		cfg_synth_default_route(cfg);
	if (cfg->default_route && !llmr_config_route(cfg, cfg->default_route)) {
		size_t i, n = cfg->nroutes;
		const char **names = llmr_xcalloc(n + 1, sizeof(*names));
		const char *near;

		for (i = 0; i < n; i++)
			names[i] = cfg->routes[i].name;
		near = llmr_nearest(cfg->default_route, names, n);
		cfg_error(c, cfg_lookup(c, "default_route", NULL), "default_route: unknown route '%s'%s%s%s",
			  cfg_quote(cfg->default_route), near ? " (did you mean '" : "", near ? near : "",
			  near ? "'?)" : "");
		free(names);
	}
	check_ref(c, "router", "classifier", cfg->router_classifier);
	check_ref(c, "cache", "confirm_model", cfg->cache_confirm_model);
	if (cfg->cache_semantic_error_rate <= 0)
		cfg_error(c, cfg_lookup(c, "cache", "semantic_error_rate"),
			  "'semantic_error_rate' must be above 0");
	check_ref(c, "judge", "model", cfg->judge_model);
	if (cfg->index_embedder && strcmp(cfg->index_embedder, "local") &&
	    strcmp(cfg->index_embedder, "local-cooc"))
		check_ref(c, "index", "embedder", cfg->index_embedder);
	if (cfg->index_chunk_tokens == 0)
		cfg_error(c, cfg_lookup(c, "index", "chunk_tokens"), "'chunk_tokens' must be at least 1");
	else if (cfg->index_overlap >= cfg->index_chunk_tokens)
		cfg_error(c, cfg_lookup(c, "index", "overlap") ? cfg_lookup(c, "index", "overlap")
							       : cfg_lookup(c, "index", "chunk_tokens"),
			  "'overlap' (%ld) must be smaller than 'chunk_tokens' (%ld)",
			  cfg->index_overlap, cfg->index_chunk_tokens);
	if (cfg->budget_calls_per_request == 0)
		cfg_error(c, cfg_lookup(c, "budget", "calls_per_request"), "'calls_per_request' must be at least 1");
	if (cfg->coordination && strncmp(cfg->coordination, "redis://", 8))
		cfg_error(c, cfg_lookup(c, "coordination", NULL),
			  "'coordination' must be a redis://host:port/db URL");
	if (cfg->coordination_hosts == 0)
		cfg_error(c, cfg_lookup(c, "coordination_hosts", NULL), "'coordination_hosts' must be at least 1");
	if (!cfg->index_embedder)
		cfg->index_embedder = llmr_xstrdup("local");
}
