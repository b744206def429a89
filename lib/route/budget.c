#include "route/budget.h"

#include "route/coord_budget.h"

#include <stdio.h>
#include <string.h>

#include "base/interrupt.h"
#include "route/quota_db.h"

const char *llmr_budget_verdict_name(enum llmr_budget_verdict v)
{
	static const char *const n[] = {"run", "cheapest", "wait", "degrade", "skip"};

	return v <= LLMR_BUDGET_SKIP ? n[v] : "?";
}

enum llmr_budget_verdict llmr_budget_policy(int priority, bool spent)
{
	if (!spent)
		return LLMR_BUDGET_RUN;
	if (priority <= 0)
		return LLMR_BUDGET_CHEAPEST;
	return priority == 1 ? LLMR_BUDGET_WAIT : LLMR_BUDGET_SKIP;
}

bool llmr_budget_spent(const struct llmr_budget *b, double est_usd)
{
	if (b->closed_ms)
		return true;
	if (b->calls_max >= 0 && b->calls_used >= b->calls_max)
		return true;
	return b->usd_max >= 0 && b->usd_used + b->usd_held + est_usd > b->usd_max + 1e-12;
}

static const char get_sql[] =
	"SELECT calls_max, calls_used, calls_held, over_calls, skipped, usd_max, usd_used, usd_held,"
	" created_ms, COALESCE(closed_ms, 0) FROM request_budgets WHERE id = ?1";

static int load(sqlite3 *db, const char *id, struct llmr_budget *b, struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	memset(b, 0, sizeof(*b));
	snprintf(b->id, sizeof(b->id), "%s", id);
	if (llmr_qdb_stmt(db, get_sql, &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		b->calls_max = (long)sqlite3_column_int64(s, 0);
		b->calls_used = (long)sqlite3_column_int64(s, 1);
		b->calls_held = (long)sqlite3_column_int64(s, 2);
		b->over_calls = (long)sqlite3_column_int64(s, 3);
		b->skipped = (long)sqlite3_column_int64(s, 4);
		b->usd_max = sqlite3_column_double(s, 5);
		b->usd_used = sqlite3_column_double(s, 6);
		b->usd_held = sqlite3_column_double(s, 7);
		b->created_ms = sqlite3_column_int64(s, 8);
		b->closed_ms = sqlite3_column_int64(s, 9);
	}
	llmr_qdb_done(s);
	if (rc == SQLITE_DONE)
		return llmr_errf(e, LLMR_EX_DATAERR, "unknown budget '%s'", id);
	return rc == SQLITE_ROW ? 0 : llmr_qdb_fail(db, rc, "cannot read budget", e);
}

static int store(sqlite3 *db, const struct llmr_budget *b, struct llmr_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (llmr_qdb_stmt(db, "UPDATE request_budgets SET calls_used = ?2, calls_held = ?3,"
			     " over_calls = ?4, skipped = ?5, usd_used = ?6, usd_held = ?7,"
			     " closed_ms = NULLIF(?8, 0) WHERE id = ?1", &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, b->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, b->calls_used);
	sqlite3_bind_int64(s, 3, b->calls_held);
	sqlite3_bind_int64(s, 4, b->over_calls);
	sqlite3_bind_int64(s, 5, b->skipped);
	sqlite3_bind_double(s, 6, b->usd_used);
	sqlite3_bind_double(s, 7, b->usd_held < 1e-12 ? 0 : b->usd_held);
	sqlite3_bind_int64(s, 8, b->closed_ms);
	rc = sqlite3_step(s);
	llmr_qdb_done(s);
	return rc == SQLITE_DONE ? 0 : llmr_qdb_fail(db, rc, "cannot update budget", e);
}

struct open_ctx {
	long calls;
	double usd;
	char *id;
};

static int open_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct open_ctx *c = ud;
	sqlite3_stmt *s;
	int rc;

	if (llmr_qdb_stmt(db, "INSERT INTO request_budgets (id, calls_max, usd_max, created_ms)"
			     " VALUES (?,?,?,?)", &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, c->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, c->calls < 0 ? -1 : c->calls);
	sqlite3_bind_double(s, 3, c->usd < 0 ? -1 : c->usd);
	sqlite3_bind_int64(s, 4, llmr_now_ms());
	rc = sqlite3_step(s);
	llmr_qdb_done(s);
	return rc == SQLITE_DONE ? 0 : llmr_qdb_fail(db, rc, "cannot open budget", e);
}

int llmr_budget_open(struct llmr_state *st, long calls, double usd, char id[48],
		     struct llmr_err *e)
{
	char rid[40];
	struct open_ctx c = {calls, usd, id};

	llmr_new_request_id(rid);
	snprintf(id, 48, "b-%s", rid[0] == 'r' && rid[1] == '-' ? rid + 2 : rid);
	/* Coordinated: in Redis, for the agents of every host. */
	if (llmr_coord_budget_open(st, calls, usd, id) == 0)
		return 0;
	return llmr_state_tx(st, 1, open_fn, &c, e);
}

struct get_ctx {
	const char *id;
	struct llmr_budget *b;
};

static int get_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct get_ctx *c = ud;

	return load(db, c->id, c->b, e);
}

int llmr_budget_get(struct llmr_state *st, const char *id, struct llmr_budget *b,
		    struct llmr_err *e)
{
	struct get_ctx c = {id, b};

	if (llmr_coord_budget_get(st, id, b) == 0)
		return 0;
	return llmr_state_tx(st, 0, get_fn, &c, e);
}

static int close_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct llmr_budget b;

	if (load(db, ud, &b, e) < 0)
		return -1;
	if (!b.closed_ms)
		b.closed_ms = llmr_now_ms();
	return store(db, &b, e);
}

