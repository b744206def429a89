#include "route/coord.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "route/quota_db.h"


static struct {
	int on;
	struct llmr_redis_url url;
	char *password;
	char prefix[64];
	char where[300];
	double share;
	int timeout_ms;
	int others;
	struct llmr_redis *r;
	int64_t down_since;  /* this process's outage began (0: none) */
	int64_t retry_at;
	int warned;
	char last_err[600]; /* why Redis is down, for llmr-quota */
	void (*warn)(const char *msg);
} g;

static char *password_from_file(const char *path, struct llmr_err *e)
{
	char buf[512];
	struct stat sb;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		llmr_errf(e, LLMR_EX_NOPERM, "coordination_password_file '%s': %s", path, strerror(errno));
		return NULL;
	}
	/* Like an API key file: a password others can read is refused. */
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || (sb.st_mode & 077)) {
		close(fd);
		llmr_errf(e, LLMR_EX_NOPERM,
			  "coordination_password_file '%s': not a regular file of mode 0600", path);
		return NULL;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		llmr_errf(e, LLMR_EX_NOPERM, "coordination_password_file '%s': %s", path, strerror(errno));
		return NULL;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	{
		char *p = llmr_xstrdup(buf);

		explicit_bzero(buf, sizeof(buf));
		return p;
	}
}

int llmr_coord_setup(const struct llmr_config *cfg, struct llmr_err *e)
{
	const char *env;

	llmr_coord_shutdown();
	if (!cfg->coordination)
		return 0;
	if (llmr_redis_url_parse(cfg->coordination, &g.url, e) < 0)
		return -1;
	if (cfg->coordination_password_env && (env = getenv(cfg->coordination_password_env)) && *env)
		g.password = llmr_xstrdup(env);
	else if (cfg->coordination_password_file &&
		 !(g.password = password_from_file(cfg->coordination_password_file, e))) {
		llmr_redis_url_free(&g.url);
		return -1;
	} else if (g.url.password)
		g.password = llmr_xstrdup(g.url.password);
	snprintf(g.prefix, sizeof(g.prefix), "%s", cfg->coordination_prefix ? cfg->coordination_prefix : "llmr:");
	snprintf(g.where, sizeof(g.where), "redis://%s:%d/%d", g.url.host, g.url.port, g.url.db);
	g.share = cfg->coordination_share > 0 ? cfg->coordination_share
		  : cfg->coordination_hosts > 0 ? 1.0 / (double)cfg->coordination_hosts : 0.33;
	g.timeout_ms = cfg->coordination_timeout_ms > 0 ? (int)cfg->coordination_timeout_ms : 50;
	g.others = cfg->coordination_hosts > 0 ? (int)cfg->coordination_hosts - 1 : (int)(1.0 / g.share + 0.5) - 1;
	if (g.others < 0)
		g.others = 0;
	g.on = 1;
	return 0;
}

void llmr_coord_shutdown(void)
{
	void (*warn)(const char *) = g.warn;

	llmr_redis_close(g.r);
	llmr_redis_url_free(&g.url);
	if (g.password) {
		explicit_bzero(g.password, strlen(g.password));
		free(g.password);
	}
	memset(&g, 0, sizeof(g));
	g.warn = warn;
}

void llmr_coord_set_warn(void (*fn)(const char *msg))
{
	g.warn = fn;
}

enum llmr_coord_mode llmr_coord_mode(void)
{
	if (!g.on)
		return LLMR_COORD_LOCAL;
	return g.down_since ? LLMR_COORD_FALLBACK : LLMR_COORD_REDIS;
}

const char *llmr_coord_prefix(void)
{
	return g.prefix;
}

void llmr_coord_ratelimit_key(const char *provider, const char *model, char *out, size_t n)
{
	snprintf(out, n, "%srl:%s/%s", g.prefix, provider, model ? model : "");
}

const char *llmr_coord_where(void)
{
	return g.where;
}

double llmr_coord_share(void)
{
	return g.share;
}

int llmr_coord_other_hosts(void)
{
	return g.others;
}

long llmr_coord_share_limit(long limit)
{
	long l;

	if (limit < 0)
		return limit;
	l = (long)((double)limit * g.share);
	return l < 1 && limit > 0 ? 1 : l;
}

/* ---- the outage record ------------------------------------------------------- */

/* The table coord_outages is migration step 15 (store/schema.c). */

struct out_ctx {
	const char *reason; /* NULL: Redis is back */
	int64_t now, since;
};

