/*
 * pool.c - the workers of llmr-bench run -P and compare -P: jobs 0..n-1
 * taken in order by one worker or by several threads at once. Each worker
 * has its own connection to the state file (SQLite connections are not
 * shared between threads, as in lib/serve's pool) and goes through
 * llmr_ask like any other caller, so quotas, caps and budgets hold across
 * the workers through the state's transactions. After Ctrl-C or a failure
 * no new job starts.
 */
#include <stdlib.h>

#include "base/interrupt.h"
#include "bench/run_impl.h"

void bench_pool_fail(struct bench_pool *p, const struct llmr_err *e)
{
	pthread_mutex_lock(&p->mu);
	if (!p->failed) {
		p->failed = 1;
		p->err = *e;
	}
	pthread_mutex_unlock(&p->mu);
}

void bench_pool_interrupted(struct bench_pool *p)
{
	pthread_mutex_lock(&p->mu);
	p->interrupted = 1;
	pthread_mutex_unlock(&p->mu);
}

/* The next job, unless the pool is stopping. */
static int take(struct bench_pool *p, size_t *j)
{
	int ok;

	pthread_mutex_lock(&p->mu);
	ok = !p->failed && !*llmr_interrupt_flag() && p->next < p->njobs;
	if (ok)
		*j = p->next++;
	pthread_mutex_unlock(&p->mu);
	return ok;
}

static void *worker(void *ud)
{
	struct bench_pool *p = ud;
	struct llmr_bench_env env = *p->env;
	struct llmr_err e = {0, ""};
	size_t j;

	/* Its own connection even alone: the calls' statements then stay
	 * off the run's connection, whose cache of statements is small. */
	if (p->state_path && llmr_state_open(p->state_path, &env.st, &e) < 0) {
		bench_pool_fail(p, &e);
		return NULL;
	}
	while (take(p, &j))
		p->job(p, &env, j);
	if (env.st != p->env->st)
		llmr_state_close(env.st);
	return NULL;
}

void bench_pool_run(struct bench_pool *p)
{
	size_t n = (size_t)(p->parallel > 1 && p->state_path ? p->parallel : 1), started = 0;
	pthread_t *t;

	pthread_mutex_init(&p->mu, NULL);
	if (n > p->njobs)
		n = p->njobs;
	if (n <= 1) {
		worker(p);
		pthread_mutex_destroy(&p->mu);
		return;
	}
	t = llmr_xcalloc(n, sizeof(*t));
	for (size_t i = 0; i < n; i++)
		if (!pthread_create(&t[i], NULL, worker, p))
			started++;
		else
			break;
	if (!started)
		worker(p); /* no thread to be had: the main one works */
	for (size_t i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	free(t);
	pthread_mutex_destroy(&p->mu);
}
