#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "route/degrade.h"
#include "tap.h"
#include "provider/attempt_log.h"

static void test_decide(void)
{
	struct llmr_degrade_signals s = {0, 0, 0, -1, 0};
	char why[160];

	ok(!llmr_degrade_decide(false, &s, why, sizeof(why)), "calm: off");
	s.attempts = 20;
	s.rate_limited = 6;
	s.rate_429 = 0.3;
	ok(llmr_degrade_decide(false, &s, why, sizeof(why)), "30%% 429s: on");
	ok(strstr(why, "429 rate 30%") != NULL, "why: %s", why);
	s.attempts = 4;
	ok(!llmr_degrade_decide(false, &s, why, sizeof(why)), "too few attempts to judge");
	s.attempts = 20;
	s.rate_429 = 0.15;
	ok(llmr_degrade_decide(true, &s, why, sizeof(why)), "hysteresis: stays on at 15%%");
	ok(!llmr_degrade_decide(false, &s, why, sizeof(why)), "but does not switch on at 15%%");
	s.rate_429 = 0.05;
	ok(!llmr_degrade_decide(true, &s, why, sizeof(why)), "off once calm");
	s.p95_ms = 25000;
	ok(llmr_degrade_decide(false, &s, why, sizeof(why)) && strstr(why, "p95"), "slow answers: %s", why);
	s.p95_ms = 100;
	s.queue_depth = 20;
	ok(llmr_degrade_decide(false, &s, why, sizeof(why)) && strstr(why, "queued"), "deep queue: %s", why);
}

static void test_state(void)
{
	char path[128];
	struct llmr_state *st;
	struct llmr_attempt a;
	struct llmr_degrade d;
	struct llmr_err e;

	snprintf(path, sizeof(path), "/tmp/llmr-degrade-test-%d.db", (int)getpid());
	if (llmr_state_open(path, &st, &e) < 0) {
		printf("Bail out! %s\n", e.msg);
		exit(1);
	}
	ok(llmr_degrade_update(st, &d, &e) == 0 && !d.active, "empty log: off");
	memset(&a, 0, sizeof(a));
	a.request_id = "r";
	a.provider = "p";
	a.model = "m";
	a.latency_ms = 100;
	a.ttft_ms = -1;
	for (int i = 0; i < 10; i++) {
		a.ts_ms = llmr_now_ms();
		a.status = i < 5 ? "rate_limited" : "ok";
		llmr_state_log_attempt(st, &a, &e);
	}
	llmr_sleep_ms(1100);
	ok(llmr_degrade_update(st, &d, &e) == 0 && d.active, "half 429s: on (%s)", d.reason);
	is_int(d.sig.rate_limited, 5, "signals measured");
	ok(llmr_degrade_update(st, &d, &e) == 0 && d.active, "stored state read back");
	ok(llmr_degrade_reset(st, &e) == 0, "reset by hand");
	ok(llmr_degrade_update(st, &d, &e) == 0 && !d.active, "off after reset");
	llmr_state_close(st);
	unlink(path);
	strcat(path, "-wal");
	unlink(path);
	path[strlen(path) - 4] = '\0';
	strcat(path, "-shm");
	unlink(path);
}

int main(void)
{
	test_decide();
	test_state();
	return done_testing();
}
