#include "ask/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ask/cache.h"
#include "route/coord_coalesce.h"

/* The exact cache, then the semantic one: a question is embedded only
 * after an exact miss, and even when the cache is not read, so that its
 * answer can be stored under its vector. */
json_t *llmr_ask_cache_lookup(struct ask_run *run, int64_t t0)
{
	json_t *out;

	if (!run->cache_key)
		return NULL;
	if ((out = llmr_ask_cache_exact_lookup(run, t0)))
		return out;
	llmr_ask_semcache_prepare(run);
	return llmr_ask_semcache_lookup(run, t0);
}

void llmr_ask_cache_store(struct ask_run *run, const json_t *resp)
{
	/* The waiters on other hosts get the answer through Redis. */
	if (run->co_held && llmr_ask_cache_storable(resp)) {
		char *text = json_dumps(resp, JSON_COMPACT);

		llmr_coord_coalesce_done(run->ctx->st, run->cache_key, run->co_token, text, run->co_bound);
		free(text);
		run->co_held = false;
	}
	llmr_ask_cache_exact_store(run, resp);
	llmr_ask_semcache_store(run, resp);
}

/*
 * Identical requests in flight are coalesced through the state file: the
 * first to miss takes a lease and calls; the others poll for its answer.
 * If it fails (or dies, or outlives its lease) exactly one waiter takes
 * the lease over and calls in turn. Only a request that both reads and
 * fills the cache takes part: the others could not share an answer.
 */

/* How long a lease holds: the longest timeout of a provider that may
 * answer, so that an owner still waiting on its call keeps it. */
static int64_t lease_ms(const struct ask_run *run)
{
	const struct llmr_route_cfg *r = run->route;
	struct llmr_model_ref ref;
	struct llmr_err e;
	int64_t ms = 0;

	if (run->req->model) {
		if (llmr_config_resolve(run->ctx->cfg, run->req->model, &ref, &e) == 0)
			ms = ref.provider->timeout_ms;
	} else {
		for (int t = 0; t < LLMR_NCOMPLEXITY; t++)
			for (size_t i = 0; i < r->tiers[t].n; i++)
				if (r->tiers[t].refs[i].provider->timeout_ms > ms)
					ms = r->tiers[t].refs[i].provider->timeout_ms;
	}
	return ms > 0 ? ms : 60000;
}

/* Across hosts first (Redis): 1 answered (*out), 0 go on with rc set
 * (owner or wait), or LLMR_COORD_GO_LOCAL. */
static int claim_across(struct ask_run *run, int64_t bound, int64_t t0, int *rc, json_t **out)
{
	char *answer = NULL;
	json_t *resp;
	int c = llmr_coord_coalesce_claim(run->ctx->st, run->cache_key, run->co_token, bound, &answer);

	if (c == LLMR_COORD_GO_LOCAL)
		return c;
	if (c == LLMR_COORD_CO_HIT) {
		resp = json_loads(answer, 0, NULL);
		free(answer);
		if (resp) {
			*out = llmr_ask_cache_hit(run, resp, "exact", t0, llmr_now_ms());
			return 1;
		}
		c = LLMR_COORD_CO_WAIT;
	}
	run->co_held = c == LLMR_COORD_CO_OWNER;
	*rc = run->co_held ? LLMR_LEASE_OWNER : LLMR_LEASE_WAIT;
	return 0;
}

json_t *llmr_ask_cache_coalesce(struct ask_run *run, int64_t t0)
{
	struct llmr_err e;
	int64_t bound, give_up, wait = 20;
	json_t *resp;
	int rc;

	/* Waiters read the exact cache: without it there is nothing to share. */
	if (!run->cache_read || !run->cache_write || run->ctx->cfg->cache_exact_ttl_ms <= 0)
		return NULL;
	bound = lease_ms(run);
	run->lease.pid = (long)getpid();
	run->lease.token = (llmr_now_ms() << 16) ^ ((int64_t)rand() << 1) ^ (int64_t)(intptr_t)run;
	/* A waiter whose turn never comes (owners taking over one after the
	 * other, each silent for a whole lease) asks by itself in the end. */
	give_up = llmr_mono_ms() + 2 * bound + 1000;
	snprintf(run->co_token, sizeof(run->co_token), "%ld.%lld", run->lease.pid, (long long)run->lease.token);
	run->co_bound = bound;
	for (;;) {
		int64_t now = llmr_now_ms();
		int across = claim_across(run, bound, t0, &rc, &resp);

		if (across == 1)
			return resp;
		if (across == LLMR_COORD_GO_LOCAL)
			rc = llmr_cache_claim(run->ctx->st, run->cache_key, &run->lease, now, bound, &resp, &e);
		if (rc == LLMR_LEASE_HIT)
			return llmr_ask_cache_hit(run, resp, "exact", t0, now);
		if (rc == LLMR_LEASE_OWNER)
			run->lease_held = true;
		if (rc != LLMR_LEASE_WAIT || llmr_mono_ms() >= give_up)
			return NULL;
		llmr_sleep_ms(wait);
		wait = wait * 3 / 2 < 250 ? wait * 3 / 2 : 250;
	}
}

void llmr_ask_cache_release(struct ask_run *run)
{
	struct llmr_err e;

	if (run->lease_held)
		llmr_cache_release(run->ctx->st, run->cache_key, &run->lease, &e);
	run->lease_held = false;
	if (run->co_held)
		llmr_coord_coalesce_done(run->ctx->st, run->cache_key, run->co_token, NULL, 0);
	run->co_held = false;
	llmr_ask_semcache_release(run);
}
