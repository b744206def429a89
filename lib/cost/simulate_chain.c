/* What-if replay: model ids, and the chains a request would walk before
 * and after the changes (see simulate.h). */
#include "cost/simulate_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int32_t llmr_sim_prov_id(struct sim *s, const char *name, size_t n)
{
	size_t before = s->provs.n, i;
	int32_t id = llmr_names_id(&s->provs, name, n);
	const struct llmr_provider_cfg *pc;
	struct prov *p;

	if (s->provs.n == before)
		return id;
	s->pv = llmr_xrealloc(s->pv, s->provs.n * sizeof(*s->pv));
	p = &s->pv[id];
	memset(p, 0, sizeof(*p));
	p->name = s->provs.s[id];
	pc = llmr_config_provider(s->cfg, p->name);
	p->before = pc ? pc->limits : (struct llmr_limits){-1, -1, -1, -1, -1, -1, -1, NULL, NULL};
	p->after = p->before;
	for (i = 0; i < s->ch->nplans; i++)
		if (!strcmp(s->ch->plans[i].provider, p->name)) {
			const struct llmr_limits *l = &s->ch->plans[i].limits;

			p->plan = &s->ch->plans[i];
			p->after.rpm = l->rpm >= 0 ? l->rpm : p->after.rpm;
			p->after.rpd = l->rpd >= 0 ? l->rpd : p->after.rpd;
			p->after.tpm = l->tpm >= 0 ? l->tpm : p->after.tpm;
			p->after.tpd = l->tpd >= 0 ? l->tpd : p->after.tpd;
		}
	p->w[0].minute = p->w[1].minute = p->w[0].day = p->w[1].day = INT64_MIN;
	return id;
}

int32_t llmr_sim_spec_id(struct sim *s, const char *spec)
{
	size_t before = s->specs.n, i;
	int32_t id = llmr_names_id(&s->specs, spec, strlen(spec));
	const struct llmr_price *lp;
	const char *slash = strchr(spec, '/');
	struct spec *x;

	if (s->specs.n == before)
		return id;
	s->sp = llmr_xrealloc(s->sp, s->specs.n * sizeof(*s->sp));
	x = &s->sp[id];
	memset(x, 0, sizeof(*x));
	x->prov = llmr_sim_prov_id(s, spec, slash ? (size_t)(slash - spec) : strlen(spec));
	x->logid = llmr_names_find(&s->log->names, spec);
	x->pbid = llmr_names_find(&s->pb->names, spec);
	x->median_ms = -1;
	x->limits = (struct llmr_limits){-1, -1, -1, -1, -1, -1, -1, NULL, NULL};
	x->w[0].minute = x->w[1].minute = x->w[0].day = x->w[1].day = INT64_MIN;
	{
		const struct llmr_provider_cfg *pc = llmr_config_provider(s->cfg, s->provs.s[x->prov]);
		size_t j;

		for (j = 0; pc && slash && j < pc->nmodels; j++)
			if (!strcmp(pc->models[j].name, slash + 1))
				x->limits = pc->models[j].limits;
	}
	for (i = 0; i < s->ch->nprices; i++)
		if (!strcmp(s->ch->prices[i].spec, spec))
			x->override = &s->ch->prices[i].p;
	lp = llmr_pricebook_at_id(s->pb, x->pbid, INT64_MAX);
	x->quality = lp && lp->quality >= 0 ? lp->quality : -1;
	return id;
}

static const char *apply_replace(const struct llmr_sim_changes *ch, const char *spec, const char *route,
				 int cx)
{
	size_t i;

	for (i = 0; i < ch->nrep; i++) {
		const struct llmr_sim_replace *r = &ch->rep[i];

		if (!strcmp(r->from, spec) && (!r->route || (route && !strcmp(r->route, route))) &&
		    (r->complexity < 0 || r->complexity == cx))
			spec = r->to;
	}
	return spec;
}

