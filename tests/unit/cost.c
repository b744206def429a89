/*
 * cost.c - unit tests for the pure parts of llmr-cost: times and periods,
 * interning, the report over an in-memory log (p95, distinct requests,
 * answers), the price book by date, change parsing, and the forecast over
 * an in-memory database built by the real migrations.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cost/cost.h"
#include "cost/prices.h"
#include "store/schema.h"
#include "cost/simulate.h"
#include "provider/attempt_log.h"
#include "store/state.h"
#include "tap.h"

#define T(s) tm_of(s)

static int64_t tm_of(const char *s)
{
	int64_t t = -1;

	llmr_cost_parse_time(s, 0, &t);
	return t;
}

static void times(void)
{
	int64_t t;
	char buf[32];

	is_int(T("2026-01-31"), 1769817600000LL, "a date is midnight UTC");
	is_int(T("2026-01"), 1767225600000LL, "a month is its first day");
	is_int(T("2026-01-31T10:20:30Z"), 1769854830000LL, "date and time");
	is_int(T("2026-01-31T10:20"), 1769854800000LL, "date and minutes");
	is_int(T("@1234"), 1234, "@epoch-ms");
	ok(!llmr_cost_parse_time("7d", 10 * LLMR_DAY_MS, &t) && t == 3 * LLMR_DAY_MS, "7d back from now");
	ok(!llmr_cost_parse_time("24h", 2 * LLMR_DAY_MS, &t) && t == LLMR_DAY_MS, "24h back from now");
	ok(llmr_cost_parse_time("2026-13-01", 0, &t), "month 13 refused");
	ok(llmr_cost_parse_time("yesterday", 0, &t), "words refused");
	ok(llmr_cost_parse_time("2026-01-31x", 0, &t), "trailing garbage refused");
	ok(llmr_cost_parse_time("", 0, &t), "empty refused");
	is_int(llmr_cost_month_start(T("2026-01-15T12:00"), 0), T("2026-01-01"), "month start");
	is_int(llmr_cost_month_start(T("2026-01-15"), 1), T("2026-02-01"), "next month");
	is_int(llmr_cost_month_start(T("2026-01-15"), -1), T("2025-12-01"), "previous month over a year");
	llmr_cost_fmt_week(T("2026-01-01"), buf);
	is_str(buf, "2026-W01", "ISO week of a Thursday 1 January");
	llmr_cost_fmt_week(T("2025-12-29"), buf);
	is_str(buf, "2026-W01", "ISO week: late December in next year's week 1");
	llmr_cost_fmt_week(T("2027-01-01"), buf);
	is_str(buf, "2026-W53", "ISO week 53");
	llmr_cost_fmt_iso(T("2026-02-03T04:05:06"), buf);
	is_str(buf, "2026-02-03T04:05:06Z", "ISO instant");
}

static void periods(void)
{
	int64_t a, b;

	llmr_cost_prev_period(T("2026-01-01"), T("2026-02-01"), &a, &b);
	ok(a == T("2025-12-01") && b == T("2026-01-01"), "a month compares with the month before");
	llmr_cost_prev_period(T("2026-01-01"), T("2026-03-01"), &a, &b);
	ok(a == T("2025-11-01") && b == T("2026-01-01"), "two months with the two before");
	llmr_cost_prev_period(T("2026-03-01"), T("2026-03-10"), &a, &b);
	ok(a == T("2026-02-01") && b == T("2026-02-10"), "month to date: same days of the month before");
	llmr_cost_prev_period(T("2026-03-01"), T("2026-03-31"), &a, &b);
	ok(a == T("2026-02-01") && b == T("2026-03-01"), "a 30-day span in March: February is shorter");
	llmr_cost_prev_period(T("2026-01-10"), T("2026-01-17"), &a, &b);
	ok(a == T("2026-01-03") && b == T("2026-01-10"), "7 days: the 7 days before");
	is_num(llmr_cost_pct(15, 10), 50, 1e-12, "percent change");
	ok(isnan(llmr_cost_pct(1, 0)), "percent change from 0 is NaN (null in JSON)");
}

static void names(void)
{
	struct llmr_names t = {0};
	char buf[16];
	int i, stable = 1;

	is_int(llmr_names_id(&t, "a", 1), 0, "first id 0");
	is_int(llmr_names_id(&t, "bc", 2), 1, "second id 1");
	is_int(llmr_names_id(&t, "bcd", 2), 1, "by length: 'bc' again");
	for (i = 0; i < 1000; i++) {
		snprintf(buf, sizeof(buf), "n%d", i);
		llmr_names_id(&t, buf, strlen(buf));
	}
	for (i = 0; i < 1000; i++) {
		snprintf(buf, sizeof(buf), "n%d", i);
		stable &= llmr_names_find(&t, buf) == i + 2;
	}
	ok(stable, "ids survive growth");
	is_int(llmr_names_find(&t, "zz"), -1, "absent: -1");
	is_str(llmr_names_get(&t, 1), "bc", "get by id");
	ok(llmr_names_get(&t, -1) == NULL, "get -1: NULL");
	llmr_names_release(&t);
}

static void row(struct llmr_cost_log *log, const char *rid, int attempt, int64_t ts, const char *route,
		const char *model, int ok_, int lat, double cost)
{
	struct llmr_cost_row *r = llmr_cost_log_push(log);
	const char *slash = strchr(model, '/');

	r->rid = llmr_cost_hash(rid, strlen(rid));
	r->attempt = attempt;
	r->ts_ms = ts;
	r->route = llmr_names_id(&log->names, route, strlen(route));
	r->model = llmr_names_id(&log->names, model, strlen(model));
	r->provider = llmr_names_id(&log->names, model, (size_t)(slash - model));
	r->ok = ok_;
	r->latency_ms = lat;
	r->cost = cost;
	r->in = 10;
	r->out = 5;
}

static void report(void)
{
	struct llmr_cost_log log = {0};
	struct llmr_cost_report r;
	struct llmr_err e;
	size_t *ans, n;
	char rid[16];
	int i;

	/* 20 one-attempt requests with latencies 1..20 ms at $0.01, in January. */
	for (i = 1; i <= 20; i++) {
		snprintf(rid, sizeof(rid), "q%d", i);
		row(&log, rid, 1, T("2026-01-02") + i, "r", "p/m", 1, i, 0.01);
	}
	/* One request with a failed attempt then an ok one on another model. */
	row(&log, "x", 1, T("2026-01-03"), "r", "p/m", 0, 50, 0.001);
	row(&log, "x", 2, T("2026-01-03") + 1, "r", "q/n", 1, 21, 0.02);
	ok(!llmr_cost_report_build(&log, T("2026-01-01"), T("2026-02-01"), LLMR_BY_MODEL, &r, &e), "report builds");
	is_int(r.total.requests, 21, "21 distinct requests");
	is_int(r.total.attempts, 22, "22 attempts");
	is_int(r.total.errors, 1, "1 error");
	is_num(r.total.cost_usd, 0.221, 1e-12, "spend 20*0.01 + 0.001 + 0.02");
	/* ok latencies 1..21: avg 11, p95 = ceil(0.95*21) = 20th = 20 */
	is_num(r.total.avg_latency_ms, 11, 1e-9, "average latency of ok attempts");
	is_int(r.total.p95_latency_ms, 20, "p95 by nearest rank");
	is_int(r.ngroups, 2, "two models");
	is_str(r.groups[0].key, "p/m", "dearest model first");
	is_int(r.groups[0].cur.requests, 21, "p/m saw 21 requests");
	is_int(r.groups[1].cur.requests, 1, "q/n saw 1");
	is_int(r.nuses, 1, "one use case");
	is_num(r.uses[0].per_day, 21.0 / 31, 1e-12, "requests per day over 31 days");
	is_str(r.uses[0].models, "p/m (primary), q/n", "models by answers");
	llmr_cost_report_release(&r);
	n = llmr_cost_answers(&log, T("2026-01-01"), T("2026-02-01"), &ans);
	is_int(n, 21, "21 answers");
	is_int(log.rows[ans[n - 1]].model, llmr_names_find(&log.names, "q/n"), "x answered by its last ok attempt");
	free(ans);
	ok(llmr_cost_report_build(&log, 5, 5, 0, &r, &e) && e.code == LLMR_EX_USAGE, "empty period refused");
	llmr_cost_log_release(&log);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* p95 by selection must equal p95 by sorting, duplicates included. */
