/*
 * How many state transactions one attempt costs, and that batching them
 * keeps what they guard: admission (breaker, quota reservation, spend
 * hold, probe) is one transaction, the close (attempt log, quota settle,
 * spend release, breaker record) is one; a refused admission leaves no
 * hold, no reservation and no queue entry behind; a failing step nested in
 * a batch leaves none of its writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "provider/attempt_log.h"
#include "route/route_ask.h"
#include "store/state.h"
#include "conf_test.h"
#include "tap.h"

static const char conf_yaml[] =
	"providers:\n"
	"  openai:\n"
	"    protocol: openai\n"
	"    base_url: http://127.0.0.1:9/v1\n"
	"    api_key_env: LLMR_TEST_TX_KEY\n"
	"    budget: {usd_per_month: 3}\n"
	"    limits: {rpm: 1}\n"
	"    models:\n"
	"      gpt-4o-mini: {input: 0.15, output: 0.60, context: 128000}\n";

static char dir[] = "/tmp/llmr-route-ask-tx-XXXXXX";

static long long count(struct llmr_state *st, const char *sql)
{
	sqlite3_stmt *s;
	long long v = -1;

	if (sqlite3_prepare_v2(llmr_state_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return v;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

struct logctx {
	struct llmr_state *st;
	int calls;
};

static void log_attempt(void *ud)
{
	struct logctx *c = ud;
	struct llmr_attempt a;
	struct llmr_err e = {0, ""};

	memset(&a, 0, sizeof(a));
	a.request_id = "r-tx";
	a.attempt = 1;
	a.ts_ms = llmr_now_ms();
	a.provider = "openai";
	a.model = "gpt-4o-mini";
	a.status = "ok";
	a.usage.provider_cost_usd = -1;
	a.cost_usd = 0.001;
	a.latency_ms = a.ttft_ms = -1;
	c->calls++;
	llmr_state_log_attempt(c->st, &a, &e);
}

static struct llmr_route_ask *begin(const struct llmr_config *cfg, struct llmr_state *st,
				    const struct llmr_model_ref **ref)
{
	struct llmr_route_req req;
	struct llmr_route_ask_in in = {&req, NULL, "r-tx"};
	struct llmr_route_ask *ra;
	struct llmr_err e = {0, ""};
	size_t n = 0;

	llmr_route_req_init(&req);
	req.model = "openai/gpt-4o-mini";
	req.text = "hello";
	req.text_len = 5;
	ra = llmr_route_ask_begin(cfg, st, &in, &e);
	if (!ra) {
		printf("Bail out! %s\n", e.msg);
		exit(1);
	}
	*ref = llmr_route_ask_chain(ra, &n);
	if (n != 1) {
		printf("Bail out! a chain of %zu\n", n);
		exit(1);
	}
	return ra;
}

static void test_attempt(const struct llmr_config *cfg, struct llmr_state *st)
{
	const struct llmr_model_ref *ref;
	struct llmr_route_ask *ra = begin(cfg, st, &ref);
	struct llmr_chat_result r;
	struct logctx lc = {st, 0};
	char why[200] = "";
	long n0;

	n0 = llmr_state_tx_count();
	is_int(llmr_route_ask_admit(ra, ref, false, why, sizeof(why)), 1, "admitted");
	is_int(llmr_state_tx_count() - n0, 1, "admission is one transaction");
	is_int(count(st, "SELECT count(*) FROM quota_log WHERE held = 1"), 1, "a quota reservation held");
	is_int(count(st, "SELECT count(*) FROM spend_holds"), 1, "money held");

	llmr_chat_result_init(&r);
	r.usage.input_tokens = 10;
	r.usage.output_tokens = 5;
	r.usage_seen = true;
	n0 = llmr_state_tx_count();
	llmr_route_ask_done_logged(ra, ref, &r, log_attempt, &lc);
	is_int(llmr_state_tx_count() - n0, 1, "log, settle, release, record: one transaction");
	is_int(lc.calls, 1, "the attempt logged once");
	is_int(count(st, "SELECT count(*) FROM requests WHERE request_id = 'r-tx'"), 1, "in the log");
	is_int(count(st, "SELECT count(*) FROM spend_holds"), 0, "the money released");
	is_int(count(st, "SELECT count(*) FROM quota_log WHERE held = 1"), 0, "the quota settled");
	llmr_chat_result_release(&r);
	llmr_route_ask_end(ra, true, 0);
}

/* rpm: 1 is used now: refused, with or without a wait, and nothing left. */
static void test_refused(const struct llmr_config *cfg, struct llmr_state *st)
{
	const struct llmr_model_ref *ref;
	struct llmr_route_ask *ra = begin(cfg, st, &ref);
	char why[200] = "";
	long n0 = llmr_state_tx_count();

	is_int(llmr_route_ask_admit(ra, ref, true, why, sizeof(why)), 0, "no quota left: refused");
	is_int(llmr_state_tx_count() - n0, 1, "... in one transaction when it may not wait");
	ok(why[0] != '\0', "... saying why (%s)", why);
	why[0] = '\0';
	is_int(llmr_route_ask_admit(ra, ref, false, why, sizeof(why)), 0,
	       "refused when it may wait but nothing frees in time");
	is_int(count(st, "SELECT count(*) FROM spend_holds"), 0, "no money held");
	is_int(count(st, "SELECT count(*) FROM quota_log WHERE held = 1"), 0, "no reservation held");
	is_int(count(st, "SELECT count(*) FROM quota_waiters"), 0, "no place left in the queue");
	llmr_route_ask_end(ra, false, 0);
}

