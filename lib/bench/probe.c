/*
 * probe.c - llmr-bench probe: a tiny request to every model of the chains.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ask/ask.h"
#include "ask/request.h"
#include "bench/probe.h"
#include "route/verified.h"

static int has(const json_t *names, const char *name)
{
	const json_t *v;
	size_t i;

	json_array_foreach(names, i, v)
		if (!strcmp(json_string_value(v), name))
			return 1;
	return 0;
}

/* Each model once (tiers and routes share models), with each route once. */
static void add(json_t *plan, const char *spec, const char *provider, const char *route)
{
	json_t *it = NULL, *routes;
	size_t i;

	json_array_foreach(plan, i, it)
		if (!strcmp(json_string_value(json_object_get(it, "model")), spec))
			break;
	if (i == json_array_size(plan)) {
		it = json_pack("{s:s, s:s, s:[]}", "model", spec, "provider", provider, "routes");
		json_array_append_new(plan, it);
	}
	routes = json_object_get(it, "routes");
	if (route && !has(routes, route))
		json_array_append_new(routes, json_string(route));
}

static void add_route(json_t *plan, const struct llmr_route_cfg *r)
{
	for (int t = 0; t < LLMR_NCOMPLEXITY; t++)
		for (size_t k = 0; k < r->tiers[t].n; k++)
			add(plan, r->tiers[t].refs[k].spec, r->tiers[t].refs[k].provider->name, r->name);
}

json_t *llmr_probe_plan(const struct llmr_config *cfg, const char *route, struct llmr_err *e)
{
	json_t *plan = json_array();

	if (route) {
		const struct llmr_route_cfg *r = llmr_config_route(cfg, route);

		if (!r) {
			json_decref(plan);
			return llmr_errf(e, LLMR_EX_DATAERR, "probe: '%s' is not a route of the config",
					 route), NULL;
		}
		add_route(plan, r);
		return plan;
	}
	for (size_t i = 0; i < cfg->nroutes; i++)
		add_route(plan, &cfg->routes[i]);
	if (!cfg->nroutes)
		for (size_t i = 0; i < cfg->nproviders; i++)
			for (size_t k = 0; k < cfg->providers[i].nmodels; k++) {
				char spec[256];

				snprintf(spec, sizeof(spec), "%s/%s", cfg->providers[i].name,
					 cfg->providers[i].models[k].name);
				add(plan, spec, cfg->providers[i].name, NULL);
			}
	return plan;
}

struct probe_ctx {
	struct llmr_state *st;
	const json_t *item;
	const char *routes;
};

static const char sql_probe[] =
	"INSERT INTO bench_probes (ts_ms, route, model, provider, status, latency_ms, error)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

static int probe_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct probe_ctx *c = ud;
	const json_t *it = c->item;
	const char *err = json_string_value(json_object_get(it, "error"));
	sqlite3_stmt *s;

	(void)db;
	if (!err)
		err = json_string_value(json_object_get(it, "why"));
	if (llmr_state_stmt(c->st, sql_probe, &s, e) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, llmr_now_ms());
	sqlite3_bind_text(s, 2, c->routes, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, json_string_value(json_object_get(it, "model")), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, json_string_value(json_object_get(it, "provider")), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, json_string_value(json_object_get(it, "status")), -1, SQLITE_STATIC);
	if (json_is_integer(json_object_get(it, "latency_ms")))
		sqlite3_bind_int64(s, 6, json_integer_value(json_object_get(it, "latency_ms")));
	sqlite3_bind_text(s, 7, err, -1, SQLITE_STATIC);
	return llmr_state_step_done(c->st, s, "cannot store a probe", e);
}

static int store(struct llmr_state *st, const json_t *item, struct llmr_err *e)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	struct probe_ctx c = {st, item, NULL};
	const json_t *v;
	size_t i;
	int rc;

	json_array_foreach(json_object_get(item, "routes"), i, v)
		llmr_buf_addf(&b, "%s%s", i ? "," : "", json_string_value(v));
	c.routes = b.s ? b.s : "";
	rc = llmr_state_tx(st, 0, probe_fn, &c, e);
	llmr_buf_release(&b);
	if (rc == 0 && !strcmp(json_string_value(json_object_get(item, "status")), "ok"))
		rc = llmr_verified_record(st, json_string_value(json_object_get(item, "provider")),
					  json_string_value(json_object_get(item, "model")),
					  json_integer_value(json_object_get(item, "latency_ms")), e);
	return rc;
}

/* The key is only looked for, never kept: a provider without one, or one
 * switched off in the config, is skipped here, before llmr_ask would
 * count it as a failed candidate. */
static int callable(const struct llmr_config *cfg, const char *spec, char *why, size_t n)
{
	struct llmr_model_ref ref;
	struct llmr_err e = {0, ""};
	char *key;

	if (llmr_config_resolve(cfg, spec, &ref, &e) < 0) {
		snprintf(why, n, "%s", e.msg);
		return 0;
	}
	if (ref.provider->status == LLMR_PSTATUS_INACTIVE) {
		snprintf(why, n, "provider '%s' is inactive in the config", ref.provider->name);
		return 0;
	}
	if (!(key = llmr_provider_api_key(ref.provider, &e))) {
		snprintf(why, n, "%s", e.msg);
		return 0;
	}
	explicit_bzero(key, strlen(key));
	free(key);
	return 1;
}

int llmr_probe_one(const struct llmr_config *cfg, struct llmr_state *st, json_t *item,
		   const volatile int *cancel, struct llmr_err *e)
{
	struct llmr_ask_ctx ctx = {.cfg = cfg, .st = st, .cancel = cancel};
	const char *spec = json_string_value(json_object_get(item, "model"));
	struct llmr_ask_req req;
	json_t *resp, *err;
	int64_t t0;
	char why[512];
	int code, local;

	if (!callable(cfg, spec, why, sizeof(why))) {
		json_object_set_new(item, "status", json_string("skipped"));
		json_object_set_new(item, "why", json_string(why));
		return store(st, item, e);
	}
	llmr_ask_req_init(&req);
	req.prompt = LLMR_PROBE_PROMPT;
	req.model = spec;
	req.max_tokens = LLMR_PROBE_MAX_TOKENS;
	/* A probe must reach the provider: a cached answer proves nothing. */
	req.no_cache = true;
	t0 = llmr_mono_ms();
	resp = llmr_ask(&ctx, &req, &code);
	err = json_object_get(resp, "error");
	/* Refused before any call (a quota, a breaker, a budget: the class is
	 * rate_limited and no attempt was made): the provider was not tried. */
	local = err && !json_array_size(json_object_get(resp, "attempts")) &&
		!strcmp(json_string_value(json_object_get(err, "class")) ?
			json_string_value(json_object_get(err, "class")) : "", "rate_limited");
	json_object_set_new(item, "status", json_string(!err ? "ok" : local ? "skipped" : "failed"));
	if (local)
		json_object_set_new(item, "temporary", json_true());
	json_object_set_new(item, "latency_ms",
			    json_integer(json_is_integer(json_object_get(resp, "latency_ms")) ?
					 json_integer_value(json_object_get(resp, "latency_ms")) :
					 llmr_mono_ms() - t0));
	if (err)
		json_object_set_new(item, local ? "why" : "error",
				    json_string(json_string_value(json_object_get(err, "message")) ?
						json_string_value(json_object_get(err, "message")) :
						"no answer"));
	json_decref(resp);
	return store(st, item, e);
}
