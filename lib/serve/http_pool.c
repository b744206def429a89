/*
 * http_pool.c - what every request of the server shares: the config it
 * runs on (reference-counted, so a reload never frees it under a request),
 * the pool of state connections (SQLite connections are not shared by
 * threads at once), and the count of requests in flight that a graceful
 * stop waits for.
 */
#include "serve/http_impl.h"

#include <stdlib.h>

void srv_cfg_drop(struct llmr_srv *s, struct srv_cfg *sc)
{
	int last;

	pthread_mutex_lock(&s->mu);
	last = --sc->refs == 0;
	pthread_mutex_unlock(&s->mu);
	if (last) {
		llmr_config_free(sc->cfg);
		free(sc);
	}
}

struct srv_cfg *srv_cfg_hold(struct llmr_srv *s, struct srv_cfg *sc)
{
	pthread_mutex_lock(&s->mu);
	sc->refs++;
	pthread_mutex_unlock(&s->mu);
	return sc;
}

struct srv_cfg *srv_cfg_current(struct llmr_srv *s)
{
	struct srv_cfg *sc;

	pthread_mutex_lock(&s->mu);
	sc = s->cur;
	sc->refs++;
	pthread_mutex_unlock(&s->mu);
	return sc;
}

struct llmr_state *srv_state_take(struct llmr_srv *s, struct llmr_err *e)
{
	struct llmr_state *st = NULL;

	pthread_mutex_lock(&s->mu);
	if (s->npool)
		st = s->pool[--s->npool];
	pthread_mutex_unlock(&s->mu);
	if (!st && llmr_state_open(s->state_path, &st, e) < 0)
		return NULL;
	return st;
}

void srv_state_give(struct llmr_srv *s, struct llmr_state *st)
{
	if (!st)
		return;
	pthread_mutex_lock(&s->mu);
	if (s->npool == s->pool_alloc) {
		s->pool_alloc = s->pool_alloc ? 2 * s->pool_alloc : 16;
		s->pool = llmr_xrealloc(s->pool, s->pool_alloc * sizeof(*s->pool));
	}
	s->pool[s->npool++] = st;
	pthread_mutex_unlock(&s->mu);
}

void srv_inflight(struct llmr_srv *s, int delta)
{
	pthread_mutex_lock(&s->mu);
	s->inflight += delta;
	if (!s->inflight)
		pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->mu);
}

