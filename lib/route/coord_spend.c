/* Monthly spending caps across hosts through Redis (coord_spend.h). */
#include "route/coord_spend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/sha256.h"
#include "route/coord_spend_seen.h"
#include "route/quota_db.h"

/* Script slots (coord_quota.c 0..4, coord_breaker.c 5..7, coord_budget.c 8,
 * coord_degrade.c 9, coord_ratelimit.c 12..13). */
enum { S_RESERVE = 10, S_RELEASE = 11, S_MONTH = 14 };

/* A host's spend only ever grows within a month: a figure lower than the
 * one in Redis is an older one (two processes publishing out of order). */
#define COORD_SPEND_PUBLISH \
	"local function publish(k, host, v)\n" \
	"  v = tonumber(v)\n" \
	"  local cur = tonumber(redis.call('HGET', k, host) or '-1')\n" \
	"  if v > cur then redis.call('HSET', k, host, string.format('%.17g', v)) end\n" \
	"  redis.call('PEXPIRE', k, 40 * 86400000)\n" \
	"end\n"

/*
 * Reserve. KEYS: 1 the holds (sorted set, score = lease end), 2 their
 * records (hash id -> JSON), 3 the id counter, 4..6 this month's provider,
 * route and total spend (hash host -> usd), 7 when Redis was last found
 * to have lost its data, 8 when each host last spoke (hash host -> ms), 9
 * the mark that Redis still holds what it was told, 10..12 each host's
 * outage allowance per scope (hash host -> usd). ARGV: 1 host, 2 est, 3
 * lease ms, 4..6 this host's spend per scope, 7..9 caps (-1 none), 10 "1"
 * when there is a route, 11..13 every host's spend per scope as this host
 * last saw it (a floor: a Redis restarted empty must not look less
 * spent), 14 "1" when this host saw Redis before this month, 15 how many
 * other hosts there are, 16 the share.
 *
 * An outage allowance is what a host may spend alone if Redis goes down
 * now: its share of what is left of the cap, set at each of its holds,
 * and held for it in every other host's check, so that the hosts alone
 * can never together cross the cap. When Redis lost its data, so did the
 * allowances: each host not heard from since keeps its share of the cap
 * held until it speaks again. Returns {1, id | 0, scope (1..3)} then
 * spent and held (allowances included) per scope, as strings (a Lua
 * number would come back an integer), then what this host's own calls in
 * flight hold per scope.
 */
