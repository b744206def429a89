#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/schema.h"
#include "state_test.h"
#include "tap.h"

static void test_create(void)
{
	struct llmr_state *st;
	struct llmr_err e = {0, ""};
	const char *p = tmp_path("sub/dir/state.db");
	mode_t old = umask(0);
	struct llmr_attempt a;
	sqlite3 *db;

	ok(llmr_state_open(p, &st, &e) == 0, "open creates a new file and its directories");
	umask(old);
	if (!st) {
		printf("# %s\n", e.msg);
		return;
	}
	is_int(file_mode(p), 0600, "new file is 0600 under umask 0");
	is_int(file_mode(tmp_path("sub/dir")), 0700, "new directory is 0700");
	db = llmr_state_db(st);
	is_str(query_text(db, "PRAGMA journal_mode"), "wal", "WAL mode");
	is_int(query_int(db, "PRAGMA user_version"), llmr_nmigrations, "user_version is the last migration");
	is_int(query_int(db, "PRAGMA foreign_keys"), 1, "foreign keys on");
	is_str(llmr_state_file(st), p, "llmr_state_file");
	attempt_init(&a, "r-create");
	ok(llmr_state_log_attempt(st, &a, &e) == 0, "log an attempt");
	is_int(file_mode(tmp_path("sub/dir/state.db-wal")), 0600, "-wal file is 0600 too");
	llmr_state_close(st);

	ok(llmr_state_open(p, &st, &e) == 0, "reopen");
	if (!st)
		return;
	db = llmr_state_db(st);
	is_int(query_int(db, "PRAGMA user_version"), llmr_nmigrations, "reopen keeps the version");
	is_int(query_int(db, "SELECT count(*) FROM requests"), 1, "reopen keeps the rows (no re-migration)");
	llmr_state_close(st);

	old = umask(0277);
	p = tmp_path("strict.db");
	ok(llmr_state_open(p, &st, &e) == 0, "open under umask 0277");
	umask(old);
	is_int(file_mode(p), 0600, "new file is 0600 under umask 0277");
	llmr_state_close(st);
}

static void test_memory(void)
{
	struct llmr_state *st;
	struct llmr_err e = {0, ""};
	struct llmr_attempt a;

	ok(llmr_state_open(":memory:", &st, &e) == 0, "an in-memory state opens");
	if (!st)
		return;
	attempt_init(&a, "mem");
	ok(llmr_state_log_attempt(st, &a, &e) == 0, "and takes writes");
	llmr_state_close(st);
}

static void test_refuse(void)
{
	struct llmr_state *st = NULL;
	struct llmr_err e = {0, ""};
	const char *p = tmp_path("newer.db");
	char sql[64];
	sqlite3 *db;

	sqlite3_open(p, &db);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %zu", llmr_nmigrations + 3);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	ok(llmr_state_open(p, &st, &e) < 0 && !st, "a newer schema is refused");
	is_int(e.code, LLMR_EX_SOFTWARE, "with exit 70");
	ok(strstr(e.msg, "newer than this llmr") && strstr(e.msg, "newer.db"), "message: %s", e.msg);

	e.msg[0] = '\0';
	ok(llmr_state_open(tmpdir, &st, &e) < 0 && !st, "a directory is refused");
	is_int(e.code, LLMR_EX_IOERR, "with exit 74");
	ok(strstr(e.msg, tmpdir) && strstr(e.msg, "directory"), "message: %s", e.msg);

	p = tmp_path("garbage.db");
	{
		FILE *f = fopen(p, "w");

		fputs("this is not an SQLite database, not at all, not even close......."
		      "...............................................................", f);
		fclose(f);
	}
	e.msg[0] = '\0';
	ok(llmr_state_open(p, &st, &e) < 0 && !st, "a file that is not a database is refused");
	ok(e.code == LLMR_EX_IOERR && strstr(e.msg, "garbage.db"), "message: %s", e.msg);
}

