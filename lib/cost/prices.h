/*
 * prices.h - the price book: every configured model's prices, plus the
 * versions stored in the state (price_versions, cost.h), each valid from an
 * instant. Savings and simulations reprice a request with the price that
 * held when it was made; the logged cost_usd is never rewritten.
 *
 * Prices are USD per million tokens, as in the config.
 */
#ifndef LLMR_PRICES_H
#define LLMR_PRICES_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "conf/config.h"
#include "cost/cost.h"
#include "store/state.h"
#include "base/util.h"

struct llmr_price {
	int64_t valid_from;   /* INT64_MIN for the config's own price */
	double input, output; /* -1 unset (0) */
	double cached_input, cache_write; /* -1 = same as input */
	long context;         /* -1 unknown */
	int quality;          /* -1 unknown */
};

struct llmr_price_entry {
	struct llmr_price *v; /* by valid_from, ascending */
	size_t nv;
	bool configured;      /* the config names this model */
};

/* Keyed "provider/model"; entry i belongs to names id i. */
struct llmr_pricebook {
	struct llmr_names names;
	struct llmr_price_entry *e;
	size_t cap;
};

/*
 * Build the book from cfg (may be NULL) and the state's price_versions
 * (db may be NULL). Returns 0 or -1 with e. Release with
 * llmr_pricebook_release.
 */
int llmr_pricebook_load(struct llmr_pricebook *pb, const struct llmr_config *cfg, sqlite3 *db,
			struct llmr_err *e);
void llmr_pricebook_release(struct llmr_pricebook *pb);
/* Add one version of spec's price (kept sorted). */
void llmr_pricebook_add(struct llmr_pricebook *pb, const char *spec, const struct llmr_price *p,
			bool configured);
/* The price of spec in force at ts (borrowed), or NULL when unknown. */
const struct llmr_price *llmr_pricebook_at(const struct llmr_pricebook *pb, const char *spec, int64_t ts);
/* The same by names id (-1 = unknown). */
const struct llmr_price *llmr_pricebook_at_id(const struct llmr_pricebook *pb, int32_t id, int64_t ts);
/* The latest price of spec (borrowed) or NULL. */
const struct llmr_price *llmr_pricebook_latest(const struct llmr_pricebook *pb, const char *spec);

/* USD for these token counts at price p (llmr_usage_cost's rules). */
double llmr_price_cost(const struct llmr_price *p, int64_t in, int64_t out, int64_t cached,
		       int64_t cache_write);

/*
 * Apply the latest stored price versions to cfg's models in place (prices
 * and context; quality when stored), so llmr-ask logs costs at imported
 * prices. Models the config does not list are left out. Returns 0 or -1.
 */
int llmr_prices_overlay(struct llmr_state *st, struct llmr_config *cfg, struct llmr_err *e);

/* Counts from an import, for the user. */
struct llmr_price_import {
	long entries;        /* top-level keys */
	long chat;           /* usable chat-model entries */
	long updated;        /* configured models given a new price version */
	long unchanged;      /* configured models whose price was already that */
	long added;          /* unknown models added (with add) */
	long unknown;        /* chat entries no configured model matches */
	long skip_mode;      /* mode other than chat */
	long skip_spec;      /* sample_spec */
	long skip_shape;     /* value not an object, or no numeric price */
};

/*
 * Import LiteLLM's model_prices_and_context_window.json (USD per token):
 * for every configured model whose name matches a key (with or without a
 * provider prefix), store a new price version valid from now_ms when the
 * price or context differs; with add, store unknown chat models too, under
 * their litellm_provider. Never touches routes. A malformed file fails with
 * "FILE:LINE:COL: why" (LLMR_EX_DATAERR), a missing one with
 * LLMR_EX_NOINPUT. One transaction: all or nothing.
 */
int llmr_prices_import(struct llmr_state *st, const struct llmr_config *cfg, const char *path,
		       bool add, int64_t now_ms, struct llmr_price_import *out, struct llmr_err *e);

/* One row of `llmr-cost prices`. */
struct llmr_price_row {
	char *spec;
	struct llmr_price p;   /* latest */
	bool configured;
	double median_latency_ms; /* from ok attempts in the log; -1 none */
	long samples;
};

/* The table: every model in the book, configured ones first, by name.
 * Caller frees with llmr_price_rows_free. */
int llmr_prices_table(sqlite3 *db, const struct llmr_pricebook *pb, struct llmr_price_row **rows,
		      size_t *n, struct llmr_err *e);
void llmr_price_rows_free(struct llmr_price_row *rows, size_t n);

#endif
