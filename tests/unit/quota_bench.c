/*
 * quota_bench - reservations per second that N processes reach on one
 * state file (acquire + settle, each its own BEGIN IMMEDIATE transaction).
 * As a test (no arguments) it runs a small round and checks the counts;
 * tests/bench/route-reservations.sh runs it with "--bench PROCS COUNT".
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "route/quota.h"
#include "store/state.h"
#include "tap.h"

static int child(const char *path, long count, long limit)
{
	struct llmr_provider_cfg p;
	struct llmr_state *st;
	struct llmr_quota_res r;
	struct llmr_err e;
	char why[160];
	long got = 0;

	memset(&p, 0, sizeof(p));
	p.name = "bench";
	p.timeout_ms = 10000;
	p.limits = (struct llmr_limits){-1, limit, -1, -1, -1, -1, -1, NULL, NULL};
	if (llmr_state_open(path, &st, &e) < 0)
		return 255;
	for (long i = 0; i < count; i++)
		if (llmr_quota_acquire(st, &p, NULL, 100, 0, 0, &r, why, sizeof(why), &e) == 1) {
			got++;
			llmr_quota_settle(st, &r, 100, &e);
		}
	llmr_state_close(st);
	return got > 254 ? 254 : (int)got;
}

/* Run procs children of count reservations each (count <= 254: each child
 * exits with what it got); returns the rate, *admitted the total. */
static double run(const char *path, int procs, long count, long limit, long *admitted)
{
	int64_t t0 = llmr_mono_ms();
	int status;

	*admitted = 0;
	for (int i = 0; i < procs; i++)
		if (fork() == 0)
			_exit(child(path, count, limit));
	while (wait(&status) > 0)
		if (WIFEXITED(status) && WEXITSTATUS(status) != 255)
			*admitted += WEXITSTATUS(status);
	return (double)procs * (double)count * 1000.0 / (double)(llmr_mono_ms() - t0 + 1);
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

int main(int argc, char **argv)
{
	char path[128];
	struct llmr_state *st;
	struct llmr_err e;
	long admitted;
	double rate;

	snprintf(path, sizeof(path), "%s/llmr-quota-bench-%d.db", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		 (int)getpid());
	if (llmr_state_open(path, &st, &e) < 0) {
		printf("Bail out! %s\n", e.msg);
		return 1;
	}
	llmr_state_close(st); /* migrate once, before the children race */
	if (argc == 4 && !strcmp(argv[1], "--bench")) {
		int procs = atoi(argv[2]);
		long count = atol(argv[3]);

		if (count > 254)
			count = 254;

		rate = run(path, procs, count, -1, &admitted);
		printf("reservations: %d processes x %ld = %ld admitted, %.0f reservations/s "
		       "(acquire + settle, one state file)\n", procs, count, admitted, rate);
		cleanup(path);
		return 0;
	}
	rate = run(path, 4, 50, -1, &admitted);
	is_int(admitted, 200, "4 processes x 50: all admitted without a limit");
	ok(rate > 0, "rate measured: %.0f/s", rate);
	cleanup(path);
	llmr_state_open(path, &st, &e);
	llmr_state_close(st);
	run(path, 4, 50, 120, &admitted);
	is_int(admitted, 120, "4 processes x 50 on rpm 120: exactly 120 admitted");
	cleanup(path);
	return done_testing();
}
