/*
 * The state file's transactions: retries, rollback, nesting; many writer
 * processes at once; a writer that waits for another's lock; a writer
 * killed inside its transaction.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "state_test.h"
#include "tap.h"

struct tx_counter {
	int calls, busy_first;
};

static int busy_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct tx_counter *c = ud;

	(void)e;
	c->calls++;
	if (sqlite3_exec(db, "INSERT INTO ratelimits (provider, seen_ms) VALUES ('busy', 1)",
			 NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	return c->calls <= c->busy_first ? SQLITE_BUSY : 0;
}

static int fail_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	(void)ud;
	sqlite3_exec(db, "INSERT INTO ratelimits (provider, seen_ms) VALUES ('fail', 1)", NULL, NULL, NULL);
	return llmr_errf(e, LLMR_EX_DATAERR, "deliberate");
}

struct nest_ctx {
	struct llmr_state *st;
	int inner_rc, outer_rc;
};

/* Logging from inside another transaction joins it. */
static int nest_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct nest_ctx *c = ud;
	struct llmr_attempt a;

	(void)db;
	attempt_init(&a, "nested");
	c->inner_rc = llmr_state_log_attempt(c->st, &a, e);
	return c->outer_rc;
}

static void test_tx(void)
{
	struct llmr_state *st;
	struct llmr_err e = {0, ""};
	struct tx_counter c = {0, 2};

	if (llmr_state_open(tmp_path("tx.db"), &st, &e) < 0) {
		ok(0, "open: %s", e.msg);
		return;
	}
	ok(llmr_state_tx(st, 1, busy_fn, &c, &e) == 0, "fn asking for a retry is retried");
	is_int(c.calls, 3, "twice busy, then committed");
	is_int(query_int(llmr_state_db(st), "SELECT count(*) FROM ratelimits WHERE provider = 'busy'"),
	       1, "the retried attempts were rolled back");
	ok(llmr_state_tx(st, 0, fail_fn, NULL, &e) < 0, "fn failing fails the transaction");
	ok(e.code == LLMR_EX_DATAERR && !strcmp(e.msg, "deliberate"), "fn's error is kept");
	is_int(query_int(llmr_state_db(st), "SELECT count(*) FROM ratelimits WHERE provider = 'fail'"),
	       0, "and its writes are rolled back");

	{
		struct nest_ctx n = {st, -7, -1};

		ok(llmr_state_tx(st, 1, nest_fn, &n, &e) < 0 && n.inner_rc == 0,
		   "a nested write succeeds inside the outer transaction");
		is_int(query_int(llmr_state_db(st), "SELECT count(*) FROM requests WHERE request_id = 'nested'"),
		       0, "and is rolled back with it");
		n.outer_rc = 0;
		ok(llmr_state_tx(st, 1, nest_fn, &n, &e) == 0 && n.inner_rc == 0, "nested, committed");
		is_int(query_int(llmr_state_db(st), "SELECT count(*) FROM requests WHERE request_id = 'nested'"),
		       1, "one row");
	}
	llmr_state_close(st);
}

/* Each child opens the same fresh file at once: also races the migration. */
static void child_writer(const char *path, int id)
{
	struct llmr_state *st;
	struct llmr_err e = {0, ""};
	struct llmr_attempt a;
	char rid[40];
	int i;

	if (llmr_state_open(path, &st, &e) < 0) {
		fprintf(stderr, "# child %d: %s\n", id, e.msg);
		_exit(1);
	}
	snprintf(rid, sizeof(rid), "child-%d", id);
	attempt_init(&a, rid);
	for (i = 0; i < 50; i++) {
		a.attempt = i + 1;
		if (llmr_state_log_attempt(st, &a, &e) < 0) {
			fprintf(stderr, "# child %d: %s\n", id, e.msg);
			_exit(2);
		}
	}
	llmr_state_close(st);
	_exit(0);
}

static void test_concurrent(void)
{
	const char *p = tmp_path("many.db");
	struct llmr_state *st;
	struct llmr_err e = {0, ""};
	pid_t pids[16];
	int i, status, bad = 0;

	for (i = 0; i < 16; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			child_writer(p, i);
	}
	for (i = 0; i < 16; i++)
		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	is_int(bad, 0, "16 concurrent writers: no child reports an error");
	if (llmr_state_open(p, &st, &e) < 0) {
		ok(0, "open: %s", e.msg);
		return;
	}
	is_int(query_int(llmr_state_db(st), "SELECT count(*) FROM requests"), 800, "exactly 800 rows");
	is_int(query_int(llmr_state_db(st), "SELECT count(DISTINCT request_id || ':' || attempt) FROM requests"),
	       800, "each row once");
	llmr_state_close(st);
}

