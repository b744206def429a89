/* Header-learned limits shared through Redis (coord_ratelimit.h). */
#include "route/coord_ratelimit.h"

#include <stdio.h>

#include "route/coord_quota.h"

/* Script slots: see coord_spend.c. */
enum { S_SAVE = 12, S_RESET = 13 };

/*
 * Save. KEYS[1] the hash; ARGV: 1 requests limit, 2 remaining, 3 ms to
 * their reset, 4..6 the same for tokens, 7 retry-after ms (-1 absent).
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
	char key[600], a[7][24];
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
	const char *argv[8] = {key, a[0], a[1], a[2], a[3], a[4], a[5], a[6]};

	if ((rep = llmr_redis_eval(r, S_SAVE, lua_save, 1, 8, argv, &e)))
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