static const char lua_reserve[] = COORD_SPEND_PUBLISH
	"local t = redis.call('TIME')\n"
	"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
	"local host, est, lease = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])\n"
	"local keep = 40 * 86400000\n"
	"local back = tonumber(redis.call('GET', KEYS[7]) or '0')\n"
	"if redis.call('EXISTS', KEYS[9]) == 0 and ARGV[14] == '1' then\n"
	"  back = now\n"
	"  redis.call('SET', KEYS[7], now, 'PX', keep)\n"
	"end\n"
	"redis.call('SET', KEYS[9], 1, 'PX', keep)\n"
	"redis.call('HSET', KEYS[8], host, now)\n"
	"redis.call('PEXPIRE', KEYS[8], keep)\n"
	"local unheard = 0\n"
	"if back > 0 then\n"
	"  unheard = tonumber(ARGV[15])\n"
	"  local at = redis.call('HGETALL', KEYS[8])\n"
	"  for j = 1, #at, 2 do\n"
	"    if at[j] ~= host and tonumber(at[j + 1]) >= back then unheard = unheard - 1 end\n"
	"  end\n"
	"  if unheard < 0 then unheard = 0 end\n"
	"end\n"
	"local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 500)\n"
	"for _, id in ipairs(old) do redis.call('HDEL', KEYS[2], id) end\n"
	"if #old > 0 then redis.call('ZREM', KEYS[1], unpack(old)) end\n"
	"local used = {true, ARGV[10] == '1', true}\n"
	"local held, spent, mine = {0, 0, 0}, {0, 0, 0}, {0, 0, 0}\n"
	"for i = 1, 3 do if used[i] then publish(KEYS[3 + i], host, ARGV[3 + i]) end end\n"
	"local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')\n"
	"if #live > 0 then\n"
	"  for _, s in ipairs(redis.call('HMGET', KEYS[2], unpack(live))) do\n"
	"    if s then\n"
	"      local r = cjson.decode(s)\n"
	"      for i = 1, 3 do\n"
	"        if r.k[i] == KEYS[3 + i] then\n"
	"          held[i] = held[i] + r.u\n"
	"          if r.h == host then mine[i] = mine[i] + r.u end\n"
	"        end\n"
	"      end\n"
	"    end\n"
	"  end\n"
	"end\n"
	"for i = 1, 3 do\n"
	"  if used[i] then\n"
	"    for _, v in ipairs(redis.call('HVALS', KEYS[3 + i])) do spent[i] = spent[i] + tonumber(v) end\n"
	"    if tonumber(ARGV[10 + i]) > spent[i] then spent[i] = tonumber(ARGV[10 + i]) end\n"
	"    local cap = tonumber(ARGV[6 + i])\n"
	"    if cap > 0 then\n"
	"      held[i] = held[i] + unheard * tonumber(ARGV[16]) * cap\n"
	"      local a = redis.call('HGETALL', KEYS[9 + i])\n"
	"      for j = 1, #a, 2 do if a[j] ~= host then held[i] = held[i] + tonumber(a[j + 1]) end end\n"
	"    end\n"
	"  end\n"
	"end\n"
	"local r = {1, 0}\n"
	"for i = 1, 3 do\n"
	"  local cap = tonumber(ARGV[6 + i])\n"
	"  if used[i] and cap >= 0 and spent[i] + held[i] + est > cap + 1e-12 then r = {0, i}; break end\n"
	"end\n"
	"if r[1] == 1 then\n"
	"  local id = redis.call('INCR', KEYS[3])\n"
	"  redis.call('ZADD', KEYS[1], now + lease, id)\n"
	"  redis.call('HSET', KEYS[2], id, cjson.encode({u = est, h = host, k = {KEYS[4], KEYS[5], KEYS[6]}}))\n"
	"  for k = 1, 2 do redis.call('PEXPIRE', KEYS[k], 86400000 + lease) end\n"
	"  redis.call('PEXPIRE', KEYS[3], keep)\n"
	"  for i = 1, 3 do\n"
	"    local cap = tonumber(ARGV[6 + i])\n"
	"    if used[i] and cap >= 0 then\n"
	"      local left = cap - spent[i] - held[i] - est\n"
	"      if left < 0 then left = 0 end\n"
	"      redis.call('HSET', KEYS[9 + i], host, string.format('%.17g', left * tonumber(ARGV[16])))\n"
	"      redis.call('PEXPIRE', KEYS[9 + i], keep)\n"
	"    end\n"
	"  end\n"
	"  r[2] = id\n"
	"end\n"
	"for i = 1, 3 do r[#r + 1] = string.format('%.17g', spent[i]); r[#r + 1] = string.format('%.17g', held[i]) end\n"
	"for i = 1, 3 do r[#r + 1] = string.format('%.17g', mine[i]) end\n"
	"return r\n";

/* Release. KEYS: 1, 2 as above, 3..5 the spend hashes, 6 when each host
 * last spoke. ARGV: 1 hold id, 2 host, 3..5 this host's spend per scope,
 * 6 "1" with a route. */
static const char lua_release[] = COORD_SPEND_PUBLISH
	"local t = redis.call('TIME')\n"
	"redis.call('HSET', KEYS[6], ARGV[2], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))\n"
	"redis.call('ZREM', KEYS[1], ARGV[1])\n"
	"redis.call('HDEL', KEYS[2], ARGV[1])\n"
	"for i = 1, 3 do if i ~= 2 or ARGV[6] == '1' then publish(KEYS[2 + i], ARGV[2], ARGV[2 + i]) end end\n"
	"return 1\n";

/* This host's name in Redis: the same for every process on one state file. */
void llmr_coord_spend_host(struct llmr_state *st, char out[24])
{
	char host[256] = "", hex[65], buf[600];

	gethostname(host, sizeof(host) - 1);
	snprintf(buf, sizeof(buf), "%s\n%s", host, llmr_state_file(st));
	llmr_sha256_hex(buf, strlen(buf), hex);
	snprintf(out, 24, "%.16s", hex);
}

struct keys {
	char z[96], h[100], seq[104], p[400], r[400], t[140], back[96], at[96], mark[96];
	char pa[408], ra[408], ta[148]; /* the outage allowances */
};