static void p95_random(void)
{
	struct llmr_cost_log log = {0};
	struct llmr_cost_report r;
	struct llmr_err e;
	int v[997], i, good = 1, round;
	unsigned x = 12345;
	char rid[16];

	for (round = 0; round < 5; round++) {
		memset(&log, 0, sizeof(log));
		for (i = 0; i < 997 - round * 100; i++) {
			x = x * 1103515245u + 12345u;
			v[i] = (int)((x >> 16) % (round ? 50u : 5000u));
			snprintf(rid, sizeof(rid), "z%d", i);
			row(&log, rid, 1, T("2026-01-02") + i, "r", "p/m", 1, v[i], 0);
		}
		qsort(v, (size_t)i, sizeof(*v), cmp_int);
		llmr_cost_report_build(&log, T("2026-01-01"), T("2026-02-01"), LLMR_BY_NONE, &r, &e);
		good &= r.total.p95_latency_ms == v[(int)ceil(0.95 * i) - 1];
		llmr_cost_report_release(&r);
		llmr_cost_log_release(&log);
	}
	ok(good, "p95 by selection equals p95 by sorting");
}

static void prices(void)
{
	struct llmr_pricebook pb;
	struct llmr_price a = {INT64_MIN, 1, 2, -1, -1, 1000, 50}, b = {100, 3, 4, 0.5, -1, -1, -1};
	const struct llmr_price *p;

	memset(&pb, 0, sizeof(pb));
	llmr_pricebook_add(&pb, "p/m", &b, false);
	llmr_pricebook_add(&pb, "p/m", &a, true);
	p = llmr_pricebook_at(&pb, "p/m", 99);
	ok(p && p->input == 1, "before the new version: the old price");
	p = llmr_pricebook_at(&pb, "p/m", 100);
	ok(p && p->input == 3, "from its instant: the new price");
	ok(llmr_pricebook_latest(&pb, "p/m")->output == 4, "latest");
	ok(!llmr_pricebook_at(&pb, "p/x", 0), "unknown model: NULL");
	/* 1M input of which 0.5M cached, 1M output at 3/4, cached 0.5:
	 * 0.5*3 + 0.5*0.5 + 1*4 */
	is_num(llmr_price_cost(p, 1000000, 1000000, 500000, 0), 5.75, 1e-12, "cost with cached tokens");
	llmr_pricebook_release(&pb);
}