static int insert_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	(void)e;
	if (sqlite3_exec(db, ud, NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	return 0;
}

static int fail_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	(void)ud;
	sqlite3_exec(db, "INSERT INTO ratelimits (provider, seen_ms) VALUES ('half', 1)", NULL, NULL, NULL);
	return llmr_errf(e, LLMR_EX_DATAERR, "deliberate");
}

struct outer {
	struct llmr_state *st;
	int failed_rc;
};

static int outer_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct outer *o = ud;
	struct llmr_err ie = {0, ""};

	(void)db;
	(void)e;
	llmr_state_tx(o->st, 1, insert_fn,
		      "INSERT INTO ratelimits (provider, seen_ms) VALUES ('before', 1)", &ie);
	o->failed_rc = llmr_state_tx(o->st, 1, fail_fn, NULL, &ie);
	llmr_state_tx(o->st, 1, insert_fn,
		      "INSERT INTO ratelimits (provider, seen_ms) VALUES ('after', 1)", &ie);
	return 0;
}

static void test_savepoint(struct llmr_state *st)
{
	struct outer o = {st, 0};
	struct llmr_err e = {0, ""};

	ok(llmr_state_tx(st, 1, outer_fn, &o, &e) == 0, "the batch commits");
	is_int(o.failed_rc, -1, "the failing nested step reports its failure");
	is_int(count(st, "SELECT count(*) FROM ratelimits WHERE provider = 'half'"), 0,
	       "the failing step's write is undone");
	is_int(count(st, "SELECT count(*) FROM ratelimits WHERE provider IN ('before', 'after')"), 2,
	       "the other steps' writes are kept");
}

int main(void)
{
	char path[300];
	struct llmr_state *st;
	struct llmr_config *cfg;
	struct llmr_err e = {0, ""};

	setenv("LLMR_TEST_TX_KEY", "sk-test-not-a-key", 1);
	if (!mkdtemp(dir) || !(cfg = conf_from_yaml(dir, conf_yaml))) {
		printf("Bail out! cannot set up %s\n", dir);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/state.db", dir);
	if (llmr_state_open(path, &st, &e) < 0) {
		printf("Bail out! %s\n", e.msg);
		return 1;
	}
	test_attempt(cfg, st);
	test_refused(cfg, st);
	test_savepoint(st);
	llmr_state_close(st);
	llmr_config_free(cfg);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		printf("# could not remove %s\n", dir);
	return done_testing();
}
