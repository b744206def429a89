#include "route/coord_degrade.h"

#include <stdio.h>
#include <string.h>

/* Script slot (coord_quota.c 0..4, coord_breaker.c 5..7, coord_budget.c 8). */
enum { S_DEGRADE = 9 };

/* How long a host's "degraded" lasts without a refresh. */
#define DEGRADE_TTL_MS 10000

/* KEYS[1] the key; ARGV 1 "on" (publish ARGV[2], the reason, for ARGV[3]
 * ms), "get" or "off". Returns the reason in force, or "". */
static const char lua_degrade[] =
	"if ARGV[1] == 'on' then\n"
	"  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])\n"
	"  return ARGV[2]\n"
	"elseif ARGV[1] == 'off' then\n"
	"  redis.call('DEL', KEYS[1])\n"
	"  return ''\n"
	"end\n"
	"return redis.call('GET', KEYS[1]) or ''\n";

static int run(struct llmr_state *st, const char *op, const char *reason, char *out, size_t n)
{
	struct llmr_err e = {0, ""};
	struct llmr_redis *r;
	char key[80], ttl[24];
	const char *argv[4];
	redisReply *rep;

	if (llmr_coord_mode() == LLMR_COORD_LOCAL || !(r = llmr_coord_quota_conn(st)))
		return -1;
	snprintf(key, sizeof(key), "%sdegraded", llmr_coord_prefix());
	snprintf(ttl, sizeof(ttl), "%d", DEGRADE_TTL_MS);
	argv[0] = key, argv[1] = op, argv[2] = reason, argv[3] = ttl;
	if (!(rep = llmr_redis_eval(r, S_DEGRADE, lua_degrade, 1, 4, argv, &e))) {
		llmr_coord_failed(st, &e);
		return -1;
	}
	if (out)
		snprintf(out, n, "%s", rep->type == REDIS_REPLY_STRING ? rep->str : "");
	freeReplyObject(rep);
	return 0;
}

void llmr_coord_degrade_share(struct llmr_state *st, struct llmr_degrade *d)
{
	char reason[160];

	if (d->active) {
		/* Ours: others' "on another host" is not ours to republish. */
		if (strncmp(d->reason, "on another host: ", 17))
			run(st, "on", d->reason, NULL, 0);
		return;
	}
	if (run(st, "get", "", reason, sizeof(reason)) == 0 && reason[0]) {
		d->active = true;
		snprintf(d->reason, sizeof(d->reason), "on another host: %.140s", reason);
	}
}

void llmr_coord_degrade_reset(struct llmr_state *st)
{
	run(st, "off", "", NULL, 0);
}
