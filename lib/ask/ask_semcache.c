#include "ask/run.h"

#include <stdlib.h>
#include <string.h>

#include "ask/semcache.h"
#include "index/embed.h"

/*
 * The semantic cache in the request path: after an exact miss, a question
 * that means the same as a stored one, on the same route, namespace,
 * chain, system prompt and parameters, with the same numbers, negations,
 * dates, units and names (semguard.c), and a similarity at or above the
 * route's threshold, gets the stored answer at no cost.
 *
 * Only single-turn questions take part: with earlier turns the same words
 * can ask something else. The embedder is index.embedder (local by
 * default); its name is part of the scope, as vectors of two embedders do
 * not compare.
 */

/* The question alone, without retrieved passages: a prompt, or the only
 * message when it is the user's. NULL for a conversation. */
static const char *single_question(const struct ask_run *run)
{
	json_t *m;

	if (run->req->prompt)
		return run->req->prompt;
	if (json_array_size(run->req->messages) != 1)
		return NULL;
	m = json_array_get(run->req->messages, 0);
	if (strcmp(json_string_value(json_object_get(m, "role")), "user"))
		return NULL;
	return json_string_value(json_object_get(m, "content"));
}

double llmr_ask_semcache_threshold(const struct ask_run *run)
{
	return run->route->cache_semantic_threshold >= 0 ? run->route->cache_semantic_threshold
							 : run->ctx->cfg->cache_semantic_threshold;
}

static int embed_question(struct ask_run *run, const char *q)
{
	const struct llmr_config *cfg = run->ctx->cfg;
	struct llmr_embedder *em = NULL;
	struct llmr_err e;
	float *vecs = NULL;

	if (llmr_embedder_open(cfg, cfg->index_embedder, &em, &e) < 0)
		return -1;
	em->st = run->ctx->st;
	if (llmr_embedder_embed(em, &q, 1, &vecs, &e) < 0) {
		llmr_embedder_free(em);
		return -1;
	}
	run->sem_vec = vecs;
	run->sem_dim = em->dim;
	llmr_embedder_free(em);
	return 0;
}

/* The scope: everything but the question that a hit must share. */
static void sem_scope(struct ask_run *run)
{
	const struct llmr_ask_req *req = run->req;
	struct llmr_buf scope = LLMR_BUF_INIT;
	char *key;

	llmr_ask_cache_scope(run, &scope);
	llmr_buf_addf(&scope, " namespace %s embedder %s collection %s", run->sem_ns,
		      run->ctx->cfg->index_embedder ? run->ctx->cfg->index_embedder : "local",
		      req->collection ? req->collection : "");
	key = llmr_cache_key(scope.s, req->system ? req->system : run->route->system, NULL, 0,
			     req->max_tokens, req->temperature, req->json);
	llmr_cache_hash(key, run->sem_scope);
	free(key);
	llmr_buf_release(&scope);
}

void llmr_ask_semcache_prepare(struct ask_run *run)
{
	const char *q;

	if (!run->cache_key || run->ctx->cfg->cache_semantic_ttl_ms <= 0 ||
	    !(q = single_question(run)))
		return;
	run->sem_question = q;
	run->sem_ns = run->req->cache_namespace ? run->req->cache_namespace
						: llmr_ask_cache_namespace(run);
	llmr_semguard(q, &run->sem_guard);
	sem_scope(run);
	if (embed_question(run, q) < 0)
		run->sem_question = NULL; /* no vector, no semantic cache: ask */
}

json_t *llmr_ask_semcache_lookup(struct ask_run *run, int64_t t0)
{
	struct llmr_err e;
	int64_t now = llmr_now_ms();
	json_t *resp = NULL;
	double sim = 0;

	if (!run->sem_question || !run->cache_read ||
	    llmr_semcache_find(run->ctx->st, run->sem_scope, run->sem_guard.s, run->sem_vec,
			       run->sem_dim, llmr_ask_semcache_threshold(run), now, &resp, &sim,
			       &e) != 1)
		return NULL;
	run->sem_similarity = sim;
	json_object_set_new(resp, "similarity", json_real((double)(int)(sim * 1000 + 0.5) / 1000));
	return llmr_ask_cache_hit(run, resp, "semantic", t0, now);
}

void llmr_ask_semcache_store(struct ask_run *run, const json_t *resp)
{
	struct llmr_semcache_entry ent = {run->sem_scope, run->sem_guard.s, run->route->name,
					  run->sem_ns, run->sem_question, run->sem_vec,
					  run->sem_dim};
	int64_t now = llmr_now_ms();
	struct llmr_err e;

	if (run->sem_question && run->cache_write && llmr_ask_cache_storable(resp))
		llmr_semcache_put(run->ctx->st, &ent, resp, now,
				  now + run->ctx->cfg->cache_semantic_ttl_ms, &e);
}

void llmr_ask_semcache_release(struct ask_run *run)
{
	free(run->sem_vec);
	run->sem_vec = NULL;
	llmr_buf_release(&run->sem_guard);
}
