#include "route/coord_quota.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/calreset.h"
#include "base/interrupt.h"
#include "base/sha256.h"
#include "route/coord_lua.h"
#include "route/coord_sync.h"
#include "route/quota_db.h"

enum { S_ACQUIRE, S_FINISH, S_IMPORT, S_USAGE, S_RETURNING };

struct keys {
	char pz[300], ph[304], mz[600], mh[604], rl[600];
};

static void make_keys(const char *provider, const char *model, struct keys *k)
{
	snprintf(k->pz, sizeof(k->pz), "%sq:%s", llmr_coord_prefix(), provider);
	snprintf(k->ph, sizeof(k->ph), "%s:h", k->pz);
	snprintf(k->mz, sizeof(k->mz), "%s/%s", k->pz, model ? model : "");
	snprintf(k->mh, sizeof(k->mh), "%s:h", k->mz);
	llmr_coord_ratelimit_key(provider, model, k->rl, sizeof(k->rl));
}

/* The calendar of l's daily windows for the scripts (coord_lua.h, usage):
 * ms since the last rpd reset and to the next, the same for tpd; -1 when
 * a window has no reset. */
static void put_calendar(char a[][24], const struct llmr_limits *l)
{
	const char *spec[2] = {l ? l->rpd_reset : NULL, l ? l->tpd_reset : NULL};
	int64_t now = llmr_now_ms();
	char tz[128], why[300];
	int minute;

	for (int i = 0; i < 2; i++) {
		if (!spec[i] || llmr_reset_parse(spec[i], &minute, tz, sizeof(tz), why, sizeof(why)) < 0) {
			snprintf(a[2 * i], 24, "-1");
			snprintf(a[2 * i + 1], 24, "-1");
			continue;
		}
		snprintf(a[2 * i], 24, "%lld", (long long)(now - llmr_reset_last(now, minute, tz)));
		snprintf(a[2 * i + 1], 24, "%lld", (long long)(llmr_reset_next(now, minute, tz) - now));
	}
}

static int has_limits(const struct llmr_limits *l)
{
	return l->rps >= 0 || l->rpm >= 0 || l->rpd >= 0 || l->tps >= 0 || l->tpm >= 0 ||
	       l->tpd >= 0 || l->concurrent >= 0;
}

static void put_limits(char a[][24], const struct llmr_limits *l)
{
	long v[LLMR_QW_N] = {l->rps, l->rpm, l->rpd, l->tps, l->tpm, l->tpd, l->concurrent};

	for (int i = 0; i < LLMR_QW_N; i++)
		snprintf(a[i], 24, "%ld", v[i]);
}

static long long elem(const redisReply *r, size_t i)
{
	return i < r->elements && r->element[i]->type == REDIS_REPLY_INTEGER ? r->element[i]->integer : 0;
}

/* A refusal by what some host's response headers said (coord_lua.h). */
static void header_why(long long w, const redisReply *rep, long tokens, int64_t wait_ms, char *why,
		       size_t n)
{
	double in = (double)(wait_ms > 0 ? wait_ms : 0) / 1000.0;

	if (w == 7)
		snprintf(why, n, "cooldown: provider said retry after %.1fs (all hosts)", in);
	else if (w == 8)
		snprintf(why, n, "provider headers: no requests remaining (resets in %.1fs, all hosts)", in);
	else
		snprintf(why, n, "provider headers: %lld tokens remaining, ~%ld needed (resets in %.1fs, all hosts)",
			 elem(rep, 3) - elem(rep, 2), tokens, in);
}

struct try {
	struct llmr_redis *r;
	const struct llmr_provider_cfg *p;
	const struct llmr_model_cfg *m;
	long tokens;
	int64_t lease_ms;
	int64_t wait_ms; /* when a retry is worth it; -1 never */
};

