#include "schema.h"

#include "cache.h"

#include "cost.h"
#include "index.h"
#include "budget.h"
#include "quota.h"

/*
 * One row per provider attempt. Token counts follow DESIGN.md's usage
 * semantics; cost_usd is computed from the config's prices when the attempt
 * was made, so later price changes never rewrite the past.
 */
static const char core_v1[] =
	"CREATE TABLE requests ("
	" id INTEGER PRIMARY KEY,"
	" request_id TEXT NOT NULL,"
	" attempt INTEGER NOT NULL DEFAULT 1,"
	" ts_ms INTEGER NOT NULL,"
	" route TEXT, priority TEXT, complexity TEXT,"
	" provider TEXT, model TEXT,"
	" status TEXT NOT NULL,"
	" error_message TEXT,"
	" http_status INTEGER,"
	" input_tokens INTEGER NOT NULL DEFAULT 0,"
	" output_tokens INTEGER NOT NULL DEFAULT 0,"
	" cached_tokens INTEGER NOT NULL DEFAULT 0,"
	" cache_write_tokens INTEGER NOT NULL DEFAULT 0,"
	" cost_usd REAL NOT NULL DEFAULT 0,"
	" provider_cost_usd REAL,"
	" latency_ms INTEGER, ttft_ms INTEGER,"
	" fallback_from TEXT, cache TEXT);"
	"CREATE INDEX requests_ts ON requests(ts_ms);"
	"CREATE INDEX requests_rid ON requests(request_id);"
	"CREATE TABLE ratelimits ("
	" provider TEXT NOT NULL, model TEXT NOT NULL DEFAULT '',"
	" seen_ms INTEGER NOT NULL,"
	" req_limit INTEGER, req_remaining INTEGER, req_reset_ms INTEGER,"
	" tok_limit INTEGER, tok_remaining INTEGER, tok_reset_ms INTEGER,"
	" in_tok_limit INTEGER, in_tok_remaining INTEGER, in_tok_reset_ms INTEGER,"
	" out_tok_limit INTEGER, out_tok_remaining INTEGER, out_tok_reset_ms INTEGER,"
	" retry_after_ms INTEGER,"
	" PRIMARY KEY (provider, model));";

const struct llmr_migration llmr_migrations[] = {
	{"requests log and rate-limit headers", core_v1},
	/* Append later steps here, one line each, SQL kept in the module's file. */
	{"cost: price versions, routing versions, budgets", llmr_cost_schema_v1},
	{"route: quota reservations, queue, breakers, request budgets, degraded mode", llmr_route_schema_v1},
	{"index: collections, documents, chunks, FTS5, ANN graph", llmr_schema_index_v1},
	{"route: request budget calls in flight", llmr_budget_schema_v2},
	{"ask: exact response cache", llmr_cache_schema_v1},
};

const size_t llmr_nmigrations = sizeof(llmr_migrations) / sizeof(llmr_migrations[0]);
