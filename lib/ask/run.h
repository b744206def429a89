/*
 * run.h - what one llmr_ask() call accumulates, and the files that share
 * it (internal to lib/ask/; each file uses only those listed above it).
 * The request it answers comes from request.c (request.h), the parser
 * llmr-route uses too.
 *
 *   prompt.c     messages, system prompt, RAG passages
 *   record.c     the attempts list, the request log, skipped candidates
 *   response.c   the Response and failed-request objects
 *   ask_cache.c  the exact response cache, looked up before the decision
 *   ask_semcache.c  the semantic cache, after an exact miss
 *   ask_coalesce.c  both caches in order, and one call for identical
 *                requests in flight
 *   ask_hedge.c  a first try raced against the next candidate
 *   attempt.c    one candidate: its key, admission, the call, retries
 *   ask.c        the decision, the chain walk, the cascade
 */
#ifndef LLMR_ASK_RUN_H
#define LLMR_ASK_RUN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "ask/ask.h"
#include "ask/cache.h"
#include "provider/provider.h"
#include "route/route_ask.h"

struct ask_run {
	struct llmr_ask_ctx *ctx;
	const struct llmr_ask_req *req;
	char id[64];
	const struct llmr_route_cfg *route;
	int complexity;
	const char *priority;       /* "P0".."P3" */
	struct llmr_chain chain;    /* the decided chain, borrowed from ra */
	struct llmr_buf route_text; /* the text the decision read */
	struct llmr_msg *msgs;
	size_t nmsgs;
	struct llmr_buf system;     /* route/req system prompt + RAG context */
	struct llmr_buf rag_user;   /* the user turn with passages, if any */
	json_t *sources;            /* new ref */
	json_t *attempts;           /* new ref */
	json_t *skipped;            /* new ref */
	int attempt_no;
	bool streamed_text;         /* some text went to on_delta this try */
	const char *last_model;     /* spec of the last failed attempt, for fallback_from */
	const char *first_model;    /* spec of the first model attempted */
	struct llmr_route_ask *ra;  /* routing, quotas, breakers, budget (route_ask.h) */
	bool degraded;
	char *cache_key;            /* exact-cache key, or NULL when not caching */
	bool cache_read, cache_write; /* --no-cache, --no-store */
	struct llmr_lease lease;    /* this request's claim on its question in flight */
	bool lease_held;
	bool co_held;               /* ... held in Redis across hosts (coord_coalesce.h) */
	char co_token[48];
	int64_t co_bound;
	/* semantic cache (ask_semcache.c): the question alone, when it takes part */
	const char *sem_question;
	const char *sem_ns;         /* namespace: the request's, the route's, its name */
	struct llmr_buf sem_guard;  /* semguard.c */
	char sem_scope[33];
	float *sem_vec;
	size_t sem_dim;
	double sem_similarity;      /* of a semantic hit */
	const struct llmr_model_ref *answered_by; /* the model that answered */
	bool next_used;             /* a hedge already tried the next candidate */
	const char *status_override; /* logged instead of the class ("cancelled") */
	enum llmr_errclass last_class; /* why the request fails if nothing answers */
	bool cancelled;             /* ctx->cancel was raised: stop, say so */
	struct llmr_buf last_msg;
};

/* prompt.c */
/* The question text: the prompt, or the last user message. */
const char *llmr_ask_question(const struct ask_run *run);
/* run->msgs and run->system from the request and the route. */
int llmr_ask_build_messages(struct ask_run *run, struct llmr_err *e);
/* Retrieved passages into the last user turn (route index or collection). */
int llmr_ask_add_rag(struct ask_run *run, struct llmr_err *e);

/* record.c */
/* Has the caller asked to stop (ctx->cancel)? Sets run->cancelled. */
bool llmr_ask_stopping(struct ask_run *run);
/* Streamed text, as an llmr_delta_fn with run as ud. */
void llmr_ask_note_delta(const char *text, size_t n, void *ud);
/* Streamed tool-call pieces, as an llmr_tool_fn with run as ud. */
void llmr_ask_note_tool(const json_t *delta, void *ud);
/* One attempt into the state's request log (and its rate-limit headers). */
void llmr_ask_log_attempt(struct ask_run *run, const struct llmr_model_ref *ref,
			  const struct llmr_chat_result *r, int64_t started_ms, double cost);
/* The attempt is over: log it (r), then settle its quota, release its
 * money and tell its breaker (seen, llmr_route_ask_done_logged): one
 * state transaction when the state is local. */
void llmr_ask_attempt_over(struct ask_run *run, const struct llmr_model_ref *ref,
			   const struct llmr_chat_result *r, const struct llmr_chat_result *seen,
			   int64_t started_ms, double cost);
