/*
 * http_util.c - what the endpoints share: JSON replies and OpenAI's error
 * shape, model names, the agents' log and spend, Retry-After.
 */
#include "serve/http_impl.h"

#include <stdlib.h>
#include <string.h>

#include "cost/cost.h"
#include "route/quota_report.h"

enum MHD_Result srv_reply_json(struct srv_req *r, struct MHD_Connection *c, unsigned status,
			       json_t *body, const char *const *headers)
{
	char *text = json_dumps(body, JSON_COMPACT);
	size_t n = strlen(text);
	struct MHD_Response *resp;
	enum MHD_Result rc;

	json_decref(body);
	/* A trailing newline: curl and shells print it cleanly. */
	text = llmr_xrealloc(text, n + 2);
	text[n++] = '\n';
	text[n] = '\0';
	resp = MHD_create_response_from_buffer(n, text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	for (; headers && headers[0]; headers += 2)
		if (headers[1])
			MHD_add_response_header(resp, headers[0], headers[1]);
	r->status = status;
	rc = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

json_t *srv_error_json(const char *type, const char *code, const char *param, const char *msg)
{
	return json_pack("{s:{s:s, s:s, s:s?, s:s?}}", "error", "message", msg, "type", type,
			 "param", param, "code", code);
}

enum MHD_Result srv_reply_error(struct srv_req *r, struct MHD_Connection *c, unsigned status,
				const char *type, const char *code, const char *param,
				const char *msg)
{
	return srv_reply_json(r, c, status, srv_error_json(type, code, param, msg), NULL);
}

int srv_resolve_model(const struct llmr_config *cfg, const char *name, const char **route,
		      const char **model)
{
	struct llmr_model_ref ref;
	struct llmr_err e = {0, ""};
	size_t i;

	*route = *model = NULL;
	for (i = 0; i < cfg->naliases; i++)
		if (!strcmp(cfg->aliases[i].name, name)) {
			name = cfg->aliases[i].target;
			break;
		}
	if (llmr_config_route(cfg, name)) {
		*route = name;
		return 0;
	}
	if (strchr(name, '/') && llmr_config_resolve(cfg, name, &ref, &e) == 0) {
		*model = name;
		return 0;
	}
	return -1;
}

struct agent_ctx {
	struct llmr_state *st;
	const char *agent, *id;
	double usd;
};

static const char spend_sql[] =
	"SELECT coalesce(sum(r.cost_usd), 0) FROM serve_agents a"
	" JOIN requests r ON r.request_id = a.request_id"
	" WHERE a.agent = ?1 AND a.ts_ms >= ?2 AND r.ts_ms >= ?2";

static int spend_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct agent_ctx *a = ud;
	sqlite3_stmt *s;
	int rc;

	(void)db;
	if (llmr_state_stmt(a->st, spend_sql, &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, a->agent, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, llmr_cost_month_start(llmr_now_ms(), 0));
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		a->usd = sqlite3_column_double(s, 0);
	sqlite3_reset(s);
	if (llmr_state_is_busy(rc))
		return rc;
	return rc == SQLITE_ROW ? 0 : llmr_state_dberr(a->st, "agent spend", e);
}

int srv_agent_month_spend(struct llmr_state *st, const char *agent, double *usd,
			  struct llmr_err *e)
{
	struct agent_ctx a = {st, agent, NULL, 0};

	if (llmr_state_tx(st, 0, spend_fn, &a, e) < 0)
		return -1;
	*usd = a.usd;
	return 0;
}

static const char record_sql[] =
	"INSERT OR REPLACE INTO serve_agents (request_id, agent, ts_ms) VALUES (?1, ?2, ?3)";

static int record_fn(sqlite3 *db, void *ud, struct llmr_err *e)
{
	struct agent_ctx *a = ud;
	sqlite3_stmt *s;

	(void)db;
	if (llmr_state_stmt(a->st, record_sql, &s, e) < 0)
		return -1;
	sqlite3_bind_text(s, 1, a->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, a->agent, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, llmr_now_ms());
	return llmr_state_step_done(a->st, s, "agent log", e);
}

int srv_agent_record(struct llmr_state *st, const char *id, const char *agent,
		     struct llmr_err *e)
{
	struct agent_ctx a = {st, agent, id, 0};

	return llmr_state_tx(st, 1, record_fn, &a, e);
}

long srv_retry_after(struct llmr_state *st, const struct llmr_config *cfg)
{
	struct llmr_err e = {0, ""};
	json_t *rep = llmr_quota_report(st, cfg, NULL, &e), *p;
	int64_t now = llmr_now_ms(), best = -1;
	size_t i;

	json_array_foreach(json_object_get(rep, "providers"), i, p) {
		json_t *b = json_object_get(p, "binding");
		int64_t at = json_integer_value(json_object_get(b, "resets_at"));

		if (json_is_true(json_object_get(b, "blocked")) && at > now && (best < 0 || at < best))
			best = at;
	}
	json_decref(rep);
	/* Nothing says when: a minute is what rate-limited APIs usually ask. */
	return best < 0 ? 60 : (long)((best - now + 999) / 1000);
}
