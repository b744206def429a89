#include "route/coord_budget.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Script slot (coord_quota.c 0..4, coord_breaker.c 5..7). */
enum { S_BUDGET = 8 };

/*
 * KEYS[1] the budget's hash; ARGV[1] the operation: open (2 calls_max,
 * 3 usd_max), get, close, draw (2 priority, 3 est_usd, 4 last try),
 * fin (2 usd, 3 usd held, 4 drawn, 5 over, 6 refund). The rules are
 * llmr_budget_spent(), llmr_budget_policy() and budget.c's draw and
 * finish. Returns {verdict, the ten fields as strings, now} or
 * {"unknown"}. Numbers go back as strings: Redis would truncate a Lua
 * number to an integer. A budget lives 30 days after its last change.
 */
static const char lua_budget[] =
	"local t = redis.call('TIME')\n"
	"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
	"local k, op = KEYS[1], ARGV[1]\n"
	"local F = {'calls_max', 'calls_used', 'calls_held', 'over_calls', 'skipped',\n"
	"  'usd_max', 'usd_used', 'usd_held', 'created', 'closed'}\n"
	"if op == 'open' then\n"
	"  redis.call('HSET', k, 'calls_max', ARGV[2], 'calls_used', 0, 'calls_held', 0, 'over_calls', 0,\n"
	"    'skipped', 0, 'usd_max', ARGV[3], 'usd_used', 0, 'usd_held', 0, 'created', now, 'closed', 0)\n"
	"end\n"
	"local v = redis.call('HMGET', k, unpack(F))\n"
	"if not v[1] then return {'unknown'} end\n"
	"local b = {}\n"
	"for i, f in ipairs(F) do b[f] = tonumber(v[i]) end\n"
	"local verdict = ''\n"
	"if op == 'close' then\n"
	"  if b.closed == 0 then b.closed = now end\n"
	"elseif op == 'draw' then\n"
	"  local pri, est = tonumber(ARGV[2]), tonumber(ARGV[3])\n"
	"  local spent = b.closed ~= 0 or (b.calls_max >= 0 and b.calls_used >= b.calls_max) or\n"
	"    (b.usd_max >= 0 and b.usd_used + b.usd_held + est > b.usd_max + 1e-12)\n"
	"  if not spent then verdict = 'run' elseif pri <= 0 then verdict = 'cheapest'\n"
	"  elseif pri == 1 then verdict = 'wait' else verdict = 'skip' end\n"
	"  if verdict == 'wait' and (ARGV[4] == '1' or b.calls_held == 0 or b.closed ~= 0) then\n"
	"    verdict = 'degrade'\n"
	"  end\n"
	"  if verdict == 'run' or verdict == 'cheapest' then\n"
	"    if verdict == 'cheapest' then b.over_calls = b.over_calls + 1 else b.calls_used = b.calls_used + 1 end\n"
	"    b.calls_held = b.calls_held + 1\n"
	"    b.usd_held = b.usd_held + est\n"
	"  elseif verdict ~= 'wait' then\n"
	"    b.skipped = b.skipped + 1\n"
	"  end\n"
	"elseif op == 'fin' then\n"
	"  b.usd_held = b.usd_held - tonumber(ARGV[3])\n"
	"  if b.usd_held < 1e-12 then b.usd_held = 0 end\n"
	"  b.usd_used = b.usd_used + tonumber(ARGV[2])\n"
	"  if ARGV[4] == '1' and b.calls_held > 0 then b.calls_held = b.calls_held - 1 end\n"
	"  if ARGV[6] == '1' and ARGV[4] == '1' then\n"
	"    if ARGV[5] == '1' then b.over_calls = b.over_calls - 1 else b.calls_used = b.calls_used - 1 end\n"
	"  end\n"
	"end\n"
	"if op ~= 'get' and verdict ~= 'wait' then\n"
	"  for _, f in ipairs(F) do redis.call('HSET', k, f, string.format('%.17g', b[f])) end\n"
	"  redis.call('PEXPIRE', k, 2592000000)\n"
	"end\n"
	"local r = {verdict}\n"
	"for i, f in ipairs(F) do r[i + 1] = string.format('%.17g', b[f]) end\n"
	"r[12] = tostring(now)\n"
	"return r\n";

static double num(const redisReply *r, size_t i)
{
	return i < r->elements && r->element[i]->type == REDIS_REPLY_STRING ? strtod(r->element[i]->str, NULL) : 0;
}

/* Run one operation; fill b and *verdict (when not NULL). 0, or
 * LLMR_COORD_GO_LOCAL (Redis down, or the budget unknown there). */
static int run(struct llmr_state *st, const char *id, const char *const *args, int nargs,
	       struct llmr_budget *b, char *verdict, size_t vn)
{
	struct llmr_err e = {0, ""};
	struct llmr_redis *r;
	char key[120];
	const char *argv[8];
	redisReply *rep;
	int64_t now = llmr_now_ms();

