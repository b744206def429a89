#include "learn/learned_route.h"

#include <stdio.h>

#include "route/classify.h"

/* The route the decision will use, to tell whether it forces the tier. */
static const struct llmr_route_cfg *route_of(const struct llmr_config *cfg, const char *name)
{
	const struct llmr_route_cfg *r;

	if (name)
		return llmr_config_route(cfg, name);
	if (cfg->default_route && (r = llmr_config_route(cfg, cfg->default_route)))
		return r;
	return cfg->nroutes ? &cfg->routes[0] : NULL;
}

int llmr_learned_tier(struct llmr_learned *l, const struct llmr_config *cfg,
		      struct llmr_route_req *req, char *by, size_t n)
{
	const struct llmr_route_cfg *route = route_of(cfg, req->route);
	struct llmr_classify_in in = {req->text ? req->text : "", req->text_len, req->max_tokens,
				      req->json};
	struct llmr_learned_why why;
	struct llmr_class c;
	double est, base;

	/* A tier fixed by the request, a named model or a forcing route is
	 * not the router's to pick, as for the model classifier. */
	if (!l || req->complexity >= 0 || req->model || (route && route->force >= 0))
		return 0;
	llmr_classify(&in, &c);
	est = llmr_learned_score(l, in.text, in.len, c.score, &why);
	snprintf(by, n, "learned router: strong model wins with p %.2f, %zu neighbours of %zu outcomes",
		 est, why.neighbours, llmr_learned_size(l));
	/* The tier follows the lift over the labels' base rate, not the raw
	 * chance: where the strong model wins one prompt in twelve, a prompt
	 * at three in ten is a hard one. est / (est + base) is 0.5 at the base
	 * rate, and the classifier's thresholds apply to it. */
	base = llmr_learned_base(l);
	req->complexity = llmr_classify_tier(est + base > 0 ? est / (est + base) : 0.5);
	req->complexity_by = by;
	req->scored = true;
	req->score = est;
	return 1;
}

int llmr_learned_decide(struct llmr_learned *l, const struct llmr_config *cfg,
			const struct llmr_route_view *view, const struct llmr_route_req *req,
			struct llmr_decision *d, struct llmr_err *e)
{
	struct llmr_route_req r = *req;
	char by[160];

	llmr_learned_tier(l, cfg, &r, by, sizeof(by));
	return llmr_route_decide(cfg, view, &r, d, e);
}
