#include "route/coord_breaker.h"

#include <stdio.h>
#include <string.h>

/* Script slots of this file (coord_quota.c uses 0..4). */
enum { S_BGET = 5, S_BSTEP = 6, S_BRESET = 7 };

/* A breaker lives a week after its last change; a closed, clean one is
 * deleted, so idle providers leave nothing. */
#define COORD_LUA_BREAKER_LOAD \
	"local t = redis.call('TIME')\n" \
	"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n" \
	"local k = KEYS[1]\n" \
	"local b = redis.call('HMGET', k, 'state', 'failures', 'opened', 'probe', 'updated', 'err')\n" \
	"local state, failures = tonumber(b[1]) or 0, tonumber(b[2]) or 0\n" \
	"local opened, probe = tonumber(b[3]) or 0, tonumber(b[4]) or 0\n" \
	"local updated, err = tonumber(b[5]) or 0, b[6] or ''\n" \
	"local function save()\n" \
	"  if state == 0 and failures == 0 then redis.call('DEL', k); return end\n" \
	"  redis.call('HSET', k, 'state', state, 'failures', failures, 'opened', opened,\n" \
	"    'probe', probe, 'updated', updated, 'err', err)\n" \
	"  redis.call('PEXPIRE', k, 604800000)\n" \
	"  redis.call('SADD', KEYS[2], ARGV[1])\n" \
	"  redis.call('PEXPIRE', KEYS[2], 604800000)\n" \
	"end\n"

#define COORD_LUA_BREAKER_REPLY \
	"return {allowed, isprobe, state, failures, opened, probe, updated, err, now}\n"

/*
 * One step: ARGV 1 provider, 2 "allow" or "record", 3 cooldown ms, 4 probe
 * lease ms, 5 outcome (0 success, 1 a failure that counts), 6 its class
 * name, 7 threshold. The same machine as llmr_breaker_step_allow() and
 * llmr_breaker_step_record(): 0 closed, 1 open, 2 half-open.
 */
static const char lua_step[] = COORD_LUA_BREAKER_LOAD
	"local allowed, isprobe = 1, 0\n"
	"if ARGV[2] == 'allow' then\n"
	"  local changed = false\n"
	"  if state == 1 then\n"
	"    if now < opened + tonumber(ARGV[3]) then allowed = 0 else state = 2; probe = 0; changed = true end\n"
	"  end\n"
	"  if allowed == 1 and state == 2 then\n"
	"    if probe > now then allowed = 0\n"
	"    else probe = now + tonumber(ARGV[4]); updated = now; isprobe = 1; changed = true end\n"
	"  end\n"
	"  if changed then save() end\n"
	"elseif ARGV[5] == '0' then\n"
	"  if state ~= 0 or failures ~= 0 then state = 0; failures = 0; probe = 0; updated = now; save() end\n"
	"else\n"
	"  updated = now; err = ARGV[6]; failures = failures + 1\n"
	"  if state == 2 or failures >= tonumber(ARGV[7]) then\n"
	"    if state ~= 1 then opened = now end\n"
	"    state = 1; probe = 0\n"
	"  end\n"
	"  save()\n"
	"end\n"
	COORD_LUA_BREAKER_REPLY;

static const char lua_get[] = COORD_LUA_BREAKER_LOAD
	"local allowed, isprobe = 1, 0\n"
	COORD_LUA_BREAKER_REPLY;

/* KEYS[1] the set of providers with a breaker; ARGV[1] the key prefix,
 * ARGV[2] the provider or "" for all. */
static const char lua_reset[] =
	"local names = {ARGV[2]}\n"
	"if ARGV[2] == '' then names = redis.call('SMEMBERS', KEYS[1]) end\n"
	"for _, n in ipairs(names) do\n"
	"  redis.call('DEL', ARGV[1] .. 'b:' .. n); redis.call('SREM', KEYS[1], n)\n"
	"end\n"
	"return #names\n";

static long long elem(const redisReply *r, size_t i)
{
	return i < r->elements && r->element[i]->type == REDIS_REPLY_INTEGER ? r->element[i]->integer : 0;
}

/* A Redis instant on this host's clock, from the reply's "now". */
static int64_t here(long long t, long long rnow, int64_t now)
{
	return t ? (int64_t)(t - rnow) + now : 0;
}

/* Run a breaker script on provider's keys; fill b (when not NULL) from
 * the reply; 1 allowed, 0 not, -1 Redis failed (outage recorded), and
 * *isprobe. */
