#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "schema.h"

#define TX_DEADLINE_MS 30000
#define BUSY_TIMEOUT_MS 2000

struct llmr_state {
	sqlite3 *db;
	char *path;
	/* Cached statements, prepared on first use. */
	sqlite3_stmt *ins_attempt;
	sqlite3_stmt *upsert_rl;
	sqlite3_stmt *spend;
	unsigned seed; /* backoff jitter */
	int64_t busy_since;
};

static int is_busy(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
}

static char *join_path(const char *dir, const char *rest)
{
	size_t a = strlen(dir), b = strlen(rest);
	char *s = llmr_xmalloc(a + b + 2);

	memcpy(s, dir, a);
	s[a] = '/';
	memcpy(s + a + 1, rest, b + 1);
	return s;
}

static const char *home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h && *h)
		return h;
	pw = getpwuid(getuid());
	return pw && pw->pw_dir ? pw->pw_dir : ".";
}

char *llmr_state_path(const char *explicit_path, const struct llmr_config *cfg)
{
	const char *env = getenv("LLMR_STATE"), *xdg = getenv("XDG_DATA_HOME");

	if (explicit_path && *explicit_path)
		return llmr_xstrdup(explicit_path);
	if (env && *env)
		return llmr_xstrdup(env);
	if (cfg && cfg->state && *cfg->state) {
		if (!strncmp(cfg->state, "~/", 2))
			return join_path(home_dir(), cfg->state + 2);
		return llmr_xstrdup(cfg->state);
	}
	/* The XDG spec says to ignore a relative XDG_DATA_HOME. */
	if (xdg && *xdg == '/')
		return join_path(xdg, "llmr/state.db");
	return join_path(home_dir(), ".local/share/llmr/state.db");
}

/* mkdir -p of path's parent, new directories 0700 (the state is private). */
static int make_parent(const char *path, struct llmr_err *e)
{
	char *dir = llmr_xstrdup(path), *slash = strrchr(dir, '/'), *p;
	struct stat sb;

	if (!slash || slash == dir) {
		free(dir);
		return 0;
	}
	*slash = '\0';
	if (stat(dir, &sb) == 0) {
		free(dir);
		return 0;
	}
	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			llmr_errf(e, LLMR_EX_IOERR, "cannot create directory '%s': %s", dir,
				  strerror(errno));
			free(dir);
			return -1;
		}
		*p = c;
		if (!c)
			break;
	}
	free(dir);
	return 0;
}

/*
 * Make sure the file exists with mode 0600 before SQLite opens it: SQLite
 * would create it 0644 under the usual umask, and gives the -wal and -shm
 * files the database file's mode. O_EXCL makes a racing creator harmless.
 */
static int prepare_file(const char *path, struct llmr_err *e)
{
	struct stat sb;
	int fd;

	if (make_parent(path, e) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0) {
		if (fchmod(fd, 0600) < 0) {
			int err = errno;

			close(fd);
			return llmr_errf(e, LLMR_EX_IOERR, "cannot create state file '%s': %s",
					 path, strerror(err));
		}
		close(fd);
		return 0;
	}
	if (errno != EEXIST)
		return llmr_errf(e, LLMR_EX_IOERR, "cannot create state file '%s': %s", path,
				 strerror(errno));
	if (stat(path, &sb) < 0)
		return llmr_errf(e, LLMR_EX_IOERR, "cannot open state file '%s': %s", path,
				 strerror(errno));
	if (S_ISDIR(sb.st_mode))
		return llmr_errf(e, LLMR_EX_IOERR, "cannot open state file '%s': %s", path,
				 strerror(EISDIR));
	if (!S_ISREG(sb.st_mode))
		return llmr_errf(e, LLMR_EX_IOERR, "cannot open state file '%s': not a regular file",
				 path);
	/* SQLite would quietly fall back to read-only: say why instead. */
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return llmr_errf(e, LLMR_EX_IOERR, "cannot open state file '%s': %s", path,
				 strerror(errno));
	close(fd);
	return 0;
}

static void backoff(struct llmr_state *st, int64_t *delay)
{
	int64_t d = *delay / 2 + (int64_t)(rand_r(&st->seed) % (unsigned)(*delay / 2 + 1));

	llmr_sleep_ms(d);
	*delay = *delay * 2 > 500 ? 500 : *delay * 2;
}

