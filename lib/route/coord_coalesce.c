/* Identical requests in flight coalesced across hosts (coord_coalesce.h). */
#include "route/coord_coalesce.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sha256.h"
#include "route/coord_quota.h"

/* Script slots: see coord_spend.c (coord_ratelimit.c holds 16). */
enum { S_CLAIM = 17, S_DONE = 18 };

/* KEYS: 1 the answer, 2 the lease. ARGV: 1 token, 2 lease ms. */
static const char lua_claim[] =
	"local a = redis.call('GET', KEYS[1])\n"
	"if a then return {1, a} end\n"
	"if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {3} end\n"
	"if redis.call('GET', KEYS[2]) == ARGV[1] then return {3} end\n"
	"return {4}\n";

/* KEYS as above. ARGV: 1 token, 2 the answer or "", 3 how long to keep it. */
static const char lua_done[] =
	"if ARGV[2] ~= '' then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end\n"
	"if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end\n"
	"return 1\n";

static void keys(const char *key, char a[120], char l[120])
{
	char hex[65];

	llmr_sha256_hex(key, strlen(key), hex);
	snprintf(a, 120, "%sco:%s:a", llmr_coord_prefix(), hex);
	snprintf(l, 120, "%sco:%s:l", llmr_coord_prefix(), hex);
}

int llmr_coord_coalesce_claim(struct llmr_state *st, const char *key, const char *token, int64_t lease_ms,
			      char **answer)
{
	struct llmr_err e = {0, ""};
	struct llmr_redis *r;
	char a[120], l[120], ms[24];
	redisReply *rep;
	int rc = LLMR_COORD_GO_LOCAL;

	*answer = NULL;
	if (llmr_coord_mode() == LLMR_COORD_LOCAL || !(r = llmr_coord_quota_conn(st)))
		return LLMR_COORD_GO_LOCAL;
	keys(key, a, l);
	snprintf(ms, sizeof(ms), "%lld", (long long)(lease_ms > 0 ? lease_ms : 60000));
	const char *argv[4] = {a, l, token, ms};

	if (!(rep = llmr_redis_eval(r, S_CLAIM, lua_claim, 2, 4, argv, &e))) {
		llmr_coord_failed(st, &e);
		return LLMR_COORD_GO_LOCAL;
	}
	if (rep->type == REDIS_REPLY_ARRAY && rep->elements >= 1 && rep->element[0]->type == REDIS_REPLY_INTEGER) {
		rc = (int)rep->element[0]->integer;
		if (rc == LLMR_COORD_CO_HIT) {
			if (rep->elements >= 2 && rep->element[1]->type == REDIS_REPLY_STRING)
				*answer = strdup(rep->element[1]->str);
			if (!*answer)
				rc = LLMR_COORD_CO_WAIT;
		}
	}
	freeReplyObject(rep);
	return rc;
}

void llmr_coord_coalesce_done(struct llmr_state *st, const char *key, const char *token, const char *answer,
			      int64_t keep_ms)
{
	struct llmr_err e = {0, ""};
	struct llmr_redis *r;
	char a[120], l[120], ms[24];
	redisReply *rep;

	if (llmr_coord_mode() == LLMR_COORD_LOCAL || !(r = llmr_coord_quota_conn(st)))
		return;
	keys(key, a, l);
	snprintf(ms, sizeof(ms), "%lld", (long long)(keep_ms > 0 ? keep_ms : 60000));
	const char *argv[5] = {a, l, token, answer ? answer : "", ms};

	if ((rep = llmr_redis_eval(r, S_DONE, lua_done, 2, 5, argv, &e)))
		freeReplyObject(rep);
	else
		llmr_coord_failed(st, &e);
}
