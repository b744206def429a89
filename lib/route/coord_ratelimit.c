/* Header-learned limits shared through Redis (coord_ratelimit.h). */
#include "route/coord_ratelimit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route/coord_quota.h"
#include "route/coord_spend_seen.h"

/* Script slots: see coord_spend.c (coord_spend_view.c holds 15). */
enum { S_SAVE = 12, S_RESET = 13, S_READ = 16 };

/*
 * Save. KEYS[1] the hash; ARGV: 1 requests limit, 2 remaining, 3 ms to
 * their reset, 4..6 the same for tokens, 7 retry-after ms (-1 absent), 8
 * the host that read them (coord_spend.c's name for it, for llmr-quota).
 * Resets become instants on Redis's clock, and the counts of what was
 * admitted since start again at 0. The hash lives a day after its last
 * news, as long as the longest wait a header may ask for.
 */
static const char lua_save[] =
	"local t = redis.call('TIME')\n"
	"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
	"local F = {'req_limit', 'req_rem', 'req_reset', 'tok_limit', 'tok_rem', 'tok_reset', 'cool'}\n"
	"local keep = 86400000\n"
	"redis.call('DEL', KEYS[1])\n"
	"redis.call('HSET', KEYS[1], 'seen', now, 'since_req', 0, 'since_tok', 0)\n"
	"for i = 1, 7 do\n"
	"  local v = tonumber(ARGV[i])\n"
	"  if v >= 0 and (i == 3 or i == 6 or i == 7) then\n"
	"    v = now + v\n"
	"    if v - now > keep then keep = v - now end\n"
	"  end\n"
	"  redis.call('HSET', KEYS[1], F[i], string.format('%d', v))\n"
	"end\n"
	"redis.call('HSET', KEYS[1], 'by', ARGV[8])\n"
	"redis.call('PEXPIRE', KEYS[1], keep + 60000)\n"
	"return 1\n";

/* Reset: every key matching ARGV[1]. */
static const char lua_reset[] =
	"local cur, n = '0', 0\n"
	"repeat\n"
	"  local r = redis.call('SCAN', cur, 'MATCH', ARGV[1], 'COUNT', 500)\n"
	"  cur = r[1]\n"
	"  for _, k in ipairs(r[2]) do redis.call('DEL', k); n = n + 1 end\n"
	"until cur == '0'\n"
	"return n\n";

static void ms_of(char *out, size_t n, double s)
{
	snprintf(out, n, "%lld", s < 0 ? -1LL : (long long)(s * 1000.0 + 0.5));
}

void llmr_coord_ratelimit_save(struct llmr_state *st, const char *provider, const char *model,
			       const struct llmr_ratelimit *rl)
{
	struct llmr_err e = {0, ""};
	struct llmr_redis *r;
	char key[600], a[7][24], host[24];
	redisReply *rep;

	if (!rl->seen || llmr_coord_mode() == LLMR_COORD_LOCAL || !(r = llmr_coord_quota_conn(st)))
		return;
	llmr_coord_ratelimit_key(provider, model, key, sizeof(key));
	snprintf(a[0], 24, "%ld", rl->req_limit);
	snprintf(a[1], 24, "%ld", rl->req_remaining);
	ms_of(a[2], 24, rl->req_reset_s);
	snprintf(a[3], 24, "%ld", rl->tok_limit);
	snprintf(a[4], 24, "%ld", rl->tok_remaining);
	ms_of(a[5], 24, rl->tok_reset_s);
	ms_of(a[6], 24, rl->retry_after_s);
	llmr_coord_spend_host(st, host);
	const char *argv[9] = {key, a[0], a[1], a[2], a[3], a[4], a[5], a[6], host};

	if ((rep = llmr_redis_eval(r, S_SAVE, lua_save, 1, 9, argv, &e)))
		freeReplyObject(rep);
	else if (e.code == LLMR_EX_UNAVAILABLE)
		llmr_coord_failed(st, &e);
}

void llmr_coord_ratelimit_reset(struct llmr_state *st, const char *provider)
{
	struct llmr_err e = {0, ""};
	struct llmr_redis *r;
	char pat[600];
	const char *argv[1] = {pat};
	redisReply *rep;

	if (llmr_coord_mode() == LLMR_COORD_LOCAL || !(r = llmr_coord_quota_conn(st)))
		return;
	/* A provider's name is a config key: no glob characters in it. */
	snprintf(pat, sizeof(pat), "%srl:%s/*", llmr_coord_prefix(), provider ? provider : "*");
	if ((rep = llmr_redis_eval(r, S_RESET, lua_reset, 0, 1, argv, &e)))
		freeReplyObject(rep);
	else if (e.code == LLMR_EX_UNAVAILABLE)
		llmr_coord_failed(st, &e);
}