int llmr_budget_close(struct llmr_state *st, const char *id, struct llmr_err *e)
{
	if (llmr_coord_budget_close(st, id) == 0)
		return 0;
	return llmr_state_tx(st, 1, close_fn, (void *)id, e);
}

struct draw_ctx {
	const char *id;
	int priority;
	double est;
	bool last_try;          /* P1 has waited long enough */
	struct llmr_budget_ticket *t;
	enum llmr_budget_verdict v;
	long held;              /* calls in flight seen */
};

static int draw_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct draw_ctx *c = ud;
	struct llmr_budget b;

	if (load(db, c->id, &b, e) < 0)
		return -1;
	c->held = b.calls_held;
	c->v = llmr_budget_policy(c->priority, llmr_budget_spent(&b, c->est));
	/* Nothing in flight can come back to a P1: waiting is pointless. */
	if (c->v == LLMR_BUDGET_WAIT && (c->last_try || b.calls_held == 0 || b.closed_ms))
		c->v = LLMR_BUDGET_DEGRADE;
	switch (c->v) {
	case LLMR_BUDGET_RUN:
	case LLMR_BUDGET_CHEAPEST:
		/* Over-budget P0 calls are counted apart, so that a refund
		 * still frees a slot within the budget. */
		if (c->v == LLMR_BUDGET_CHEAPEST)
			b.over_calls++;
		else
			b.calls_used++;
		b.calls_held++;
		b.usd_held += c->est;
		c->t->drawn = true;
		c->t->over = c->v == LLMR_BUDGET_CHEAPEST;
		c->t->usd_held = c->est;
		break;
	case LLMR_BUDGET_WAIT:
		return 0;
	default:
		b.skipped++;
		break;
	}
	return store(db, &b, e);
}

int llmr_budget_draw(struct llmr_state *st, const char *id, int priority, double est_usd,
		     int64_t max_wait_ms, struct llmr_budget_ticket *t,
		     enum llmr_budget_verdict *verdict, struct llmr_err *e)
{
	struct draw_ctx c = {id, priority, est_usd < 0 ? 0 : est_usd, false, t, LLMR_BUDGET_RUN, 0};
	int64_t deadline = llmr_now_ms() + (max_wait_ms > 0 ? max_wait_ms : 0);

	memset(t, 0, sizeof(*t));
	snprintf(t->id, sizeof(t->id), "%s", id);
	for (;;) {
		c.last_try = llmr_now_ms() >= deadline || *llmr_interrupt_flag();
		if (llmr_coord_budget_draw(st, id, priority, c.est, c.last_try, t, &c.v) != 0 &&
		    llmr_state_tx(st, 1, draw_fn, &c, e) < 0)
			return -1;
		if (c.v != LLMR_BUDGET_WAIT)
			break;
		llmr_sleep_ms(50);
	}
	*verdict = c.v;
	return 0;
}

struct fin_ctx {
	struct llmr_budget_ticket *t;
	double usd;
	bool refund;
};

static int fin_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct fin_ctx *c = ud;
	struct llmr_budget b;

	if (load(db, c->t->id, &b, e) < 0)
		return -1;
	b.usd_held -= c->t->usd_held;
	if (b.usd_held < 0)
		b.usd_held = 0;
	b.usd_used += c->usd;
	if (c->t->drawn && b.calls_held > 0)
		b.calls_held--;
	if (c->refund && c->t->drawn) {
		if (c->t->over)
			b.over_calls--;
		else
			b.calls_used--;
	}
	return store(db, &b, e);
}

static int finish(struct llmr_state *st, struct llmr_budget_ticket *t, double usd, bool refund,
		  struct llmr_err *e)
{
	struct fin_ctx c = {t, usd < 0 ? 0 : usd, refund};
	int rc;

	if (!t->drawn && usd <= 0)
		return 0;
	if (t->remote) {
		llmr_coord_budget_finish(st, t, c.usd, refund);
		t->drawn = false;
		t->usd_held = 0;
		return 0;
	}
	rc = llmr_state_tx(st, 1, fin_fn, &c, e);
	t->drawn = false;
	t->usd_held = 0;
	return rc;
}

int llmr_budget_settle(struct llmr_state *st, struct llmr_budget_ticket *t, double actual_usd,
		       struct llmr_err *e)
{
	return finish(st, t, actual_usd, false, e);
}

int llmr_budget_refund(struct llmr_state *st, struct llmr_budget_ticket *t, double actual_usd,
		       struct llmr_err *e)
{
	return finish(st, t, actual_usd, true, e);
}