static void changes(void)
{
	struct llmr_sim_changes ch;
	struct llmr_err e;

	llmr_sim_changes_init(&ch);
	ok(!llmr_sim_add_replace(&ch, "a/b=c/d", &e), "replace everywhere");
	ok(!ch.rep[0].route && ch.rep[0].complexity == -1, "no scope");
	ok(!llmr_sim_add_replace(&ch, "a/b=c/d@search:complex", &e), "replace in one tier of one route");
	is_str(ch.rep[1].to, "c/d", "target");
	is_str(ch.rep[1].route, "search", "route");
	is_int(ch.rep[1].complexity, 2, "complexity");
	ok(!llmr_sim_add_replace(&ch, "a/b=c/d@*:simple", &e) && !ch.rep[2].route, "'*' is every route");
	ok(llmr_sim_add_replace(&ch, "ab=c/d", &e) && e.code == LLMR_EX_USAGE, "a model without provider refused");
	ok(!llmr_sim_add_chain(&ch, "search=a/b,c/d", &e) && ch.chains[0].n == 2, "a chain of two");
	ok(!llmr_sim_add_price(&ch, "a/b=1.5,6", &e) && ch.prices[0].p.output == 6, "a price");
	ok(llmr_sim_add_price(&ch, "a/b=1", &e), "a price needs input and output");
	ok(!llmr_sim_add_plan(&ch, "openai:fee=20,discount=10,rpm=5000", &e), "a plan");
	is_num(ch.plans[0].discount, 0.1, 1e-12, "discount 10 means 10 percent");
	is_int(ch.plans[0].limits.rpm, 5000, "plan limit");
	is_int(ch.plans[0].limits.tpm, -1, "unset limits stay -1");
	ok(llmr_sim_add_plan(&ch, "openai:colour=3", &e), "unknown plan key refused");
	ok(!llmr_sim_add_profile(&ch, "search=200,in=800,complexity=medium", &e), "a profile");
	ok(ch.profiles[0].per_day == 200 && ch.profiles[0].in == 800 && ch.profiles[0].out == 200 &&
	   ch.profiles[0].complexity == 1, "profile fields and defaults");
	llmr_sim_changes_release(&ch);
}

