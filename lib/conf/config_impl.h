/*
 * config_impl.h - private to lib/config*.c: the loading context shared by
 * the YAML reader, the schema walker and the checks that run after it.
 * Nothing outside lib/config*.c includes this; the contract is config.h.
 */
#ifndef LLMR_CONFIG_IMPL_H
#define LLMR_CONFIG_IMPL_H

#include <stddef.h>
#include <yaml.h>

#include "conf/config.h"

/* Cap on a config file: far above any real one, small enough to refuse a
 * mistaken --config /dev/zero or a log file. */
#define LLMR_CONFIG_MAX_BYTES (4u << 20)
/* Bounds on numbers, so that nothing read from a config overflows the
 * arithmetic done with it (quotas add tokens to limits, prices multiply
 * token counts): counts and limits up to 10^15, a chunk up to 65,536
 * tokens (index/chunk.h takes no more), prices and amounts up to 10^12. */
#define LLMR_CONFIG_MAX_COUNT 1e15
#define LLMR_CONFIG_MAX_CHUNK_TOKENS 65536
#define LLMR_CONFIG_MAX_REAL 1e12

struct cfg_diag {
	int line, col; /* 1-based; 0 for file-level problems */
	size_t seq;    /* order of discovery, to keep the sort stable */
	char *msg;
};

struct cfg_index;

struct cfg_ctx {
	const char *file; /* as the user spelled it */
	yaml_document_t *doc;
	struct llmr_config *cfg;
	struct cfg_diag *diags;
	size_t ndiags, alloc;
	struct cfg_index *refs; /* built at the first reference resolved */
	size_t suggested;       /* did-you-means computed so far */
};

/* Past this many did-you-means in one file, errors come without one: each
 * compares a word with every candidate. */
#define CFG_MAX_SUGGESTIONS 50

/*
 * Providers and models by name (config_index.c), for files with many: a
 * new index over cfg's providers as they are now. find looks up provider
 * p[0..plen) and model m (NULL: the provider alone) and stores their
 * indexes; returns 0, or -1 when absent.
 */
struct cfg_index *cfg_index_build(const struct llmr_config *cfg);
int cfg_index_find(const struct cfg_index *ix, const struct llmr_config *cfg, const char *p,
		   size_t plen, const char *m, size_t *pi, size_t *mi);
void cfg_index_free(struct cfg_index *ix);

/* Record a problem at a node (or at line/col). Messages have no position
 * and no file: those are prefixed when the diagnostics are handed over. */