static void test_fields(void)
{
	struct llmr_state *st;
	struct llmr_err e = {0, ""};
	struct llmr_attempt a;
	sqlite3 *db;

	if (llmr_state_open(tmp_path("fields.db"), &st, &e) < 0) {
		ok(0, "open: %s", e.msg);
		return;
	}
	db = llmr_state_db(st);
	attempt_init(&a, "r-1");
	a.attempt = 2;
	a.ts_ms = 1700000000123LL;
	a.route = "search";
	a.priority = "P1";
	a.complexity = "simple";
	a.status = "rate_limited";
	a.error_message = "slow down";
	a.http_status = 429;
	a.usage.input_tokens = 42;
	a.usage.output_tokens = 120;
	a.usage.cached_tokens = 7;
	a.usage.cache_write_tokens = 3;
	a.usage.provider_cost_usd = 0.5;
	a.cost_usd = 0.000078;
	a.latency_ms = 812;
	a.ttft_ms = 240;
	a.fallback_from = "openai/gpt-4o";
	a.cache = "miss";
	ok(llmr_state_log_attempt(st, &a, &e) == 0, "log a full attempt");
	is_str(query_text(db, "SELECT request_id || '|' || attempt || '|' || ts_ms || '|' || route"
			  " || '|' || priority || '|' || complexity || '|' || provider || '|' || model"
			  " || '|' || status || '|' || error_message || '|' || http_status FROM requests"),
	       "r-1|2|1700000000123|search|P1|simple|openai|gpt-4o-mini|rate_limited|slow down|429",
	       "text and integer fields as given");
	is_str(query_text(db, "SELECT input_tokens || '|' || output_tokens || '|' || cached_tokens"
			  " || '|' || cache_write_tokens || '|' || latency_ms || '|' || ttft_ms"
			  " || '|' || fallback_from || '|' || cache FROM requests"),
	       "42|120|7|3|812|240|openai/gpt-4o|miss", "usage and timing fields as given");
	ok(query_int(db, "SELECT cost_usd = 0.000078 AND provider_cost_usd = 0.5 FROM requests") == 1,
	   "costs as given");

	attempt_init(&a, "r-2");
	ok(llmr_state_log_attempt(st, &a, &e) == 0, "log a minimal attempt");
	is_int(query_int(db, "SELECT count(*) FROM requests WHERE request_id = 'r-2' AND route IS NULL"
			 " AND error_message IS NULL AND http_status IS NULL AND latency_ms IS NULL"
			 " AND ttft_ms IS NULL AND provider_cost_usd IS NULL AND cache IS NULL"),
	       1, "unknowns are NULL");
	is_int(query_int(db, "SELECT count(*) FROM requests"), 2, "exactly the rows logged");
	a.status = NULL;
	ok(llmr_state_log_attempt(st, &a, &e) < 0, "an attempt without a status is refused");
	llmr_state_close(st);
}

