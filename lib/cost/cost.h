/*
 * cost.h - spend analytics over the requests log (llmr-cost).
 *
 * The log has one row per provider attempt (schema.c, core_v1). Here:
 * - an attempt that failed is still an attempt (and may have cost money);
 * - a request is a request_id; its answer is its last "ok" attempt;
 * - a cache hit is a row with cache = 'exact' or 'semantic' (cost 0);
 * - a fallback is a row with fallback_from set.
 * Reports add up cost_usd as logged, so a later price change never rewrites
 * the past; savings and simulations reprice with the price that held when
 * each request was made (prices.h).
 *
 * Times are epoch milliseconds, UTC; a period is [since, until).
 */
#ifndef LLMR_COST_H
#define LLMR_COST_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

#define LLMR_DAY_MS 86400000LL

/* ---- interned names ---- */

/* A string table: each distinct string gets a small id (0, 1, ...). */
struct llmr_names {
	char **s;
	size_t *len;    /* of each string, so lookups compare without strlen */
	size_t n, cap;
	int32_t *slots; /* open addressing: id + 1, 0 = empty */
	size_t nslots;
};

/* The id of s (length len), adding it when new. Never fails (aborts on
 * ENOMEM like llmr_xmalloc). */
int32_t llmr_names_id(struct llmr_names *t, const char *s, size_t len);
/* The id of s, or -1 when absent. */
int32_t llmr_names_find(const struct llmr_names *t, const char *s);
/* The string of id (borrowed), or NULL for -1. */
const char *llmr_names_get(const struct llmr_names *t, int32_t id);
void llmr_names_release(struct llmr_names *t);

/* ---- the log, loaded ---- */

enum { LLMR_CACHE_MISS = 0, LLMR_CACHE_EXACT = 1, LLMR_CACHE_SEMANTIC = 2 };

/* One attempt. Name fields are ids in the log's names (-1 = NULL); model is
 * "provider/model". */
struct llmr_cost_row {
	int64_t ts_ms;
	uint64_t rid;            /* 64-bit hash of request_id */
	int32_t route, provider, model, complexity, fallback_from;
	int32_t agent;           /* serve_agents' agent, or -1 */
	int32_t latency_ms;      /* -1 unknown */
	int32_t attempt;
	int32_t in, out, cached, cache_write; /* tokens of this attempt */
	double cost;
	int8_t cache;            /* LLMR_CACHE_* */
	bool ok;                 /* status = 'ok' */
};

struct llmr_cost_log {
	struct llmr_cost_row *rows; /* by ts_ms, then id */
	size_t n, cap;
	struct llmr_names names;
};

/* Load the attempts with since <= ts_ms < until. Returns 0, or -1 with e
 * (LLMR_EX_SOFTWARE). Release with llmr_cost_log_release. */
int llmr_cost_log_load(sqlite3 *db, int64_t since, int64_t until, struct llmr_cost_log *log,
		       struct llmr_err *e);
/* Append one row (the loader and synthetic profiles use it). */
struct llmr_cost_row *llmr_cost_log_push(struct llmr_cost_log *log);
void llmr_cost_log_release(struct llmr_cost_log *log);
/* 64-bit FNV-1a, the request_id hash. */
uint64_t llmr_cost_hash(const char *s, size_t n);

/* ---- time ---- */

/*
 * Parse a time for --since/--until: "2026-01-31", "2026-01", "2026-01-31T10:00[:00][Z]",
 * "@EPOCH_MS", or a duration back from now ("7d", "24h"). Returns 0, or -1.
 */
int llmr_cost_parse_time(const char *s, int64_t now_ms, int64_t *out);
/* Start of the UTC month holding t, and of the month `add` months later. */
int64_t llmr_cost_month_start(int64_t t, int add);
/* "2026-01-31" (day), "2026-W05" (ISO week), "2026-01" (month), or
 * "2026-01-31T10:00:00Z" (iso) into out. */
void llmr_cost_fmt_day(int64_t t, char out[16]);
void llmr_cost_fmt_week(int64_t t, char out[16]);
void llmr_cost_fmt_month(int64_t t, char out[16]);
void llmr_cost_fmt_iso(int64_t t, char out[32]);

/* ---- reports ---- */

enum llmr_cost_by {
	LLMR_BY_NONE, LLMR_BY_ROUTE, LLMR_BY_PROVIDER, LLMR_BY_MODEL,
	LLMR_BY_DAY, LLMR_BY_WEEK, LLMR_BY_MONTH, LLMR_BY_AGENT
};
/* "route" ... "month", "agent" -> enum; -1 on unknown. */
int llmr_cost_by_parse(const char *s);
const char *llmr_cost_by_name(int by);

