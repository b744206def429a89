#include "net/redis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NSLOTS 24

struct llmr_redis {
	redisContext *c;
	char sha[NSLOTS][41]; /* "" until the script is loaded */
};

static char *dup_n(const char *s, size_t n)
{
	char *d = llmr_xmalloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static int parse_int(const char *s, size_t n, int lo, int hi, int *out)
{
	char buf[16], *end;
	long v;

	if (!n || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	v = strtol(buf, &end, 10);
	if (*end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

int llmr_redis_url_parse(const char *url, struct llmr_redis_url *u, struct llmr_err *e)
{
	const char *p, *at, *hend, *colon;

	memset(u, 0, sizeof(*u));
	u->port = 6379;
	if (strncmp(url, "redis://", 8))
		return llmr_errf(e, LLMR_EX_CONFIG, "coordination: not a redis:// URL");
	p = url + 8;
	hend = p + strcspn(p, "/");
	at = memchr(p, '@', (size_t)(hend - p));
	if (at) {
		colon = memchr(p, ':', (size_t)(at - p));
		if (colon) {
			u->password = dup_n(colon + 1, (size_t)(at - colon - 1));
			if (colon > p)
				u->user = dup_n(p, (size_t)(colon - p));
		} else if (at > p) {
			u->user = dup_n(p, (size_t)(at - p));
		}
		p = at + 1;
	}
	colon = memchr(p, ':', (size_t)(hend - p));
	u->host = dup_n(p, (size_t)((colon ? colon : hend) - p));
	if (!*u->host ||
	    (colon && parse_int(colon + 1, (size_t)(hend - colon - 1), 1, 65535, &u->port) < 0) ||
	    (*hend && hend[1] && parse_int(hend + 1, strlen(hend + 1), 0, 1 << 20, &u->db) < 0)) {
		llmr_redis_url_free(u);
		return llmr_errf(e, LLMR_EX_CONFIG, "coordination: bad URL: want redis://[user:password@]host:port/db");
	}
	return 0;
}

void llmr_redis_url_free(struct llmr_redis_url *u)
{
	free(u->user);
	if (u->password) {
		explicit_bzero(u->password, strlen(u->password));
		free(u->password);
	}
	free(u->host);
	memset(u, 0, sizeof(*u));
}

/* A command whose reply must be OK; frees the reply. */
static int ok_cmd(struct llmr_redis *r, struct llmr_err *e, const char *what, int argc,
		  const char **argv)
{
	redisReply *rep = redisCommandArgv(r->c, argc, argv, NULL);
	int rc = 0;

	if (!rep)
		rc = llmr_errf(e, LLMR_EX_UNAVAILABLE, "redis: %s: %s", what, r->c->errstr);
	else if (rep->type == REDIS_REPLY_ERROR)
		rc = llmr_errf(e, LLMR_EX_UNAVAILABLE, "redis: %s: %.200s", what, rep->str);
	if (rep)
		freeReplyObject(rep);
	return rc;
}

int llmr_redis_connect(const struct llmr_redis_url *u, const char *password, int timeout_ms,
		       struct llmr_redis **out, struct llmr_err *e)
{
	struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
	struct llmr_redis *r = llmr_xcalloc(1, sizeof(*r));
	char db[16];

	*out = NULL;
	r->c = redisConnectWithTimeout(u->host, u->port, tv);
	if (!r->c || r->c->err) {
		llmr_errf(e, LLMR_EX_UNAVAILABLE, "redis %s:%d: %s", u->host, u->port,
			  r->c ? r->c->errstr : "out of memory");
		goto fail;
	}
	if (redisSetTimeout(r->c, tv) != REDIS_OK) {
		llmr_errf(e, LLMR_EX_UNAVAILABLE, "redis %s:%d: cannot set the timeout", u->host, u->port);
		goto fail;
	}
	if (password && *password) {
		const char *a[3] = {"AUTH", u->user ? u->user : password, password};

		if (ok_cmd(r, e, "AUTH", u->user ? 3 : 2, a) < 0)
			goto fail;
	}
	if (u->db) {
		const char *a[2] = {"SELECT", db};

		snprintf(db, sizeof(db), "%d", u->db);
		if (ok_cmd(r, e, "SELECT", 2, a) < 0)
			goto fail;
	}
	*out = r;
	return 0;
fail:
	llmr_redis_close(r);
	return -1;
}

void llmr_redis_close(struct llmr_redis *r)
{
	if (!r)
		return;
	if (r->c)
		redisFree(r->c);
	free(r);
}

static redisReply *run(struct llmr_redis *r, const char *verb, const char *body, int nkeys,
		       int argc, const char *const *argv)
{
	const char **a = llmr_xcalloc((size_t)argc + 3, sizeof(*a));
	char nk[16];
	redisReply *rep;

	snprintf(nk, sizeof(nk), "%d", nkeys);
	a[0] = verb;
	a[1] = body;
	a[2] = nk;
	for (int i = 0; i < argc; i++)
		a[i + 3] = argv[i];
	rep = redisCommandArgv(r->c, argc + 3, a, NULL);
	free(a);
	return rep;
}

redisReply *llmr_redis_eval(struct llmr_redis *r, int slot, const char *script, int nkeys,
			    int argc, const char *const *argv, struct llmr_err *e)
{
	redisReply *rep = NULL;

	if (slot < 0 || slot >= NSLOTS || r->c->err) {
		llmr_errf(e, LLMR_EX_UNAVAILABLE, "redis: %s", r->c->err ? r->c->errstr : "bad script slot");
		return NULL;
	}
	if (r->sha[slot][0]) {
		rep = run(r, "EVALSHA", r->sha[slot], nkeys, argc, argv);
		if (rep && rep->type == REDIS_REPLY_ERROR && !strncmp(rep->str, "NOSCRIPT", 8)) {
			freeReplyObject(rep);
			rep = NULL;
		} else if (!rep) {
			llmr_errf(e, LLMR_EX_UNAVAILABLE, "redis: %s", r->c->errstr);
			return NULL;
		}
	}
	if (!rep) {
		/* EVAL runs it and caches it server-side; SCRIPT LOAD gives the SHA. */
		const char *a[3] = {"SCRIPT", "LOAD", script};
		redisReply *l = redisCommandArgv(r->c, 3, a, NULL);

		if (l && l->type == REDIS_REPLY_STRING && l->len == 40)
			memcpy(r->sha[slot], l->str, 41);
		if (l)
			freeReplyObject(l);
		if (!(rep = run(r, "EVAL", script, nkeys, argc, argv))) {
			llmr_errf(e, LLMR_EX_UNAVAILABLE, "redis: %s", r->c->errstr);
			return NULL;
		}
	}
	if (rep->type == REDIS_REPLY_ERROR) {
		llmr_errf(e, LLMR_EX_SOFTWARE, "redis script: %.300s", rep->str);
		freeReplyObject(rep);
		return NULL;
	}
	return rep;
}

int llmr_redis_ping(struct llmr_redis *r, struct llmr_err *e)
{
	const char *a[1] = {"PING"};

	return ok_cmd(r, e, "PING", 1, a);
}