void cfg_error(struct cfg_ctx *c, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void cfg_error_at(struct cfg_ctx *c, struct llmr_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct llmr_pos cfg_pos(const yaml_node_t *n);

/* "a string", "a list", "a mapping": for type errors. */
const char *cfg_kind_name(const yaml_node_t *n);
/* A scalar's text (borrowed), or NULL when n is not a scalar. */
const char *cfg_scalar(const yaml_node_t *n);
/* True for YAML null: an empty plain scalar, "~", "null". */
int cfg_is_null(const yaml_node_t *n);
/* Quote a value from the file for a message: at most 124 bytes, control
 * characters replaced. Returns a pointer into one of two per-thread slots,
 * so at most two calls may share one message. */
const char *cfg_quote(const char *s);

/*
 * Parse a file into c->doc. Returns 0, or -1 after recording the syntax
 * error (or filling e for a file that cannot be read).
 */
int cfg_yaml_load(struct cfg_ctx *c, const char *path, yaml_document_t *doc,
		  struct llmr_err *e);

/*
 * Scalar readers (config_value.c). key names the value in messages. Each
 * returns 0 (or stores) on success; on a bad value it records the error
 * and returns -1 (or stores nothing). cfg_want_scalar returns 1 for a
 * scalar, else records "'key' must be WHAT, not a list" and returns 0.
 */
int cfg_want_scalar(struct cfg_ctx *c, const char *key, yaml_node_t *v, const char *what);
/* A plain decimal number, not negative. */
int cfg_read_number(struct cfg_ctx *c, const char *key, yaml_node_t *v, double *out);
/* A whole number from 0 to max. */
int cfg_read_whole(struct cfg_ctx *c, const char *key, yaml_node_t *v, double max, long *out);
/* One of names (NULL-terminated); *out is its index. */
int cfg_read_enum(struct cfg_ctx *c, const char *key, yaml_node_t *v,
		  const char *const *names, int *out);
/* An http(s) URL with ${VAR} expanded; *dst replaced by a new string. */
void cfg_read_url(struct cfg_ctx *c, const char *key, yaml_node_t *v, char **dst);
/* The name of an environment variable; never echoed when invalid. */
void cfg_read_envname(struct cfg_ctx *c, const char *key, yaml_node_t *v, char **dst);
/* A duration, stored in milliseconds. */
void cfg_read_duration(struct cfg_ctx *c, const char *key, yaml_node_t *v, int64_t *dst);

/*
 * The schema (config_parse.c): one table per mapping says which keys are
 * valid there, what type each holds and where it goes in the config.
 */
enum cfg_kind {
	K_STR,      /* char * */
	K_URL,      /* char *, ${VAR} expanded, http(s) only */
	K_ENVNAME,  /* char *, the name of an environment variable */
	K_COUNT,    /* long, 0..LLMR_CONFIG_MAX_COUNT */
	K_TOKENS,   /* long, 0..LLMR_CONFIG_MAX_CHUNK_TOKENS */
	K_INT,      /* int >= 0 */
	K_REAL,     /* double, 0..LLMR_CONFIG_MAX_REAL */
	K_FRACTION, /* double in 0..1 */
	K_QUALITY,  /* int in 0..100 */
	K_DURATION, /* int64_t milliseconds */
	K_ENUM,     /* int: index into names */
	K_MAP,      /* a nested table, based at base + off */
	K_CUSTOM,   /* fn reads it */
	K_DONE      /* read before the walk (top-level providers) */
};

struct cfg_table;
struct cfg_field;

typedef void cfg_fn(struct cfg_ctx *c, const struct cfg_field *f, yaml_node_t *key,
		    yaml_node_t *val, void *base);

struct cfg_field {
	const char *key;
	enum cfg_kind kind;
	size_t off;
	const char *const *names;     /* K_ENUM, NULL-terminated */
	const struct cfg_table *sub;  /* K_MAP */
	cfg_fn *fn;                   /* K_CUSTOM */
};

struct cfg_table {
	const struct cfg_field *f; /* terminated by a NULL key */
};


#define AT(base, off, type) ((type *)(void *)((char *)(base) + (off)))

/* The schema walker: fills c->cfg from the document's root mapping. */
void cfg_parse_root(struct cfg_ctx *c, yaml_node_t *root);
/* The aliases: and serve: sections (config_serve.c). */
void cfg_read_aliases(struct cfg_ctx *c, yaml_node_t *v, struct llmr_config *cfg);
void cfg_read_serve(struct cfg_ctx *c, yaml_node_t *v, struct llmr_config *cfg);
/* serve: keys: key_file: the SHA-256 of the key in the file v names
 * (mode 0600), into sha256; a config error when it cannot be used. */
void cfg_read_serve_key_file(struct cfg_ctx *c, yaml_node_t *v, char sha256[65]);
void cfg_serve_release(struct llmr_config *cfg);

/*
 * The generic walk (config_walk.c). cfg_walk_map reads every entry of map
 * (NULL or null: nothing) into base as table t says, recording errors.
 * cfg_first_keys gives, for each pair of a mapping, the index of the first
 * pair with the same key (its own index when the key is new): a new array,
 * freed by the caller. cfg_entry_key checks pair i's key (a plain name,
 * not a duplicate, noun naming it in messages) and returns it or NULL.
 */
void cfg_walk_map(struct cfg_ctx *c, const char *name, yaml_node_t *map,
		  const struct cfg_table *t, void *base);
size_t *cfg_first_keys(struct cfg_ctx *c, yaml_node_t *map);
const char *cfg_entry_key(struct cfg_ctx *c, yaml_node_t *map, const size_t *first, size_t i,
			  const char *noun);
/* True if a mapping node gives key a value (not null). */
int cfg_has_value(struct cfg_ctx *c, yaml_node_t *map, const char *key);
/* v, an array of n elements of size bytes, with room for one more: the
 * capacity doubles (one realloc per key made 100,000 models quadratic). */
static inline void *cfg_grow(void *v, size_t n, size_t size)
{
	if (n == 0 || (n >= 4 && !(n & (n - 1))))
		v = llmr_xrealloc(v, (n ? 2 * n : 4) * size);
	return v;
}

/* The value node of section: key: (or of section: when key is NULL) at
 * the top level, for messages about values checked after the walk. */
yaml_node_t *cfg_lookup(struct cfg_ctx *c, const char *section, const char *key);

/* After the walk: the built-in local provider, the synthesised default
 * route, and the references between sections. */
void cfg_add_builtin_local(struct llmr_config *cfg);
void cfg_check(struct cfg_ctx *c);
/* config_calendar.c: rpd_reset/tpd_reset and key_expires are real times. */
void cfg_check_calendar(struct cfg_ctx *c);
void cfg_set_defaults(struct llmr_config *cfg);
void cfg_provider_defaults(struct llmr_provider_cfg *p);
void cfg_model_defaults(struct llmr_model_cfg *m);
void cfg_route_defaults(struct llmr_route_cfg *r);
void cfg_synth_default_route(struct llmr_config *cfg);

/*
 * Resolve "provider/model" against the providers read so far. Returns 0,
 * or -1 with a message in why (with a did-you-mean when one is close). c
 * may be NULL (a single lookup); with it, lookups go through c->refs
 * (built at the first call: every provider must be read by then) and
 * did-you-means are counted against CFG_MAX_SUGGESTIONS.
 */
int cfg_resolve(struct cfg_ctx *c, const struct llmr_config *cfg, const char *spec,
		struct llmr_model_ref *ref, char *why, size_t whylen);


#endif