static int busy_error(struct llmr_state *st, struct llmr_err *e)
{
	return llmr_errf(e, LLMR_EX_TEMPFAIL,
			 "state file '%s' is busy: still locked after %d s (%s)", st->path,
			 TX_DEADLINE_MS / 1000, sqlite3_errmsg(st->db));
}

static int db_error(struct llmr_state *st, const char *what, struct llmr_err *e)
{
	return llmr_errf(e, LLMR_EX_IOERR, "state file '%s': %s: %s", st->path, what,
			 sqlite3_errmsg(st->db));
}

static void rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

/* Already inside a transaction: the outer one owns retries and commit. */
static int tx_nested(struct llmr_state *st, int (*fn)(sqlite3 *, void *, struct llmr_err *),
		     void *ud, struct llmr_err *e)
{
	int r = fn(st->db, ud, e);

	if (r == SQLITE_BUSY || r == SQLITE_LOCKED)
		return busy_error(st, e);
	return r ? -1 : 0;
}

int llmr_state_tx(struct llmr_state *st, int immediate,
		  int (*fn)(sqlite3 *db, void *ud, struct llmr_err *e), void *ud,
		  struct llmr_err *e)
{
	int64_t deadline = llmr_mono_ms() + TX_DEADLINE_MS, delay = 10;
	int rc, r;

	if (!sqlite3_get_autocommit(st->db))
		return tx_nested(st, fn, ud, e);
	for (;; backoff(st, &delay)) {
		if (llmr_mono_ms() > deadline)
			return busy_error(st, e);
		rc = sqlite3_exec(st->db, immediate ? "BEGIN IMMEDIATE" : "BEGIN", NULL, NULL, NULL);
		if (is_busy(rc))
			continue;
		if (rc != SQLITE_OK)
			return db_error(st, "cannot begin a transaction", e);
		if (e)
			e->msg[0] = '\0';
		r = fn(st->db, ud, e);
		if (r == SQLITE_BUSY || r == SQLITE_LOCKED) {
			rollback(st->db);
			continue;
		}
		if (r != 0) {
			rollback(st->db);
			if (e && !e->msg[0])
				llmr_errf(e, LLMR_EX_SOFTWARE, "state file '%s': transaction failed",
					  st->path);
			return -1;
		}
		/* A busy COMMIT leaves the transaction open: retry just the COMMIT. */
		while (is_busy(rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL))) {
			if (llmr_mono_ms() > deadline) {
				rollback(st->db);
				return busy_error(st, e);
			}
			backoff(st, &delay);
		}
		if (rc != SQLITE_OK) {
			db_error(st, "cannot commit", e);
			rollback(st->db);
			return -1;
		}
		return 0;
	}
}

static int user_version(sqlite3 *db, int *v)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

static int too_new(struct llmr_state *st, int v, struct llmr_err *e)
{
	return llmr_errf(e, LLMR_EX_SOFTWARE,
			 "state file '%s' has schema version %d, newer than this llmr (%zu)", st->path,
			 v, llmr_nmigrations);
}

/* Inside BEGIN IMMEDIATE, so two processes opening a new file do not both
 * run the steps: the second one sees the version the first one set. */
static int migrate_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct llmr_state *st = ud;
	char sql[64];
	size_t i;
	int v = 0, rc;

	if ((rc = user_version(db, &v)) != SQLITE_OK)
		return is_busy(rc) ? SQLITE_BUSY : db_error(st, "cannot read the schema version", e);
	if (v < 0 || (size_t)v > llmr_nmigrations)
		return too_new(st, v, e);
	for (i = (size_t)v; i < llmr_nmigrations; i++) {
		rc = sqlite3_exec(db, llmr_migrations[i].sql, NULL, NULL, NULL);
		if (is_busy(rc))
			return SQLITE_BUSY;
		if (rc != SQLITE_OK)
			return llmr_errf(e, LLMR_EX_SOFTWARE,
					 "state file '%s': cannot migrate to version %zu (%s): %s",
					 st->path, i + 1, llmr_migrations[i].what, sqlite3_errmsg(db));
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %zu", llmr_nmigrations);
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (is_busy(rc))
		return SQLITE_BUSY;
	return rc == SQLITE_OK ? 0 : db_error(st, "cannot set the schema version", e);
}