static void make_keys(const char *provider, const char *route, int64_t month0, struct keys *k)
{
	const char *pre = llmr_coord_prefix();
	time_t secs = (time_t)(month0 / 1000);
	struct tm tm;
	char ym[32];

	gmtime_r(&secs, &tm);
	snprintf(ym, sizeof(ym), "%04d%02d", tm.tm_year + 1900, tm.tm_mon + 1);
	snprintf(k->z, sizeof(k->z), "%sspend:holds", pre);
	snprintf(k->h, sizeof(k->h), "%s:h", k->z);
	snprintf(k->seq, sizeof(k->seq), "%s:seq", k->z);
	snprintf(k->p, sizeof(k->p), "%sspend:%s:p:%s", pre, ym, provider);
	snprintf(k->r, sizeof(k->r), "%sspend:%s:r:%s", pre, ym, route ? route : "");
	snprintf(k->t, sizeof(k->t), "%sspend:%s:t", pre, ym);
	snprintf(k->back, sizeof(k->back), "%sspend:back", pre);
	snprintf(k->at, sizeof(k->at), "%sspend:heard", pre);
	snprintf(k->mark, sizeof(k->mark), "%sspend:kept", pre);
	snprintf(k->pa, sizeof(k->pa), "%s:allow", k->p);
	snprintf(k->ra, sizeof(k->ra), "%s:allow", k->r);
	snprintf(k->ta, sizeof(k->ta), "%s:allow", k->t);
}

void llmr_coord_spend_keys(const char *provider, int64_t month0, struct llmr_coord_spend_keys *out)
{
	struct keys k;

	make_keys(provider, NULL, month0, &k);
	snprintf(out->holds, sizeof(out->holds), "%s", k.z);
	snprintf(out->recs, sizeof(out->recs), "%s", k.h);
	snprintf(out->back, sizeof(out->back), "%s", k.back);
	snprintf(out->heard, sizeof(out->heard), "%s", k.at);
	snprintf(out->mark, sizeof(out->mark), "%s", k.mark);
	snprintf(out->spent, sizeof(out->spent), "%s", k.p);
	snprintf(out->allow, sizeof(out->allow), "%s", k.pa);
}

/* What this host's log says was spent this month per scope, and its caps. */
struct own {
	struct llmr_state *st;
	const char *provider, *route;
	int64_t month0;
	double usd[3];
	double cap[3];
	double floor[3];  /* every host's spend, as last seen in Redis */
	int seen;         /* this host saw Redis this month */
};

/* Statements kept prepared (llmr_state_stmt()): every call runs them. */
static const char sum_provider_sql[] =
	"SELECT COALESCE(SUM(cost_usd),0) FROM requests WHERE provider = ?2 AND ts_ms >= ?1";
static const char sum_route_sql[] =
	"SELECT COALESCE(SUM(cost_usd),0) FROM requests WHERE route = ?2 AND ts_ms >= ?1";
static const char sum_total_sql[] = "SELECT COALESCE(SUM(cost_usd),0) FROM requests WHERE ts_ms >= ?1";
static const char cap_sql[] = "SELECT usd_per_month FROM cost_budgets WHERE scope = ?2 AND name = ?3 AND ?1 = ?1";
static const char floor_sql[] =
	"SELECT spent_usd FROM coord_spend_seen WHERE month0 = ?1 AND scope = ?2 AND name = ?3";

/* One number from sql bound to (i, a, b); *out is left alone without a
 * row. 1 a row, 0 none, -1 with e. */
