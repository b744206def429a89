#include "route/route_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "route/breaker.h"
#include "route/coord.h"
#include "route/coord_spend_view.h"
#include "route/degrade.h"
#include "route/quota.h"
#include "route/quota_db.h"

struct prov_snap {
	const struct llmr_provider_cfg *p;
	struct llmr_breaker br;
	struct llmr_quota_status q;        /* provider scope (model scope unused) */
	struct llmr_quota_status *mq;      /* per model, for models with limits */
	int64_t *lat;                      /* per model mean latency, -1 unknown */
	double month_usd;
	bool loaded;                       /* read from the state yet */
	bool lat_loaded;                   /* lat read yet: only "fastest" asks */
	char failed[200];                  /* why it could not be, or "" */
};

/*
 * Providers are read from the state when a decision first asks about one
 * of their models, not all at load: a request's chain names two or three
 * of the ten providers a config may list, and reading each one's breaker,
 * windows, latencies and spend was most of a short llmr-ask's own time.
 */
struct llmr_route_snap {
	const struct llmr_config *cfg;
	struct llmr_state *st;             /* borrowed: open while the snapshot is used */
	struct prov_snap *ps;
	size_t n;
	bool degraded;
	bool no_quotas;                    /* leave quotas to llmr_quota_acquire */
	struct llmr_coord_cap *caps;       /* caps across hosts (coord_spend_view.h) */
	int caps_got;                      /* 0 unread, 1 read, -1 not coordinated */
	char caps_failed[200];             /* why the state could not be read, or "" */
};

static int load_provider(struct llmr_state *st, struct prov_snap *ps, bool quotas,
			 struct llmr_err *e);

int64_t llmr_route_month_start(int64_t now_ms)
{
	return llmr_coord_month_start(now_ms); /* one month for caps everywhere */
}

struct spend_ctx {
	const char *provider;
	double usd;
};

static int spend_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct spend_ctx *c = ud;
	sqlite3_stmt *s;
	int rc;

	if (llmr_qdb_stmt(db, "SELECT COALESCE(SUM(cost_usd),0) FROM requests WHERE provider = ?1"
			     " AND ts_ms >= ?2", &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, c->provider, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, llmr_route_month_start(llmr_now_ms()));
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		c->usd = sqlite3_column_double(s, 0);
		rc = SQLITE_OK;
	}
	llmr_qdb_done(s);
	return rc == SQLITE_OK ? 0 : llmr_qdb_fail(db, rc, "cannot read spend", e);
}

int llmr_route_month_spend(struct llmr_state *st, const char *provider, double *usd,
			   struct llmr_err *e)
{
	struct spend_ctx c = {provider, 0};
	int rc = llmr_state_tx(st, 0, spend_fn, &c, e);

	*usd = c.usd;
	return rc;
}

static int has_limits(const struct llmr_limits *l)
{
	return l->rps >= 0 || l->rpm >= 0 || l->rpd >= 0 || l->tps >= 0 || l->tpm >= 0 ||
	       l->tpd >= 0 || l->concurrent >= 0;
}

struct lat_ctx {
	struct prov_snap *ps;
};

/* Mean latency of successful attempts over the last day, per model. */
static int latency_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct prov_snap *ps = ud;
	sqlite3_stmt *s;
	int rc;

	if (llmr_qdb_stmt(db, "SELECT model, AVG(latency_ms) FROM requests WHERE provider = ?1"
			     " AND status = 'ok' AND ts_ms > ?2 AND latency_ms IS NOT NULL GROUP BY model",
			     &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, ps->p->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, llmr_now_ms() - 86400000);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(s, 0);

		for (size_t j = 0; m && j < ps->p->nmodels; j++)
			if (!strcmp(ps->p->models[j].name, m))
				ps->lat[j] = (int64_t)sqlite3_column_double(s, 1);
	}
	llmr_qdb_done(s);
	return rc == SQLITE_DONE ? 0 : llmr_qdb_fail(db, rc, "cannot read latencies", e);
}

static int load_provider(struct llmr_state *st, struct prov_snap *ps, bool quotas,
			 struct llmr_err *e)
{
	const struct llmr_provider_cfg *p = ps->p;
	int64_t now = llmr_now_ms();

	ps->lat = llmr_xcalloc(p->nmodels + 1, sizeof(*ps->lat));
	ps->mq = llmr_xcalloc(p->nmodels + 1, sizeof(*ps->mq));
	for (size_t j = 0; j < p->nmodels; j++)
		ps->lat[j] = -1;
	if (p->protocol == LLMR_PROTO_EXTRACTIVE)
		return 0;
	if (llmr_breaker_get(st, p->name, &ps->br, e) < 0)
		return -1;
	if (quotas && llmr_quota_status(st, p, NULL, now, &ps->q, e) < 0)
		return -1;
	for (size_t j = 0; quotas && j < p->nmodels; j++)
		if (has_limits(&p->models[j].limits) &&
		    llmr_quota_status(st, p, &p->models[j], now, &ps->mq[j], e) < 0)
			return -1;
	if (p->budget_usd_per_month >= 0 && llmr_route_month_spend(st, p->name, &ps->month_usd, e) < 0)
		return -1;
	return 0;
}

int llmr_route_snap_load(struct llmr_state *st, const struct llmr_config *cfg, bool quotas,
			 struct llmr_route_snap **out, struct llmr_err *e)
{
	struct llmr_route_snap *s = llmr_xcalloc(1, sizeof(*s));
	struct llmr_degrade d;

