/*
 * config_serve.c - the aliases: and serve: sections, read by llmr-ask
 * --serve (see llmr.conf(5)).
 *
 *   aliases: {gpt-3.5-turbo: search, gpt-4o: openai/gpt-4o}
 *   serve:
 *     timeout: 120s
 *     keys:
 *       - {agent: discord, sha256: HEX, route: chat, priority: P2,
 *          monthly_cap_usd: 5}
 *       - {agent: widget, key_file: /etc/llmr/widget.key}
 *
 * Only the SHA-256 of a client key is ever in the config: a plain key
 * ("key:") is refused, like provider keys, so the file can be shared. The
 * key itself may sit in a file of mode 0600 (config_serve_key.c).
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "conf/config_impl.h"

static yaml_node_t *node(struct cfg_ctx *c, int i)
{
	return yaml_document_get_node(c->doc, i);
}

static int is_mapping(struct cfg_ctx *c, const char *key, yaml_node_t *v)
{
	if (v->type == YAML_MAPPING_NODE)
		return 1;
	cfg_error(c, v, "'%s' must be a mapping, not %s", key, cfg_kind_name(v));
	return 0;
}

void cfg_read_aliases(struct cfg_ctx *c, yaml_node_t *v, struct llmr_config *cfg)
{
	yaml_node_pair_t *pair;

	if (cfg_is_null(v) || !is_mapping(c, "aliases", v))
		return;
	for (pair = v->data.mapping.pairs.start; pair < v->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = node(c, pair->key), *t = node(c, pair->value);
		struct llmr_alias *a;

		if (!cfg_scalar(k) || !*cfg_scalar(k)) {
			cfg_error(c, k, "an alias must be a non-empty name");
			continue;
		}
		if (!cfg_want_scalar(c, cfg_scalar(k), t, "a route or provider/model") ||
		    !*cfg_scalar(t))
			continue;
		cfg->aliases = llmr_xrealloc(cfg->aliases, (cfg->naliases + 1) * sizeof(*a));
		a = &cfg->aliases[cfg->naliases++];
		a->name = llmr_xstrdup(cfg_scalar(k));
		a->target = llmr_xstrdup(cfg_scalar(t));
		a->pos = cfg_pos(k);
	}
}

static int is_sha256_hex(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return i == 64;
}

static void read_key_field(struct cfg_ctx *c, const char *ks, yaml_node_t *v,
			   struct llmr_serve_key *k)
{
	size_t i;

	if (!strcmp(ks, "agent") && cfg_want_scalar(c, ks, v, "a name")) {
		free(k->agent);
		k->agent = llmr_xstrdup(cfg_scalar(v));
	} else if ((!strcmp(ks, "sha256") || !strcmp(ks, "key_file")) && k->sha256[0]) {
		cfg_error(c, v, "give 'sha256' or 'key_file', not both");
	} else if (!strcmp(ks, "key_file") && cfg_want_scalar(c, ks, v, "a file path")) {
		cfg_read_serve_key_file(c, v, k->sha256);
	} else if (!strcmp(ks, "sha256") && cfg_want_scalar(c, ks, v, "64 hex digits")) {
		if (!is_sha256_hex(cfg_scalar(v))) {
			cfg_error(c, v, "'sha256' must be 64 hex digits (sha256sum of the key)");
			return;
		}
		for (i = 0; i < 64; i++)
			k->sha256[i] = (char)tolower((unsigned char)cfg_scalar(v)[i]);
	} else if (!strcmp(ks, "route") && cfg_want_scalar(c, ks, v, "a route name")) {
		free(k->route);
		k->route = llmr_xstrdup(cfg_scalar(v));
	} else if (!strcmp(ks, "priority")) {
		cfg_read_enum(c, ks, v, llmr_priority_names, &k->priority);
	} else if (!strcmp(ks, "monthly_cap_usd")) {
		cfg_read_number(c, ks, v, &k->monthly_cap_usd);
	} else if (!strcmp(ks, "key")) {
		cfg_error(c, v, "unknown key 'key' (client keys never go in the config: "
			  "write their sha256)");
	} else {
		cfg_error(c, v, "unknown key '%s' (valid here: agent, sha256, key_file, route, "
			  "priority, monthly_cap_usd)", cfg_quote(ks));
	}
}

static void read_one_key(struct cfg_ctx *c, yaml_node_t *v, struct llmr_config *cfg)
{
	struct llmr_serve_key k = {NULL, "", NULL, -1, -1, cfg_pos(v)};
	yaml_node_pair_t *pair;
	size_t i;

	if (!is_mapping(c, "keys", v))
		return;
	for (pair = v->data.mapping.pairs.start; pair < v->data.mapping.pairs.top; pair++) {
		const char *ks = cfg_scalar(node(c, pair->key));

		if (ks && !cfg_is_null(node(c, pair->value)))
			read_key_field(c, ks, node(c, pair->value), &k);
	}
	if (!k.agent || !k.sha256[0]) {
		cfg_error(c, v, "a serve key needs an 'agent' and a 'sha256' or 'key_file'");
		free(k.agent);
		free(k.route);
		return;
	}
	for (i = 0; i < cfg->nserve_keys; i++)
		if (!strcmp(cfg->serve_keys[i].sha256, k.sha256))
			cfg_error(c, v, "the same key is listed twice (agent '%s')", cfg_quote(k.agent));
	cfg->serve_keys = llmr_xrealloc(cfg->serve_keys, (cfg->nserve_keys + 1) * sizeof(k));
	cfg->serve_keys[cfg->nserve_keys++] = k;
}

void cfg_read_serve(struct cfg_ctx *c, yaml_node_t *v, struct llmr_config *cfg)
{
	yaml_node_pair_t *pair;
	yaml_node_item_t *it;

	if (cfg_is_null(v) || !is_mapping(c, "serve", v))
		return;
	for (pair = v->data.mapping.pairs.start; pair < v->data.mapping.pairs.top; pair++) {
		const char *ks = cfg_scalar(node(c, pair->key));
		yaml_node_t *val = node(c, pair->value);

		if (!ks || cfg_is_null(val))
			continue;
		if (!strcmp(ks, "timeout")) {
			cfg_read_duration(c, ks, val, &cfg->serve_timeout_ms);
		} else if (!strcmp(ks, "keys")) {
			if (val->type != YAML_SEQUENCE_NODE) {
				cfg_error(c, val, "'keys' must be a list, not %s", cfg_kind_name(val));
				continue;
			}
			for (it = val->data.sequence.items.start; it < val->data.sequence.items.top; it++)
				read_one_key(c, node(c, *it), cfg);
		} else {
			cfg_error(c, node(c, pair->key), "unknown key '%s' (valid here: keys, timeout)",
				  cfg_quote(ks));
		}
	}
}

void cfg_serve_release(struct llmr_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->naliases; i++) {
		free(cfg->aliases[i].name);
		free(cfg->aliases[i].target);
	}
	free(cfg->aliases);
	for (i = 0; i < cfg->nserve_keys; i++) {
		free(cfg->serve_keys[i].agent);
		free(cfg->serve_keys[i].route);
	}
	free(cfg->serve_keys);
}
