#include "learn/learned_route.h"

#include <stdio.h>

#include "route/classify.h"

int llmr_learned_load(struct llmr_state *st, const struct llmr_learned_opts *opts,
		      struct llmr_learned **out, struct llmr_err *e)
{
	struct llmr_outcomes o;
	struct llmr_pairs p;
	int rc = 0;

	*out = NULL;
	llmr_outcomes_init(&o);
	if (llmr_outcomes_load(st, &o, e) < 0)
		rc = -1;
	else if (o.nmodels >= 2 && llmr_pairs_pick(&o, NULL, NULL, &p, NULL) == 0) {
		*out = llmr_learned_new(&p, NULL, p.n, opts);
		llmr_pairs_release(&p);
	}
	llmr_outcomes_release(&o);
	return rc;
}

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

int llmr_learned_decide(struct llmr_learned *l, const struct llmr_config *cfg,
			const struct llmr_route_view *view, const struct llmr_route_req *req,
			struct llmr_decision *d, struct llmr_err *e)
{
	const struct llmr_route_cfg *route = route_of(cfg, req->route);
	struct llmr_classify_in in = {req->text ? req->text : "", req->text_len, req->max_tokens,
				      req->json};
	struct llmr_learned_why why;
	struct llmr_route_req r = *req;
	struct llmr_class c;
	char by[160];
	double est;

	if (!l || req->complexity >= 0 || (route && route->force >= 0))
		return llmr_route_decide(cfg, view, req, d, e);
	llmr_classify(&in, &c);
	est = llmr_learned_score(l, in.text, in.len, c.score, &why);
	snprintf(by, sizeof(by),
		 "learned router: strong model wins with p %.2f, %zu neighbours of %zu outcomes",
		 est, why.neighbours, llmr_learned_size(l));
	r.complexity = llmr_classify_tier(est);
	r.complexity_by = by;
	if (llmr_route_decide(cfg, view, &r, d, e) < 0)
		return -1;
	d->score = est;
	return 0;
}
