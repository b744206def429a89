/*
 * config.h - llmr.conf: find, load (libyaml), validate, look up.
 *
 * The whole shape is in DESIGN.md and man/llmr.conf.5. Numbers that a user
 * did not set are -1 (or NULL for strings) so callers can tell "unset" from 0.
 * Durations are stored in milliseconds, prices in USD per million tokens.
 */
#ifndef LLMR_CONFIG_H
#define LLMR_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "base/vocab.h"

enum llmr_protocol {
	LLMR_PROTO_OPENAI,
	LLMR_PROTO_ANTHROPIC,
	LLMR_PROTO_GEMINI,
	LLMR_PROTO_OLLAMA,
	LLMR_PROTO_EXTRACTIVE
};

enum llmr_tier { LLMR_TIER_FREE, LLMR_TIER_PAID, LLMR_TIER_ENTERPRISE };
enum llmr_pstatus { LLMR_PSTATUS_ACTIVE, LLMR_PSTATUS_INACTIVE, LLMR_PSTATUS_TESTING };

/* Complexity tiers and strategies: base/vocab.h. */

/* Where a value came from, for messages about it after loading. */
struct llmr_pos {
	int line, col; /* 1-based; 0 when built in */
};

/* Rate limits; -1 = no limit configured. rps/tps are short windows (per
 * second), useful for tests and for providers that meter per second. */
struct llmr_limits {
	long rps, rpm, rpd, tps, tpm, tpd, concurrent;
	/* Calendar resets of the daily windows, "HH:MM [Area/City]" (checked
	 * at load, base/calreset.h); NULL: a sliding 24 h. */
	char *rpd_reset, *tpd_reset;
};

struct llmr_model_cfg {
	char *name;            /* as the provider spells it, e.g. "gpt-4o-mini" */
	double input, output;  /* USD per 1M tokens; -1 unset (treated as 0) */
	double cached_input;   /* cache reads; -1 = same as input */
	double cache_write;    /* cache writes; -1 = same as input */
	long context;          /* context window in tokens; -1 unknown */
	int quality;           /* 0..100; -1 unknown */
	int tools;             /* takes tool definitions: 1, 0 (tools: false),
				  -1 unset (every chat protocol does) */
	struct llmr_limits limits; /* optional per-model limits */
	struct llmr_pos pos;
};

struct llmr_provider_cfg {
	char *name;
	enum llmr_protocol protocol;
	char *base_url;       /* ${VAR} already expanded; NULL for extractive */
	char *api_key_env;    /* name of the variable holding the key */
	char *api_key_file;   /* or a file of mode 0600 holding it */
	enum llmr_tier tier;
	enum llmr_pstatus status;
	struct llmr_limits limits;
	double budget_usd_per_month; /* -1 none */
	double budget_alert_at;      /* fraction, default 0.8 */
	int64_t timeout_ms;          /* total request timeout, default 60s */
	int64_t connect_timeout_ms;  /* default 10s */
	int max_retries;             /* retries on the same model, default 2 */
	int breaker_failures;        /* consecutive failures to open, default 5 */
	int64_t breaker_cooldown_ms; /* open -> half-open, default 30s */
	char *notes;
	char *key_expires;           /* "YYYY-MM-DD" (checked at load), or NULL */
	struct llmr_model_cfg *models;
	size_t nmodels;
	struct llmr_pos pos;
};

/* A "provider/model" reference, resolved at load time. */
struct llmr_model_ref {
	char *spec; /* "provider/model" as written */
	struct llmr_provider_cfg *provider; /* borrowed from the config */
	struct llmr_model_cfg *model;       /* borrowed from the config */
};

struct llmr_chain {
	struct llmr_model_ref *refs;
	size_t n;
};

enum llmr_on_limit { LLMR_ON_LIMIT_FALLBACK, LLMR_ON_LIMIT_WAIT };

struct llmr_route_cfg {
	char *name;
	int priority;          /* 0..3 for P0..P3; default 1 */
	double max_cost;       /* USD per request; -1 none */
	int force;             /* an llmr_complexity, or -1 */
	struct llmr_chain tiers[LLMR_NCOMPLEXITY]; /* empty chain = not given */
	enum llmr_strategy strategy;
	enum llmr_on_limit on_limit;
	int64_t max_wait_ms;   /* for on_limit: wait; default 30s */
	int64_t hedge_after_ms; /* -1 = no hedging */
	char *index;           /* collection to retrieve from (RAG); NULL none */
	char *system;          /* system prompt (static prefix); NULL none */
	char *template;        /* prompt template, {{input}} and {{name}}; NULL none */
	/* cache: */
	int cache_sampled;     /* cache answers sampled at temperature > 0 */
	char *cache_namespace; /* semantic-cache namespace; NULL: the route's name */
	double cache_semantic_threshold; /* -1: cache.semantic_threshold */
	int cache_high_stakes; /* every semantic hit confirmed by cache.confirm_model */
	struct llmr_pos pos;
};

/* aliases: a model name a client sends, and the route or "provider/model"
 * it stands for (llmr-ask --serve). */
struct llmr_alias {
	char *name, *target;
	struct llmr_pos pos;
};

/* serve: keys: one client of llmr-ask --serve. The key itself is never
 * kept: only its SHA-256, which is what the client's bearer key is checked
 * against. */
