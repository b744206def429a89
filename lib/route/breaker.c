#include "route/breaker.h"

#include "route/coord_breaker.h"

#include <stdio.h>
#include <string.h>

#include "route/quota_db.h"

const char *llmr_breaker_state_name(int s)
{
	static const char *const n[] = {"closed", "open", "half-open"};

	return s >= 0 && s <= 2 ? n[s] : "?";
}

bool llmr_breaker_counts(enum llmr_errclass c)
{
	switch (c) {
	case LLMR_ERR_RATE_LIMITED:
	case LLMR_ERR_OVERLOADED:
	case LLMR_ERR_SERVER:
	case LLMR_ERR_TIMEOUT:
	case LLMR_ERR_NETWORK:
	case LLMR_ERR_PROTOCOL:
		return true;
	default:
		return false;
	}
}

int64_t llmr_breaker_cooldown(const struct llmr_provider_cfg *p)
{
	return p && p->breaker_cooldown_ms > 0 ? p->breaker_cooldown_ms : 30000;
}

int llmr_breaker_threshold(const struct llmr_provider_cfg *p)
{
	return p && p->breaker_failures > 0 ? p->breaker_failures : 5;
}

bool llmr_breaker_step_allow(struct llmr_breaker *b, int64_t now, int64_t cooldown_ms,
			     int64_t probe_lease_ms, bool *probe)
{
	*probe = false;
	if (b->state == LLMR_BREAKER_CLOSED)
		return true;
	if (b->state == LLMR_BREAKER_OPEN) {
		if (now < b->opened_ms + cooldown_ms)
			return false;
		b->state = LLMR_BREAKER_HALF_OPEN;
		b->probe_until_ms = 0;
	}
	/* Half-open: one probe at a time; a dead prober's lease runs out. */
	if (b->probe_until_ms > now)
		return false;
	b->probe_until_ms = now + probe_lease_ms;
	b->updated_ms = now;
	*probe = true;
	return true;
}

void llmr_breaker_step_record(struct llmr_breaker *b, enum llmr_errclass c, int64_t now,
			      int threshold)
{
	b->updated_ms = now;
	if (c == LLMR_ERR_NONE) {
		b->state = LLMR_BREAKER_CLOSED;
		b->failures = 0;
		b->probe_until_ms = 0;
		return;
	}
	if (!llmr_breaker_counts(c))
		return;
	snprintf(b->last_error, sizeof(b->last_error), "%s", llmr_errclass_name(c));
	b->failures++;
	if (b->state == LLMR_BREAKER_HALF_OPEN || b->failures >= threshold) {
		if (b->state != LLMR_BREAKER_OPEN)
			b->opened_ms = now;
		b->state = LLMR_BREAKER_OPEN;
		b->probe_until_ms = 0;
	}
}

bool llmr_breaker_blocks(const struct llmr_breaker *b, int64_t now, int64_t cooldown_ms,
			 char *why, size_t n)
{
	int64_t left = b->opened_ms + cooldown_ms - now;

	if (b->state == LLMR_BREAKER_OPEN && left > 0) {
		snprintf(why, n, "breaker open after %d failures (%s), retry in %.1fs", b->failures,
			 b->last_error[0] ? b->last_error : "errors", left / 1000.0);
		return true;
	}
	if (b->state == LLMR_BREAKER_HALF_OPEN && b->probe_until_ms > now) {
		snprintf(why, n, "breaker half-open: a probe is in flight");
		return true;
	}
	return false;
}

static const char get_sql[] =
	"SELECT state, failures, opened_ms, probe_until_ms, updated_ms, COALESCE(last_error,'')"
	" FROM breakers WHERE provider = ?1";