/* One atomic attempt: 1 admitted, 0 not (why, t->wait_ms), -1 Redis failed. */
static int try_once(struct try *t, struct llmr_quota_res *res, char *why, size_t n, struct llmr_err *e)
{
	static const struct llmr_limits none = {-1, -1, -1, -1, -1, -1, -1, NULL, NULL};
	int mscope = t->m && has_limits(&t->m->limits);
	char a[28][24], seq[80], ret[80];
	const char *argv[34];
	struct keys k;
	redisReply *rep;
	int rc = 0;

	make_keys(t->p->name, t->m ? t->m->name : "", &k);
	snprintf(seq, sizeof(seq), "%sseq", llmr_coord_prefix());
	snprintf(ret, sizeof(ret), "%sreturning", llmr_coord_prefix());
	snprintf(a[17], 24, "%.6f", llmr_coord_share());
	snprintf(a[18], 24, "%d", llmr_coord_other_hosts());
	snprintf(a[0], 24, "%ld", t->tokens);
	snprintf(a[1], 24, "%lld", (long long)t->lease_ms);
	snprintf(a[2], 24, "%d", mscope);
	put_limits(&a[3], &t->p->limits);
	put_limits(&a[10], mscope ? &t->m->limits : &none);
	put_calendar(&a[20], &t->p->limits);
	put_calendar(&a[24], mscope ? &t->m->limits : NULL);
	argv[0] = k.pz, argv[1] = k.ph, argv[2] = k.mz, argv[3] = k.mh, argv[4] = k.rl;
	for (int i = 0; i < 17; i++)
		argv[5 + i] = a[i];
	argv[22] = seq;
	argv[23] = ret;
	argv[24] = a[17];
	argv[25] = a[18];
	for (int i = 0; i < 8; i++)
		argv[26 + i] = a[20 + i];
	if (!(rep = llmr_redis_eval(t->r, S_ACQUIRE, coord_lua_acquire, 5, 34, argv, e)))
		return -1;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements < 3) {
		rc = llmr_errf(e, LLMR_EX_SOFTWARE, "redis: unexpected reply to a reservation");
	} else if (elem(rep, 0) == 1) {
		res->id = elem(rep, 1);
		res->t_start = elem(rep, 2);
		res->tokens = t->tokens;
		res->remote = 1;
		res->p = t->p;
		res->m = mscope ? t->m : NULL;
		rc = 1;
	} else {
		long long w = elem(rep, 1) - 1, fa = elem(rep, 4);

		/* The reply's times are Redis's: a delay travels between clocks,
		 * an instant does not. Entries in flight report "now". */
		t->wait_ms = fa < 0 ? -1 : fa > elem(rep, 6) ? fa - elem(rep, 6) : 0;
		/* Named here, not by llmr_qwin_name(): quota_status.c calls
		 * this file, so this file must not call it back. */
		static const char *const names[] = {"rps", "rpm", "rpd", "tps", "tpm", "tpd", "concurrent"};

		if (w >= 7)
			header_why(w, rep, t->tokens, t->wait_ms, why, n);
		else
			snprintf(why, n, "%s exhausted (%lld/%lld%s, all hosts)", w >= 0 ? names[w] : "?",
				 elem(rep, 2), elem(rep, 3), elem(rep, 5) ? ", model" : "");
	}
	freeReplyObject(rep);
	return rc;
}

/* Per-process jitter, so that waiters on several hosts do not poll in step. */
static int jitter(int mod)
{
	static unsigned seed;

	if (!seed)
		seed = (unsigned)getpid() ^ (unsigned)llmr_mono_ms();
	return rand_r(&seed) % mod;
}

/* A name for a local row that is the same on every copy: host, state
 * file, row id. */
static void member_of(struct llmr_state *st, int64_t id, char *out, size_t n)
{
	char host[256] = "", hex[65], buf[600];

	gethostname(host, sizeof(host) - 1);
	snprintf(buf, sizeof(buf), "%s\n%s", host, llmr_state_file(st));
	llmr_sha256_hex(buf, strlen(buf), hex);
	snprintf(out, n, "L%.16s:%lld", hex, (long long)id);
}

/*
 * Redis is back: copy in the local reservations taken since the outage
 * began (those this process claims), so that the windows in Redis count
 * what the hosts did alone. A row's name is the same on every copy, so a
 * copy made twice is counted once.
 */