/* A statement whose only failure mode worth retrying is a busy database. */
static int exec_retry(struct llmr_state *st, const char *sql, struct llmr_err *e)
{
	int64_t deadline = llmr_mono_ms() + TX_DEADLINE_MS, delay = 10;
	int rc;

	while (is_busy(rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL))) {
		if (llmr_mono_ms() > deadline)
			return busy_error(st, e);
		backoff(st, &delay);
	}
	if (rc == SQLITE_OK)
		return 0;
	return llmr_errf(e, LLMR_EX_IOERR, "cannot open state file '%s': %s", st->path,
			 sqlite3_errmsg(st->db));
}

/*
 * SQLite's own busy handler sleeps 25-100 ms between tries while a writer
 * holds the lock for well under a millisecond: with a dozen processes that
 * wastes most of the time asleep. Short jittered naps keep the queue moving.
 */
static int busy_handler(void *ud, int count)
{
	struct llmr_state *st = ud;
	int64_t now = llmr_mono_ms();
	struct timespec ts;
	long us;

	if (count == 0)
		st->busy_since = now;
	if (now - st->busy_since > BUSY_TIMEOUT_MS)
		return 0;
	us = count < 20 ? 100 + 50 * count : 2000;
	us = us / 2 + (long)(rand_r(&st->seed) % (unsigned)us);
	ts.tv_sec = 0;
	ts.tv_nsec = us * 1000;
	nanosleep(&ts, NULL);
	return 1;
}

static int configure(struct llmr_state *st, struct llmr_err *e)
{
	int64_t deadline = llmr_mono_ms() + TX_DEADLINE_MS, delay = 10;
	int v = 0, rc;

	sqlite3_busy_handler(st->db, busy_handler, st);
	if (exec_retry(st, "PRAGMA journal_mode=WAL", e) < 0 ||
	    exec_retry(st, "PRAGMA synchronous=NORMAL", e) < 0 ||
	    exec_retry(st, "PRAGMA foreign_keys=ON", e) < 0)
		return -1;
	while (is_busy(rc = user_version(st->db, &v))) {
		if (llmr_mono_ms() > deadline)
			return busy_error(st, e);
		backoff(st, &delay);
	}
	if (rc != SQLITE_OK)
		return db_error(st, "cannot read the schema version", e);
	if (v < 0 || (size_t)v > llmr_nmigrations)
		return too_new(st, v, e);
	/* Most opens find the schema current: no write lock needed then. */
	if ((size_t)v == llmr_nmigrations)
		return 0;
	return llmr_state_tx(st, 1, migrate_fn, st, e);
}