static int load(sqlite3 *db, const char *provider, struct llmr_breaker *b, struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	memset(b, 0, sizeof(*b));
	snprintf(b->provider, sizeof(b->provider), "%s", provider);
	if (llmr_qdb_stmt(db, get_sql, &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, provider, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		b->state = sqlite3_column_int(s, 0);
		b->failures = sqlite3_column_int(s, 1);
		b->opened_ms = sqlite3_column_int64(s, 2);
		b->probe_until_ms = sqlite3_column_int64(s, 3);
		b->updated_ms = sqlite3_column_int64(s, 4);
		snprintf(b->last_error, sizeof(b->last_error), "%s", (const char *)sqlite3_column_text(s, 5));
	}
	llmr_qdb_done(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : llmr_qdb_fail(db, rc, "cannot read breaker", e);
}

static int store(sqlite3 *db, const struct llmr_breaker *b, struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (llmr_qdb_stmt(db, "INSERT OR REPLACE INTO breakers (provider, state, failures, opened_ms,"
			     " probe_until_ms, updated_ms, last_error) VALUES (?,?,?,?,?,?,?)", &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, b->provider, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, b->state);
	sqlite3_bind_int(s, 3, b->failures);
	sqlite3_bind_int64(s, 4, b->opened_ms);
	sqlite3_bind_int64(s, 5, b->probe_until_ms);
	sqlite3_bind_int64(s, 6, b->updated_ms);
	sqlite3_bind_text(s, 7, b->last_error, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	llmr_qdb_done(s);
	return rc == SQLITE_DONE ? 0 : llmr_qdb_fail(db, rc, "cannot store breaker", e);
}

struct get_ctx {
	const char *provider;
	struct llmr_breaker *b;
};

static int get_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct get_ctx *c = ud;

	return load(db, c->provider, c->b, e);
}

int llmr_breaker_get(struct llmr_state *st, const char *provider, struct llmr_breaker *b,
		     struct llmr_err *e)
{
	struct get_ctx c = {provider, b};

	/* Coordinated: the breaker every host shares, unless Redis is down. */
	if (llmr_coord_breaker_get(st, provider, b) == 0)
		return 0;
	return llmr_state_tx(st, 0, get_fn, &c, e);
}

struct allow_ctx {
	const struct llmr_provider_cfg *p;
	bool allowed, probe;
	char *why;
	size_t n;
	enum llmr_errclass cls;
};

static int allow_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct allow_ctx *c = ud;
	struct llmr_breaker b, before;
	int64_t now = llmr_now_ms(), cool = llmr_breaker_cooldown(c->p);
	int64_t lease = (c->p->timeout_ms > 0 ? c->p->timeout_ms : 60000) + 5000;

	if (load(db, c->p->name, &b, e) < 0)
		return -1;
	before = b;
	c->allowed = llmr_breaker_step_allow(&b, now, cool, lease, &c->probe);
	if (!c->allowed)
		llmr_breaker_blocks(&b, now, cool, c->why, c->n);
	if (memcmp(&before, &b, sizeof(b)))
		return store(db, &b, e);
	return 0;
}

int llmr_breaker_allow(struct llmr_state *st, const struct llmr_provider_cfg *p, bool *allowed,
		       bool *probe, char *why, size_t n, struct llmr_err *e)
{
	struct allow_ctx c = {p, true, false, why, n, LLMR_ERR_NONE};
	struct llmr_breaker b;
	int rc;

	why[0] = '\0';
	if (llmr_coord_breaker_allow(st, p->name, llmr_breaker_cooldown(p),
				     (p->timeout_ms > 0 ? p->timeout_ms : 60000) + 5000, allowed, probe, &b) == 0) {
		if (!*allowed)
			llmr_breaker_blocks(&b, llmr_now_ms(), llmr_breaker_cooldown(p), why, n);
		return 0;
	}
	rc = llmr_state_tx(st, 1, allow_fn, &c, e);
	*allowed = rc < 0 ? true : c.allowed;
	if (probe)
		*probe = c.probe;
	return rc;
}

static int record_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct allow_ctx *c = ud;
	struct llmr_breaker b, before;

	if (load(db, c->p->name, &b, e) < 0)
		return -1;
	before = b;
	llmr_breaker_step_record(&b, c->cls, llmr_now_ms(), llmr_breaker_threshold(c->p));
	/* A success on a closed, clean breaker changes nothing worth a write. */
	if (c->cls == LLMR_ERR_NONE && before.state == LLMR_BREAKER_CLOSED && !before.failures)
		return 0;
	return store(db, &b, e);
}

int llmr_breaker_record(struct llmr_state *st, const struct llmr_provider_cfg *p,
			enum llmr_errclass c, struct llmr_err *e)
{
	struct allow_ctx ctx = {p, true, false, NULL, 0, c};

	if (c != LLMR_ERR_NONE && !llmr_breaker_counts(c))
		return 0;
	if (llmr_coord_breaker_record(st, p->name, c, llmr_breaker_threshold(p)) == 0)
		return 0;
	return llmr_state_tx(st, 1, record_fn, &ctx, e);
}

static int reset_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	const char *provider = ud;
	sqlite3_stmt *s;
	int rc;

	if (llmr_qdb_stmt(db, "DELETE FROM breakers WHERE ?1 IS NULL OR provider = ?1", &s, e) < 0)
		return -1;
	if (provider)
		sqlite3_bind_text(s, 1, provider, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	llmr_qdb_done(s);
	return rc == SQLITE_DONE ? 0 : llmr_qdb_fail(db, rc, "cannot reset breaker", e);
}

int llmr_breaker_reset(struct llmr_state *st, const char *provider, struct llmr_err *e)
{
	/* Both: Redis's for every host, and this file's for an outage. */
	llmr_coord_breaker_reset(st, provider);
	return llmr_state_tx(st, 1, reset_fn, (void *)provider, e);
}