static int one(struct llmr_state *st, const char *sql, int64_t i, const char *a, const char *b,
	       double *out, struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (llmr_state_stmt(st, sql, &s, e) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, i);
	if (a)
		sqlite3_bind_text(s, 2, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(s, 3, b, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*out = sqlite3_column_double(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return rc == SQLITE_ROW;
	return llmr_qdb_fail(llmr_state_db(st), rc, "cannot read spending", e);
}

/* This host's spend this month per scope; with caps, its caps and floors
 * (what it last saw of every host's spend) too. */
static int own_read(struct own *o, int caps, struct llmr_err *e)
{
	const char *scope[3] = {"provider", "route", "total"}, *name[3] = {o->provider, o->route, "all"};
	int c;

	o->usd[1] = 0;
	o->cap[1] = o->cap[2] = -1;
	if (one(o->st, sum_provider_sql, o->month0, o->provider, NULL, &o->usd[0], e) < 0 ||
	    (o->route && one(o->st, sum_route_sql, o->month0, o->route, NULL, &o->usd[1], e) < 0) ||
	    one(o->st, sum_total_sql, o->month0, NULL, NULL, &o->usd[2], e) < 0)
		return -1;
	if (!caps)
		return 0;
	if ((o->route && one(o->st, cap_sql, 0, "route", o->route, &o->cap[1], e) < 0) ||
	    one(o->st, cap_sql, 0, "total", "all", &o->cap[2], e) < 0)
		return -1;
	for (int i = 0; i < 3; i++) {
		o->floor[i] = 0;
		if (!name[i] || o->cap[i] < 0) /* a floor matters to a cap only */
			continue;
		if ((c = one(o->st, floor_sql, o->month0, scope[i], name[i], &o->floor[i], e)) < 0)
			return -1;
		o->seen |= c;
	}
	return 0;
}

static int own_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	return (void)db, own_read(ud, 1, e);
}

static int totals_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	return (void)db, own_read(ud, 0, e);
}

/* ---- reserve and release ----------------------------------------------------- */

static double num(const redisReply *r, size_t i)
{
	if (i >= r->elements)
		return 0;
	if (r->element[i]->type == REDIS_REPLY_INTEGER)
		return (double)r->element[i]->integer;
	return r->element[i]->type == REDIS_REPLY_STRING ? strtod(r->element[i]->str, NULL) : 0;
}

/* The reply says no: name the cap as spend.c does, for every host. */
static void refused(const redisReply *rep, const struct own *o, const struct llmr_spend_req *q,
		    char *why, size_t n)
{
	int i = (int)num(rep, 1) - 1;
	char label[200];

	if (i < 0 || i > 2)
		i = 2;
	if (i == 0)
		snprintf(label, sizeof(label), "provider '%s'", o->provider);
	else if (i == 1)
		snprintf(label, sizeof(label), "route '%s'", o->route);
	else
		snprintf(label, sizeof(label), "total");
	snprintf(why, n, "%s monthly cap $%.2f: $%.4f spent, $%.4f held, ~$%.4f needed (all hosts)", label,
		 o->cap[i], num(rep, 2 + 2 * (size_t)i), num(rep, 3 + 2 * (size_t)i), q->est_usd);
}

/* Remember what Redis said, for the share of an outage. */
static void record_seen(const redisReply *rep, const struct own *o, double est)
{
	struct llmr_coord_seen c = {{"provider", "route", "total"}, {NULL, NULL, NULL}, {0}, {0}, {0}, o->month0,
				    (int64_t)num(rep, 1)};
	const char *names[3] = {o->provider, o->route, "all"};

	for (int i = 0; i < 3; i++) {
		if (!names[i] || o->cap[i] < 0)
			continue;
		c.name[i] = names[i];
		c.spent[i] = num(rep, 2 + 2 * (size_t)i);
		/* Its calls in flight will be its own spend. */
		c.own[i] = o->usd[i] + num(rep, 8 + (size_t)i) + est;
		c.all[i] = num(rep, 2 + 2 * (size_t)i) + num(rep, 3 + 2 * (size_t)i) + est;
	}
	llmr_coord_seen_set(&c);
}

static void own_args(const struct own *o, char a[3][40])
{
	for (int i = 0; i < 3; i++)
		snprintf(a[i], 40, "%.17g", o->usd[i]);
}

int llmr_coord_spend_reserve(struct llmr_state *st, const struct llmr_spend_req *q,
			     struct llmr_spend_hold *h, char *why, size_t n)
{
	struct own o = {st, q->provider->name, q->route, llmr_coord_month_start(llmr_now_ms()), {0}, {0}, {0}, 0};
	struct llmr_err e = {0, ""};
	char host[24], est[40], lease[24], u[3][40], c[3][40], f[3][40], others[16], share[40];
	const char *argv[28];
	struct llmr_redis *r;
	redisReply *rep;
	struct keys k;
	int rc;

	if (llmr_coord_mode() == LLMR_COORD_LOCAL || !(r = llmr_coord_quota_conn(st)))
		return LLMR_COORD_GO_LOCAL;
	o.cap[0] = q->provider->budget_usd_per_month;
	if (llmr_state_tx(st, 0, own_fn, &o, &e) < 0)
		return LLMR_COORD_GO_LOCAL; /* the state failed: spend.c reports it */
	llmr_coord_spend_host(st, host);
	make_keys(o.provider, o.route, o.month0, &k);
	own_args(&o, u);
	for (int i = 0; i < 3; i++) {
		snprintf(c[i], sizeof(c[i]), "%.17g", o.cap[i] < 0 ? -1 : o.cap[i]);
		snprintf(f[i], sizeof(f[i]), "%.17g", o.floor[i]);
	}
	snprintf(est, sizeof(est), "%.17g", q->est_usd);
	snprintf(lease, sizeof(lease), "%lld",
		 (long long)((q->provider->timeout_ms > 0 ? q->provider->timeout_ms : 60000) + 10000));
	snprintf(others, sizeof(others), "%d", llmr_coord_other_hosts());
	snprintf(share, sizeof(share), "%.17g", llmr_coord_share());
	const char *a[28] = {k.z, k.h, k.seq, k.p, k.r, k.t, k.back, k.at, k.mark, k.pa, k.ra, k.ta,
			     host, est, lease, u[0], u[1], u[2], c[0], c[1], c[2], o.route ? "1" : "0",
			     f[0], f[1], f[2], o.seen ? "1" : "0", others, share};

	memcpy(argv, a, sizeof(a));
	if (!(rep = llmr_redis_eval(r, S_RESERVE, lua_reserve, 12, 28, argv, &e))) {
		/* Down, or a script error: either way, the share of an outage. */
		llmr_coord_failed(st, &e);
		return LLMR_COORD_GO_LOCAL;
	}
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements < 11) {
		freeReplyObject(rep);
		llmr_errf(&e, LLMR_EX_UNAVAILABLE, "redis: unexpected reply to a spend hold");
		llmr_coord_failed(st, &e);
		return LLMR_COORD_GO_LOCAL;
	}
	llmr_coord_seen_set(NULL);
	if ((rc = num(rep, 0) == 1)) {
		h->remote = (int64_t)num(rep, 1);
		snprintf(h->provider, sizeof(h->provider), "%s", o.provider);
		snprintf(h->route, sizeof(h->route), "%s", o.route ? o.route : "");
		record_seen(rep, &o, q->est_usd);
	} else {
		refused(rep, &o, q, why, n);
	}
	freeReplyObject(rep);
	return rc;
}

