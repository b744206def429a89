/* What-if replay: walk each answered request down its chain before and
 * after the changes, under fixed rate-limit windows (see simulate.h). */
#include "cost/simulate_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether one more request of tok tokens fits limits l in windows x. */
static bool fits(const struct llmr_limits *l, struct win *x, int64_t ts, long tok)
{
	int64_t minute = ts / 60000, day = ts / LLMR_DAY_MS;

	if (x->minute != minute) {
		x->minute = minute;
		x->mreq = x->mtok = 0;
	}
	if (x->day != day) {
		x->day = day;
		x->dreq = x->dtok = 0;
	}
	return !((l->rpm >= 0 && x->mreq + 1 > l->rpm) || (l->rpd >= 0 && x->dreq + 1 > l->rpd) ||
		 (l->tpm >= 0 && x->mtok + tok > l->tpm) || (l->tpd >= 0 && x->dtok + tok > l->tpd));
}

static void take(struct win *x, long tok)
{
	x->mreq++;
	x->dreq++;
	x->mtok += tok;
	x->dtok += tok;
}

/* A model answers when both its provider's limits and its own allow. */
static bool model_fits(struct sim *s, int32_t id, int w, int64_t ts, long tok)
{
	struct spec *x = &s->sp[id];
	struct prov *p = &s->pv[x->prov];

	if (!fits(w ? &p->after : &p->before, &p->w[w], ts, tok) || !fits(&x->limits, &x->w[w], ts, tok))
		return false;
	take(&p->w[w], tok);
	take(&x->w[w], tok);
	return true;
}

/* Walk a chain under world w's limits: the model that answers. */
static int32_t pick(struct sim *s, const int32_t *c, size_t n, int w, const struct llmr_cost_row *r,
		    struct llmr_sim_side *side)
{
	long tok = (long)(r->in + r->out);
	size_t i;

	if (r->cache != LLMR_CACHE_MISS)
		return c[0]; /* a cache hit calls no provider */
	for (i = 0; i < n; i++)
		if (model_fits(s, c[i], w, r->ts_ms, tok))
			break;
	if (i > 0)
		side->limited++;
	if (i == n) {
		side->unserved++;
		return c[0];
	}
	return c[i];
}

