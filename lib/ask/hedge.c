#include "ask/hedge.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

struct hedge;

struct leg_run {
	struct llmr_hedge_leg *leg;
	struct hedge *h;
	int id;
	volatile int cancel;
	bool finished;
	pthread_t thread;
};

struct hedge {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int winner; /* -1 until a leg sends a token or answers */
	struct leg_run legs[2];
	llmr_delta_fn on_delta;
	void *ud;
};

/* Under h->mu: leg id wins, and the other is told to stop. */
static void declare_winner(struct hedge *h, int id)
{
	h->winner = id;
	h->legs[!id].cancel = 1;
	pthread_cond_broadcast(&h->cv);
}

static void leg_delta(const char *text, size_t n, void *ud)
{
	struct leg_run *lr = ud;
	struct hedge *h = lr->h;
	bool mine;

	pthread_mutex_lock(&h->mu);
	if (h->winner < 0)
		declare_winner(h, lr->id);
	mine = h->winner == lr->id;
	pthread_mutex_unlock(&h->mu);
	/* Only the winner thread gets here after the decision: one writer. */
	if (mine && h->on_delta)
		h->on_delta(text, n, h->ud);
}

static void *leg_main(void *arg)
{
	struct leg_run *lr = arg;
	struct hedge *h = lr->h;
	struct llmr_hedge_leg *leg = lr->leg;

	llmr_provider_chat(leg->provider, leg->key, &leg->req, &leg->r, leg_delta, lr);
	pthread_mutex_lock(&h->mu);
	lr->finished = true;
	if (h->winner < 0 && leg->r.err == LLMR_ERR_NONE)
		declare_winner(h, lr->id);
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

static int start_leg(struct hedge *h, int id, struct llmr_hedge_leg *leg)
{
	struct leg_run *lr = &h->legs[id];

	lr->leg = leg;
	lr->h = h;
	lr->id = id;
	leg->req.cancel = &lr->cancel;
	leg->started = true;
	if (pthread_create(&lr->thread, NULL, leg_main, lr) != 0) {
		leg->started = false;
		return -1;
	}
	return 0;
}

static struct timespec deadline_in(int64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

/* Under h->mu: when the caller asked to stop, stop both legs. */
static bool stop_asked(struct hedge *h, const volatile int *outer)
{
	if (!outer || !*outer)
		return false;
	h->legs[0].cancel = h->legs[1].cancel = 1;
	return true;
}

/* A timed wait for a leg's news, waking at least every 100 ms so that a
 * stop asked by a signal handler (which cannot signal h->cv) is seen. */
static int wait_until(struct hedge *h, const struct timespec *until)
{
	struct timespec tick = deadline_in(100);

	if (tick.tv_sec > until->tv_sec ||
	    (tick.tv_sec == until->tv_sec && tick.tv_nsec > until->tv_nsec))
		return pthread_cond_timedwait(&h->cv, &h->mu, until);
	pthread_cond_timedwait(&h->cv, &h->mu, &tick);
	return 0;
}

int llmr_hedge_run(struct llmr_hedge_leg *a, struct llmr_hedge_leg *b, int64_t after_ms,
		   bool (*start_b)(struct llmr_hedge_leg *b, void *ud), void *ud,
		   llmr_delta_fn on_delta, void *delta_ud)
{
	struct hedge h = {.winner = -1, .on_delta = on_delta, .ud = delta_ud};
	pthread_condattr_t ca;
	struct timespec until = deadline_in(after_ms);
	bool hedge_now, b_running = false;
	/* The caller's own cancel flag: each leg's request gets the hedge's. */
	const volatile int *outer = a->req.cancel;
	int winner;

	pthread_mutex_init(&h.mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h.cv, &ca);
	pthread_condattr_destroy(&ca);
	if (start_leg(&h, 0, a) < 0) {
		/* No thread: the plain call, unhedged. */
		llmr_provider_chat(a->provider, a->key, &a->req, &a->r, on_delta, delta_ud);
		a->started = true;
		winner = a->r.err == LLMR_ERR_NONE ? 0 : -1;
		goto out;
	}
	pthread_mutex_lock(&h.mu);
	while (h.winner < 0 && !h.legs[0].finished && !stop_asked(&h, outer))
		if (wait_until(&h, &until) == ETIMEDOUT)
			break;
	hedge_now = h.winner < 0 && !h.legs[0].finished && !stop_asked(&h, outer);
	pthread_mutex_unlock(&h.mu);
	/* start_b runs on this thread: it may use the state file. */
	if (hedge_now && start_b(b, ud) && start_leg(&h, 1, b) == 0)
		b_running = true;
	pthread_mutex_lock(&h.mu);
	while (h.winner < 0 && !(h.legs[0].finished && (!b_running || h.legs[1].finished))) {
		struct timespec tick = deadline_in(100);

		stop_asked(&h, outer);
		pthread_cond_timedwait(&h.cv, &h.mu, &tick);
	}
	winner = h.winner;
	pthread_mutex_unlock(&h.mu);
	pthread_join(h.legs[0].thread, NULL);
	if (b_running)
		pthread_join(h.legs[1].thread, NULL);
out:
	pthread_cond_destroy(&h.cv);
	pthread_mutex_destroy(&h.mu);
	/* A winner by token that then failed mid-stream did not answer. */
	if (winner >= 0 && (winner ? b : a)->r.err != LLMR_ERR_NONE)
		winner = -1;
	return winner;
}
