#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "route/budget.h"
#include "tap.h"

static void test_policy(void)
{
	struct llmr_budget b;

	is_int(llmr_budget_policy(2, false), LLMR_BUDGET_RUN, "not spent: run");
	is_int(llmr_budget_policy(0, true), LLMR_BUDGET_CHEAPEST, "P0 spent: cheapest");
	is_int(llmr_budget_policy(1, true), LLMR_BUDGET_WAIT, "P1 spent: wait");
	is_int(llmr_budget_policy(2, true), LLMR_BUDGET_SKIP, "P2 spent: skip");
	is_int(llmr_budget_policy(3, true), LLMR_BUDGET_SKIP, "P3 spent: skip");
	memset(&b, 0, sizeof(b));
	b.calls_max = 3;
	b.usd_max = 0.05;
	b.calls_used = 2;
	ok(!llmr_budget_spent(&b, 0.01), "2 of 3 calls");
	b.usd_used = 0.045;
	ok(llmr_budget_spent(&b, 0.01), "dollars spent first");
	b.usd_used = 0;
	b.calls_used = 3;
	ok(llmr_budget_spent(&b, 0), "calls spent");
}

static void test_draws(void)
{
	char path[128], id[48];
	struct llmr_state *st;
	struct llmr_budget_ticket t[8];
	enum llmr_budget_verdict v;
	struct llmr_budget b;
	struct llmr_err e;
	int runs = 0;

	snprintf(path, sizeof(path), "/tmp/llmr-budget-test-%d.db", (int)getpid());
	if (llmr_state_open(path, &st, &e) < 0) {
		printf("Bail out! %s\n", e.msg);
		exit(1);
	}
	ok(llmr_budget_open(st, 3, 0.05, id, &e) == 0 && !strncmp(id, "b-", 2), "open: %s", id);
	for (int i = 0; i < 3; i++) {
		llmr_budget_draw(st, id, 2, 0.001, 0, &t[i], &v, &e);
		runs += v == LLMR_BUDGET_RUN;
	}
	is_int(runs, 3, "three calls drawn");
	llmr_budget_draw(st, id, 3, 0.001, 0, &t[3], &v, &e);
	is_int(v, LLMR_BUDGET_SKIP, "P3 skipped");
	llmr_budget_draw(st, id, 0, 0.001, 0, &t[4], &v, &e);
	is_int(v, LLMR_BUDGET_CHEAPEST, "P0 runs over budget");
	llmr_budget_draw(st, id, 1, 0.001, 300, &t[5], &v, &e);
	is_int(v, LLMR_BUDGET_DEGRADE, "P1 degrades when nothing comes back in time");
	llmr_budget_refund(st, &t[0], 0, &e);
	llmr_budget_draw(st, id, 1, 0.001, 300, &t[6], &v, &e);
	is_int(v, LLMR_BUDGET_RUN, "a refunded call can be drawn again");
	llmr_budget_settle(st, &t[1], 0.002, &e);
	llmr_budget_settle(st, &t[2], 0.002, &e);
	llmr_budget_settle(st, &t[4], 0.001, &e);
	llmr_budget_settle(st, &t[6], 0.003, &e);
	ok(llmr_budget_get(st, id, &b, &e) == 0, "get");
	is_int(b.calls_used, 3, "calls used within the budget");
	is_int(b.over_calls, 1, "one over-budget call");
	is_int(b.skipped, 2, "skipped and degraded counted");
	is_int(b.calls_held, 0, "nothing in flight");
	is_num(b.usd_used, 0.008, 1e-9, "dollars used");
	ok(llmr_budget_close(st, id, &e) == 0, "close");
	llmr_budget_draw(st, id, 1, 0, 0, &t[7], &v, &e);
	is_int(v, LLMR_BUDGET_DEGRADE, "closed budget is spent");
	ok(llmr_budget_get(st, "b-nope", &b, &e) < 0 && e.code == LLMR_EX_DATAERR, "unknown id: %s", e.msg);
	ok(llmr_budget_open(st, -1, 0.002, id, &e) == 0, "dollar-only budget");
	llmr_budget_draw(st, id, 2, 0.0015, 0, &t[0], &v, &e);
	is_int(v, LLMR_BUDGET_RUN, "fits");
	llmr_budget_draw(st, id, 2, 0.0015, 0, &t[1], &v, &e);
	is_int(v, LLMR_BUDGET_SKIP, "held dollars count: no overspend by concurrent draws");
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
	test_policy();
	test_draws();
	return done_testing();
}
