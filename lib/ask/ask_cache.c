#include "ask/run.h"

#include <string.h>

#include "ask/cache.h"
#include "provider/attempt_log.h"

/*
 * The exact cache serves a question put again to the same route (or
 * model) with the same parameters. It is looked up before the decision, so
 * that a hit costs no classifier call: the key names the route's whole
 * configured chain, every tier, rather than the tier a classifier would
 * pick; a new routing version (llmr-cost --apply) changes the chains and
 * so is never answered from the old one's cache. Sampled answers
 * (temperature > 0) are not cached unless the route says cache:
 * {sampled: true}: asking again is how one gets another one.
 */
void llmr_ask_cache_scope(const struct ask_run *run, struct llmr_buf *scope)
{
	const struct llmr_route_cfg *r = run->route;
	int forced = run->req->complexity >= 0 ? run->req->complexity : r->force;

	/* A namespace partitions the cache: a step of a workflow may keep
	 * its answers to itself. */
	if (run->req->cache_namespace)
		llmr_buf_addf(scope, "namespace %s ", run->req->cache_namespace);
	if (run->req->model) {
		llmr_buf_addf(scope, "model %s", run->req->model);
		return;
	}
	llmr_buf_addf(scope, "route %s tier %s", r->name,
		      forced >= 0 ? llmr_complexity_name(forced) : "auto");
	for (int t = 0; t < LLMR_NCOMPLEXITY; t++) {
		llmr_buf_addf(scope, " %s:", llmr_complexity_name(t));
		for (size_t i = 0; i < r->tiers[t].n; i++)
			llmr_buf_addf(scope, "%s%s", i ? "," : "", r->tiers[t].refs[i].spec);
	}
}

void llmr_ask_cache_prepare(struct ask_run *run)
{
	const struct llmr_ask_req *req = run->req;
	struct llmr_buf scope = LLMR_BUF_INIT;
	const struct llmr_config *cfg = run->ctx->cfg;

	if (!run->ctx->st || (cfg->cache_exact_ttl_ms <= 0 && cfg->cache_semantic_ttl_ms <= 0) ||
	    (req->no_cache && req->no_store) || (req->temperature > 0 && !run->route->cache_sampled))
		return;
	run->cache_read = !req->no_cache;
	run->cache_write = !req->no_store;
	llmr_ask_cache_scope(run, &scope);
	/* Tools, tool calls and the other agent fields change the answer. */
	if (req->params || llmr_ask_req_uses_tools(req))
		llmr_ask_req_agent_key(req, &scope);
	run->cache_key = llmr_cache_key(scope.s, run->system.len ? run->system.s : NULL, run->msgs,
					run->nmsgs, req->max_tokens, req->temperature, req->json);
	llmr_buf_release(&scope);
}

const char *llmr_ask_cache_namespace(const struct ask_run *run)
{
	if (run->req->cache_namespace)
		return run->req->cache_namespace;
	return run->route->cache_namespace ? run->route->cache_namespace : run->route->name;
}

/* Log a cache hit as an attempt that cost nothing, with the usage it saved. */
static void log_cache_hit(struct ask_run *run, json_t *resp, const char *kind, int64_t started_ms)
{
	const char *spec = json_string_value(json_object_get(resp, "model"));
	const char *slash = spec ? strchr(spec, '/') : NULL;
	json_t *u = json_object_get(resp, "usage");
	struct llmr_attempt a;
	struct llmr_err e;
	char provider[128];

	if (!slash || (size_t)(slash - spec) >= sizeof(provider))
		return;
	memcpy(provider, spec, (size_t)(slash - spec));
	provider[slash - spec] = '\0';
	memset(&a, 0, sizeof(a));
	a.request_id = run->id;
	a.attempt = 1;
	a.ts_ms = started_ms;
	a.route = run->route->name;
	a.priority = run->priority;
	/* The tier that answered when the entry was stored: no classifier
	 * ran for the hit. */
	a.complexity = json_string_value(json_object_get(resp, "complexity"));
	a.provider = provider;
	a.model = slash + 1;
	a.status = "ok";
	a.usage.input_tokens = (long)json_integer_value(json_object_get(u, "input_tokens"));
	a.usage.output_tokens = (long)json_integer_value(json_object_get(u, "output_tokens"));
	a.usage.cached_tokens = (long)json_integer_value(json_object_get(u, "cached_tokens"));
	a.usage.cache_write_tokens = (long)json_integer_value(json_object_get(u, "cache_write_tokens"));
	a.usage.provider_cost_usd = -1;
	a.latency_ms = llmr_now_ms() - started_ms;
	a.ttft_ms = -1;
	a.cache = kind;
	if (!strcmp(kind, "semantic"))
		a.similarity = run->sem_similarity;
	llmr_state_log_attempt(run->ctx->st, &a, &e);
}

/*
 * A hit (kind "exact" or "semantic"): the stored answer under this
 * request's id, at no cost. Takes resp over and returns it.
 */
json_t *llmr_ask_cache_hit(struct ask_run *run, json_t *resp, const char *kind, int64_t t0,
			   int64_t started_ms)
{
	run->priority = llmr_priority_name(run->req->priority >= 0 ? run->req->priority
								   : run->route->priority);
	json_object_set_new(resp, "id", json_string(run->id));
	json_object_set_new(resp, "cache", json_string(kind));
	json_object_set_new(resp, "cost_usd", json_real(0));
	json_object_set_new(resp, "latency_ms", json_integer(llmr_mono_ms() - t0));
	json_object_set_new(resp, "ttft_ms", json_null());
	json_object_set_new(resp, "fallback", json_false());
	json_object_set_new(resp, "attempts", json_array());
	json_object_set_new(resp, "priority", json_string(run->priority));
	log_cache_hit(run, resp, kind, started_ms);
	if (run->ctx->on_delta) {
		const char *text = json_string_value(json_object_get(resp, "text"));

		if (text && *text)
			run->ctx->on_delta(text, strlen(text), run->ctx->ud);
	}
	return resp;
}

json_t *llmr_ask_cache_exact_lookup(struct ask_run *run, int64_t t0)
{
	struct llmr_err e;
	int64_t now = llmr_now_ms();
	json_t *resp = NULL;

	if (!run->cache_read || run->ctx->cfg->cache_exact_ttl_ms <= 0 ||
	    llmr_cache_get(run->ctx->st, run->cache_key, now, &resp, &e) != 1)
		return NULL;
	return llmr_ask_cache_hit(run, resp, "exact", t0, now);
}

/* Whether resp may be stored: a fresh answer, not a degraded or extractive one. */
bool llmr_ask_cache_storable(const json_t *resp)
{
	return !json_is_true(json_object_get(resp, "degraded")) &&
	       !json_is_true(json_object_get(resp, "extractive"));
}

void llmr_ask_cache_exact_store(struct ask_run *run, const json_t *resp)
{
	struct llmr_err e;
	int64_t now = llmr_now_ms();
	struct llmr_cache_entry ent = {run->cache_key, run->route->name, llmr_ask_cache_namespace(run)};

	if (run->cache_write && run->ctx->cfg->cache_exact_ttl_ms > 0 && llmr_ask_cache_storable(resp))
		llmr_cache_put(run->ctx->st, &ent, resp, now, now + run->ctx->cfg->cache_exact_ttl_ms, &e);
}
