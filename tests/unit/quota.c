#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "route/quota.h"
#include "provider/attempt_log.h"
#include "store/state.h"
#include "tap.h"

static char path[256];

static void provider(struct llmr_provider_cfg *p, const char *name)
{
	memset(p, 0, sizeof(*p));
	p->name = (char *)name;
	p->timeout_ms = 10000;
	p->limits = (struct llmr_limits){-1, -1, -1, -1, -1, -1, -1, NULL, NULL};
}

static struct llmr_state *open_state(void)
{
	struct llmr_state *st;
	struct llmr_err e;

	if (llmr_state_open(path, &st, &e) < 0) {
		printf("Bail out! %s\n", e.msg);
		exit(1);
	}
	return st;
}

static void test_pure(void)
{
	struct llmr_quota_status s;
	char why[160];
	int64_t fa;

	memset(&s, 0, sizeof(s));
	for (int i = 0; i < LLMR_QW_N; i++)
		s.w[i].limit = s.mw[i].limit = -1;
	s.hdr_req_limit = s.hdr_req_remaining = s.hdr_tok_limit = s.hdr_tok_remaining = -1;
	is_int(llmr_quota_check(&s, 100, 1000, why, sizeof(why), &fa), 0, "no limits: admitted");
	s.w[LLMR_QW_RPM] = (struct llmr_quota_win){60, 60, 13000};
	is_int(llmr_quota_check(&s, 100, 1000, why, sizeof(why), &fa), 1, "rpm full");
	is_str(why, "rpm exhausted (60/60, frees in 12s)", "why names the window");
	is_int(fa, 13000, "free_at");
	s.w[LLMR_QW_RPM].used = 59;
	is_int(llmr_quota_check(&s, 100, 1000, why, sizeof(why), &fa), 0, "one left");
	s.w[LLMR_QW_TPM] = (struct llmr_quota_win){900, 1000, 5000};
	is_int(llmr_quota_check(&s, 200, 1000, why, sizeof(why), &fa), 1, "tokens do not fit");
	ok(strstr(why, "tpm exhausted") != NULL, "tpm why: %s", why);
	is_int(llmr_quota_check(&s, 5000, 1000, why, sizeof(why), &fa), 1, "bigger than the window");
	is_int(fa, -1, "never: waiting cannot help");
	s.w[LLMR_QW_TPM].limit = -1;
	s.hdr_req_remaining = 2;
	s.hdr_req_reset_at = 4000;
	s.req_since_hdr = 2;
	is_int(llmr_quota_check(&s, 10, 1000, why, sizeof(why), &fa), 1, "headers: none left");
	ok(strstr(why, "provider headers") != NULL, "why: %s", why);
	is_int(llmr_quota_check(&s, 10, 4000, why, sizeof(why), &fa), 0, "headers expire at reset");
	s.hdr_req_remaining = -1;
	s.hdr_req_limit = 10;
	s.w[LLMR_QW_RPM].used = 10;
	is_int(llmr_quota_check(&s, 10, 1000, why, sizeof(why), &fa), 1, "a lower header limit wins");
	s.hdr_req_limit = -1;
	s.w[LLMR_QW_RPM].used = 0;
	s.cooldown_until = 3000;
	is_int(llmr_quota_check(&s, 10, 1000, why, sizeof(why), &fa), 1, "cooldown");
	ok(!strncmp(why, "cooldown", 8), "why: %s", why);
	ok(llmr_quota_rank(0, LLMR_COMPLEX) < llmr_quota_rank(3, LLMR_SIMPLE), "P0 before P3");
	ok(llmr_quota_rank(1, LLMR_SIMPLE) < llmr_quota_rank(1, LLMR_COMPLEX), "simple before complex");
}