	if (llmr_coord_mode() == LLMR_COORD_LOCAL || !(r = llmr_coord_quota_conn(st)))
		return LLMR_COORD_GO_LOCAL;
	snprintf(key, sizeof(key), "%sbudget:%s", llmr_coord_prefix(), id);
	argv[0] = key;
	for (int i = 0; i < nargs; i++)
		argv[1 + i] = args[i];
	if (!(rep = llmr_redis_eval(r, S_BUDGET, lua_budget, 1, 1 + nargs, argv, &e))) {
		llmr_coord_failed(st, &e);
		return LLMR_COORD_GO_LOCAL;
	}
	if (rep->elements < 12) {
		freeReplyObject(rep);
		return LLMR_COORD_GO_LOCAL;
	}
	if (verdict)
		snprintf(verdict, vn, "%s", rep->element[0]->str);
	if (b) {
		double rnow = num(rep, 11);

		memset(b, 0, sizeof(*b));
		snprintf(b->id, sizeof(b->id), "%s", id);
		b->calls_max = (long)num(rep, 1);
		b->calls_used = (long)num(rep, 2);
		b->calls_held = (long)num(rep, 3);
		b->over_calls = (long)num(rep, 4);
		b->skipped = (long)num(rep, 5);
		b->usd_max = num(rep, 6);
		b->usd_used = num(rep, 7);
		b->usd_held = num(rep, 8);
		/* Redis's instants, told on this host's clock. */
		b->created_ms = (int64_t)(num(rep, 9) - rnow) + now;
		b->closed_ms = num(rep, 10) ? (int64_t)(num(rep, 10) - rnow) + now : 0;
	}
	freeReplyObject(rep);
	return 0;
}

int llmr_coord_budget_open(struct llmr_state *st, long calls, double usd, const char *id)
{
	char c[24], u[40];
	const char *args[3] = {"open", c, u};

	snprintf(c, sizeof(c), "%ld", calls < 0 ? -1 : calls);
	snprintf(u, sizeof(u), "%.17g", usd < 0 ? -1 : usd);
	return run(st, id, args, 3, NULL, NULL, 0);
}

int llmr_coord_budget_get(struct llmr_state *st, const char *id, struct llmr_budget *b)
{
	const char *args[1] = {"get"};

	return run(st, id, args, 1, b, NULL, 0);
}

int llmr_coord_budget_close(struct llmr_state *st, const char *id)
{
	const char *args[1] = {"close"};

	return run(st, id, args, 1, NULL, NULL, 0);
}

int llmr_coord_budget_draw(struct llmr_state *st, const char *id, int priority, double est_usd,
			   bool last_try, struct llmr_budget_ticket *t, enum llmr_budget_verdict *verdict)
{
	static const char *const names[] = {"run", "cheapest", "wait", "degrade", "skip"};
	char p[8], est[40], v[16] = "";
	const char *args[4] = {"draw", p, est, last_try ? "1" : "0"};

	snprintf(p, sizeof(p), "%d", priority);
	snprintf(est, sizeof(est), "%.17g", est_usd);
	if (run(st, id, args, 4, NULL, v, sizeof(v)) != 0)
		return LLMR_COORD_GO_LOCAL;
	*verdict = LLMR_BUDGET_SKIP;
	for (int i = 0; i < 5; i++)
		if (!strcmp(v, names[i]))
			*verdict = (enum llmr_budget_verdict)i;
	t->remote = true;
	if (*verdict == LLMR_BUDGET_RUN || *verdict == LLMR_BUDGET_CHEAPEST) {
		t->drawn = true;
		t->over = *verdict == LLMR_BUDGET_CHEAPEST;
		t->usd_held = est_usd;
	}
	return 0;
}

void llmr_coord_budget_finish(struct llmr_state *st, const struct llmr_budget_ticket *t, double usd,
			      bool refund)
{
	char u[40], h[40];
	const char *args[6] = {"fin", u, h, t->drawn ? "1" : "0", t->over ? "1" : "0", refund ? "1" : "0"};

	snprintf(u, sizeof(u), "%.17g", usd);
	snprintf(h, sizeof(h), "%.17g", t->usd_held);
	run(st, t->id, args, 6, NULL, NULL, 0);
}

void llmr_coord_budget_charge(struct llmr_state *st, const char *id, double usd)
{
	char u[40];
	/* A finish that frees nothing and refunds nothing: usd_used += usd. */
	const char *args[6] = {"fin", u, "0", "0", "0", "0"};

	snprintf(u, sizeof(u), "%.17g", usd);
	run(st, id, args, 6, NULL, NULL, 0);
}