static int outage_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct out_ctx *c = ud;
	sqlite3_stmt *s;
	long open_rows = 0;
	int rc;

	if (!c->reason) {
		/* Back: close the open outage, and resync from its start. */
		if (llmr_qdb_count(db, "SELECT COALESCE(MIN(started_ms), 0) FROM coord_outages"
				   " WHERE ended_ms IS NULL AND ?1 = ?1", 0, &open_rows, e) < 0)
			return -1;
		c->since = open_rows;
		return llmr_qdb_exec_i64(db, "UPDATE coord_outages SET ended_ms = ?1 WHERE ended_ms IS NULL"
					 " AND ?2 = ?2", c->now, 0, e);
	}
	if (llmr_qdb_count(db, "SELECT COUNT(*) FROM coord_outages WHERE ended_ms IS NULL AND ?1 = ?1",
			   0, &open_rows, e) < 0)
		return -1;
	if (open_rows)
		return llmr_qdb_exec_i64(db, "UPDATE coord_outages SET last_ms = ?1, failures = failures + 1"
					 " WHERE ended_ms IS NULL AND ?2 = ?2", c->now, 0, e);
	if (llmr_qdb_prepare(db, "INSERT INTO coord_outages (started_ms, last_ms, reason) VALUES (?1, ?1, ?2)",
			     &s, e) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, c->now);
	sqlite3_bind_text(s, 2, c->reason, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : llmr_qdb_fail(db, rc, "cannot record a coordination outage", e);
}

static void went_down(struct llmr_state *st, const struct llmr_err *why)
{
	struct out_ctx c = {why->msg, llmr_now_ms(), 0};
	char msg[600];

	llmr_redis_close(g.r);
	g.r = NULL;
	snprintf(g.last_err, sizeof(g.last_err), "%s", why->msg);
	if (!g.down_since)
		g.down_since = c.now;
	g.retry_at = llmr_mono_ms() + LLMR_COORD_RETRY_MS; /* one bounded attempt a second, not one per request */
	if (st)
		llmr_state_tx(st, 1, outage_fn, &c, NULL);
	if (!g.warned && g.warn) {
		g.warned = 1;
		snprintf(msg, sizeof(msg), "coordination: %s; using the state file with %.0f%% of each limit",
			 why->msg, g.share * 100);
		g.warn(msg);
	}
}

void llmr_coord_failed(struct llmr_state *st, const struct llmr_err *e)
{
	if (g.on)
		went_down(st, e);
}

struct llmr_redis *llmr_coord_redis(struct llmr_state *st, int64_t *resync_since)
{
	struct llmr_err e = {0, ""};
	struct out_ctx c = {NULL, 0, 0};

	*resync_since = 0;
	if (!g.on)
		return NULL;
	if (g.r)
		return g.r;
	if (g.retry_at && llmr_mono_ms() < g.retry_at)
		return NULL;
	if (llmr_redis_connect(&g.url, g.password, g.timeout_ms, &g.r, &e) < 0) {
		went_down(st, &e);
		return NULL;
	}
	/* Connected: whether after our own outage or another process's, copy
	 * what was reserved locally since the earliest of them. */
	c.now = llmr_now_ms();
	if (st)
		llmr_state_tx(st, 1, outage_fn, &c, NULL);
	if (g.down_since && (!c.since || g.down_since < c.since))
		c.since = g.down_since;
	g.down_since = 0;
	g.retry_at = 0;
	*resync_since = c.since;
	return g.r;
}

int llmr_coord_ping(struct llmr_state *st, int64_t *rtt_us, struct llmr_err *e)
{
	struct timespec a, b;
	int64_t since;
	struct llmr_redis *r = llmr_coord_redis(st, &since);

	*rtt_us = 0;
	if (!r)
		return llmr_errf(e, LLMR_EX_UNAVAILABLE, "%s", g.last_err[0] ? g.last_err : "redis: unreachable");
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (llmr_redis_ping(r, e) < 0) {
		went_down(st, e);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	*rtt_us = (b.tv_sec - a.tv_sec) * 1000000LL + (b.tv_nsec - a.tv_nsec) / 1000;
	return 0;
}

int llmr_coord_last_outage(struct llmr_state *st, int64_t *started_ms, int64_t *ended_ms,
			   char *reason, size_t n, struct llmr_err *e)
{
	sqlite3 *db = llmr_state_db(st);
	sqlite3_stmt *s;

	(void)e;
	*started_ms = *ended_ms = 0;
	reason[0] = '\0';
	/* No table: no outage was ever recorded (or the state is read-only). */
	if (sqlite3_prepare_v2(db, "SELECT started_ms, COALESCE(ended_ms, 0), COALESCE(reason, '')"
			       " FROM coord_outages ORDER BY id DESC LIMIT 1", -1, &s, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(s) == SQLITE_ROW) {
		*started_ms = sqlite3_column_int64(s, 0);
		*ended_ms = sqlite3_column_int64(s, 1);
		snprintf(reason, n, "%s", (const char *)sqlite3_column_text(s, 2));
	}
	sqlite3_finalize(s);
	return 0;
}

int64_t llmr_coord_month_start(int64_t now_ms)
{
	time_t t = (time_t)(now_ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	return (int64_t)timegm(&tm) * 1000;
}