int llmr_state_open(const char *path, struct llmr_state **out, struct llmr_err *e)
{
	struct llmr_state *st;
	int rc, memory;

	*out = NULL;
	if (!path || !*path)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "no state file path");
	memory = !strcmp(path, ":memory:");
	if (!memory && prepare_file(path, e) < 0)
		return -1;
	st = llmr_xcalloc(1, sizeof(*st));
	st->path = llmr_xstrdup(path);
	st->seed = (unsigned)getpid() ^ (unsigned)llmr_mono_ms();
	rc = sqlite3_open_v2(path, &st->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		llmr_errf(e, LLMR_EX_IOERR, "cannot open state file '%s': %s", path,
			  st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		llmr_state_close(st);
		return -1;
	}
	if (sqlite3_db_readonly(st->db, "main") == 1) {
		llmr_errf(e, LLMR_EX_IOERR, "cannot open state file '%s': read-only", path);
		llmr_state_close(st);
		return -1;
	}
	if (configure(st, e) < 0) {
		if (e && e->code != LLMR_EX_SOFTWARE && e->code != LLMR_EX_TEMPFAIL)
			e->code = LLMR_EX_IOERR;
		llmr_state_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

void llmr_state_close(struct llmr_state *st)
{
	if (!st)
		return;
	sqlite3_finalize(st->ins_attempt);
	sqlite3_finalize(st->upsert_rl);
	sqlite3_finalize(st->spend);
	sqlite3_close_v2(st->db);
	free(st->path);
	free(st);
}

sqlite3 *llmr_state_db(struct llmr_state *st)
{
	return st->db;
}

const char *llmr_state_file(const struct llmr_state *st)
{
	return st->path;
}

/* Prepare once per connection; the statement lives until close. */
static int cached(struct llmr_state *st, sqlite3_stmt **slot, const char *sql,
		  struct llmr_err *e)
{
	if (*slot) {
		sqlite3_reset(*slot);
		sqlite3_clear_bindings(*slot);
		return 0;
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL) != SQLITE_OK) {
		*slot = NULL;
		return db_error(st, "cannot prepare a statement", e);
	}
	return 0;
}

/* Step a write statement; SQLITE_BUSY asks llmr_state_tx to retry. */
static int step_done(struct llmr_state *st, sqlite3_stmt *s, const char *what,
		     struct llmr_err *e)
{
	int rc = sqlite3_step(s);

	if (rc != SQLITE_DONE && !is_busy(rc))
		db_error(st, what, e);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 0;
	return is_busy(rc) ? SQLITE_BUSY : -1;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

/* -1 (or 0 for http_status) means unknown: stored as NULL. */
static void bind_opt(sqlite3_stmt *s, int i, int64_t v, int64_t none)
{
	if (v == none || v < 0)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int64(s, i, v);
}

struct attempt_ctx {
	struct llmr_state *st;
	const struct llmr_attempt *a;
};

static const char insert_attempt_sql[] =
	"INSERT INTO requests (request_id, attempt, ts_ms, route, priority, complexity,"
	" provider, model, status, error_message, http_status, input_tokens, output_tokens,"
	" cached_tokens, cache_write_tokens, cost_usd, provider_cost_usd, latency_ms, ttft_ms,"
	" fallback_from, cache) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

static int attempt_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct attempt_ctx *c = ud;
	const struct llmr_attempt *a = c->a;
	sqlite3_stmt *s;

	(void)db;
	if (cached(c->st, &c->st->ins_attempt, insert_attempt_sql, e) < 0)
		return -1;
	s = c->st->ins_attempt;
	sqlite3_bind_text(s, 1, a->request_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, a->attempt > 0 ? a->attempt : 1);
	sqlite3_bind_int64(s, 3, a->ts_ms);
	bind_text(s, 4, a->route);
	bind_text(s, 5, a->priority);
	bind_text(s, 6, a->complexity);
	bind_text(s, 7, a->provider);
	bind_text(s, 8, a->model);
	sqlite3_bind_text(s, 9, a->status, -1, SQLITE_STATIC);
	bind_text(s, 10, a->error_message);
	bind_opt(s, 11, a->http_status, 0);
	sqlite3_bind_int64(s, 12, a->usage.input_tokens);
	sqlite3_bind_int64(s, 13, a->usage.output_tokens);
	sqlite3_bind_int64(s, 14, a->usage.cached_tokens);
	sqlite3_bind_int64(s, 15, a->usage.cache_write_tokens);
	sqlite3_bind_double(s, 16, a->cost_usd);
	if (a->usage.provider_cost_usd >= 0)
		sqlite3_bind_double(s, 17, a->usage.provider_cost_usd);
	else
		sqlite3_bind_null(s, 17);
	bind_opt(s, 18, a->latency_ms, -1);
	bind_opt(s, 19, a->ttft_ms, -1);
	bind_text(s, 20, a->fallback_from);
	bind_text(s, 21, a->cache);
	return step_done(c->st, s, "cannot log the attempt", e);
}

int llmr_state_log_attempt(struct llmr_state *st, const struct llmr_attempt *a,
			   struct llmr_err *e)
{
	struct attempt_ctx c = {st, a};

	if (!a->request_id || !a->status)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "attempt to log has no %s",
				 a->request_id ? "status" : "request id");
	return llmr_state_tx(st, 1, attempt_fn, &c, e);
}

struct rl_ctx {
	struct llmr_state *st;
	const char *provider, *model;
	const struct llmr_ratelimit *rl;
	int64_t seen_ms;
};

