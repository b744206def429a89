#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "route/breaker.h"
#include "tap.h"

static void test_machine(void)
{
	struct llmr_breaker b;
	bool probe;
	char why[128];

	memset(&b, 0, sizeof(b));
	ok(llmr_breaker_step_allow(&b, 1000, 5000, 2000, &probe) && !probe, "closed lets calls through");
	for (int i = 0; i < 2; i++)
		llmr_breaker_step_record(&b, LLMR_ERR_RATE_LIMITED, 1000, 3);
	is_int(b.state, LLMR_BREAKER_CLOSED, "2 failures of 3: still closed");
	llmr_breaker_step_record(&b, LLMR_ERR_AUTH, 1000, 3);
	is_int(b.failures, 2, "auth errors do not count");
	llmr_breaker_step_record(&b, LLMR_ERR_OVERLOADED, 1000, 3);
	is_int(b.state, LLMR_BREAKER_OPEN, "third failure opens");
	ok(!llmr_breaker_step_allow(&b, 3000, 5000, 2000, &probe), "open refuses during cooldown");
	ok(llmr_breaker_blocks(&b, 3000, 5000, why, sizeof(why)) && strstr(why, "retry in 3.0s"), "why: %s", why);
	ok(llmr_breaker_step_allow(&b, 6000, 5000, 2000, &probe) && probe, "after cooldown: one probe");
	is_int(b.state, LLMR_BREAKER_HALF_OPEN, "half-open");
	ok(!llmr_breaker_step_allow(&b, 6500, 5000, 2000, &probe), "a second caller waits for the probe");
	ok(llmr_breaker_step_allow(&b, 8001, 5000, 2000, &probe) && probe, "a lost probe frees after its lease");
	llmr_breaker_step_record(&b, LLMR_ERR_TIMEOUT, 8100, 3);
	is_int(b.state, LLMR_BREAKER_OPEN, "failed probe reopens");
	is_int(b.opened_ms, 8100, "for a new cooldown");
	ok(llmr_breaker_step_allow(&b, 13200, 5000, 2000, &probe) && probe, "probe again");
	llmr_breaker_step_record(&b, LLMR_ERR_NONE, 13300, 3);
	is_int(b.state, LLMR_BREAKER_CLOSED, "successful probe closes");
	is_int(b.failures, 0, "and clears the count");
	ok(!llmr_breaker_counts(LLMR_ERR_BAD_REQUEST) && llmr_breaker_counts(LLMR_ERR_SERVER), "classes");
}

static void test_shared(void)
{
	char path[128];
	struct llmr_state *a, *b;
	struct llmr_provider_cfg p;
	struct llmr_breaker br;
	struct llmr_err e;
	bool allowed, probe;
	char why[128];

	snprintf(path, sizeof(path), "/tmp/llmr-breaker-test-%d.db", (int)getpid());
	if (llmr_state_open(path, &a, &e) < 0 || llmr_state_open(path, &b, &e) < 0) {
		printf("Bail out! %s\n", e.msg);
		exit(1);
	}
	memset(&p, 0, sizeof(p));
	p.name = "prov";
	p.breaker_failures = 2;
	p.breaker_cooldown_ms = 600;
	p.timeout_ms = 1000;
	llmr_breaker_record(a, &p, LLMR_ERR_SERVER, &e);
	llmr_breaker_record(b, &p, LLMR_ERR_SERVER, &e);
	llmr_breaker_get(a, "prov", &br, &e);
	is_int(br.state, LLMR_BREAKER_OPEN, "failures from two processes open it");
	is_str(br.last_error, "server", "last error kept");
	ok(llmr_breaker_allow(b, &p, &allowed, &probe, why, sizeof(why), &e) == 0 && !allowed, "refused");
	ok(strstr(why, "breaker open") != NULL, "why: %s", why);
	llmr_sleep_ms(700);
	llmr_breaker_allow(a, &p, &allowed, &probe, why, sizeof(why), &e);
	ok(allowed && probe, "one process gets the probe");
	llmr_breaker_allow(b, &p, &allowed, &probe, why, sizeof(why), &e);
	ok(!allowed, "the other does not: %s", why);
	llmr_breaker_record(a, &p, LLMR_ERR_NONE, &e);
	llmr_breaker_allow(b, &p, &allowed, &probe, why, sizeof(why), &e);
	ok(allowed && !probe, "closed after the probe succeeded");
	llmr_breaker_record(a, &p, LLMR_ERR_SERVER, &e);
	llmr_breaker_record(a, &p, LLMR_ERR_SERVER, &e);
	ok(llmr_breaker_reset(b, "prov", &e) == 0, "reset by hand");
	llmr_breaker_get(a, "prov", &br, &e);
	ok(br.state == LLMR_BREAKER_CLOSED && br.failures == 0, "closed again");
	llmr_state_close(a);
	llmr_state_close(b);
	unlink(path);
	strcat(path, "-wal");
	unlink(path);
	path[strlen(path) - 4] = '\0';
	strcat(path, "-shm");
	unlink(path);
}

int main(void)
{
	test_machine();
	test_shared();
	return done_testing();
}