/* One attempt into the response's "attempts". */
void llmr_ask_add_attempt(struct ask_run *run, const struct llmr_model_ref *ref,
			  const struct llmr_chat_result *r);
/* A candidate not called, into "skipped". */
void llmr_ask_skip(struct ask_run *run, const struct llmr_model_ref *ref, const char *why);
/* Why the request fails if nothing answers: cls and a formatted message. */
void llmr_ask_fail(struct ask_run *run, enum llmr_errclass cls, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* response.c */
/* The Response object; new reference. */
json_t *llmr_ask_success_json(struct ask_run *run, const struct llmr_model_ref *ref,
			      const struct llmr_chat_result *r, double cost, int64_t total_ms);
/* {"id","error":{"class","message"},"attempts",["skipped"]}; new reference. */
json_t *llmr_ask_failure_json(struct ask_run *run, const char *cls, const char *msg);

/* ask_cache.c */
/* Compute run->cache_key when this request may use the cache. */
void llmr_ask_cache_prepare(struct ask_run *run);
/* An exact hit: the stored answer under this request's id (new
 * reference), or NULL. */
json_t *llmr_ask_cache_exact_lookup(struct ask_run *run, int64_t t0);
/* Keep a fresh answer (not a degraded or extractive one). */
void llmr_ask_cache_exact_store(struct ask_run *run, const json_t *resp);
/* Serve resp (taken over) as a hit of kind "exact" or "semantic", logged
 * at no cost; started_ms: when the lookup began (wall clock). */
json_t *llmr_ask_cache_hit(struct ask_run *run, json_t *resp, const char *kind, int64_t t0,
			   int64_t started_ms);
/* A fresh answer: neither degraded nor extractive. */
bool llmr_ask_cache_storable(const json_t *resp);
/* The request's namespace: its own, the route's cache.namespace, else the
 * route's name. */
const char *llmr_ask_cache_namespace(const struct ask_run *run);
/* What the answer depends on besides the question: route chain (or
 * model), forced tier, namespace given by the request. */
void llmr_ask_cache_scope(const struct ask_run *run, struct llmr_buf *scope);

/* ask_semcache.c */
/* The route's semantic threshold, else cache.semantic_threshold. */
double llmr_ask_semcache_threshold(const struct ask_run *run);
/* Guard, scope and vector of a single-turn question (after an exact miss). */
void llmr_ask_semcache_prepare(struct ask_run *run);
/* A semantic hit (new reference, "cache":"semantic", "similarity"), or NULL. */
json_t *llmr_ask_semcache_lookup(struct ask_run *run, int64_t t0);
/* Keep a fresh answer under the question's vector for cache.semantic_ttl. */
void llmr_ask_semcache_store(struct ask_run *run, const json_t *resp);
void llmr_ask_semcache_release(struct ask_run *run);

/* ask_coalesce.c */
/* A hit, exact then semantic (new reference), or NULL. */
json_t *llmr_ask_cache_lookup(struct ask_run *run, int64_t t0);
/* Keep a fresh answer in both caches. */
void llmr_ask_cache_store(struct ask_run *run, const json_t *resp);
/* After a miss: wait for the same question in flight elsewhere (its
 * answer, new reference), or NULL once this request may call (holding the
 * lease when it coalesces). */
json_t *llmr_ask_cache_coalesce(struct ask_run *run, int64_t t0);
/* Give the lease back, stored answer or not; free the semantic vector. */
void llmr_ask_cache_release(struct ask_run *run);

/* ask_hedge.c */
#define LLMR_ASK_HEDGE_NOT_STARTED 2
/* Whether the first try of ref should be hedged with next. */
bool llmr_ask_hedge_wanted(const struct ask_run *run, const struct llmr_model_ref *next);
/*
 * The first try of a route with hedge_after: call ref; if it sends nothing
 * for hedge_after, call next too and keep the first to answer. Returns
 * LLMR_ASK_HEDGE_NOT_STARTED when next was never called (r then holds ref's
 * outcome, not yet logged), else 1 (answered: run->answered_by) or 0 (both
 * failed).
 */
int llmr_ask_hedged_attempt(struct ask_run *run, const struct llmr_model_ref *ref, const char *key,
			    const struct llmr_chat_req *creq, const struct llmr_model_ref *next,
			    struct llmr_chat_result *r, int64_t t0);

/* attempt.c */
/*
 * One candidate: call it, retrying while the error allows and the wait is
 * short. next: the candidate after it, or NULL. Returns 1 on an answer (in
 * r, run->answered_by), 0 to fall back, -1 to stop the chain.
 */
int llmr_ask_try_candidate(struct ask_run *run, const struct llmr_model_ref *ref,
			   const struct llmr_model_ref *next, struct llmr_chat_result *r);

#endif
