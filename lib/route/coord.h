/*
 * coord.h - where live shared state is coordinated: the state file alone
 * (the default), or Redis (`coordination: redis://...`) so that several
 * hosts share one set of quota windows.
 *
 * One coordination per process, set up from the config by the programs
 * (lib/cli). Redis is reached lazily, on the first reservation, with a
 * bound (coordination_timeout, 50 ms) on the connect and on every command. When it cannot be
 * reached, the process falls back to the state file with a conservative
 * share of each limit (coordination_share, or 1 / coordination_hosts,
 * default 0.33), records the outage in the state file (llmr-quota shows
 * it), tells the program once through the warn hook, and tries Redis again
 * at most once a second. When Redis is back, the reservations taken locally
 * since the outage began are copied into Redis under names that make the
 * copy idempotent, so that they count there once and only once.
 */
#ifndef LLMR_COORD_H
#define LLMR_COORD_H

#include <stdint.h>

#include "conf/config.h"
#include "net/redis.h"
#include "store/state.h"
#include "base/util.h"


enum llmr_coord_mode {
	LLMR_COORD_LOCAL,    /* no coordination configured: the state file */
	LLMR_COORD_REDIS,    /* Redis is in force */
	LLMR_COORD_FALLBACK  /* configured, but Redis is down: local share */
};

/* Set up from cfg (no connection yet). Reads the password (env or 0600
 * file) now, so that a bad one is a config error. 0 or -1 with e. */
int llmr_coord_setup(const struct llmr_config *cfg, struct llmr_err *e);
/* Forget the setup and close the connection. */
void llmr_coord_shutdown(void);

/* Called once per process with the first outage's message ("redis ...:
 * why; ..."). The library never prints: the programs set this. */
void llmr_coord_set_warn(void (*fn)(const char *msg));

/* The mode now, without trying to connect. */
enum llmr_coord_mode llmr_coord_mode(void);

/* The connection, connecting (or reconnecting, at most once a second after
 * a failure) when needed. NULL when coordination is not configured or
 * Redis is down; the outage is then recorded in st. *resync_since is set
 * (else 0) when Redis has just come back: the caller copies the local
 * reservations taken since then into Redis (coord_quota.c). */
struct llmr_redis *llmr_coord_redis(struct llmr_state *st, int64_t *resync_since);

/* A command on the connection failed (e): drop it and record the outage. */
void llmr_coord_failed(struct llmr_state *st, const struct llmr_err *e);

/* "llmr:" or the configured prefix; "redis://host:port/db" without the
 * password. */
const char *llmr_coord_prefix(void);
const char *llmr_coord_where(void);

/* The Redis key of provider/model's response headers (coord_ratelimit.h;
 * "" model: the provider's). */
void llmr_coord_ratelimit_key(const char *provider, const char *model, char *out, size_t n);

/* Epoch ms of the first instant of now_ms's month, UTC: the month of the
 * monthly caps (llmr_route_month_start() is this). */
int64_t llmr_coord_month_start(int64_t now_ms);

/* How often a process whose Redis failed tries it again. */
#define LLMR_COORD_RETRY_MS 1000

/* How many other hosts may be admitting alone in an outage: hosts - 1,
 * or 1 / share - 1 rounded, at least 0. */
int llmr_coord_other_hosts(void);

/* A limit under the fallback share: at least 1 when limit is; -1 stays. */
long llmr_coord_share_limit(long limit);
double llmr_coord_share(void);

/* One PING through the connection: 0 and its round trip in microseconds,
 * or -1 with e (an outage, recorded in st). */
int llmr_coord_ping(struct llmr_state *st, int64_t *rtt_us, struct llmr_err *e);

/* The last outage recorded in st: 0 and its times (ended_ms 0 while it
 * lasts; started_ms 0 when none), or -1 with e. */
int llmr_coord_last_outage(struct llmr_state *st, int64_t *started_ms, int64_t *ended_ms,
			   char *reason, size_t n, struct llmr_err *e);

#endif