static const char upsert_rl_sql[] =
	"INSERT INTO ratelimits (provider, model, seen_ms,"
	" req_limit, req_remaining, req_reset_ms, tok_limit, tok_remaining, tok_reset_ms,"
	" in_tok_limit, in_tok_remaining, in_tok_reset_ms,"
	" out_tok_limit, out_tok_remaining, out_tok_reset_ms, retry_after_ms)"
	" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
	" ON CONFLICT (provider, model) DO UPDATE SET seen_ms = excluded.seen_ms,"
	" req_limit = excluded.req_limit, req_remaining = excluded.req_remaining,"
	" req_reset_ms = excluded.req_reset_ms, tok_limit = excluded.tok_limit,"
	" tok_remaining = excluded.tok_remaining, tok_reset_ms = excluded.tok_reset_ms,"
	" in_tok_limit = excluded.in_tok_limit, in_tok_remaining = excluded.in_tok_remaining,"
	" in_tok_reset_ms = excluded.in_tok_reset_ms, out_tok_limit = excluded.out_tok_limit,"
	" out_tok_remaining = excluded.out_tok_remaining,"
	" out_tok_reset_ms = excluded.out_tok_reset_ms, retry_after_ms = excluded.retry_after_ms";

/* Seconds to whole milliseconds; negative means absent. */
static void bind_reset(sqlite3_stmt *s, int i, double sec)
{
	if (sec < 0)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int64(s, i, (int64_t)(sec * 1000.0 + 0.5));
}

static int rl_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct rl_ctx *c = ud;
	const struct llmr_ratelimit *rl = c->rl;
	sqlite3_stmt *s;

	(void)db;
	if (cached(c->st, &c->st->upsert_rl, upsert_rl_sql, e) < 0)
		return -1;
	s = c->st->upsert_rl;
	sqlite3_bind_text(s, 1, c->provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, c->model ? c->model : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, c->seen_ms);
	bind_opt(s, 4, rl->req_limit, -1);
	bind_opt(s, 5, rl->req_remaining, -1);
	bind_reset(s, 6, rl->req_reset_s);
	bind_opt(s, 7, rl->tok_limit, -1);
	bind_opt(s, 8, rl->tok_remaining, -1);
	bind_reset(s, 9, rl->tok_reset_s);
	bind_opt(s, 10, rl->in_tok_limit, -1);
	bind_opt(s, 11, rl->in_tok_remaining, -1);
	bind_reset(s, 12, rl->in_tok_reset_s);
	bind_opt(s, 13, rl->out_tok_limit, -1);
	bind_opt(s, 14, rl->out_tok_remaining, -1);
	bind_reset(s, 15, rl->out_tok_reset_s);
	bind_reset(s, 16, rl->retry_after_s);
	return step_done(c->st, s, "cannot save rate limits", e);
}

int llmr_state_save_ratelimit(struct llmr_state *st, const char *provider, const char *model,
			      const struct llmr_ratelimit *rl, int64_t seen_ms, struct llmr_err *e)
{
	struct rl_ctx c = {st, provider, model, rl, seen_ms};

	if (!provider)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "rate limits to save have no provider");
	return llmr_state_tx(st, 1, rl_fn, &c, e);
}

struct spend_ctx {
	struct llmr_state *st;
	int64_t since_ms;
	double usd;
	long requests;
};

static int spend_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct spend_ctx *c = ud;
	sqlite3_stmt *s;
	int rc;

	(void)db;
	if (cached(c->st, &c->st->spend,
		   "SELECT COALESCE(SUM(cost_usd), 0), COUNT(DISTINCT request_id)"
		   " FROM requests WHERE ts_ms >= ?", e) < 0)
		return -1;
	s = c->st->spend;
	sqlite3_bind_int64(s, 1, c->since_ms);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		c->usd = sqlite3_column_double(s, 0);
		c->requests = (long)sqlite3_column_int64(s, 1);
	} else if (!is_busy(rc)) {
		db_error(c->st, "cannot sum the spend", e);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	return is_busy(rc) ? SQLITE_BUSY : -1;
}

int llmr_state_spend_since(struct llmr_state *st, int64_t since_ms, double *usd, long *requests,
			   struct llmr_err *e)
{
	struct spend_ctx c = {st, since_ms, 0, 0};

	if (llmr_state_tx(st, 0, spend_fn, &c, e) < 0)
		return -1;
	if (usd)
		*usd = c.usd;
	if (requests)
		*requests = c.requests;
	return 0;
}