struct llmr_serve_key {
	char *agent;           /* who the key belongs to; logged per request */
	char sha256[65];       /* lowercase hex of the key's SHA-256 */
	char *route;           /* default route (model "llmr"), or NULL */
	int priority;          /* 0..3 for P0..P3; -1: the route's */
	double monthly_cap_usd; /* -1: none */
	struct llmr_pos pos;
};

struct llmr_config {
	char *path;            /* file it came from, or "<built-in>" */
	char *state;           /* state: key, or NULL */
	struct llmr_provider_cfg *providers;
	size_t nproviders;
	struct llmr_route_cfg *routes;
	size_t nroutes;
	char *default_route;   /* default_route: key, or NULL (first route) */
	/* cache: */
	int64_t cache_exact_ttl_ms;      /* default 24h; 0 disables */
	double cache_semantic_threshold; /* default 0.92 */
	int64_t cache_semantic_ttl_ms;   /* default 1h; 0 disables */
	char *cache_confirm_model;       /* "provider/model" confirming semantic hits; NULL none */
	int cache_semantic_adaptive;     /* learn a threshold per entry (semcache_obs.c) */
	double cache_semantic_error_rate; /* adaptive: the wrong-hit rate bound; default 0.02 */
	double cache_semantic_floor;     /* adaptive: no hit below this similarity; default 0.80 */
	/* budget: */
	int budget_calls_per_request;    /* default 3 */
	/* index: */
	char *index_embedder;            /* "local" or "provider/model"; default "local" */
	long index_chunk_tokens;         /* default 400 */
	long index_overlap;              /* default 40 */
	double index_bm25_weight;        /* hybrid fusion weights; default 1.0 */
	double index_vector_weight;      /* default -1: 0.5 with the local
					    embedder, 1.0 with an API one */
	/* router: */
	char *router_classifier;         /* "provider/model" or NULL */
	int router_learned;              /* 1: the learned router picks the tier
					    when outcomes are stored; default 0 */
	/* quota: */
	double quota_alert_below;        /* fraction remaining, default 0.2 */
	/* logs: on (0) keeps each prompt and answer; off (1) metadata only */
	int logs_off;
	/* judge: (llmr-bench) */
	char *judge_model;               /* "provider/model" or NULL */
	/* aliases: */
	struct llmr_alias *aliases;
	size_t naliases;
	/* serve: */
	struct llmr_serve_key *serve_keys;
	size_t nserve_keys;
	int64_t serve_timeout_ms;        /* one request, whole; default 120s */
	/* coordination (route/coord.h): live shared state in Redis. */
	char *coordination;              /* "redis://[user[:password]@]host:port/db" or NULL */
	char *coordination_prefix;       /* key prefix, default "llmr:" */
	char *coordination_password_env; /* variable holding the password, or NULL */
	char *coordination_password_file;/* or a file of mode 0600 holding it */
	double coordination_share;       /* share of each limit when Redis is down; -1 unset */
	long coordination_hosts;         /* or limit / hosts; -1 unset */
	int64_t coordination_timeout_ms; /* bound on connect and each command, default 50 ms */
};

/* Collected diagnostics: each is "FILE:LINE:COL: message". */
struct llmr_diags {
	char **msgs;
	size_t n;
};

/* Append a printf-style message (copied; at most 1 KiB). release frees
 * every message and leaves d empty and reusable. */
void llmr_diags_add(struct llmr_diags *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void llmr_diags_release(struct llmr_diags *d);

/*
 * Which config file to read: explicit (--config) if not NULL, else
 * $LLMR_CONFIG, else $XDG_CONFIG_HOME/llmr/llmr.conf (~/.config/...), else
 * /etc/llmr.conf if it exists. Returns a new string, or NULL when none exists
 * and the built-in default applies. An explicit path or $LLMR_CONFIG is
 * returned even if missing, so that loading it reports the error.
 */
char *llmr_config_find(const char *explicit_path);

/*
 * Load and validate a config. path NULL means the built-in default (the
 * offline local/extractive provider only). On success returns 0 and sets
 * *out (caller frees with llmr_config_free). On failure returns -1, adds
 * every problem found to diags (not only the first), and sets e->code to
 * LLMR_EX_CONFIG (or LLMR_EX_NOINPUT when the file is missing) with the
 * first message.
 */
int llmr_config_load(const char *path, struct llmr_config **out,
		     struct llmr_diags *diags, struct llmr_err *e);
void llmr_config_free(struct llmr_config *cfg);

/* Lookups; all return borrowed pointers or NULL. */
struct llmr_provider_cfg *llmr_config_provider(const struct llmr_config *cfg, const char *name);
struct llmr_route_cfg *llmr_config_route(const struct llmr_config *cfg, const char *name);
/* Resolve "provider/model". Returns 0 and fills ref (ref->spec borrowed from
 * spec: do not free) or -1 with a message in e (exit LLMR_EX_USAGE). */
int llmr_config_resolve(const struct llmr_config *cfg, const char *spec,
			struct llmr_model_ref *ref, struct llmr_err *e);

/*
 * The provider's API key: from $api_key_env, or from api_key_file, which
 * must not be readable by group or others. Returns a new string (caller
 * wipes and frees), or NULL with e set (exit LLMR_EX_NOPERM) naming the
 * variable to set. A provider with neither key returns "" (Ollama, vLLM...).
 * The key itself never appears in e.
 */
char *llmr_provider_api_key(const struct llmr_provider_cfg *p, struct llmr_err *e);

/* Names for enums, and back. Parsers return -1 on unknown names. */
const char *llmr_protocol_name(enum llmr_protocol p);

#endif