static void test_ratelimit_spend(void)
{
	struct llmr_state *st;
	struct llmr_err e = {0, ""};
	struct llmr_ratelimit rl;
	struct llmr_attempt a;
	double usd = -1;
	long n = -1;
	sqlite3 *db;

	if (llmr_state_open(tmp_path("rl.db"), &st, &e) < 0) {
		ok(0, "open: %s", e.msg);
		return;
	}
	db = llmr_state_db(st);
	memset(&rl, 0, sizeof(rl));
	rl.req_limit = 500;
	rl.req_remaining = 499;
	rl.req_reset_s = 0.12;
	rl.tok_limit = rl.tok_remaining = -1;
	rl.tok_reset_s = -1;
	rl.in_tok_limit = rl.in_tok_remaining = rl.out_tok_limit = rl.out_tok_remaining = -1;
	rl.in_tok_reset_s = rl.out_tok_reset_s = -1;
	rl.retry_after_s = 2.5;
	rl.seen = 1;
	ok(llmr_state_save_ratelimit(st, "openai", NULL, &rl, 1000, &e) == 0, "save rate limits");
	is_str(query_text(db, "SELECT model || '|' || seen_ms || '|' || req_limit || '|' || req_remaining"
			  " || '|' || req_reset_ms || '|' || retry_after_ms || '|' || (tok_limit IS NULL)"
			  " FROM ratelimits"),
	       "|1000|500|499|120|2500|1", "row stored, resets in ms, model ''");
	rl.req_remaining = 400;
	rl.retry_after_s = -1;
	ok(llmr_state_save_ratelimit(st, "openai", NULL, &rl, 2000, &e) == 0, "save again");
	is_int(query_int(db, "SELECT count(*) FROM ratelimits"), 1, "upsert keeps one row");
	is_str(query_text(db, "SELECT seen_ms || '|' || req_remaining || '|' || (retry_after_ms IS NULL)"
			  " FROM ratelimits"), "2000|400|1", "row updated");
	ok(llmr_state_save_ratelimit(st, "openai", "gpt-4o", &rl, 3000, &e) == 0, "per-model row");
	is_int(query_int(db, "SELECT count(*) FROM ratelimits"), 2, "a second row for the model");

	attempt_init(&a, "s-1");
	a.ts_ms = 100;
	a.cost_usd = 1.0;
	llmr_state_log_attempt(st, &a, &e);
	a.ts_ms = 200;
	a.request_id = "s-2";
	a.cost_usd = 0.25;
	llmr_state_log_attempt(st, &a, &e);
	a.attempt = 2;
	a.ts_ms = 210;
	a.cost_usd = 0.5;
	llmr_state_log_attempt(st, &a, &e);
	ok(llmr_state_spend_since(st, 150, &usd, &n, &e) == 0, "spend_since");
	is_num(usd, 0.75, 1e-9, "sums cost since the instant");
	is_int(n, 1, "counts distinct requests");
	ok(llmr_state_spend_since(st, 0, &usd, &n, &e) == 0 && n == 2, "all requests");
	is_num(usd, 1.75, 1e-9, "sums all");
	ok(llmr_state_spend_since(st, 99999, &usd, &n, &e) == 0 && n == 0 && usd == 0, "none since later");
	llmr_state_close(st);
}

static void test_path(void)
{
	struct llmr_config cfg;
	char *s;

	memset(&cfg, 0, sizeof(cfg));
	setenv("LLMR_STATE", "/env/state.db", 1);
	setenv("XDG_DATA_HOME", "/xdg", 1);
	setenv("HOME", "/home/u", 1);
	s = llmr_state_path("/explicit.db", &cfg);
	is_str(s, "/explicit.db", "explicit path first");
	free(s);
	s = llmr_state_path(NULL, &cfg);
	is_str(s, "/env/state.db", "then $LLMR_STATE");
	free(s);
	unsetenv("LLMR_STATE");
	cfg.state = "/cfg/state.db";
	s = llmr_state_path(NULL, &cfg);
	is_str(s, "/cfg/state.db", "then the config's state:");
	free(s);
	cfg.state = NULL;
	s = llmr_state_path(NULL, &cfg);
	is_str(s, "/xdg/llmr/state.db", "then $XDG_DATA_HOME");
	free(s);
	unsetenv("XDG_DATA_HOME");
	s = llmr_state_path(NULL, NULL);
	is_str(s, "/home/u/.local/share/llmr/state.db", "then ~/.local/share");
	free(s);
}

static void cleanup(void)
{
	const char *names[] = {"sub/dir/state.db", "sub/dir/state.db-wal", "sub/dir/state.db-shm",
		"sub/dir", "sub", NULL};
	const char *dbs[] = {"strict.db", "newer.db", "garbage.db", "fields.db", "rl.db", NULL};
	const char *sfx[] = {"", "-wal", "-shm", "-journal", NULL};
	char path[300];
	int i, j;

	/* unlink() fails on the directories and rmdir() on the files: both do. */
	for (i = 0; names[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		if (unlink(path) < 0)
			rmdir(path);
	}
	for (i = 0; dbs[i]; i++)
		for (j = 0; sfx[j]; j++) {
			snprintf(path, sizeof(path), "%s/%s%s", tmpdir, dbs[i], sfx[j]);
			unlink(path);
		}
	rmdir(tmpdir);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_create();
	test_memory();
	test_refuse();
	test_fields();
	test_ratelimit_spend();
	test_path();
	cleanup();
	return done_testing();
}
