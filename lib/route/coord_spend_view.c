/* The providers' monthly caps as a route decision sees them across hosts
 * (coord_spend_view.h). */
#include "route/coord_spend_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route/coord_quota.h"
#include "route/coord_spend.h"
#include "route/coord_spend_seen.h"
#include "route/quota_db.h"

/* Script slot (coord_spend.c holds 10, 11 and 14). */
enum { S_PEEK = 15 };

/*
 * What coord_spend.c's reserve script counts against a provider cap,
 * read without writing. KEYS: 1 the holds, 2 their records, 3 when Redis
 * was last found to have lost its data, 4 when each host last spoke, 5
 * the mark that Redis still holds what it was told, then per provider its
 * spend hash and its allowance hash. ARGV: 1 host, 2 "1" when this host
 * saw Redis before this month, 3 how many other hosts there are, 4 the
 * share, then per provider this host's spend, the floor (every host's
 * spend as last seen) and the cap. Returns spent and held per provider,
 * as strings.
 */
static const char lua_peek[] =
	"local t = redis.call('TIME')\n"
	"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
	"local host = ARGV[1]\n"
	"local back = tonumber(redis.call('GET', KEYS[3]) or '0')\n"
	"if redis.call('EXISTS', KEYS[5]) == 0 and ARGV[2] == '1' then back = now end\n"
	"local unheard = 0\n"
	"if back > 0 then\n"
	"  unheard = tonumber(ARGV[3])\n"
	"  local at = redis.call('HGETALL', KEYS[4])\n"
	"  for j = 1, #at, 2 do\n"
	"    if at[j] ~= host and tonumber(at[j + 1]) >= back then unheard = unheard - 1 end\n"
	"  end\n"
	"  if unheard < 0 then unheard = 0 end\n"
	"end\n"
	"local n = (#KEYS - 5) / 2\n"
	"local held, idx = {}, {}\n"
	"for i = 1, n do held[i] = 0; idx[KEYS[4 + 2 * i]] = i end\n"
	"local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')\n"
	"if #live > 0 then\n"
	"  for _, s in ipairs(redis.call('HMGET', KEYS[2], unpack(live))) do\n"
	"    if s then\n"
	"      local r = cjson.decode(s)\n"
	"      local i = idx[r.k[1]]\n"
	"      if i then held[i] = held[i] + r.u end\n"
	"    end\n"
	"  end\n"
	"end\n"
	"local out = {}\n"
	"for i = 1, n do\n"
	"  local own, floor, cap = tonumber(ARGV[2 + 3 * i]), tonumber(ARGV[3 + 3 * i]), tonumber(ARGV[4 + 3 * i])\n"
	"  local spent, mine = 0, false\n"
	"  local a = redis.call('HGETALL', KEYS[4 + 2 * i])\n"
	"  for j = 1, #a, 2 do\n"
	"    local v = tonumber(a[j + 1])\n"
	"    if a[j] == host then mine = true; if own > v then v = own end end\n"
	"    spent = spent + v\n"
	"  end\n"
	"  if not mine then spent = spent + own end\n"
	"  if floor > spent then spent = floor end\n"
	"  held[i] = held[i] + unheard * tonumber(ARGV[4]) * cap\n"
	"  local al = redis.call('HGETALL', KEYS[5 + 2 * i])\n"
	"  for j = 1, #al, 2 do if al[j] ~= host then held[i] = held[i] + tonumber(al[j + 1]) end end\n"
	"  out[#out + 1] = string.format('%.17g', spent)\n"
	"  out[#out + 1] = string.format('%.17g', held[i])\n"
	"end\n"
	"return out\n";

struct local {
	const struct llmr_config *cfg;
	struct llmr_coord_cap *caps;
	double *floor;
	int64_t now, month0;
	int seen;       /* this host saw Redis this month */
	bool outage;    /* judge against the allowances (Redis down) */
};