	*out = NULL;
	s->cfg = cfg;
	s->st = st;
	s->no_quotas = !quotas;
	s->n = cfg->nproviders;
	s->ps = llmr_xcalloc(s->n + 1, sizeof(*s->ps));
	for (size_t i = 0; i < s->n; i++)
		s->ps[i].p = &cfg->providers[i];
	if (llmr_degrade_update(st, &d, e) < 0) {
		llmr_route_snap_free(s);
		return -1;
	}
	s->degraded = d.active;
	*out = s;
	return 0;
}

void llmr_route_snap_free(struct llmr_route_snap *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->ps[i].lat);
		free(s->ps[i].mq);
	}
	free(s->caps);
	free(s->ps);
	free(s);
}

static struct prov_snap *find(struct llmr_route_snap *s, const struct llmr_provider_cfg *p, size_t *mi,
			      const struct llmr_model_cfg *m)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->ps[i].p == p) {
			struct prov_snap *ps = &s->ps[i];

			*mi = m && p->nmodels ? (size_t)(m - p->models) : p->nmodels;
			if (*mi > p->nmodels)
				*mi = p->nmodels;
			if (!ps->loaded) {
				struct llmr_err e = {0, ""};

				ps->loaded = true;
				if (load_provider(s->st, ps, !s->no_quotas, &e) < 0)
					snprintf(ps->failed, sizeof(ps->failed), "%s", e.msg);
			}
			return ps;
		}
	return NULL;
}

static bool snap_blocked(void *ud, const struct llmr_model_ref *ref, long tokens, char *why,
			 size_t n, bool *temporary)
{
	struct llmr_route_snap *s = ud;
	size_t mi;
	struct prov_snap *ps = find(s, ref->provider, &mi, ref->model);
	const struct llmr_provider_cfg *p = ref->provider;
	int64_t now = llmr_now_ms(), free_at;
	struct llmr_quota_status q;

	*temporary = true;
	if (!ps || p->protocol == LLMR_PROTO_EXTRACTIVE)
		return false;
	if (*ps->failed) {
		/* Unknown state is no licence to call: the next model may do. */
		snprintf(why, n, "state of provider '%s' unreadable: %s", p->name, ps->failed);
		return true;
	}
	if (llmr_breaker_blocks(&ps->br, now, llmr_breaker_cooldown(p), why, n))
		return true;
	if (p->budget_usd_per_month >= 0 && ps->month_usd >= p->budget_usd_per_month) {
		/* Named as llmr-ask's own check (spend.h) names it; a spent
		 * budget is "try later" (75), as DESIGN.md says. */
		snprintf(why, n, "provider '%s' monthly cap $%.2f reached ($%.4f spent)", p->name,
			 p->budget_usd_per_month, ps->month_usd);
		*temporary = true;
		return true;
	}
	if (s->no_quotas)
		return false;
	q = ps->q;
	if (mi < p->nmodels && has_limits(&p->models[mi].limits))
		memcpy(q.mw, ps->mq[mi].mw, sizeof(q.mw));
	else
		for (int w = 0; w < LLMR_QW_N; w++)
			q.mw[w].limit = -1;
	if (llmr_quota_check(&q, tokens, now, why, n, &free_at)) {
		*temporary = free_at >= 0;
		return true;
	}
	return false;
}

/*
 * The day's mean latencies are read when a decision first asks for them
 * (the "fastest" strategy), not with the rest of a provider: that query
 * visits every answer of the day, more with every request a server
 * answers.
 */
static int64_t snap_latency(void *ud, const struct llmr_model_ref *ref)
{
	struct llmr_route_snap *s = ud;
	size_t mi;
	struct prov_snap *ps = find(s, ref->provider, &mi, ref->model);

	if (!ps || *ps->failed || ref->provider->protocol == LLMR_PROTO_EXTRACTIVE)
		return -1;
	if (!ps->lat_loaded) {
		struct llmr_err e = {0, ""};

		ps->lat_loaded = true;
		if (llmr_state_tx(s->st, 0, latency_fn, ps, &e) < 0)
			snprintf(ps->failed, sizeof(ps->failed), "%s", e.msg);
	}
	return !*ps->failed && mi < ref->provider->nmodels ? ps->lat[mi] : -1;
}

/* With coordination, the caps as the hold judges them across hosts: read
 * once per snapshot (one Redis round trip), at the first capped provider. */
static bool snap_over_cap(void *ud, const struct llmr_model_ref *ref, double est_usd, char *why,
			  size_t n)
{
	struct llmr_route_snap *s = ud;
	struct llmr_err e = {0, ""};
	size_t i = (size_t)(ref->provider - s->cfg->providers);

	if (ref->provider->budget_usd_per_month < 0 || i >= s->n)
		return false;
	if (!s->caps_got) {
		s->caps = llmr_xcalloc(s->n + 1, sizeof(*s->caps));
		s->caps_got = llmr_coord_spend_caps(s->st, s->cfg, s->caps, &e);
		if (s->caps_got < 0)
			snprintf(s->caps_failed, sizeof(s->caps_failed), "%s", e.msg);
		if (s->caps_got <= 0)
			s->caps_got = -1;
	}
	if (s->caps_failed[0]) {
		/* Unknown spend is no licence to call: the next model may do. */
		snprintf(why, n, "state of provider '%s' unreadable: %s", ref->provider->name, s->caps_failed);
		return true;
	}
	return s->caps_got == 1 && llmr_coord_cap_crossed(&s->caps[i], est_usd, why, n);
}

void llmr_route_snap_view(struct llmr_route_snap *s, struct llmr_route_view *v)
{
	v->blocked = snap_blocked;
	v->over_cap = snap_over_cap;
	v->latency_ms = snap_latency;
	v->degraded = s->degraded;
	v->ud = s;
}