static const struct llmr_chain *cfg_chain(const struct llmr_config *cfg, const char *route, int cx)
{
	const struct llmr_route_cfg *r = route ? llmr_config_route(cfg, route) : NULL;
	int t;

	if (!r)
		return NULL;
	if (cx >= 0 && cx < LLMR_NCOMPLEXITY && r->tiers[cx].n)
		return &r->tiers[cx];
	for (t = 0; t < LLMR_NCOMPLEXITY; t++)
		if (r->tiers[t].n)
			return &r->tiers[t];
	return NULL;
}

const char **llmr_sim_chain_for(const struct llmr_config *cfg, const struct llmr_sim_changes *ch,
				const char *route, int complexity, size_t *n)
{
	const struct llmr_chain *c = cfg_chain(cfg, route, complexity);
	const struct llmr_sim_chain *over = NULL;
	const char **out;
	size_t i;

	for (i = 0; route && i < ch->nchains; i++)
		if (!strcmp(ch->chains[i].route, route) &&
		    (ch->chains[i].complexity < 0 || ch->chains[i].complexity == complexity))
			over = &ch->chains[i];
	size_t k = 0, j, total = over ? over->n : c ? c->n : 0;

	out = llmr_xcalloc(total + 1, sizeof(*out));
	/* A replacement already in the chain is not tried twice. */
	for (i = 0; i < total; i++) {
		const char *sp = apply_replace(ch, over ? over->models[i] : c->refs[i].spec, route, complexity);

		for (j = 0; j < k && strcmp(out[j], sp); j++)
			;
		if (j == k)
			out[k++] = sp;
	}
	*n = k;
	return out;
}

size_t llmr_sim_chain_of(struct sim *s, const struct llmr_cost_row *row)
{
	const char *route = llmr_names_get(&s->log->names, row->route);
	const char *cxs = llmr_names_get(&s->log->names, row->complexity);
	const char *model = llmr_names_get(&s->log->names, row->model);
	int cx = cxs ? llmr_complexity_parse(cxs) : -1;
	const struct llmr_chain *c;
	struct chain *k;
	char key[64];
	int32_t id;
	size_t i, pos, nover = 0;
	const char **over = NULL;
	bool has_over = false;

	snprintf(key, sizeof(key), "%d,%d,%d", row->route, row->complexity, row->model);
	id = llmr_names_id(&s->triples, key, strlen(key));
	if ((size_t)id < s->nchains)
		return (size_t)id;
	s->chains = llmr_xrealloc(s->chains, (s->nchains + 1) * sizeof(*s->chains));
	k = &s->chains[s->nchains++];
	memset(k, 0, sizeof(*k));
	c = cfg_chain(s->cfg, route, cx);
	/* Before: the logged model, then what followed it in its chain. */
	k->before = llmr_xcalloc((c ? c->n : 0) + 2, sizeof(*k->before));
	k->before[k->nb++] = llmr_sim_spec_id(s, model ? model : "unknown/unknown");
	for (pos = 0; c && pos < c->n && (!model || strcmp(c->refs[pos].spec, model)); pos++)
		;
	for (i = c && pos < c->n ? pos + 1 : 0; c && i < c->n; i++)
		k->before[k->nb++] = llmr_sim_spec_id(s, c->refs[i].spec);
	for (i = 0; route && i < s->ch->nchains; i++)
		if (!strcmp(s->ch->chains[i].route, route) &&
		    (s->ch->chains[i].complexity < 0 || s->ch->chains[i].complexity == cx))
			has_over = true;
	if (has_over)
		over = llmr_sim_chain_for(s->cfg, s->ch, route, cx, &nover);
	k->after = llmr_xcalloc((has_over ? nover : k->nb) + 1, sizeof(*k->after));
	for (i = 0; i < (has_over ? nover : k->nb); i++) {
		const char *sp = has_over ? over[i] : s->specs.s[k->before[i]];

		k->after[k->na++] = llmr_sim_spec_id(s, apply_replace(s->ch, sp, route, cx));
	}
	free(over);
	k->moved = k->na != k->nb || memcmp(k->after, k->before, k->na * sizeof(*k->after));
	return (size_t)id;
}
