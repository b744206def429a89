/*
 * coord_bench - quota reservations per second through Redis against the
 * state file, with N processes (acquire + settle, as llmr-ask does), and
 * the time each one adds to a request.
 *
 * tests/bench/redis.sh starts a redis-server and runs it with
 * "--bench PROCS COUNT REDIS_URL"; "--bench-spend ..." measures spend
 * holds (route/spend.h: reserve against a monthly cap, then release) the
 * same way. As a test (no arguments) it checks
 * the counts against $LLMR_TEST_REDIS_URL, and skips without it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "route/coord.h"
#include "route/quota.h"
#include "route/spend.h"
#include "store/state.h"
#include "tap.h"

static int spend_mode; /* --bench-spend: spend holds, not quota reservations */

/* One spend hold against a monthly cap no one reaches, then its release. */
static int one_hold(struct llmr_state *st, const struct llmr_provider_cfg *p, long *remote)
{
	struct llmr_spend_req q = {p, "bench", NULL, 0, false, 0.001};
	struct llmr_spend_hold h;
	struct llmr_err e;
	char why[200];

	if (llmr_spend_reserve(st, &q, &h, why, sizeof(why), &e) != 1)
		return 0;
	*remote += h.remote != 0;
	llmr_spend_release(st, &h, 0.001, &e);
	return 1;
}

struct stats {
	long got, remote;
	double us; /* total time in acquire + settle */
};

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static void child(int fd, const char *path, const char *url, const char *prefix, long count, long limit)
{
	struct llmr_config cfg;
	struct llmr_provider_cfg p;
	struct llmr_state *st;
	struct llmr_quota_res r;
	struct llmr_err e;
	struct stats s = {0, 0, 0};
	char why[160];

	memset(&cfg, 0, sizeof(cfg));
	cfg.coordination = (char *)url;
	cfg.coordination_prefix = (char *)prefix;
	cfg.coordination_share = cfg.coordination_hosts = -1;
	if (url && llmr_coord_setup(&cfg, &e) < 0)
		_exit(1);
	memset(&p, 0, sizeof(p));
	p.name = "bench";
	p.timeout_ms = 10000;
	p.limits = (struct llmr_limits){-1, limit, -1, -1, -1, -1, -1, NULL, NULL};
	p.budget_usd_per_month = 1e9;
	if (llmr_state_open(path, &st, &e) < 0)
		_exit(1);
	for (long i = 0; i < count; i++) {
		double t0 = now_us();

		if (spend_mode) {
			s.got += one_hold(st, &p, &s.remote);
		} else if (llmr_quota_acquire(st, &p, NULL, 100, 0, 0, &r, why, sizeof(why), &e) == 1) {
			s.got++;
			s.remote += r.remote;
			llmr_quota_settle(st, &r, 100, &e);
		}
		s.us += now_us() - t0;
	}
	llmr_state_close(st);
	llmr_coord_shutdown();
	if (write(fd, &s, sizeof(s)) != (ssize_t)sizeof(s))
		_exit(1);
	_exit(0);
}

/* procs children of count reservations; returns reservations per second
 * and sums the children's stats into *t. */
static double run(const char *path, const char *url, const char *prefix, int procs, long count,
		  long limit, struct stats *t)
{
	double t0 = now_us();
	struct stats s;
	int fd[2];

	memset(t, 0, sizeof(*t));
	if (pipe(fd) < 0)
		return 0;
	for (int i = 0; i < procs; i++)
		if (fork() == 0) {
			close(fd[0]);
			child(fd[1], path, url, prefix, count, limit);
		}
	close(fd[1]);
	while (read(fd[0], &s, sizeof(s)) == (ssize_t)sizeof(s)) {
		t->got += s.got;
		t->remote += s.remote;
		t->us += s.us;
	}
	close(fd[0]);
	while (wait(NULL) > 0)
		;
	return (double)procs * (double)count * 1e6 / (now_us() - t0);
}

static void cleanup(const char *path)
{
	char w[300];

	unlink(path);
	snprintf(w, sizeof(w), "%s-wal", path);
	unlink(w);
	snprintf(w, sizeof(w), "%s-shm", path);
	unlink(w);
}

static void bench(const char *path, int procs, long count, const char *url)
{
	char prefix[64];
	struct stats t;
	double rate;

	for (int redis = 0; redis < 2; redis++) {
		snprintf(prefix, sizeof(prefix), "bench%d:", (int)getpid());
		/* An rpm limit no one reaches: every reservation counts the window. */
		rate = run(path, redis ? url : NULL, prefix, procs, count, 1000000000, &t);
		printf("  %-7s %2d processes: %7.0f %s/s, %7.3f ms per request (%s)%s\n",
		       redis ? "redis" : "sqlite", procs, rate, spend_mode ? "spend holds" : "reservations",
		       t.got ? t.us / 1000.0 / (double)(procs * count) : 0,
		       spend_mode ? "hold + release" : "acquire + settle", redis && t.remote < t.got ? " (some fell back: Redis past the 50 ms bound)" : "");
		cleanup(path);
	}
}

int main(int argc, char **argv)
{
	const char *url = getenv("LLMR_TEST_REDIS_URL");
	char path[128];
	struct llmr_state *st;
	struct llmr_err e;
	struct stats t;

	snprintf(path, sizeof(path), "%s/llmr-coord-bench-%d.db", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		 (int)getpid());
	if (llmr_state_open(path, &st, &e) < 0) {
		printf("Bail out! %s\n", e.msg);
		return 1;
	}
	llmr_state_close(st); /* migrate once, before the children race */
	if (argc == 5 && (!strcmp(argv[1], "--bench") || !strcmp(argv[1], "--bench-spend"))) {
		spend_mode = !strcmp(argv[1], "--bench-spend");
		bench(path, atoi(argv[2]), atol(argv[3]), argv[4]);
		cleanup(path);
		return 0;
	}
	if (!url || !*url) {
		cleanup(path);
		printf("1..0 # SKIP no LLMR_TEST_REDIS_URL (tests/cli/0332 and 0333 test Redis)\n");
		return 0;
	}
	{
		char prefix[64];

		/* A prefix of its own: a window of an earlier run may still count. */
		snprintf(prefix, sizeof(prefix), "unit%d:", (int)getpid());
		run(path, url, prefix, 4, 50, 120, &t);
	}
	ok(t.got == 120, "4 processes x 50 on rpm 120 through Redis: exactly 120 admitted (%ld)", t.got);
	ok(t.remote == t.got, "all of them in Redis (%ld)", t.remote);
	cleanup(path);
	return done_testing();
}
