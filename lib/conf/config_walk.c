/*
 * config_walk.c - the generic part of the schema walk: the keys of a
 * mapping (a plain name, not seen before in it, known to the table, else a
 * did-you-mean) and the typed fields a table describes. The tables and the
 * named sections they lead to are config_parse.c's.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "conf/config_impl.h"

static yaml_node_t *node(struct cfg_ctx *c, int i)
{
	return yaml_document_get_node(c->doc, i);
}

/* ---- mappings: keys, duplicates, did-you-mean ---- */

struct key_ref {
	const char *key;
	size_t i;
};

static int cmp_key_ref(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;
	int d = strcmp(x->key, y->key);

	return d ? d : x->i < y->i ? -1 : x->i > y->i;
}

size_t *cfg_first_keys(struct cfg_ctx *c, yaml_node_t *map)
{
	size_t n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start), m = 0, i, g;
	size_t *first = llmr_xcalloc(n ? n : 1, sizeof(*first));
	struct key_ref *refs = llmr_xcalloc(n ? n : 1, sizeof(*refs));

	/* Sorted by key, then position: O(n log n) where comparing each key
	 * with every earlier one took minutes for 100,000 keys. */
	for (i = 0; i < n; i++) {
		const char *k = cfg_scalar(node(c, map->data.mapping.pairs.start[i].key));

		first[i] = i;
		if (k)
			refs[m++] = (struct key_ref){k, i};
	}
	if (m)
		qsort(refs, m, sizeof(*refs), cmp_key_ref);
	for (i = 1, g = 0; i < m; i++) {
		if (strcmp(refs[i].key, refs[g].key))
			g = i;
		else
			first[refs[i].i] = refs[g].i;
	}
	free(refs);
	return first;
}

const char *cfg_entry_key(struct cfg_ctx *c, yaml_node_t *map, const size_t *first, size_t i,
			  const char *noun)
{
	yaml_node_t *k = node(c, map->data.mapping.pairs.start[i].key);
	const char *ks = cfg_scalar(k);

	if (!ks || cfg_is_null(k)) {
		cfg_error(c, k, "a %s must be a plain name, not %s", noun, cfg_kind_name(k));
		return NULL;
	}
	if (first[i] != i) {
		struct llmr_pos fp = cfg_pos(node(c, map->data.mapping.pairs.start[first[i]].key));

		cfg_error(c, k, "duplicate %s '%s' (first at %d:%d)", noun, cfg_quote(ks),
			  fp.line, fp.col);
		return NULL;
	}
	return ks;
}

/* Keys people write when they are about to paste a secret into the file. */
static int is_secret_key(const char *k)
{
	static const char *const names[] = {
		"api_key", "apikey", "api-key", "key", "token", "api_token", "secret", "password", NULL
	};
	size_t i;

	for (i = 0; names[i]; i++)
		if (!strcmp(k, names[i]))
			return 1;
	return 0;
}

static void unknown_key(struct cfg_ctx *c, yaml_node_t *k, const char *ks,
			const struct cfg_table *t)
{
	const char *cand[32];
	const char *near;
	struct llmr_buf b = LLMR_BUF_INIT;
	size_t n = 0, i;

	for (i = 0; t->f[i].key && n < 32; i++)
		cand[n++] = t->f[i].key;
	if (is_secret_key(ks)) {
		cfg_error(c, k, "unknown key '%s' (keys never go in the config: use api_key_env or api_key_file)",
			  cfg_quote(ks));
		return;
	}
	if (c->suggested++ < CFG_MAX_SUGGESTIONS && (near = llmr_nearest(ks, cand, n))) {
		cfg_error(c, k, "unknown key '%s' (did you mean '%s'?)", cfg_quote(ks), near);
		return;
	}
	for (i = 0; i < n; i++)
		llmr_buf_addf(&b, "%s%s", i ? ", " : "", cand[i]);
	cfg_error(c, k, "unknown key '%s' (valid here: %s)", cfg_quote(ks), b.s);
	llmr_buf_release(&b);
}

static const struct cfg_field *find_field(const struct cfg_table *t, const char *k)
{
	size_t i;

	for (i = 0; t->f[i].key; i++)
		if (!strcmp(t->f[i].key, k))
			return &t->f[i];
	return NULL;
}

/* ---- the walk ---- */

