/*
 * report.h - llmr-cost's output formats. Each renders into a buffer or a
 * JSON value; only cmd/llmr-cost.c prints them.
 */
#ifndef LLMR_REPORT_H
#define LLMR_REPORT_H

#include <jansson.h>
#include <stdbool.h>

#include "cost/cost.h"
#include "cost/cost_budget.h"
#include "cost/cost_savings.h"
#include "cost/prices.h"
#include "cost/simulate.h"
#include "base/util.h"

/* Everything a report shows: the log of the period (and of the previous
 * period and forecast window), the report, forecast, savings and prices. */
struct llmr_cost_run {
	struct llmr_cost_log log;
	struct llmr_cost_report report;
	struct llmr_forecast forecast;
	struct llmr_savings savings;
	struct llmr_pricebook pb;
	bool built;
};

/* Load and compute it all for [since, until). baseline as for
 * llmr_savings_compute. Returns 0 or -1 with e; release in both cases. */
int llmr_cost_run(sqlite3 *db, const struct llmr_config *cfg, int64_t since, int64_t until, int by,
		  const char *baseline, struct llmr_cost_run *run, struct llmr_err *e);
void llmr_cost_run_release(struct llmr_cost_run *run);

/* The whole report as one JSON object (new reference). f and s may be NULL. */
json_t *llmr_report_json(const struct llmr_cost_report *r, const struct llmr_forecast *f,
			 const struct llmr_savings *s);
/* Stats as a JSON object (new reference). */
json_t *llmr_report_stats_json(const struct llmr_cost_stats *st);

/* Human text. tty adds bars and a sparkline; color adds ANSI colours. */
void llmr_report_text(struct llmr_buf *b, const struct llmr_cost_report *r,
		      const struct llmr_forecast *f, const struct llmr_savings *s, bool tty, bool color);

/* The breakdown as CSV with a header line (RFC 4180 quoting). */
void llmr_report_csv(struct llmr_buf *b, const struct llmr_cost_report *r);

/*
 * One self-contained HTML page with inline SVG: spend per day stacked by
 * provider, share by model, cost against quality per model with the Pareto
 * frontier marked. prices (may be NULL) gives quality and prices per model.
 */
void llmr_report_html(struct llmr_buf *b, const struct llmr_cost_report *r,
		      const struct llmr_forecast *f, const struct llmr_savings *s,
		      const struct llmr_price_row *prices, size_t nprices);

/* A simulation's result as JSON (new reference), and as text. */
json_t *llmr_sim_json(const struct llmr_sim_result *r);
void llmr_sim_text(struct llmr_buf *b, const struct llmr_sim_result *r, bool color);

/* The price table: text with a header, or one JSON object per row (new
 * reference). */
void llmr_prices_text(struct llmr_buf *b, const struct llmr_price_row *rows, size_t n);
json_t *llmr_price_row_json(const struct llmr_price_row *r);
/* Every price version of model (or of every model when NULL), oldest
 * first: text, or JSON objects appended to arr. */
void llmr_prices_history_text(struct llmr_buf *b, const struct llmr_pricebook *pb, const char *model);
void llmr_prices_history_json(json_t *arr, const struct llmr_pricebook *pb, const char *model);

/* An import's counts: one line of text, or a JSON object (new reference). */
void llmr_price_import_text(struct llmr_buf *b, const struct llmr_price_import *c);
json_t *llmr_price_import_json(const struct llmr_price_import *c);
/* One budget's status: a line of text, or a JSON object (new reference). */
void llmr_budget_text(struct llmr_buf *b, const struct llmr_budget_status *s);
json_t *llmr_budget_json(const struct llmr_budget_status *s);

/* s with control characters replaced by '?', for text output: names come
 * from the log, the config and price files, and must not drive the
 * terminal (git's vreportf). Borrowed: valid until the next call. */
const char *llmr_report_clean(const char *s);

/* Append s with &<>"' escaped, for HTML and SVG text. */
void llmr_html_escape(struct llmr_buf *b, const char *s);

#endif
