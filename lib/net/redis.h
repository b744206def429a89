/*
 * redis.h - a small Redis client over hiredis, for coordination between
 * hosts (route/coord.h). Every call is bounded by the connection's timeout
 * (connect and each command), so an unreachable Redis costs a request at
 * most that long, never a hang.
 */
#ifndef LLMR_REDIS_H
#define LLMR_REDIS_H

#include <hiredis/hiredis.h>

#include "base/util.h"

struct llmr_redis_url {
	char *user;     /* NULL: none (AUTH with the password alone) */
	char *password; /* from the URL; NULL when not there */
	char *host;
	int port;       /* default 6379 */
	int db;         /* default 0 */
};

/* Parse "redis://[user[:password]@]host[:port][/db]". 0, or -1 with e
 * (exit 78); the message never holds the password. */
int llmr_redis_url_parse(const char *url, struct llmr_redis_url *u, struct llmr_err *e);
void llmr_redis_url_free(struct llmr_redis_url *u);

struct llmr_redis;

/* Connect, AUTH (password may be NULL) and SELECT, each bounded by
 * timeout_ms. 0 and *out, or -1 with e (exit 69). */
int llmr_redis_connect(const struct llmr_redis_url *u, const char *password, int timeout_ms,
		       struct llmr_redis **out, struct llmr_err *e);
void llmr_redis_close(struct llmr_redis *r);

/* PING: 0, or -1 with e (exit 69; the connection is then unusable). */
int llmr_redis_ping(struct llmr_redis *r, struct llmr_err *e);

/*
 * Run a Lua script: EVALSHA, and EVAL when the server does not know it
 * (NOSCRIPT, after a restart), which also loads it again. slot names the
 * script (0..23) so that its SHA is remembered per connection. argv holds
 * the nkeys keys then the other arguments, argc in all. Returns the
 * reply (freeReplyObject) or NULL with e: a transport failure (the
 * connection is then unusable) or an error reply.
 */
redisReply *llmr_redis_eval(struct llmr_redis *r, int slot, const char *script, int nkeys,
			    int argc, const char *const *argv, struct llmr_err *e);

#endif