static void test_db(void)
{
	struct llmr_state *a = open_state(), *b = open_state();
	struct llmr_provider_cfg p;
	struct llmr_quota_res r[4];
	struct llmr_quota_status s;
	struct llmr_ratelimit rl;
	struct llmr_err e;
	char why[160];

	provider(&p, "prov");
	p.limits.rpm = 3;
	p.limits.tpm = 1000;
	is_int(llmr_quota_acquire(a, &p, NULL, 100, 0, 0, &r[0], why, sizeof(why), &e), 1, "first");
	is_int(llmr_quota_acquire(b, &p, NULL, 100, 0, 0, &r[1], why, sizeof(why), &e), 1, "second, other connection");
	is_int(llmr_quota_acquire(a, &p, NULL, 900, 0, 0, &r[2], why, sizeof(why), &e), 0, "tokens refused");
	ok(strstr(why, "tpm exhausted") != NULL, "why: %s", why);
	ok(llmr_quota_settle(a, &r[0], 10, &e) == 0 && r[0].id == 0, "settle");
	is_int(llmr_quota_acquire(a, &p, NULL, 800, 0, 0, &r[2], why, sizeof(why), &e), 1, "fits after settle");
	is_int(llmr_quota_acquire(b, &p, NULL, 1, 0, 0, &r[3], why, sizeof(why), &e), 0, "rpm refused");
	ok(!strncmp(why, "rpm exhausted (3/3", 18), "why: %s", why);
	ok(llmr_quota_release(b, &r[1], false, &e) == 0, "release unsent");
	is_int(llmr_quota_acquire(b, &p, NULL, 1, 0, 0, &r[3], why, sizeof(why), &e), 1, "unsent release frees the slot");
	ok(llmr_quota_release(a, &r[2], true, &e) == 0, "release sent");
	llmr_quota_status(a, &p, NULL, llmr_now_ms(), &s, &e);
	is_int(s.w[LLMR_QW_RPM].used, 3, "a sent failure still counts as a request");
	is_int(s.w[LLMR_QW_TPM].used, 11, "but its tokens are given back");
	is_int(s.w[LLMR_QW_CONCURRENT].used, 1, "one still in flight");
	llmr_quota_settle(b, &r[3], 1, &e);

	provider(&p, "hdr");
	llmr_ratelimit_init(&rl);
	rl.req_limit = 100;
	rl.req_remaining = 0;
	rl.req_reset_s = 30;
	rl.seen = true;
	llmr_state_save_ratelimit(a, "hdr", "m", &rl, llmr_now_ms(), &e);
	is_int(llmr_quota_acquire(b, &p, NULL, 1, 0, 0, &r[0], why, sizeof(why), &e), 0, "headers say none left");
	ok(strstr(why, "provider headers") != NULL, "why: %s", why);
	ok(llmr_quota_reset_cooldown(a, "hdr", &e) == 0, "reset by hand");
	is_int(llmr_quota_acquire(b, &p, NULL, 1, 0, 0, &r[0], why, sizeof(why), &e), 1, "admitted after reset");
	llmr_quota_settle(b, &r[0], 1, &e);
	rl.req_remaining = 50;
	rl.retry_after_s = 20;
	llmr_state_save_ratelimit(a, "hdr", "", &rl, llmr_now_ms(), &e);
	is_int(llmr_quota_acquire(b, &p, NULL, 1, 0, 0, &r[0], why, sizeof(why), &e), 0, "retry-after is a cooldown");
	ok(!strncmp(why, "cooldown", 8), "why: %s", why);
	llmr_quota_reset_cooldown(a, NULL, &e);

	/* A 1 s window empties on time. */
	provider(&p, "short");
	p.limits.rps = 2;
	llmr_quota_acquire(a, &p, NULL, 1, 0, 0, &r[0], why, sizeof(why), &e);
	llmr_quota_acquire(a, &p, NULL, 1, 0, 0, &r[1], why, sizeof(why), &e);
	llmr_quota_settle(a, &r[0], 1, &e);
	llmr_quota_settle(a, &r[1], 1, &e);
	is_int(llmr_quota_acquire(a, &p, NULL, 1, 0, 0, &r[2], why, sizeof(why), &e), 0, "rps full");
	is_int(llmr_quota_acquire(a, &p, NULL, 1, 0, 3000, &r[2], why, sizeof(why), &e), 1, "waiting gets it once the window moves");
	llmr_quota_settle(a, &r[2], 1, &e);
	llmr_state_close(a);
	llmr_state_close(b);
	a = open_state();
	llmr_quota_status(a, &p, NULL, llmr_now_ms(), &s, &e);
	ok(s.w[LLMR_QW_RPD].used == 3, "state survives a reopen: %ld today", s.w[LLMR_QW_RPD].used);
	llmr_state_close(a);
}

