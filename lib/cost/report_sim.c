#include "cost/report.h"

#include <math.h>

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *side(const struct llmr_sim_side *s)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:I,s:I}", "cost_usd", json_real(s->cost_usd),
			 "monthly_usd", json_real(s->monthly_usd),
			 "avg_latency_ms", s->avg_latency_ms < 0 ? json_null() : json_real(s->avg_latency_ms),
			 "avg_quality", s->avg_quality < 0 ? json_null() : json_real(s->avg_quality),
			 "limited", (json_int_t)s->limited, "unserved", (json_int_t)s->unserved);
}

json_t *llmr_sim_json(const struct llmr_sim_result *r)
{
	json_t *routes = json_array(), *models = json_array();
	size_t i;

	for (i = 0; i < r->nroutes; i++)
		json_array_append_new(routes, json_pack("{s:s,s:I,s:f,s:f,s:o}", "route", r->routes[i].route,
			"requests", (json_int_t)r->routes[i].requests, "before_usd", r->routes[i].before_usd,
			"after_usd", r->routes[i].after_usd,
			"change_pct", num(llmr_cost_pct(r->routes[i].after_usd, r->routes[i].before_usd))));
	for (i = 0; i < r->nmodels; i++)
		json_array_append_new(models, json_pack("{s:s,s:I,s:I}", "model", r->models[i].model,
			"before", (json_int_t)r->models[i].before, "after", (json_int_t)r->models[i].after));
	return json_pack("{s:f,s:I,s:I,s:I,s:I,s:o,s:o,s:f,s:o,s:o,s:o,s:f,s:f,s:o,s:o}",
			 "days", r->days, "requests", (json_int_t)r->requests,
			 "changed", (json_int_t)r->changed, "repriced", (json_int_t)r->repriced,
			 "unpriced", (json_int_t)r->unpriced, "before", side(&r->before),
			 "after", side(&r->after), "delta_usd", r->delta_usd, "delta_pct", num(r->delta_pct),
			 "delta_latency_ms", num(r->delta_latency_ms), "delta_quality", num(r->delta_quality),
			 "plan_fees_usd", r->plan_fees_usd, "credit_unused_usd", r->credit_unused_usd,
			 "routes", routes, "models", models);
}

static void pct(struct llmr_buf *b, double v, bool color, bool up_is_bad)
{
	if (!isfinite(v)) {
		llmr_buf_adds(b, "n/a");
		return;
	}
	if (color && v != 0)
		llmr_buf_adds(b, (v > 0) == up_is_bad ? "\033[31m" : "\033[32m");
	llmr_buf_addf(b, "%+.1f%%", v);
	if (color && v != 0)
		llmr_buf_adds(b, "\033[0m");
}

void llmr_sim_text(struct llmr_buf *b, const struct llmr_sim_result *r, bool color)
{
	size_t i;

	llmr_buf_addf(b, "replayed     %ld requests over %.1f days, %ld answered by another model\n",
		      r->requests, r->days, r->changed);
	llmr_buf_addf(b, "cost         $%.4f -> $%.4f (%+.4f, ", r->before.cost_usd, r->after.cost_usd,
		      r->delta_usd);
	pct(b, r->delta_pct, color, true);
	llmr_buf_addf(b, ")\nper month    $%.2f -> $%.2f\n", r->before.monthly_usd, r->after.monthly_usd);
	if (isfinite(r->delta_latency_ms))
		llmr_buf_addf(b, "latency      avg %.0f ms -> %.0f ms (%+.0f ms)\n", r->before.avg_latency_ms,
			      r->after.avg_latency_ms, r->delta_latency_ms);
	if (isfinite(r->delta_quality))
		llmr_buf_addf(b, "quality      avg %.1f -> %.1f (%+.1f)\n", r->before.avg_quality,
			      r->after.avg_quality, r->delta_quality);
	llmr_buf_addf(b, "limits       %ld -> %ld requests over a limit (fell back), %ld -> %ld over every model\n",
		      r->before.limited, r->after.limited, r->before.unserved, r->after.unserved);
	if (r->plan_fees_usd > 0 || r->credit_unused_usd > 0)
		llmr_buf_addf(b, "plans        fees $%.2f, unused committed credit $%.2f\n", r->plan_fees_usd,
			      r->credit_unused_usd);
	if (r->unpriced)
		llmr_buf_addf(b, "warning      %ld requests moved to a model with no price (counted $0)\n",
			      r->unpriced);
	llmr_buf_addf(b, "\n%-20s %8s %12s %12s %8s\n", "route", "requests", "before", "after", "change");
	for (i = 0; i < r->nroutes; i++) {
		llmr_buf_addf(b, "%-20s %8ld %12.4f %12.4f ", llmr_report_clean(r->routes[i].route), r->routes[i].requests,
			      r->routes[i].before_usd, r->routes[i].after_usd);
		pct(b, llmr_cost_pct(r->routes[i].after_usd, r->routes[i].before_usd), color, true);
		llmr_buf_adds(b, "\n");
	}
	llmr_buf_addf(b, "\n%-36s %8s %8s\n", "model", "before", "after");
	for (i = 0; i < r->nmodels; i++)
		llmr_buf_addf(b, "%-36s %8ld %8ld\n", llmr_report_clean(r->models[i].model), r->models[i].before,
			      r->models[i].after);
}