void llmr_coord_spend_release(struct llmr_state *st, struct llmr_spend_hold *h)
{
	struct own o = {st, h->provider, h->route[0] ? h->route : NULL, llmr_coord_month_start(llmr_now_ms()),
			{0}, {0}, {0}, 0};
	struct llmr_err e = {0, ""};
	char host[24], id[24], u[3][40];
	struct llmr_redis *r;
	redisReply *rep;
	struct keys k;
	int64_t hold = h->remote;

	if (!hold)
		return;
	h->remote = 0;
	if (llmr_coord_mode() == LLMR_COORD_LOCAL || !(r = llmr_coord_quota_conn(st)) ||
	    llmr_state_tx(st, 0, totals_fn, &o, &e) < 0)
		return;
	llmr_coord_spend_host(st, host);
	make_keys(o.provider, o.route, o.month0, &k);
	own_args(&o, u);
	snprintf(id, sizeof(id), "%lld", (long long)hold);
	const char *argv[12] = {k.z, k.h, k.p, k.r, k.t, k.at, id, host, u[0], u[1], u[2], o.route ? "1" : "0"};

	if ((rep = llmr_redis_eval(r, S_RELEASE, lua_release, 6, 12, argv, &e)))
		freeReplyObject(rep);
	else
		llmr_coord_failed(st, &e);
}

/* KEYS[1] a spend hash: every host's spend, summed, as a string. */
static const char lua_month[] =
	"local s = 0\n"
	"for _, v in ipairs(redis.call('HVALS', KEYS[1])) do s = s + tonumber(v) end\n"
	"return string.format('%.17g', s)\n";

int llmr_coord_spend_month(struct llmr_state *st, const char *provider, double *usd)
{
	struct llmr_err e = {0, ""};
	struct llmr_redis *r;
	redisReply *rep;
	struct keys k;
	int got = 0;

	if (llmr_coord_mode() == LLMR_COORD_LOCAL || !(r = llmr_coord_quota_conn(st)))
		return 0;
	make_keys(provider, NULL, llmr_coord_month_start(llmr_now_ms()), &k);
	const char *argv[1] = {k.p};

	if (!(rep = llmr_redis_eval(r, S_MONTH, lua_month, 1, 1, argv, &e))) {
		llmr_coord_failed(st, &e);
		return 0;
	}
	if (rep->type == REDIS_REPLY_STRING) {
		double all = strtod(rep->str, NULL);

		/* A host that has not published its last calls yet is this one. */
		if (all > *usd)
			*usd = all;
		got = 1;
	}
	freeReplyObject(rep);
	return got;
}