static int run(struct llmr_state *st, int slot, const char *script, const char *provider,
	       const char *const *args, int nargs, struct llmr_breaker *b, bool *isprobe)
{
	struct llmr_err e = {0, ""};
	struct llmr_redis *r = llmr_coord_quota_conn(st);
	char key[300], set[80];
	const char *argv[10];
	redisReply *rep;
	int64_t now = llmr_now_ms();
	int rc;

	if (!r)
		return -1;
	snprintf(key, sizeof(key), "%sb:%s", llmr_coord_prefix(), provider);
	snprintf(set, sizeof(set), "%sbreakers", llmr_coord_prefix());
	argv[0] = key, argv[1] = set, argv[2] = provider;
	for (int i = 0; i < nargs; i++)
		argv[3 + i] = args[i];
	if (!(rep = llmr_redis_eval(r, slot, script, 2, 3 + nargs, argv, &e))) {
		llmr_coord_failed(st, &e);
		return -1;
	}
	rc = (int)elem(rep, 0);
	if (isprobe)
		*isprobe = elem(rep, 1) != 0;
	if (b && rep->elements >= 9) {
		long long rnow = elem(rep, 8);

		memset(b, 0, sizeof(*b));
		snprintf(b->provider, sizeof(b->provider), "%s", provider);
		b->state = (int)elem(rep, 2);
		b->failures = (int)elem(rep, 3);
		b->opened_ms = here(elem(rep, 4), rnow, now);
		b->probe_until_ms = here(elem(rep, 5), rnow, now);
		b->updated_ms = here(elem(rep, 6), rnow, now);
		if (rep->element[7]->type == REDIS_REPLY_STRING)
			snprintf(b->last_error, sizeof(b->last_error), "%s", rep->element[7]->str);
	}
	freeReplyObject(rep);
	return rc;
}

int llmr_coord_breaker_get(struct llmr_state *st, const char *provider, struct llmr_breaker *b)
{
	if (llmr_coord_mode() == LLMR_COORD_LOCAL)
		return LLMR_COORD_GO_LOCAL;
	return run(st, S_BGET, lua_get, provider, NULL, 0, b, NULL) < 0 ? LLMR_COORD_GO_LOCAL : 0;
}

int llmr_coord_breaker_allow(struct llmr_state *st, const char *provider, int64_t cooldown_ms,
			     int64_t lease_ms, bool *allowed, bool *probe, struct llmr_breaker *b)
{
	char cool[24], lease[24];
	const char *args[6] = {"allow", cool, lease, "0", "", "0"};
	bool isprobe = false;
	int rc;

	if (llmr_coord_mode() == LLMR_COORD_LOCAL)
		return LLMR_COORD_GO_LOCAL;
	snprintf(cool, sizeof(cool), "%lld", (long long)cooldown_ms);
	snprintf(lease, sizeof(lease), "%lld", (long long)lease_ms);
	if ((rc = run(st, S_BSTEP, lua_step, provider, args, 6, b, &isprobe)) < 0)
		return LLMR_COORD_GO_LOCAL;
	*allowed = rc == 1;
	if (probe)
		*probe = isprobe;
	return 0;
}

int llmr_coord_breaker_record(struct llmr_state *st, const char *provider, enum llmr_errclass c,
			      int threshold)
{
	char thr[24];
	const char *args[6] = {"record", "0", "0", c == LLMR_ERR_NONE ? "0" : "1", llmr_errclass_name(c), thr};

	if (llmr_coord_mode() == LLMR_COORD_LOCAL)
		return LLMR_COORD_GO_LOCAL;
	snprintf(thr, sizeof(thr), "%d", threshold);
	return run(st, S_BSTEP, lua_step, provider, args, 6, NULL, NULL) < 0 ? LLMR_COORD_GO_LOCAL : 0;
}

void llmr_coord_breaker_reset(struct llmr_state *st, const char *provider)
{
	struct llmr_err e = {0, ""};
	struct llmr_redis *r;
	char set[80];
	const char *argv[3];
	redisReply *rep;

	if (llmr_coord_mode() == LLMR_COORD_LOCAL || !(r = llmr_coord_quota_conn(st)))
		return;
	snprintf(set, sizeof(set), "%sbreakers", llmr_coord_prefix());
	argv[0] = set, argv[1] = llmr_coord_prefix(), argv[2] = provider ? provider : "";
	if ((rep = llmr_redis_eval(r, S_BRESET, lua_reset, 1, 3, argv, &e)))
		freeReplyObject(rep);
	else
		llmr_coord_failed(st, &e);
}