/* A whole number from 0 to max into a long or an int field. */
static void read_count(struct cfg_ctx *c, const struct cfg_field *f, yaml_node_t *v, void *base,
		       double max, int is_int)
{
	long l;

	if (cfg_read_whole(c, f->key, v, max, &l) < 0)
		return;
	if (is_int)
		*AT(base, f->off, int) = (int)l;
	else
		*AT(base, f->off, long) = l;
}

static void read_field(struct cfg_ctx *c, const struct cfg_field *f, yaml_node_t *k,
		       yaml_node_t *v, void *base)
{
	double d;
	long l;

	/* "key:" with nothing after it leaves the default. */
	if (cfg_is_null(v) && f->kind != K_CUSTOM)
		return;
	switch (f->kind) {
	case K_STR:
		if (cfg_want_scalar(c, f->key, v, "a string")) {
			free(*AT(base, f->off, char *));
			*AT(base, f->off, char *) = llmr_xstrdup(cfg_scalar(v));
		}
		break;
	case K_URL:
		cfg_read_url(c, f->key, v, AT(base, f->off, char *));
		break;
	case K_ENVNAME:
		cfg_read_envname(c, f->key, v, AT(base, f->off, char *));
		break;
	case K_COUNT:
		read_count(c, f, v, base, LLMR_CONFIG_MAX_COUNT, 0);
		break;
	case K_TOKENS:
		read_count(c, f, v, base, LLMR_CONFIG_MAX_CHUNK_TOKENS, 0);
		break;
	case K_INT:
		read_count(c, f, v, base, INT_MAX, 1);
		break;
	case K_QUALITY:
		if (cfg_read_whole(c, f->key, v, 1e9, &l) < 0)
			break;
		if (l > 100)
			cfg_error(c, v, "'%s' must be between 0 and 100 (got %ld)", f->key, l);
		else
			*AT(base, f->off, int) = (int)l;
		break;
	case K_REAL:
	case K_FRACTION:
		if (cfg_read_number(c, f->key, v, &d) < 0)
			break;
		if (f->kind == K_FRACTION && d > 1)
			cfg_error(c, v, "'%s' must be between 0 and 1 (got %s)", f->key, cfg_quote(cfg_scalar(v)));
		else if (d > LLMR_CONFIG_MAX_REAL)
			cfg_error(c, v, "'%s' must be at most %.0f (got %s)", f->key, LLMR_CONFIG_MAX_REAL,
				  cfg_quote(cfg_scalar(v)));
		else
			*AT(base, f->off, double) = d;
		break;
	case K_DURATION:
		cfg_read_duration(c, f->key, v, AT(base, f->off, int64_t));
		break;
	case K_ENUM:
		cfg_read_enum(c, f->key, v, f->names, AT(base, f->off, int));
		break;
	case K_MAP:
		cfg_walk_map(c, f->key, v, f->sub, AT(base, f->off, char));
		break;
	case K_CUSTOM:
		f->fn(c, f, k, v, base);
		break;
	case K_DONE:
		break;
	}
}

void cfg_walk_map(struct cfg_ctx *c, const char *name, yaml_node_t *map,
		  const struct cfg_table *t, void *base)
{
	size_t *first, i, n;

	if (cfg_is_null(map))
		return;
	if (map->type != YAML_MAPPING_NODE) {
		cfg_error(c, map, "'%s' must be a mapping, not %s", name, cfg_kind_name(map));
		return;
	}
	first = cfg_first_keys(c, map);
	n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
	for (i = 0; i < n; i++) {
		yaml_node_pair_t *pair = &map->data.mapping.pairs.start[i];
		yaml_node_t *k = node(c, pair->key);
		const char *ks = cfg_entry_key(c, map, first, i, "key");
		const struct cfg_field *f;

		if (!ks)
			continue;
		if (!(f = find_field(t, ks)))
			unknown_key(c, k, ks, t);
		else
			read_field(c, f, k, node(c, pair->value), base);
	}
	free(first);
}

int cfg_has_value(struct cfg_ctx *c, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *pair;

	if (!map || map->type != YAML_MAPPING_NODE)
		return 0;
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		const char *ks = cfg_scalar(node(c, pair->key));

		if (ks && !strcmp(ks, key))
			return !cfg_is_null(node(c, pair->value));
	}
	return 0;
}
