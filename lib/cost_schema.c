#include "cost.h"

/*
 * price_versions: every price a model has had, with the instant it took
 * effect, so savings and simulations reprice each request with the price
 * that held when it was made (logged costs are never rewritten).
 * routing_versions: each applied routing (JSON of every route's chains) with
 * the version it was made from; routing_active names the one in force
 * (0 = the config as written). cost_budgets: caps that the config has no
 * key for (per route, or a total).
 */
const char llmr_cost_schema_v1[] =
	"CREATE TABLE price_versions ("
	" provider TEXT NOT NULL, model TEXT NOT NULL, valid_from_ms INTEGER NOT NULL,"
	" input REAL, output REAL, cached_input REAL, cache_write REAL,"
	" context INTEGER, quality INTEGER, source TEXT,"
	" PRIMARY KEY (provider, model, valid_from_ms));"
	"CREATE TABLE routing_versions ("
	" version INTEGER PRIMARY KEY, parent INTEGER NOT NULL DEFAULT 0,"
	" created_ms INTEGER NOT NULL, note TEXT, routes TEXT NOT NULL);"
	"CREATE TABLE routing_active ("
	" id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, changed_ms INTEGER);"
	"CREATE TABLE routing_history ("
	" ts_ms INTEGER NOT NULL, action TEXT NOT NULL, from_version INTEGER, to_version INTEGER);"
	"CREATE TABLE cost_budgets ("
	" scope TEXT NOT NULL, name TEXT NOT NULL, usd_per_month REAL NOT NULL,"
	" alert_at REAL NOT NULL DEFAULT 0.8, PRIMARY KEY (scope, name));";