static void forecast(void)
{
	sqlite3 *db;
	struct llmr_forecast f;
	struct llmr_err e;
	size_t i;
	char sql[256];
	int d;

	sqlite3_open(":memory:", &db);
	for (i = 0; i < llmr_nmigrations; i++)
		sqlite3_exec(db, llmr_migrations[i].sql, NULL, NULL, NULL);
	/* $1 a day from 2026-03-01 to 2026-03-14, $3 a day from 03-15 to 03-21. */
	for (d = 1; d <= 21; d++) {
		snprintf(sql, sizeof(sql), "INSERT INTO requests (request_id, ts_ms, status, cost_usd, provider)"
			 " VALUES ('d%d', %lld, 'ok', %d, 'p')", d, (long long)(T("2026-03-01") + (d - 1) * LLMR_DAY_MS + 3600000),
			 d <= 14 ? 1 : 3);
		sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	ok(!llmr_forecast_compute(db, T("2026-03-22"), NULL, NULL, &f, &e), "forecast computes");
	is_str(f.month, "2026-03", "this month");
	is_num(f.spent_usd, 14 + 21, 1e-9, "spent this month");
	is_num(f.last7_usd, 21, 1e-9, "last 7 days");
	is_num(f.prev7_usd, 7, 1e-9, "the 7 before");
	is_num(f.wow_pct, 200, 1e-9, "week over week");
	/* The log starts 03-01: the 28-day rate is over 21 days. */
	is_num(f.rate28_usd, 35.0 / 21, 1e-9, "28-day rate over the days logged");
	is_num(f.rate7_usd, 3, 1e-9, "7-day rate");
	/* 10 days left: 35 + 10 * 35/21 .. 35 + 10 * 3; April: 30 days. */
	is_num(f.low_usd, 35 + 10 * 35.0 / 21, 1e-9, "this month low");
	is_num(f.high_usd, 65, 1e-9, "this month high");
	is_num(f.next_low_usd, 30 * 35.0 / 21, 1e-9, "next month low");
	is_num(f.next_high_usd, 90, 1e-9, "next month high");
	ok(!llmr_forecast_compute(db, T("2026-03-22"), "other", NULL, &f, &e) && f.spent_usd == 0 && isnan(f.wow_pct),
	   "another provider: nothing spent, no trend");
	sqlite3_close(db);
}

/* A period that holds most of the log is read by a table scan, then put
 * in time order, ties in log order. */
static void load_order(void)
{
	sqlite3 *db;
	struct llmr_cost_log log = {0};
	struct llmr_err e;
	size_t i;
	int sorted = 1, stable = 1;
	char sql[200];

	sqlite3_open(":memory:", &db);
	for (i = 0; i < llmr_nmigrations; i++)
		sqlite3_exec(db, llmr_migrations[i].sql, NULL, NULL, NULL);
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (i = 0; i < 3000; i++) {
		/* Times go down then up, with pairs of equal times. */
		long long ts = i < 1500 ? 3000 - (long long)i / 2 : (long long)i / 2;

		snprintf(sql, sizeof(sql), "INSERT INTO requests (request_id, ts_ms, status, latency_ms)"
			 " VALUES ('x', %lld, 'ok', %zu)", ts, i);
		sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	ok(!llmr_cost_log_load(db, 0, 1000000, &log, &e), "load the whole log");
	is_int(log.n, 3000, "every row");
	for (i = 1; i < log.n; i++) {
		sorted &= log.rows[i - 1].ts_ms <= log.rows[i].ts_ms;
		if (log.rows[i - 1].ts_ms == log.rows[i].ts_ms)
			stable &= log.rows[i - 1].latency_ms < log.rows[i].latency_ms;
	}
	ok(sorted, "rows in time order");
	ok(stable, "equal times keep the log's order");
	llmr_cost_log_release(&log);
	ok(!llmr_cost_log_load(db, 1000, 1100, &log, &e) && log.n == 200, "a narrow period through the index");
	llmr_cost_log_release(&log);
	sqlite3_close(db);
}

/* Rows written the way llmr-ask writes them read back the same. */
static void through_state(void)
{
	char dir[] = "/tmp/llmr-cost-unit.XXXXXX", path[64];
	struct llmr_state *st;
	struct llmr_err e;
	struct llmr_cost_log log = {0};
	struct llmr_cost_report r;
	struct llmr_attempt a;

	if (!mkdtemp(dir)) {
		ok(0, "temp dir");
		return;
	}
	snprintf(path, sizeof(path), "%s/state.db", dir);
	ok(!llmr_state_open(path, &st, &e), "state opens (with the cost tables)");
	memset(&a, 0, sizeof(a));
	a.request_id = "q1";
	a.attempt = 1;
	a.ts_ms = T("2026-01-05");
	a.route = "search";
	a.complexity = "simple";
	a.provider = "openai";
	a.model = "gpt-4o-mini";
	a.status = "rate_limited";
	a.latency_ms = a.ttft_ms = -1;
	a.cache = "miss";
	ok(!llmr_state_log_attempt(st, &a, &e), "a failed attempt logged");
	a.attempt = 2;
	a.ts_ms += 1000;
	a.provider = "anthropic";
	a.model = "claude-haiku";
	a.status = "ok";
	a.usage.input_tokens = 1000;
	a.usage.output_tokens = 500;
	a.cost_usd = 0.0035;
	a.latency_ms = 300;
	a.fallback_from = "openai/gpt-4o-mini";
	ok(!llmr_state_log_attempt(st, &a, &e), "its fallback logged");
	ok(!llmr_cost_log_load(llmr_state_db(st), T("2026-01-01"), T("2026-02-01"), &log, &e), "log loads");
	ok(!llmr_cost_report_build(&log, T("2026-01-01"), T("2026-02-01"), LLMR_BY_MODEL, &r, &e), "report");
	is_int(r.total.requests, 1, "one request");
	is_int(r.total.attempts, 2, "two attempts");
	is_int(r.total.fallbacks, 1, "one fallback");
	is_int(r.total.input_tokens, 1000, "tokens");
	is_num(r.total.cost_usd, 0.0035, 1e-12, "cost");
	is_str(r.groups[0].key, "anthropic/claude-haiku", "models are provider/model");
	llmr_cost_report_release(&r);
	llmr_cost_log_release(&log);
	llmr_state_close(st);
	unlink(path);
	snprintf(path, sizeof(path), "%s/state.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/state.db-shm", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	times();
	periods();
	names();
	report();
	p95_random();
	prices();
	changes();
	forecast();
	load_order();
	through_state();
	return done_testing();
}
