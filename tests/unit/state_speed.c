/*
 * What keeps the state file fast for short processes: its write-ahead log
 * stays short (every process that opens the file reads all of it), what a
 * process committed survives its being killed although commits are not
 * fsynced (synchronous=NORMAL), and the per-provider reads that every
 * llmr-ask makes over the requests log stay inside one covering index.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/state.h"
#include "tap.h"

#define FRAME (4096 + 24)

static char tmpdir[] = "/tmp/llmr-state-speed-XXXXXX";
static char path[300];

static long long query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	long long v = -12345;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return v;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static long long wal_size(void)
{
	char wal[320];
	struct stat sb;

	snprintf(wal, sizeof(wal), "%s-wal", path);
	return stat(wal, &sb) < 0 ? -1 : (long long)sb.st_size;
}

static int insert_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	char sql[200];

	(void)e;
	snprintf(sql, sizeof(sql),
		 "INSERT INTO routing_history(ts_ms, action) VALUES (%d, 'wal test')", *(int *)ud);
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* n transactions of one row each, as n short processes would make. */
static int commit_rows(struct llmr_state *st, int n)
{
	struct llmr_err e = {0, ""};

	for (int i = 0; i < n; i++)
		if (llmr_state_tx(st, 1, insert_fn, &i, &e) < 0) {
			printf("# %s\n", e.msg);
			return -1;
		}
	return 0;
}

static void test_bounded(void)
{
	struct llmr_state *st;
	struct llmr_err e = {0, ""};

	if (llmr_state_open(path, &st, &e) < 0) {
		ok(0, "open: %s", e.msg);
		return;
	}
	is_int(query_int(llmr_state_db(st), "PRAGMA wal_autocheckpoint"), 128,
	       "checkpoint every 128 pages");
	ok(commit_rows(st, 1200) == 0, "1200 commits");
	llmr_state_close(st);
	/* Each commit writes at least one frame: without checkpoints the log
	 * would hold 1200 frames or more. */
	ok(wal_size() >= 0 && wal_size() <= (128 + 32) * FRAME + 32,
	   "the log stays under ~128 frames (%lld bytes)", wal_size());
	ok(llmr_state_open(path, &st, &e) == 0, "reopen");
	if (!st)
		return;
	is_int(query_int(llmr_state_db(st), "SELECT count(*) FROM routing_history"), 1200,
	       "every row is there after checkpoints");
	llmr_state_close(st);
}

static void test_killed(void)
{
	struct llmr_state *st;
	struct llmr_err e = {0, ""};
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (llmr_state_open(path, &st, &e) < 0 || commit_rows(st, 50) < 0)
			_exit(1);
		raise(SIGKILL); /* no close, no checkpoint */
		_exit(2);
	}
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "a writer killed with SIGKILL");
	if (llmr_state_open(path, &st, &e) < 0) {
		ok(0, "reopen: %s", e.msg);
		return;
	}
	is_int(query_int(llmr_state_db(st), "SELECT count(*) FROM routing_history"), 1250,
	       "all it committed survived the kill");
	llmr_state_close(st);
}

/* Whether SQLite answers sql from the covering index alone. */
static int covered(sqlite3 *db, const char *sql)
{
	char q[600];
	sqlite3_stmt *s;
	int found = 0;

	snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_prepare_v2(db, q, -1, &s, NULL) != SQLITE_OK)
		return 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(s, 3);

		found |= d && strstr(d, "COVERING INDEX requests_provider (provider=? AND ts_ms>?)") != NULL;
	}
	sqlite3_finalize(s);
	return found;
}

static void test_plans(void)
{
	struct llmr_state *st;
	struct llmr_err e = {0, ""};

	if (llmr_state_open(path, &st, &e) < 0) {
		ok(0, "open: %s", e.msg);
		return;
	}
	ok(covered(llmr_state_db(st), "SELECT model, AVG(latency_ms) FROM requests WHERE provider = ?1"
		   " AND status = 'ok' AND ts_ms > ?2 AND latency_ms IS NOT NULL GROUP BY model"),
	   "a provider's latencies are read from the covering index");
	ok(covered(llmr_state_db(st), "SELECT COALESCE(SUM(cost_usd),0) FROM requests WHERE provider = ?1"
		   " AND ts_ms >= ?2"),
	   "a provider's spend is read from the covering index");
	llmr_state_close(st);
}

int main(void)
{
	const char *sfx[] = {"", "-wal", "-shm", NULL};
	char p[320];

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/state.db", tmpdir);
	test_bounded();
	test_killed();
	test_plans();
	for (int i = 0; sfx[i]; i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		unlink(p);
	}
	rmdir(tmpdir);
	return done_testing();
}
