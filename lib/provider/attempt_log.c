/* The core records: one row per provider attempt, the latest rate-limit
 * headers per provider and model, and the spend summed from them. */
#include "provider/attempt_log.h"

#include <string.h>

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

/* -1 (or 0 for http_status) means unknown: stored as NULL. */
static void bind_opt(sqlite3_stmt *s, int i, int64_t v, int64_t none)
{
	if (v == none || v < 0)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int64(s, i, v);
}

struct attempt_ctx {
	struct llmr_state *st;
	const struct llmr_attempt *a;
};

static const char insert_attempt_sql[] =
	"INSERT INTO requests (request_id, attempt, ts_ms, route, priority, complexity,"
	" provider, model, status, error_message, http_status, input_tokens, output_tokens,"
	" cached_tokens, cache_write_tokens, cost_usd, provider_cost_usd, latency_ms, ttft_ms,"
	" fallback_from, cache, similarity) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

static int attempt_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct attempt_ctx *c = ud;
	const struct llmr_attempt *a = c->a;
	sqlite3_stmt *s;

	(void)db;
	if (llmr_state_stmt(c->st, insert_attempt_sql, &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, a->request_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, a->attempt > 0 ? a->attempt : 1);
	sqlite3_bind_int64(s, 3, a->ts_ms);
	bind_text(s, 4, a->route);
	bind_text(s, 5, a->priority);
	bind_text(s, 6, a->complexity);
	bind_text(s, 7, a->provider);
	bind_text(s, 8, a->model);
	sqlite3_bind_text(s, 9, a->status, -1, SQLITE_STATIC);
	bind_text(s, 10, a->error_message);
	bind_opt(s, 11, a->http_status, 0);
	sqlite3_bind_int64(s, 12, a->usage.input_tokens);
	sqlite3_bind_int64(s, 13, a->usage.output_tokens);
	sqlite3_bind_int64(s, 14, a->usage.cached_tokens);
	sqlite3_bind_int64(s, 15, a->usage.cache_write_tokens);
	sqlite3_bind_double(s, 16, a->cost_usd);
	if (a->usage.provider_cost_usd >= 0)
		sqlite3_bind_double(s, 17, a->usage.provider_cost_usd);
	else
		sqlite3_bind_null(s, 17);
	bind_opt(s, 18, a->latency_ms, -1);
	bind_opt(s, 19, a->ttft_ms, -1);
	bind_text(s, 20, a->fallback_from);
	bind_text(s, 21, a->cache);
	if (a->similarity > 0)
		sqlite3_bind_double(s, 22, a->similarity);
	else
		sqlite3_bind_null(s, 22);
	return llmr_state_step_done(c->st, s, "cannot log the attempt", e);
}

int llmr_state_log_attempt(struct llmr_state *st, const struct llmr_attempt *a,
			   struct llmr_err *e)
{
	struct attempt_ctx c = {st, a};

	if (!a->request_id || !a->status)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "attempt to log has no %s",
				 a->request_id ? "status" : "request id");
	return llmr_state_tx(st, 1, attempt_fn, &c, e);
}

struct rl_ctx {
	struct llmr_state *st;
	const char *provider, *model;
	const struct llmr_ratelimit *rl;
	int64_t seen_ms;
};

static const char upsert_rl_sql[] =
	"INSERT INTO ratelimits (provider, model, seen_ms,"
	" req_limit, req_remaining, req_reset_ms, tok_limit, tok_remaining, tok_reset_ms,"
	" in_tok_limit, in_tok_remaining, in_tok_reset_ms,"
	" out_tok_limit, out_tok_remaining, out_tok_reset_ms, retry_after_ms)"
	" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
	" ON CONFLICT (provider, model) DO UPDATE SET seen_ms = excluded.seen_ms,"
	" req_limit = excluded.req_limit, req_remaining = excluded.req_remaining,"
	" req_reset_ms = excluded.req_reset_ms, tok_limit = excluded.tok_limit,"
	" tok_remaining = excluded.tok_remaining, tok_reset_ms = excluded.tok_reset_ms,"
	" in_tok_limit = excluded.in_tok_limit, in_tok_remaining = excluded.in_tok_remaining,"
	" in_tok_reset_ms = excluded.in_tok_reset_ms, out_tok_limit = excluded.out_tok_limit,"
	" out_tok_remaining = excluded.out_tok_remaining,"
	" out_tok_reset_ms = excluded.out_tok_reset_ms, retry_after_ms = excluded.retry_after_ms";

/* Seconds to whole milliseconds; negative means absent. */
static void bind_reset(sqlite3_stmt *s, int i, double sec)
{
	if (sec < 0)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int64(s, i, (int64_t)(sec * 1000.0 + 0.5));
}

static int rl_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct rl_ctx *c = ud;
	const struct llmr_ratelimit *rl = c->rl;
	sqlite3_stmt *s;

	(void)db;
	if (llmr_state_stmt(c->st, upsert_rl_sql, &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, c->provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, c->model ? c->model : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, c->seen_ms);
	bind_opt(s, 4, rl->req_limit, -1);
	bind_opt(s, 5, rl->req_remaining, -1);
	bind_reset(s, 6, rl->req_reset_s);
	bind_opt(s, 7, rl->tok_limit, -1);
	bind_opt(s, 8, rl->tok_remaining, -1);
	bind_reset(s, 9, rl->tok_reset_s);
	bind_opt(s, 10, rl->in_tok_limit, -1);
	bind_opt(s, 11, rl->in_tok_remaining, -1);
	bind_reset(s, 12, rl->in_tok_reset_s);
	bind_opt(s, 13, rl->out_tok_limit, -1);
	bind_opt(s, 14, rl->out_tok_remaining, -1);
	bind_reset(s, 15, rl->out_tok_reset_s);
	bind_reset(s, 16, rl->retry_after_s);
	return llmr_state_step_done(c->st, s, "cannot save rate limits", e);
}

int llmr_state_save_ratelimit(struct llmr_state *st, const char *provider, const char *model,
			      const struct llmr_ratelimit *rl, int64_t seen_ms, struct llmr_err *e)
{
	struct rl_ctx c = {st, provider, model, rl, seen_ms};

	if (!provider)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "rate limits to save have no provider");
	return llmr_state_tx(st, 1, rl_fn, &c, e);
}

struct spend_ctx {
	struct llmr_state *st;
	int64_t since_ms;
	double usd;
	long requests;
};

static const char spend_sql[] =
	"SELECT COALESCE(SUM(cost_usd), 0), COUNT(DISTINCT request_id)"
	" FROM requests WHERE ts_ms >= ?";

static int spend_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct spend_ctx *c = ud;
	sqlite3_stmt *s;
	int rc;

	(void)db;
	if (llmr_state_stmt(c->st, spend_sql, &s, e) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, c->since_ms);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		c->usd = sqlite3_column_double(s, 0);
		c->requests = (long)sqlite3_column_int64(s, 1);
	} else if (!llmr_state_is_busy(rc)) {
		llmr_state_dberr(c->st, "cannot sum the spend", e);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	return llmr_state_is_busy(rc) ? SQLITE_BUSY : -1;
}

int llmr_state_spend_since(struct llmr_state *st, int64_t since_ms, double *usd, long *requests,
			   struct llmr_err *e)
{
	struct spend_ctx c = {st, since_ms, 0, 0};

	if (llmr_state_tx(st, 0, spend_fn, &c, e) < 0)
		return -1;
	if (usd)
		*usd = c.usd;
	if (requests)
		*requests = c.requests;
	return 0;
}
