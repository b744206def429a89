/*
 * change_print.c - a proposed routing change (llmr-bench recommend,
 * pending) as JSON and as text, for llmr-bench to print.
 */
#include "cli/change_print.h"

#include <math.h>

static json_t *num_or_null(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

json_t *llmr_change_json(const struct llmr_change *c)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:I, s:I, s:f, s:f, s:o, s:o}}",
			 "id", (json_int_t)c->id, "status", c->status, "route", c->route, "tier",
			 llmr_complexity_name(c->tier), "old_chain", c->old_chain, "chain", c->chain,
			 "why", c->why, "impact", "requests", (json_int_t)c->requests, "changed",
			 (json_int_t)c->changed, "before_usd", c->before_usd, "after_usd", c->after_usd,
			 "delta_quality", num_or_null(c->delta_quality), "delta_latency_ms",
			 num_or_null(c->delta_latency_ms));
}

void llmr_change_print(FILE *fp, const struct llmr_change *c)
{
	double pct = c->before_usd > 0 ? 100 * (c->after_usd - c->before_usd) / c->before_usd : 0;

	fprintf(fp, "#%ld  route %s, %s: %s -> %s\n", c->id, c->route, llmr_complexity_name(c->tier),
	       c->old_chain, c->chain);
	fprintf(fp, "    why: %s\n", c->why);
	fprintf(fp, "    simulated over the log: %ld requests, %ld moved; $%.6f -> $%.6f (%+.1f%%)", c->requests,
	       c->changed, c->before_usd, c->after_usd, pct);
	if (!isnan(c->delta_quality))
		fprintf(fp, "; quality %+.1f", c->delta_quality);
	if (!isnan(c->delta_latency_ms))
		fprintf(fp, "; latency %+.0f ms", c->delta_latency_ms);
	fputc('\n', fp);
}