/* A writer finds the lock held by another process and waits its turn. */
static void test_wait(void)
{
	const char *p = tmp_path("wait.db");
	struct llmr_state *st;
	struct llmr_err e = {0, ""};
	struct llmr_attempt a;
	int fds[2], status;
	char c;
	pid_t pid;

	/* Create the file, then fork with no connection open: a child must not
	 * inherit one (SQLite connections do not survive fork). */
	if (llmr_state_open(p, &st, &e) < 0 || pipe(fds) < 0) {
		ok(0, "open: %s", e.msg);
		return;
	}
	llmr_state_close(st);
	pid = fork();
	if (pid == 0) {
		sqlite3 *db;

		close(fds[0]);
		if (sqlite3_open(p, &db) != SQLITE_OK ||
		    sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
		    write(fds[1], "x", 1) != 1)
			_exit(1);
		usleep(300000);
		sqlite3_exec(db, "INSERT INTO requests (request_id, ts_ms, status) VALUES ('holder', 1, 'ok')",
			     NULL, NULL, NULL);
		status = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : 2;
		sqlite3_close(db);
		_exit(status);
	}
	close(fds[1]);
	ok(read(fds[0], &c, 1) == 1, "another process holds the write lock");
	close(fds[0]);
	if (llmr_state_open(p, &st, &e) < 0) {
		ok(0, "reopen: %s", e.msg);
		waitpid(pid, &status, 0);
		return;
	}
	attempt_init(&a, "waiter");
	ok(llmr_state_log_attempt(st, &a, &e) == 0, "a writer waits for it instead of failing: %s", e.msg);
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the holder committed");
	is_int(query_int(llmr_state_db(st), "SELECT count(*) FROM requests"), 2, "both rows are there");
	llmr_state_close(st);
}

static int hang_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	int fd = *(int *)ud;

	(void)e;
	sqlite3_exec(db, "INSERT INTO requests (request_id, ts_ms, status) VALUES ('killed', 1, 'ok')",
		     NULL, NULL, NULL);
	if (write(fd, "x", 1) != 1)
		_exit(3);
	for (;;)
		pause();
	return 0;
}

static void test_kill(void)
{
	const char *p = tmp_path("kill.db");
	struct llmr_state *st;
	struct llmr_err e = {0, ""};
	struct llmr_attempt a;
	int fds[2], status;
	char c;
	pid_t pid;

	if (llmr_state_open(p, &st, &e) < 0) {
		ok(0, "open: %s", e.msg);
		return;
	}
	llmr_state_close(st);
	if (pipe(fds) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		if (llmr_state_open(p, &st, &e) < 0)
			_exit(1);
		llmr_state_tx(st, 1, hang_fn, &fds[1], &e);
		_exit(2);
	}
	close(fds[1]);
	ok(read(fds[0], &c, 1) == 1, "child is inside its write transaction");
	close(fds[0]);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child killed with SIGKILL");
	ok(llmr_state_open(p, &st, &e) == 0, "the file opens after the kill");
	if (!st)
		return;
	is_int(query_int(llmr_state_db(st), "SELECT count(*) FROM requests WHERE request_id = 'killed'"),
	       0, "the killed child left no row");
	is_str(query_text(llmr_state_db(st), "PRAGMA integrity_check"), "ok", "integrity_check passes");
	attempt_init(&a, "after-kill");
	ok(llmr_state_log_attempt(st, &a, &e) == 0, "and takes writes again");
	llmr_state_close(st);
}

static void cleanup(void)
{
	const char *dbs[] = {"tx.db", "many.db", "kill.db", "wait.db", NULL};
	const char *sfx[] = {"", "-wal", "-shm", "-journal", NULL};
	char path[300];

	for (int i = 0; dbs[i]; i++)
		for (int j = 0; sfx[j]; j++) {
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
	test_tx();
	test_concurrent();
	test_wait();
	test_kill();
	cleanup();
	return done_testing();
}