/*
 * Read: KEYS the provider's hashes (its own, then each model's). Returns
 * Redis's clock, then the newest hash's index (1-based; 0 none) and its
 * fields, as saved plus what every host admitted since.
 */
static const char lua_read[] =
	"local t = redis.call('TIME')\n"
	"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
	"local best, seen = 0, -1\n"
	"for i = 1, #KEYS do\n"
	"  local v = tonumber(redis.call('HGET', KEYS[i], 'seen') or '-1')\n"
	"  if v > seen then best, seen = i, v end\n"
	"end\n"
	"local r = {tostring(now), tostring(best)}\n"
	"if best == 0 then return r end\n"
	"local F = {'seen', 'req_limit', 'req_rem', 'req_reset', 'tok_limit', 'tok_rem', 'tok_reset', 'cool',\n"
	"  'since_req', 'since_tok', 'by'}\n"
	"for _, v in ipairs(redis.call('HMGET', KEYS[best], unpack(F))) do r[#r + 1] = v or '-1' end\n"
	"return r\n";

static long long field(const redisReply *r, size_t i)
{
	if (i >= r->elements || r->element[i]->type != REDIS_REPLY_STRING)
		return -1;
	return strtoll(r->element[i]->str, NULL, 10);
}

/* A Redis instant on this host's clock (0 stays "none"). */
static int64_t here(long long at, long long redis_now, int64_t now)
{
	return at > 0 ? (int64_t)(at - redis_now) + now : 0;
}

static void fill(const redisReply *rep, struct llmr_state *st, const struct llmr_provider_cfg *p,
		 struct llmr_coord_headers *h)
{
	long long rnow = field(rep, 0);
	size_t best = (size_t)field(rep, 1);
	int64_t now = llmr_now_ms();
	char host[24];

	h->seen_ms = here(field(rep, 2), rnow, now);
	h->req_limit = (long)field(rep, 3);
	h->req_remaining = (long)field(rep, 4);
	h->req_reset_at = here(field(rep, 5), rnow, now);
	h->tok_limit = (long)field(rep, 6);
	h->tok_remaining = (long)field(rep, 7);
	h->tok_reset_at = here(field(rep, 8), rnow, now);
	h->cooldown_until = here(field(rep, 9), rnow, now);
	h->req_since = (long)field(rep, 10);
	h->tok_since = (long)field(rep, 11);
	llmr_coord_spend_host(st, host);
	h->mine = 12 < rep->elements && rep->element[12]->type == REDIS_REPLY_STRING &&
		  !strcmp(rep->element[12]->str, host);
	h->model[0] = '\0';
	if (best > 1 && best - 2 < p->nmodels)
		snprintf(h->model, sizeof(h->model), "%s", p->models[best - 2].name);
}

int llmr_coord_ratelimit_read(struct llmr_state *st, const struct llmr_provider_cfg *p,
			      struct llmr_coord_headers *h)
{
	struct llmr_err e = {0, ""};
	struct llmr_redis *r;
	char (*keys)[600];
	const char **argv;
	redisReply *rep;
	int got = LLMR_COORD_GO_LOCAL;

	memset(h, 0, sizeof(*h));
	if (llmr_coord_mode() == LLMR_COORD_LOCAL || !(r = llmr_coord_quota_conn(st)))
		return LLMR_COORD_GO_LOCAL;
	keys = llmr_xcalloc(p->nmodels + 1, sizeof(*keys));
	argv = llmr_xcalloc(p->nmodels + 1, sizeof(*argv));
	llmr_coord_ratelimit_key(p->name, NULL, keys[0], sizeof(keys[0]));
	argv[0] = keys[0];
	for (size_t i = 0; i < p->nmodels; i++) {
		llmr_coord_ratelimit_key(p->name, p->models[i].name, keys[i + 1], sizeof(keys[0]));
		argv[i + 1] = keys[i + 1];
	}
	if (!(rep = llmr_redis_eval(r, S_READ, lua_read, (int)p->nmodels + 1, (int)p->nmodels + 1, argv, &e))) {
		llmr_coord_failed(st, &e);
	} else {
		if (rep->type == REDIS_REPLY_ARRAY && rep->elements >= 2) {
			got = field(rep, 1) > 0 && rep->elements >= 13;
			if (got)
				fill(rep, st, p, h);
		}
		freeReplyObject(rep);
	}
	free(keys);
	free(argv);
	return got;
}