struct llmr_cost_stats {
	long requests;          /* distinct request ids */
	long attempts, errors;  /* rows; rows whose status is not ok */
	long cache_hits, fallbacks;
	long long input_tokens, output_tokens, cached_tokens;
	double cost_usd;
	double avg_latency_ms;  /* over ok attempts with a latency; -1 none */
	long p95_latency_ms;    /* nearest rank; -1 none */
	double error_rate;      /* errors / attempts; 0 when no attempt */
};

struct llmr_cost_group {
	char *key;
	struct llmr_cost_stats cur, prev;
};

/* The background document's "Scénario 3": per route (use case). */
struct llmr_cost_usecase {
	char *route;
	char *models;          /* "a (primary), b" by answered requests */
	long requests;
	double avg_cost_usd;   /* spend / requests */
	double per_day;        /* requests / days */
	double daily_usd;      /* spend / days */
	double monthly_usd;    /* daily * 30 */
};

struct llmr_forecast {
	char month[16], next_month[16];
	double spent_usd;       /* this month, up to the reference time */
	double rate7_usd, rate28_usd; /* mean daily spend, last 7 and 28 days */
	double last7_usd, prev7_usd;  /* spend in the last 7 days, the 7 before */
	double wow_pct;         /* week over week % change; NAN when prev7 = 0 */
	double days_left;       /* in this month after the reference time */
	double low_usd, high_usd;           /* this month */
	double next_low_usd, next_high_usd; /* next month */
};

/* Daily spend per provider, for charts. */
struct llmr_cost_daily {
	int64_t day0;           /* first day (epoch ms, midnight UTC) */
	size_t ndays, nprov;
	char **prov;            /* provider names */
	double *usd;            /* ndays * nprov, row-major by day */
};

struct llmr_cost_report {
	int64_t since, until, prev_since, prev_until;
	double days;            /* (until - since) / day */
	int by;
	struct llmr_cost_stats total, prev;
	struct llmr_cost_group *groups;
	size_t ngroups;
	struct llmr_cost_usecase *uses;
	size_t nuses;
	struct llmr_cost_group *models; /* always by model, for shares and charts */
	size_t nmodels;
	struct llmr_cost_daily daily;
};

/* The previous period for [since, until): calendar months compare with
 * calendar months, anything else with the same length just before. */
void llmr_cost_prev_period(int64_t since, int64_t until, int64_t *psince, int64_t *puntil);

/*
 * Compute a report over log rows, which must cover [prev_since, until) (load
 * with llmr_cost_prev_period first). Returns 0 or -1 with e.
 * Release with llmr_cost_report_release.
 */
int llmr_cost_report_build(const struct llmr_cost_log *log, int64_t since, int64_t until,
			   int by, struct llmr_cost_report *r, struct llmr_err *e);
void llmr_cost_report_release(struct llmr_cost_report *r);

/* Indices of the answer rows (each request's last ok attempt) within
 * [since, until), by time. *idx is new (caller frees); returns the count. */
size_t llmr_cost_answers(const struct llmr_cost_log *log, int64_t since, int64_t until, size_t **idx);

/* Percent change from prev to cur; NAN when prev is 0. */
double llmr_cost_pct(double cur, double prev);

/*
 * Trend and forecast at reference time ref (the report's until), from the
 * database: spent this month; mean daily spend over the last 7 and 28 days
 * (counted from the first logged day when the log is younger); range for
 * this month = spent + days_left * [min, max] of the two rates; next month =
 * its days * [min, max]. provider NULL = all providers.
 */
int llmr_forecast_compute(sqlite3 *db, int64_t ref, const char *provider, const char *route,
			  struct llmr_forecast *f, struct llmr_err *e);

/* The same from rows in memory, which must cover [llmr_forecast_window(ref),
 * ref); first is the first logged instant (llmr_cost_first_ts). */
int llmr_forecast_from_log(const struct llmr_cost_log *log, int64_t first, int64_t ref,
			   struct llmr_forecast *f, struct llmr_err *e);
int64_t llmr_forecast_window(int64_t ref);
/* The first ts_ms in the log, -1 when empty. */
int llmr_cost_first_ts(sqlite3 *db, int64_t *first, struct llmr_err *e);

#endif
