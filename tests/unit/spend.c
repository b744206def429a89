#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cost/cost_budget.h"
#include "provider/attempt_log.h"
#include "route/budget.h"
#include "route/spend.h"
#include "store/state.h"
#include "tap.h"

static char path[256];

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

/* The cost of one call, in the log as llmr-ask writes it. */
static void log_cost(struct llmr_state *st, const char *provider, const char *route, double usd)
{
	struct llmr_attempt a;
	struct llmr_err e;

	memset(&a, 0, sizeof(a));
	a.request_id = "r-test";
	a.attempt = 1;
	a.ts_ms = llmr_now_ms();
	a.route = route;
	a.provider = provider;
	a.model = "m";
	a.status = "ok";
	a.usage.provider_cost_usd = -1;
	a.cost_usd = usd;
	a.latency_ms = a.ttft_ms = -1;
	llmr_state_log_attempt(st, &a, &e);
}

static void test_estimate(void)
{
	struct llmr_model_cfg m;

	memset(&m, 0, sizeof(m));
	m.input = 2;
	m.output = 10;
	is_num(llmr_spend_estimate(&m, 1000, 500), 0.007, 1e-12, "input and max_tokens at their prices");
	m.input = -1;
	is_num(llmr_spend_estimate(&m, 1000, 500), 0.005, 1e-12, "an unknown price counts as free");
	is_num(llmr_spend_estimate(NULL, 1000, 500), 0, 1e-12, "no model, no price");
}

static void test_caps(void)
{
	struct llmr_state *a = open_state(), *b = open_state();
	struct llmr_provider_cfg p;
	struct llmr_spend_req q;
	struct llmr_spend_hold h[4];
	struct llmr_err e;
	char why[256];

	memset(&p, 0, sizeof(p));
	p.name = "prov";
	p.timeout_ms = 10000;
	p.budget_usd_per_month = 3;
	memset(&q, 0, sizeof(q));
	q.provider = &p;
	q.route = "r1";
	q.est_usd = 1;
	is_int(llmr_spend_reserve(a, &q, &h[0], why, sizeof(why), &e), 1, "first $1 held");
	is_int(llmr_spend_reserve(b, &q, &h[1], why, sizeof(why), &e), 1, "second, another connection");
	is_int(llmr_spend_reserve(a, &q, &h[2], why, sizeof(why), &e), 1, "third: $3 of $3");
	is_int(llmr_spend_reserve(b, &q, &h[3], why, sizeof(why), &e), 0, "a fourth would cross the cap");
	is_str(why, "provider 'prov' monthly cap $3.00: $0.0000 spent, $3.0000 held, ~$1.0000 needed",
	       "why names the cap, the spend and the holds");
	/* Logged, then released: the money moves from the holds to the log. */
	log_cost(a, "prov", "r1", 0.25);
	ok(llmr_spend_release(a, &h[0], 0.25, &e) == 0 && h[0].id == 0, "release after the log");
	is_int(llmr_spend_reserve(b, &q, &h[3], why, sizeof(why), &e), 0, "$0.25 + $2 held + $1 > $3");
	q.est_usd = 0.75;
	is_int(llmr_spend_reserve(b, &q, &h[3], why, sizeof(why), &e), 1, "$0.75 fits exactly");
	q.est_usd = 0;
	p.budget_usd_per_month = -1;
	for (int i = 1; i < 4; i++)
		llmr_spend_release(i % 2 ? b : a, &h[i], 0, &e);

	/* Route and total caps from cost_budgets. */
	llmr_budget_set(a, "route", "r1", 1, 0.8, &e);
	q.est_usd = 0.5;
	is_int(llmr_spend_reserve(a, &q, &h[0], why, sizeof(why), &e), 1, "route cap: $0.25 + $0.5 fit $1");
	is_int(llmr_spend_reserve(b, &q, &h[1], why, sizeof(why), &e), 0, "route cap: another $0.5 does not");
	ok(!strncmp(why, "route 'r1' monthly cap $1.00", 28), "why: %s", why);
	q.route = "r2";
	is_int(llmr_spend_reserve(b, &q, &h[1], why, sizeof(why), &e), 1, "another route is not capped");
	llmr_budget_set(a, "total", NULL, 1.2, 0.8, &e);
	is_int(llmr_spend_reserve(b, &q, &h[2], why, sizeof(why), &e), 0, "total cap counts every route");
	ok(!strncmp(why, "total monthly cap $1.20", 23), "why: %s", why);
	llmr_spend_release(a, &h[0], 0, &e);
	llmr_spend_release(b, &h[1], 0, &e);
	llmr_budget_set(a, "total", NULL, -1, 0.8, &e);
	llmr_budget_set(a, "route", "r1", -1, 0.8, &e);
	llmr_state_close(a);
	llmr_state_close(b);
}

static void test_request_budget(void)
{
	struct llmr_state *a = open_state();
	struct llmr_provider_cfg p;
	struct llmr_spend_req q;
	struct llmr_spend_hold h[2];
	struct llmr_budget b;
	struct llmr_err e;
	char id[48], why[256];

	memset(&p, 0, sizeof(p));
	p.name = "prov2";
	p.timeout_ms = 10000;
	p.budget_usd_per_month = -1;
	llmr_budget_open(a, -1, 1, id, &e);
	memset(&q, 0, sizeof(q));
	q.provider = &p;
	q.budget = id;
	q.est_usd = 0.6;
	is_int(llmr_spend_reserve(a, &q, &h[0], why, sizeof(why), &e), 1, "request budget: $0.6 of $1");
	is_int(llmr_spend_reserve(a, &q, &h[1], why, sizeof(why), &e), 0, "request budget: not twice");
	ok(strstr(why, "request budget") != NULL, "why: %s", why);
	q.budget_over = true;
	is_int(llmr_spend_reserve(a, &q, &h[1], why, sizeof(why), &e), 1, "a P0 over the budget is not checked");
	llmr_spend_release(a, &h[0], 0.5, &e);
	llmr_spend_release(a, &h[1], 0.25, &e);
	llmr_budget_get(a, id, &b, &e);
	is_num(b.usd_used, 0.75, 1e-9, "each release charges the actual cost to the budget");
	llmr_state_close(a);
}

int main(void)
{
	char w[300];

	snprintf(path, sizeof(path), "/tmp/llmr-spend-test-%d.db", (int)getpid());
	test_estimate();
	test_caps();
	test_request_budget();
	unlink(path);
	snprintf(w, sizeof(w), "%s-wal", path);
	unlink(w);
	snprintf(w, sizeof(w), "%s-shm", path);
	unlink(w);
	return done_testing();
}
