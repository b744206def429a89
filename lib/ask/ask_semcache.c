#include "ask/run.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ask/semcache.h"
#include "index/embed.h"
#include "route/side_call.h"

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

	/* A similar question is not the same tool exchange or format. */
	if (!run->cache_key || run->ctx->cfg->cache_semantic_ttl_ms <= 0 || run->req->params ||
	    llmr_ask_req_uses_tools(run->req) ||
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

/* Asked of cache.confirm_model: one word, so it costs a fraction of a cent. */
static const char confirm_prompt[] =
	"You guard an answer cache. Two questions follow. Answer with exactly one word, "
	"yes or no: does the new question ask for exactly the same thing as the cached "
	"one, so that the same answer is correct for both?";
#define CONFIRM_MAX_BYTES 4000
#define CONFIRM_MAX_TOKENS 3

/* 1 when the confirmation model says yes, 0 when it says no, -1 when
 * there is no verdict (no model, no key, an error, another word). */
static int confirm(struct ask_run *run, const char *cached)
{
	struct llmr_buf text = LLMR_BUF_INIT, answer = LLMR_BUF_INIT;
	struct llmr_side_call q = {run->ctx->cfg->cache_confirm_model, "cache", run->id,
				   confirm_prompt, NULL, 0, CONFIRM_MAX_BYTES, CONFIRM_MAX_TOKENS};
	const char *w;
	int verdict = -1;

	llmr_buf_addf(&text, "Cached question: %s\nNew question: %s", cached, run->sem_question);
	q.text = text.s;
	q.len = text.len;
	if (llmr_side_call(run->ctx->cfg, run->ctx->st, &q, &answer, NULL) == 0) {
		for (w = answer.s ? answer.s : ""; *w && !isalpha((unsigned char)*w); w++)
			;
		if (!strncasecmp(w, "yes", 3) || !strncasecmp(w, "oui", 3))
			verdict = 1;
		else if (!strncasecmp(w, "no", 2) || !strncasecmp(w, "non", 3))
			verdict = 0;
	}
	llmr_buf_release(&text);
	llmr_buf_release(&answer);
	return verdict;
}

/*
 * Whether the closest entry's answer may be served: never at or below a
 * similarity where it was once wrong; without a check at or above its
 * threshold (the route's, or in adaptive mode its own); otherwise, or
 * always on a high-stakes route, only when cache.confirm_model says yes.
 * Every verdict is recorded, so the entry's threshold can learn from it.
 */
static bool may_serve(struct ask_run *run, const struct llmr_semcache_hit *hit, bool *confirmed)
{
	const struct llmr_config *cfg = run->ctx->cfg;
	struct llmr_semcache_learned l = {llmr_ask_semcache_threshold(run), -1, 0};
	struct llmr_err e;
	int verdict;

	*confirmed = false;
	if (llmr_semcache_learned(run->ctx->st, hit->id, l.threshold, cfg->cache_semantic_error_rate,
				  &l, &e) < 0 || hit->sim <= l.wrong_at)
		return false;
	if (!cfg->cache_semantic_adaptive)
		l.threshold = llmr_ask_semcache_threshold(run); /* learned floor only */
	if (hit->sim >= l.threshold && !run->route->cache_high_stakes)
		return true;
	if ((verdict = confirm(run, hit->question)) < 0)
		return false;
	llmr_semcache_observe(run->ctx->st, hit->id, run->id, hit->sim, verdict, "confirm", &e);
	*confirmed = verdict == 1;
	return verdict == 1;
}

/* The lowest similarity a hit may have: the route's threshold, or in
 * adaptive mode cache.semantic_floor, an entry's threshold coming down to
 * it as confirmations prove the entry. */
static double lookup_floor(const struct ask_run *run)
{
	double t = llmr_ask_semcache_threshold(run), floor = run->ctx->cfg->cache_semantic_floor;

	return run->ctx->cfg->cache_semantic_adaptive && floor < t ? floor : t;
}

json_t *llmr_ask_semcache_lookup(struct ask_run *run, int64_t t0)
{
	struct llmr_semcache_hit hit;
	struct llmr_err e;
	int64_t now = llmr_now_ms();
	json_t *resp;
	bool confirmed;

	if (!run->sem_question || !run->cache_read ||
	    llmr_semcache_find_entry(run->ctx->st, run->sem_scope, run->sem_guard.s, run->sem_vec,
				     run->sem_dim, lookup_floor(run), now, &hit, &e) != 1)
		return NULL;
	if (!may_serve(run, &hit, &confirmed)) {
		llmr_semcache_hit_release(&hit);
		return NULL;
	}
	if (!confirmed) /* a confirmed hit is on record already */
		llmr_semcache_observe(run->ctx->st, hit.id, run->id, hit.sim, -1, "hit", &e);
	run->sem_similarity = hit.sim;
	resp = hit.resp;
	hit.resp = NULL;
	json_object_set_new(resp, "similarity", json_real((double)(int)(hit.sim * 1000 + 0.5) / 1000));
	if (confirmed)
		json_object_set_new(resp, "confirmed", json_true());
	llmr_semcache_hit_release(&hit);
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