static void resync(struct llmr_state *st, struct llmr_redis *r, int64_t since)
{
	struct llmr_coord_row *rows;
	struct llmr_err e = {0, ""};
	int64_t now = llmr_now_ms();
	size_t n;

	if (llmr_coord_sync_claim(st, since, &rows, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		char mem[64], age[24], tok[24], held[4];
		const char *argv[8];
		struct keys k;
		redisReply *rep;

		make_keys(rows[i].provider, rows[i].model, &k);
		member_of(st, rows[i].id, mem, sizeof(mem));
		snprintf(age, sizeof(age), "%lld", (long long)(now - rows[i].t_end));
		snprintf(tok, sizeof(tok), "%ld", rows[i].tokens);
		snprintf(held, sizeof(held), "%d", rows[i].held);
		argv[0] = k.pz, argv[1] = k.ph, argv[2] = k.mz, argv[3] = k.mh;
		argv[4] = mem, argv[5] = age, argv[6] = tok, argv[7] = held;
		if (!(rep = llmr_redis_eval(r, S_IMPORT, coord_lua_import, 4, 8, argv, &e)))
			break;
		freeReplyObject(rep);
	}
	free(rows);
}

/* Tell the other hosts, through Redis, that hosts may still be admitting
 * alone for a moment: until each notices Redis is back (it retries once
 * a second), plus the bound. */
static void returning(struct llmr_redis *r)
{
	struct llmr_err e = {0, ""};
	char key[80], ms[24];
	const char *argv[2] = {key, ms};
	redisReply *rep;

	snprintf(key, sizeof(key), "%sreturning", llmr_coord_prefix());
	snprintf(ms, sizeof(ms), "%d", 2 * LLMR_COORD_RETRY_MS);
	if ((rep = llmr_redis_eval(r, S_RETURNING, coord_lua_returning, 1, 2, argv, &e)))
		freeReplyObject(rep);
}

struct llmr_redis *llmr_coord_quota_conn(struct llmr_state *st)
{
	int64_t since = 0;
	struct llmr_redis *r = llmr_coord_redis(st, &since);

	if (r && since && st) {
		resync(st, r, since);
		returning(r);
	}
	return r;
}

int llmr_coord_quota_acquire(struct llmr_state *st, const struct llmr_provider_cfg *p,
			     const struct llmr_model_cfg *m, long tokens, int64_t max_wait_ms,
			     struct llmr_quota_res *res, char *why, size_t n, struct llmr_err *e)
{
	struct try t = {NULL, p, m, tokens, (p->timeout_ms > 0 ? p->timeout_ms : 60000) + 10000, 0};
	int64_t deadline = llmr_mono_ms() + (max_wait_ms > 0 ? max_wait_ms : 0), d;
	struct llmr_err re = {0, ""};
	int rc;

	if (llmr_coord_mode() == LLMR_COORD_LOCAL)
		return LLMR_COORD_GO_LOCAL;
	for (;;) {
		if (!(t.r = llmr_coord_quota_conn(st)))
			return LLMR_COORD_GO_LOCAL;
		if ((rc = try_once(&t, res, why, n, &re)) < 0) {
			if (re.code != LLMR_EX_UNAVAILABLE) {
				/* The script failed: a bug, not an outage. */
				llmr_errf(e, re.code, "%s", re.msg);
				return -1;
			}
			llmr_coord_failed(st, &re);
			return LLMR_COORD_GO_LOCAL;
		}
		if (rc == 1)
			return 1;
		d = t.wait_ms < 0 ? -1 : t.wait_ms > 100 ? 100 : t.wait_ms;
		if (max_wait_ms <= 0 || d < 0 || llmr_mono_ms() + t.wait_ms > deadline + 100000 ||
		    llmr_mono_ms() >= deadline || *llmr_interrupt_flag())
			return 0;
		d += 1 + jitter(8);
		if (llmr_mono_ms() + d > deadline)
			d = deadline - llmr_mono_ms();
		llmr_sleep_ms(d > 0 ? d : 0);
	}
}

/* Run the finish script on member id of p/m's sets. */
static void finish_member(struct llmr_state *st, struct llmr_redis *r, const char *p, const char *m,
			  const char *id, long tokens, int drop, int64_t t_start)
{
	struct llmr_err e = {0, ""};
	char tok[24], start[24];
	const char *argv[8];
	struct keys k;
	redisReply *rep;
	int nk = m ? 4 : 2;

	make_keys(p, m ? m : "", &k);
	snprintf(tok, sizeof(tok), "%ld", tokens < 0 ? 0 : tokens);
	snprintf(start, sizeof(start), "%lld", (long long)t_start);
	argv[0] = k.pz, argv[1] = k.ph, argv[2] = k.mz, argv[3] = k.mh;
	argv[nk] = id, argv[nk + 1] = tok, argv[nk + 2] = drop ? "drop" : "settle", argv[nk + 3] = start;
	if ((rep = llmr_redis_eval(r, S_FINISH, coord_lua_finish, nk, nk + 4, argv, &e)))
		freeReplyObject(rep);
	else if (e.code == LLMR_EX_UNAVAILABLE)
		llmr_coord_failed(st, &e);
}

void llmr_coord_quota_finish(struct llmr_state *st, struct llmr_quota_res *res, long tokens, int drop)
{
	struct llmr_redis *r = llmr_coord_quota_conn(st);
	char id[24];

	if (r) {
		snprintf(id, sizeof(id), "%lld", (long long)res->id);
		finish_member(st, r, res->p->name, res->m ? res->m->name : NULL, id, tokens, drop, res->t_start);
	}
	memset(res, 0, sizeof(*res));
}

void llmr_coord_quota_local_done(struct llmr_state *st, const struct llmr_quota_res *res, long tokens,
				 int drop)
{
	struct llmr_redis *r;
	char mem[64];

	if (llmr_coord_mode() == LLMR_COORD_LOCAL || !res->p || !(r = llmr_coord_quota_conn(st)))
		return;
	member_of(st, res->id, mem, sizeof(mem));
	/* Both scopes: a copy went into the model's sets too. */
	finish_member(st, r, res->p->name, res->m ? res->m->name : "", mem, tokens, drop, 0);
}

static void share_limits(struct llmr_limits *l)
{
	l->rps = llmr_coord_share_limit(l->rps);
	l->rpm = llmr_coord_share_limit(l->rpm);
	l->rpd = llmr_coord_share_limit(l->rpd);
	l->tps = llmr_coord_share_limit(l->tps);
	l->tpm = llmr_coord_share_limit(l->tpm);
	l->tpd = llmr_coord_share_limit(l->tpd);
	l->concurrent = llmr_coord_share_limit(l->concurrent);
}

void llmr_coord_local_cfg(const struct llmr_provider_cfg **p, struct llmr_provider_cfg *pcopy,
			  const struct llmr_model_cfg **m, struct llmr_model_cfg *mcopy)
{
	if (llmr_coord_mode() == LLMR_COORD_LOCAL)
		return;
	*pcopy = **p;
	share_limits(&pcopy->limits);
	*p = pcopy;
	if (*m) {
		*mcopy = **m;
		share_limits(&mcopy->limits);
		*m = mcopy;
	}
}

int llmr_coord_quota_usage(struct llmr_state *st, const struct llmr_provider_cfg *p,
			   const struct llmr_model_cfg *m, struct llmr_quota_win w[LLMR_QW_N])
{
	struct llmr_err e = {0, ""};
	struct llmr_redis *r;
	const char *argv[6];
	char cal[4][24];
	struct keys k;
	redisReply *rep;
	int64_t now = llmr_now_ms(), rnow;

	if (llmr_coord_mode() == LLMR_COORD_LOCAL || !(r = llmr_coord_quota_conn(st)))
		return 0;
	make_keys(p->name, m ? m->name : "", &k);
	put_calendar(cal, m ? &m->limits : &p->limits);
	argv[0] = m ? k.mz : k.pz, argv[1] = m ? k.mh : k.ph;
	for (int i = 0; i < 4; i++)
		argv[2 + i] = cal[i];
	if (!(rep = llmr_redis_eval(r, S_USAGE, coord_lua_usage, 2, 6, argv, &e))) {
		if (e.code == LLMR_EX_UNAVAILABLE)
			llmr_coord_failed(st, &e);
		return 0;
	}
	rnow = elem(rep, 14);
	for (int i = 0; i < LLMR_QW_N && rep->elements >= 15; i++) {
		long long fa = elem(rep, (size_t)i + 7);

		w[i].used = (long)elem(rep, (size_t)i);
		/* Redis's instant, told on this host's clock. */
		w[i].free_at = fa > 0 ? now + (fa - rnow) : 0;
	}
	freeReplyObject(rep);
	return 1;
}
