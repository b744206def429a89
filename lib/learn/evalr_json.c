#include "learn/evalr.h"

#include <math.h>

/* A CPT that was never reached is null, not a made-up share. */
static json_t *share(double x)
{
	return isnan(x) ? json_null() : json_real(x);
}

static json_t *metrics(const struct llmr_route_metrics *m, size_t n)
{
	json_t *o = json_object();

	if (n)
		json_object_set_new(o, "n", json_integer((json_int_t)n));
	json_object_set_new(o, "apgr", json_real(m->apgr));
	json_object_set_new(o, "cpt50", share(m->cpt50));
	json_object_set_new(o, "cpt80", share(m->cpt80));
	return o;
}

static json_t *model(const char *name, double perf)
{
	return json_pack("{s:s, s:f}", "model", name, "perf", perf);
}

json_t *llmr_eval_report_json(const struct llmr_eval_report *r, const struct llmr_pairs *p)
{
	json_t *o = json_object(), *routers = json_object();

	json_object_set_new(o, "prompts", json_integer((json_int_t)r->n));
	json_object_set_new(o, "folds", json_integer((json_int_t)r->folds));
	json_object_set_new(o, "seed", json_integer((json_int_t)r->seed));
	json_object_set_new(o, "apgr_steps", json_integer(LLMR_EVAL_STEPS));
	json_object_set_new(o, "weak", model(p->weak_model, r->weak_perf));
	json_object_set_new(o, "strong", model(p->strong_model, r->strong_perf));
	json_object_set_new(o, "strong_wins", json_real(r->strong_wins));
	for (int q = 0; q < LLMR_EVAL_NROUTERS; q++) {
		json_t *m = metrics(&r->mean[q], 0), *folds = json_array();

		for (size_t k = 0; k < r->folds; k++)
			json_array_append_new(folds, metrics(&r->fold[q][k], r->fold_n[k]));
		json_object_set_new(m, "folds", folds);
		json_object_set_new(routers, llmr_eval_router_name(q), m);
	}
	json_object_set_new(o, "routers", routers);
	return o;
}