/* 6 processes race for 20 slots: exactly 20 are admitted. */
static void test_race(void)
{
	struct llmr_provider_cfg p;
	int total = 0, fds[2];

	provider(&p, "race");
	p.limits.rpm = 20;
	if (pipe(fds) < 0)
		return;
	for (int k = 0; k < 6; k++) {
		if (fork() == 0) {
			struct llmr_state *st = open_state();
			struct llmr_quota_res r;
			struct llmr_err e;
			char why[160], got = 0;

			close(fds[0]);
			for (int i = 0; i < 10; i++)
				if (llmr_quota_acquire(st, &p, NULL, 1, 0, 0, &r, why, sizeof(why), &e) == 1) {
					got++;
					llmr_quota_settle(st, &r, 1, &e);
				}
			if (write(fds[1], &got, 1) != 1)
				_exit(1);
			llmr_state_close(st);
			_exit(0);
		}
	}
	close(fds[1]);
	for (char c; read(fds[0], &c, 1) == 1;)
		total += c;
	close(fds[0]);
	while (wait(NULL) > 0)
		;
	is_int(total, 20, "6 processes x 10 tries on rpm 20: exactly 20 admitted");
}

/* The fair queue: with one slot held, a P3 waiter then a P0 waiter; when the
 * slot frees, P0 gets it first. */
static void test_fair(void)
{
	struct llmr_state *st = open_state();
	struct llmr_provider_cfg p;
	struct llmr_quota_res r;
	struct llmr_err e;
	char why[160], order[3] = {0}, *fifo = "fair.order";
	int fds[2];

	provider(&p, "fair");
	p.limits.concurrent = 1;
	(void)fifo;
	if (pipe(fds) < 0)
		return;
	llmr_quota_acquire(st, &p, NULL, 1, 0, 0, &r, why, sizeof(why), &e);
	for (int k = 0; k < 2; k++) {
		if (fork() == 0) {
			struct llmr_state *c;
			struct llmr_quota_res cr;
			char name = k == 0 ? '3' : '0';

			close(fds[0]);
			c = open_state();
			/* The P0 waiter queues after the P3 one. */
			for (long depth = 0, i = 0; k == 1 && depth < 1 && i < 1000; i++) {
				llmr_quota_queue_depth(c, &depth, &e);
				llmr_sleep_ms(10);
			}
			if (llmr_quota_acquire(c, &p, NULL, 1, llmr_quota_rank(k == 0 ? 3 : 0, 1), 10000, &cr,
					       why, sizeof(why), &e) == 1) {
				if (write(fds[1], &name, 1) != 1)
					_exit(1);
				llmr_sleep_ms(100);
				llmr_quota_settle(c, &cr, 1, &e);
			}
			llmr_state_close(c);
			_exit(0);
		}
	}
	close(fds[1]);
	/* Free the slot once both are queued, however slow the machine. */
	for (long depth = 0, i = 0; depth < 2 && i < 1000; i++) {
		llmr_quota_queue_depth(st, &depth, &e);
		llmr_sleep_ms(10);
	}
	llmr_quota_settle(st, &r, 1, &e);
	for (int got = 0, k; got < 2 && (k = (int)read(fds[0], order + got, (size_t)(2 - got))) > 0;)
		got += k;
	close(fds[0]);
	while (wait(NULL) > 0)
		;
	is_str(order, "03", "P0 was served before the P3 that queued first");
	llmr_state_close(st);
}

int main(void)
{
	snprintf(path, sizeof(path), "/tmp/llmr-quota-test-%d.db", (int)getpid());
	test_pure();
	test_db();
	test_race();
	test_fair();
	unlink(path);
	{
		char w[300];

		snprintf(w, sizeof(w), "%s-wal", path);
		unlink(w);
		snprintf(w, sizeof(w), "%s-shm", path);
		unlink(w);
	}
	return done_testing();
}
