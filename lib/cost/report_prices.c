#include "cost/report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Prices, imports and budgets as the user sees them; llmr-cost prints. */

static double cached_of(const struct llmr_price *p)
{
	return fmax(p->cached_input < 0 ? p->input : p->cached_input, 0);
}

void llmr_prices_text(struct llmr_buf *b, const struct llmr_price_row *rows, size_t n)
{
	size_t i;

	llmr_buf_addf(b, "%-40s %10s %10s %10s %9s %7s %10s\n", "model", "input/1M", "output/1M",
		      "cached/1M", "context", "quality", "median ms");
	for (i = 0; i < n; i++) {
		const struct llmr_price *p = &rows[i].p;

		llmr_buf_addf(b, "%-40s %10.4f %10.4f %10.4f ", llmr_report_clean(rows[i].spec), fmax(p->input, 0),
			      fmax(p->output, 0), cached_of(p));
		if (p->context < 0)
			llmr_buf_addf(b, "%9s ", "-");
		else
			llmr_buf_addf(b, "%9ld ", p->context);
		if (p->quality < 0)
			llmr_buf_addf(b, "%7s ", "-");
		else
			llmr_buf_addf(b, "%7d ", p->quality);
		if (rows[i].median_latency_ms < 0)
			llmr_buf_addf(b, "%10s\n", "-");
		else
			llmr_buf_addf(b, "%10.0f\n", rows[i].median_latency_ms);
	}
}

json_t *llmr_price_row_json(const struct llmr_price_row *r)
{
	const struct llmr_price *p = &r->p;

	return json_pack("{s:s,s:f,s:f,s:f,s:o,s:o,s:o,s:b}", "model", r->spec, "input", fmax(p->input, 0),
			 "output", fmax(p->output, 0), "cached_input", cached_of(p),
			 "context", p->context < 0 ? json_null() : json_integer(p->context),
			 "quality", p->quality < 0 ? json_null() : json_integer(p->quality),
			 "median_latency_ms", r->median_latency_ms < 0 ? json_null() : json_real(r->median_latency_ms),
			 "configured", r->configured);
}

void llmr_price_import_text(struct llmr_buf *b, const struct llmr_price_import *c)
{
	llmr_buf_addf(b, "%ld entries: %ld chat models; %ld updated, %ld unchanged, %ld added, %ld not configured;"
		      " skipped %ld (%ld other modes, %ld sample_spec, %ld without prices)\n", c->entries,
		      c->chat, c->updated, c->unchanged, c->added, c->unknown - c->added,
		      c->skip_mode + c->skip_spec + c->skip_shape, c->skip_mode, c->skip_spec, c->skip_shape);
}

json_t *llmr_price_import_json(const struct llmr_price_import *c)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "entries", (json_int_t)c->entries,
			 "chat", (json_int_t)c->chat, "updated", (json_int_t)c->updated,
			 "unchanged", (json_int_t)c->unchanged, "added", (json_int_t)c->added,
			 "unknown", (json_int_t)c->unknown, "skipped_mode", (json_int_t)c->skip_mode,
			 "skipped_sample_spec", (json_int_t)c->skip_spec,
			 "skipped_shape", (json_int_t)c->skip_shape);
}

void llmr_budget_text(struct llmr_buf *b, const struct llmr_budget_status *s)
{
	llmr_buf_addf(b, "%s %s: spent $%.2f of $%.2f (%.0f%%), forecast $%.2f-$%.2f: %s\n", s->scope,
		      llmr_report_clean(s->name),
		      s->spent_usd, s->cap_usd, s->cap_usd > 0 ? s->spent_usd / s->cap_usd * 100 : 0,
		      s->forecast_low_usd, s->forecast_high_usd, llmr_budget_level_name(s->level));
}

json_t *llmr_budget_json(const struct llmr_budget_status *s)
{
	return json_pack("{s:s,s:s,s:f,s:f,s:f,s:f,s:f,s:s}", "scope", s->scope, "name", s->name,
			 "cap_usd", s->cap_usd, "alert_at", s->alert_at, "spent_usd", s->spent_usd,
			 "forecast_low_usd", s->forecast_low_usd, "forecast_high_usd", s->forecast_high_usd,
			 "status", llmr_budget_level_name(s->level));
}

static void since_of(const struct llmr_price *p, char out[32])
{
	if (p->valid_from == INT64_MIN)
		snprintf(out, 32, "config");
	else
		llmr_cost_fmt_iso(p->valid_from, out);
}

void llmr_prices_history_text(struct llmr_buf *b, const struct llmr_pricebook *pb, const char *model)
{
	size_t i, j;
	char when[32];

	llmr_buf_addf(b, "%-40s %-20s %10s %10s %10s %9s\n", "model", "valid from", "input/1M", "output/1M",
		      "cached/1M", "context");
	for (i = 0; i < pb->names.n; i++) {
		if (model && strcmp(model, pb->names.s[i]))
			continue;
		for (j = 0; j < pb->e[i].nv; j++) {
			const struct llmr_price *p = &pb->e[i].v[j];

			since_of(p, when);
			llmr_buf_addf(b, "%-40s %-20s %10.4f %10.4f %10.4f ", llmr_report_clean(pb->names.s[i]), when,
				      fmax(p->input, 0),
				      fmax(p->output, 0), cached_of(p));
			if (p->context < 0)
				llmr_buf_addf(b, "%9s\n", "-");
			else
				llmr_buf_addf(b, "%9ld\n", p->context);
		}
	}
}

void llmr_prices_history_json(json_t *arr, const struct llmr_pricebook *pb, const char *model)
{
	size_t i, j;
	char when[32];

	for (i = 0; i < pb->names.n; i++) {
		if (model && strcmp(model, pb->names.s[i]))
			continue;
		for (j = 0; j < pb->e[i].nv; j++) {
			const struct llmr_price *p = &pb->e[i].v[j];

			since_of(p, when);
			json_array_append_new(arr, json_pack("{s:s,s:s,s:f,s:f,s:f,s:o}", "model", pb->names.s[i],
				"valid_from", when, "input", fmax(p->input, 0), "output", fmax(p->output, 0),
				"cached_input", cached_of(p),
				"context", p->context < 0 ? json_null() : json_integer(p->context)));
		}
	}
}