/* One number from sql bound to (i, a, b); *out stays without a row. */
static int one(sqlite3 *db, const char *sql, int64_t i, const char *a, const char *b, double *out,
	       struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (llmr_qdb_prepare(db, sql, &s, e) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, i);
	sqlite3_bind_text(s, 2, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(s, 3, b, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*out = sqlite3_column_double(s, 0);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return rc == SQLITE_ROW;
	return llmr_qdb_fail(db, rc, "cannot read spending", e);
}

/* This host's spend, holds and floors per capped provider; in an outage,
 * its allowances as the hold (spend.c) computes them. */
static int local_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct local *l = ud;
	int c;

	for (size_t i = 0; i < l->cfg->nproviders; i++) {
		const struct llmr_provider_cfg *p = &l->cfg->providers[i];
		struct llmr_coord_cap *k = &l->caps[i];

		memset(k, 0, sizeof(*k));
		l->floor[i] = 0;
		if (p->budget_usd_per_month < 0 || p->protocol == LLMR_PROTO_EXTRACTIVE)
			continue;
		k->capped = true;
		k->cap = p->budget_usd_per_month;
		snprintf(k->label, sizeof(k->label), "provider '%s'", p->name);
		if (one(db, "SELECT COALESCE(SUM(cost_usd),0) FROM requests WHERE ts_ms >= ?1 AND provider = ?2",
			l->month0, p->name, NULL, &k->spent, e) < 0 ||
		    one(db, "SELECT COALESCE(SUM(usd),0) FROM spend_holds WHERE t_end > ?1 AND provider = ?2",
			l->now, p->name, NULL, &k->held, e) < 0)
			return -1;
		if ((c = one(db, "SELECT spent_usd FROM coord_spend_seen WHERE month0 = ?1 AND scope = ?2"
			     " AND name = ?3", l->month0, "provider", p->name, &l->floor[i], e)) < 0)
			return -1;
		l->seen |= c;
		if (l->outage)
			k->cap = llmr_coord_spend_local_cap(db, "provider", p->name, k->cap, l->month0, k->label,
							    sizeof(k->label));
	}
	return 0;
}

static double num(const redisReply *r, size_t i)
{
	if (i >= r->elements || r->element[i]->type != REDIS_REPLY_STRING)
		return 0;
	return strtod(r->element[i]->str, NULL);
}

/* Every capped provider's figures from Redis, in one script. 1 read, 0
 * Redis failed (an outage, recorded). */
static int peek(struct llmr_state *st, struct llmr_redis *r, struct local *l)
{
	size_t np = l->cfg->nproviders, nk = 5, na = 4, nc = 0;
	struct llmr_coord_spend_keys *k = llmr_xcalloc(np + 1, sizeof(*k));
	char (*num_s)[40] = llmr_xcalloc(3 * np + 3, sizeof(*num_s));
	const char **argv = llmr_xcalloc(5 * np + 10, sizeof(*argv));
	char host[24], others[16], share[40];
	struct llmr_err e = {0, ""};
	redisReply *rep;
	int ok = 0;

	llmr_coord_spend_host(st, host);
	snprintf(others, sizeof(others), "%d", llmr_coord_other_hosts());
	snprintf(share, sizeof(share), "%.17g", llmr_coord_share());
	for (size_t i = 0; i < np; i++)
		if (l->caps[i].capped)
			llmr_coord_spend_keys(l->cfg->providers[i].name, l->month0, &k[nc++]);
	if (!nc) {
		ok = 1;
		goto out;
	}
	argv[0] = k[0].holds, argv[1] = k[0].recs, argv[2] = k[0].back;
	argv[3] = k[0].heard, argv[4] = k[0].mark;
	for (size_t j = 0; j < nc; j++)
		argv[nk++] = k[j].spent, argv[nk++] = k[j].allow;
	argv[nk] = host, argv[nk + 1] = l->seen ? "1" : "0", argv[nk + 2] = others, argv[nk + 3] = share;
	for (size_t i = 0, j = 0; i < np; i++) {
		if (!l->caps[i].capped)
			continue;
		snprintf(num_s[3 * j], 40, "%.17g", l->caps[i].spent);
		snprintf(num_s[3 * j + 1], 40, "%.17g", l->floor[i]);
		snprintf(num_s[3 * j + 2], 40, "%.17g", l->caps[i].cap);
		for (int x = 0; x < 3; x++)
			argv[nk + na++] = num_s[3 * j + (size_t)x];
		j++;
	}
	if (!(rep = llmr_redis_eval(r, S_PEEK, lua_peek, (int)nk, (int)(nk + na), argv, &e))) {
		llmr_coord_failed(st, &e);
		goto out;
	}
	if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 * nc) {
		for (size_t i = 0, j = 0; i < np; i++) {
			if (!l->caps[i].capped)
				continue;
			l->caps[i].spent = num(rep, 2 * j);
			l->caps[i].held = num(rep, 2 * j + 1);
			l->caps[i].shared = true;
			j++;
		}
		ok = 1;
	} else {
		llmr_errf(&e, LLMR_EX_UNAVAILABLE, "redis: unexpected reply to a spend look-up");
		llmr_coord_failed(st, &e);
	}
	freeReplyObject(rep);
out:
	free(k);
	free(num_s);
	free(argv);
	return ok;
}

int llmr_coord_spend_caps(struct llmr_state *st, const struct llmr_config *cfg,
			  struct llmr_coord_cap *caps, struct llmr_err *e)
{
	struct local l = {cfg, caps, NULL, llmr_now_ms(), 0, 0, false};
	struct llmr_redis *r;
	int rc = 1;

	if (llmr_coord_mode() == LLMR_COORD_LOCAL)
		return 0;
	l.month0 = llmr_coord_month_start(l.now);
	l.floor = llmr_xcalloc(cfg->nproviders + 1, sizeof(*l.floor));
	r = llmr_coord_quota_conn(st);
	if (llmr_state_tx(st, 0, local_fn, &l, e) < 0)
		rc = -1;
	else if (!r || !peek(st, r, &l)) {
		/* Redis down: what the hold will judge, this host's allowance. */
		l.outage = true;
		if (llmr_state_tx(st, 0, local_fn, &l, e) < 0)
			rc = -1;
	}
	free(l.floor);
	return rc;
}

bool llmr_coord_cap_crossed(const struct llmr_coord_cap *c, double est_usd, char *why, size_t n)
{
	if (!c->capped || c->spent + c->held + est_usd <= c->cap + 1e-12)
		return false;
	snprintf(why, n, "%s monthly cap $%.2f: $%.4f spent, $%.4f held, ~$%.4f needed%s", c->label, c->cap,
		 c->spent, c->held, est_usd, c->shared ? " (all hosts)" : "");
	return true;
}