static double price_of(struct sim *s, int32_t id, const struct llmr_cost_row *r, bool *ok)
{
	const struct llmr_price *p = s->sp[id].override;

	if (!p)
		p = llmr_pricebook_at_id(s->pb, s->sp[id].pbid, r->ts_ms);
	*ok = p != NULL;
	return p ? llmr_price_cost(p, r->in, r->out, r->cached, r->cache_write) : 0;
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* Median measured latency of every logged model, ok misses only. */
static double *medians(const struct llmr_cost_log *log)
{
	size_t n = log->names.n, i, *cnt = llmr_xcalloc(n + 1, sizeof(*cnt)), *off;
	int32_t *v;
	double *med = llmr_xcalloc(n + 1, sizeof(*med));

	for (i = 0; i < log->n; i++)
		if (log->rows[i].ok && !log->rows[i].cache && log->rows[i].latency_ms >= 0 && log->rows[i].model >= 0)
			cnt[log->rows[i].model]++;
	off = llmr_xcalloc(n + 1, sizeof(*off));
	for (i = 0; i < n; i++)
		off[i + 1] = off[i] + cnt[i];
	v = llmr_xmalloc((off[n] + 1) * sizeof(*v));
	memset(cnt, 0, n * sizeof(*cnt));
	for (i = 0; i < log->n; i++) {
		const struct llmr_cost_row *r = &log->rows[i];

		if (r->ok && !r->cache && r->latency_ms >= 0 && r->model >= 0)
			v[off[r->model] + cnt[r->model]++] = r->latency_ms;
	}
	for (i = 0; i < n; i++) {
		int32_t *a = v + off[i];
		size_t k = cnt[i];

		med[i] = -1;
		if (!k)
			continue;
		qsort(a, k, sizeof(*a), cmp_i32);
		med[i] = k % 2 ? a[k / 2] : (a[k / 2 - 1] + (double)a[k / 2]) / 2;
	}
	free(cnt);
	free(off);
	free(v);
	return med;
}

struct acc {
	double lat, q;
	long nlat, nq;
};

static void acc_add(struct acc *a, double lat, double q)
{
	if (lat >= 0) {
		a->lat += lat;
		a->nlat++;
	}
	if (q >= 0) {
		a->q += q;
		a->nq++;
	}
}

static void add_route(struct llmr_sim_result *res, const char *route, long req, double b, double a)
{
	size_t i;

	route = route ? route : "(none)";
	for (i = 0; i < res->nroutes && strcmp(res->routes[i].route, route); i++)
		;
	if (i == res->nroutes) {
		res->routes = llmr_xrealloc(res->routes, (i + 1) * sizeof(*res->routes));
		memset(&res->routes[i], 0, sizeof(res->routes[i]));
		res->routes[i].route = llmr_xstrdup(route);
		res->nroutes++;
	}
	res->routes[i].requests += req;
	res->routes[i].before_usd += b;
	res->routes[i].after_usd += a;
}

static void add_model(struct llmr_sim_result *res, const char *model, long b, long a)
{
	size_t i;

	for (i = 0; i < res->nmodels && strcmp(res->models[i].model, model); i++)
		;
	if (i == res->nmodels) {
		res->models = llmr_xrealloc(res->models, (i + 1) * sizeof(*res->models));
		memset(&res->models[i], 0, sizeof(res->models[i]));
		res->models[i].model = llmr_xstrdup(model);
		res->nmodels++;
	}
	res->models[i].before += b;
	res->models[i].after += a;
}

/* Per-route and per-model tallies kept by id during the replay, turned
 * into named rows at the end. */
struct tally {
	double *rb, *ra;
	long *rn, *mb, *ma;
	size_t nm;  /* room in mb and ma */
};

static void replay(struct sim *s, int64_t since, int64_t until, struct llmr_sim_result *res,
		   struct tally *t)
{
	const struct llmr_cost_log *log = s->log;
	size_t *ans, n, i;
	double *med = medians(log);
	struct acc ab = {0, 0, 0, 0}, aa = {0, 0, 0, 0};
	double h = s->ch->cache_rate;

	for (i = 0; i < log->n; i++)
		if (log->rows[i].ts_ms >= since && log->rows[i].ts_ms < until) {
			const struct llmr_cost_row *r = &log->rows[i];

			res->before.cost_usd += r->cost;
			res->after.cost_usd += r->cost;
			if (r->route >= 0) {
				t->rb[r->route] += r->cost;
				t->ra[r->route] += r->cost;
			}
			if (!r->ok && r->provider >= 0)
				s->pv[llmr_sim_prov_id(s, log->names.s[r->provider], strlen(log->names.s[r->provider]))]
					.usage_after += r->cost;
		}
	n = llmr_cost_answers(log, since, until, &ans);
	for (i = 0; i < n; i++) {
		const struct llmr_cost_row *r = &log->rows[ans[i]];
		size_t ci = llmr_sim_chain_of(s, r); /* may move s->chains */
		struct chain *c = &s->chains[ci];
		int32_t b = pick(s, c->before, c->nb, 0, r, &res->before);
		int32_t a = pick(s, c->after, c->na, 1, r, &res->after);
		bool same = a == c->before[0] && !s->sp[a].override && !s->pv[s->sp[a].prov].plan && h < 0;
		double cost = r->cost, lat = r->latency_ms;
		bool ok = true;

		(void)b;
		res->requests++;
		if (a != c->before[0]) {
			res->changed++;
			if (s->sp[a].logid >= 0 && med[s->sp[a].logid] >= 0 && r->cache == LLMR_CACHE_MISS)
				lat = med[s->sp[a].logid];
		}
		if (!same) {
			res->repriced++;
			cost = r->cache != LLMR_CACHE_MISS && h < 0 ? 0 : price_of(s, a, r, &ok);
			if (h >= 0)
				cost *= 1 - h;
			res->unpriced += !ok;
		}
		res->after.cost_usd += cost - r->cost;
		if (r->route >= 0)
			t->ra[r->route] += cost - r->cost, t->rn[r->route]++;
		s->pv[s->sp[a].prov].usage_after += cost;
		acc_add(&ab, r->latency_ms, s->sp[c->before[0]].quality);
		acc_add(&aa, lat, s->sp[a].quality);
		if ((size_t)c->before[0] < t->nm)
			t->mb[c->before[0]]++;
		if ((size_t)a < t->nm)
			t->ma[a]++;
	}
	res->before.avg_latency_ms = ab.nlat ? ab.lat / (double)ab.nlat : -1;
	res->after.avg_latency_ms = aa.nlat ? aa.lat / (double)aa.nlat : -1;
	res->before.avg_quality = ab.nq ? ab.q / (double)ab.nq : -1;
	res->after.avg_quality = aa.nq ? aa.q / (double)aa.nq : -1;
	free(ans);
	free(med);
}

/* Fees, discounts and committed credit, prorated to the period. */
static void plans(struct sim *s, struct llmr_sim_result *res)
{
	double months = res->days / 30;
	size_t i;

	for (i = 0; i < s->provs.n; i++) {
		const struct llmr_sim_plan *pl = s->pv[i].plan;
		double use, bill;

		if (!pl)
			continue;
		use = s->pv[i].usage_after;
		bill = use * (1 - pl->discount) + pl->fee_usd * months;
		res->plan_fees_usd += pl->fee_usd * months;
		if (pl->credit_usd > 0 && bill < pl->credit_usd * months) {
			res->credit_unused_usd += pl->credit_usd * months - bill;
			bill = pl->credit_usd * months;
		}
		res->after.cost_usd += bill - use;
	}
}

static void finish(struct sim *s, struct llmr_sim_result *res, struct tally *t)
{
	size_t i;

	for (i = 0; i < s->log->names.n; i++)
		if (t->rn[i] || t->rb[i] != 0 || t->ra[i] != 0)
			add_route(res, s->log->names.s[i], t->rn[i], t->rb[i], t->ra[i]);
	for (i = 0; i < s->specs.n && i < t->nm; i++)
		if (t->mb[i] || t->ma[i])
			add_model(res, s->specs.s[i], t->mb[i], t->ma[i]);
	res->delta_usd = res->after.cost_usd - res->before.cost_usd;
	res->delta_pct = llmr_cost_pct(res->after.cost_usd, res->before.cost_usd);
	res->before.monthly_usd = res->days > 0 ? res->before.cost_usd * 30 / res->days : 0;
	res->after.monthly_usd = res->days > 0 ? res->after.cost_usd * 30 / res->days : 0;
	res->delta_latency_ms = res->before.avg_latency_ms >= 0 && res->after.avg_latency_ms >= 0
		? res->after.avg_latency_ms - res->before.avg_latency_ms : NAN;
	res->delta_quality = res->before.avg_quality >= 0 && res->after.avg_quality >= 0
		? res->after.avg_quality - res->before.avg_quality : NAN;
}

static int check_models(const struct llmr_pricebook *pb, const struct llmr_sim_changes *ch,
			struct llmr_err *e)
{
	size_t i, j;

	for (i = 0; i < ch->nrep; i++)
		if (!llmr_pricebook_latest(pb, ch->rep[i].to) && !ch->nprices)
			return llmr_errf(e, LLMR_EX_USAGE, "--replace: no price known for '%s' (give one with --price)",
					 ch->rep[i].to);
	for (i = 0; i < ch->nchains; i++)
		for (j = 0; j < ch->chains[i].n; j++)
			if (!llmr_pricebook_latest(pb, ch->chains[i].models[j]) && !ch->nprices)
				return llmr_errf(e, LLMR_EX_USAGE, "--chain: no price known for '%s' (give one with --price)",
						 ch->chains[i].models[j]);
	return 0;
}

int llmr_simulate(const struct llmr_cost_log *log, int64_t since, int64_t until,
		  const struct llmr_config *cfg, const struct llmr_pricebook *pb,
		  const struct llmr_sim_changes *ch, struct llmr_sim_result *r, struct llmr_err *e)
{
	struct llmr_cost_log synthetic;
	struct sim s;
	struct tally t;
	size_t i, nn;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	memset(&synthetic, 0, sizeof(synthetic));
	if (check_models(pb, ch, e))
		return -1;
	if (ch->nprofiles) {
		if (llmr_sim_synth(cfg, pb, ch, since, &synthetic, e)) {
			llmr_cost_log_release(&synthetic);
			return -1;
		}
		log = &synthetic;
		until = since + 30 * LLMR_DAY_MS;
	}
	r->days = (double)(until - since) / (double)LLMR_DAY_MS;
	memset(&s, 0, sizeof(s));
	s.log = log;
	s.cfg = cfg;
	s.pb = pb;
	s.ch = ch;
	/* Specs can be added during the replay; size tallies generously. */
	for (i = 0; i < log->names.n; i++)
		if (strchr(log->names.s[i], '/'))
			llmr_sim_spec_id(&s, log->names.s[i]);
	nn = log->names.n + 64;
	t.rb = llmr_xcalloc(nn, sizeof(double));
	t.ra = llmr_xcalloc(nn, sizeof(double));
	t.rn = llmr_xcalloc(nn, sizeof(long));
	t.nm = nn + 4096;
	t.mb = llmr_xcalloc(t.nm, sizeof(long));
	t.ma = llmr_xcalloc(t.nm, sizeof(long));
	replay(&s, since, until, r, &t);
	plans(&s, r);
	finish(&s, r, &t);
	free(t.rb);
	free(t.ra);
	free(t.rn);
	free(t.mb);
	free(t.ma);
	for (i = 0; i < s.nchains; i++) {
		free(s.chains[i].before);
		free(s.chains[i].after);
	}
	free(s.chains);
	free(s.sp);
	free(s.pv);
	llmr_names_release(&s.specs);
	llmr_names_release(&s.provs);
	llmr_names_release(&s.triples);
	llmr_cost_log_release(&synthetic);
	return rc;
}

void llmr_sim_result_release(struct llmr_sim_result *r)
{
	size_t i;

	for (i = 0; i < r->nroutes; i++)
		free(r->routes[i].route);
	free(r->routes);
	for (i = 0; i < r->nmodels; i++)
		free(r->models[i].model);
	free(r->models);
	memset(r, 0, sizeof(*r));
}
