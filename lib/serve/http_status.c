/*
 * http_status.c - GET /: one self-contained HTML page for an admin who is
 * not a developer: is each provider up, how much quota is left and when it
 * comes back, breakers, degraded mode, and what was spent today and this
 * month (by route and by agent) with the month's forecast. No script, no
 * external asset; it reloads itself every 30 s.
 */
#include "serve/http_impl.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cost/cost.h"
#include "route/quota_report.h"

static void esc(struct llmr_buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '<')
			llmr_buf_adds(b, "&lt;");
		else if (*s == '>')
			llmr_buf_adds(b, "&gt;");
		else if (*s == '&')
			llmr_buf_adds(b, "&amp;");
		else if (*s == '"')
			llmr_buf_adds(b, "&quot;");
		else
			llmr_buf_add(b, s, 1);
	}
}

static void when_ms(struct llmr_buf *b, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char s[32];

	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), "%Y-%m-%d %H:%M UTC", &tm);
	llmr_buf_adds(b, s);
}

/* A time of the quota report, or "-" when it has none. */
static void when(struct llmr_buf *b, json_t *ms)
{
	if (json_is_integer(ms))
		when_ms(b, json_integer_value(ms));
	else
		llmr_buf_adds(b, "-");
}

static void window_cells(struct llmr_buf *b, json_t *windows)
{
	const char *name;
	json_t *w;

	if (!json_object_size(windows)) {
		llmr_buf_adds(b, "<td>no limits</td><td></td>");
		return;
	}
	llmr_buf_adds(b, "<td>");
	json_object_foreach(windows, name, w) {
		llmr_buf_addf(b, "%s: %lld used, <b>%lld left</b> of %lld %s<br>", name,
			      (long long)json_integer_value(json_object_get(w, "used")),
			      (long long)json_integer_value(json_object_get(w, "remaining")),
			      (long long)json_integer_value(json_object_get(w, "limit")),
			      json_string_value(json_object_get(w, "unit")));
	}
	llmr_buf_adds(b, "</td><td>");
	json_object_foreach(windows, name, w) {
		llmr_buf_addf(b, "%s: ", name);
		when(b, json_object_get(w, "resets_at"));
		llmr_buf_adds(b, "<br>");
	}
	llmr_buf_adds(b, "</td>");
}

static void providers_table(struct llmr_buf *b, json_t *rep)
{
	json_t *p, *deg = json_object_get(rep, "degraded");
	size_t i;

	llmr_buf_adds(b, "<h2>Providers</h2><table id=providers><tr><th>Provider</th><th>Status"
		      "</th><th>Breaker</th><th>Quota used / left</th><th>Next reset</th>"
		      "<th>Spent this month</th></tr>");
	json_array_foreach(json_object_get(rep, "providers"), i, p) {
		const char *br = json_string_value(json_object_get(json_object_get(p, "breaker"),
								   "state"));

		llmr_buf_adds(b, "<tr><td>");
		esc(b, json_string_value(json_object_get(p, "name")));
		llmr_buf_adds(b, "</td><td>");
		esc(b, json_string_value(json_object_get(p, "status")));
		llmr_buf_addf(b, "</td><td class=%s>", br && strcmp(br, "closed") ? "bad" : "ok");
		esc(b, br ? br : "closed");
		llmr_buf_adds(b, "</td>");
		window_cells(b, json_object_get(p, "windows"));
		llmr_buf_addf(b, "<td>$%.4f</td></tr>",
			      json_number_value(json_object_get(p, "month_spend_usd")));
	}
	llmr_buf_adds(b, "</table>");
	llmr_buf_addf(b, "<p id=degraded>Degraded mode: <b>%s</b>",
		      json_is_true(json_object_get(deg, "active")) ? "ON" : "off");
	if (json_is_true(json_object_get(deg, "active"))) {
		llmr_buf_adds(b, " (");
		esc(b, json_string_value(json_object_get(deg, "reason")));
		llmr_buf_adds(b, ")");
	}
	llmr_buf_adds(b, "</p>");
}

/* Rows of (name, today, month) from sql, whose ?1 is today's start and ?2
 * the month's. */
static void spend_table(struct llmr_buf *b, sqlite3 *db, const char *id, const char *what,
			const char *sql)
{
	int64_t now = llmr_now_ms();
	sqlite3_stmt *s;

	llmr_buf_addf(b, "<table id=%s><tr><th>%s</th><th>Today</th><th>This month</th></tr>", id,
		      what);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, now - now % 86400000);
		sqlite3_bind_int64(s, 2, llmr_cost_month_start(now, 0));
		while (sqlite3_step(s) == SQLITE_ROW) {
			llmr_buf_adds(b, "<tr><td>");
			esc(b, (const char *)sqlite3_column_text(s, 0));
			llmr_buf_addf(b, "</td><td>$%.4f</td><td>$%.4f</td></tr>",
				      sqlite3_column_double(s, 1), sqlite3_column_double(s, 2));
		}
	}
	sqlite3_finalize(s);
	llmr_buf_adds(b, "</table>");
}

static const char by_route_sql[] =
	"SELECT coalesce(route, '(none)'), sum(CASE WHEN ts_ms >= ?1 THEN cost_usd ELSE 0 END),"
	" sum(cost_usd) FROM requests WHERE ts_ms >= min(?1, ?2) GROUP BY 1 ORDER BY 3 DESC";
static const char by_agent_sql[] =
	"SELECT a.agent, sum(CASE WHEN r.ts_ms >= ?1 THEN r.cost_usd ELSE 0 END), sum(r.cost_usd)"
	" FROM serve_agents a JOIN requests r ON r.request_id = a.request_id"
	" WHERE r.ts_ms >= min(?1, ?2) GROUP BY 1 ORDER BY 3 DESC";

static void spending(struct llmr_buf *b, struct llmr_state *st)
{
	struct llmr_forecast f;
	struct llmr_err e = {0, ""};
	sqlite3 *db = llmr_state_db(st);

	llmr_buf_adds(b, "<h2>Spending</h2>");
	if (llmr_forecast_compute(db, llmr_now_ms(), NULL, NULL, &f, &e) == 0)
		llmr_buf_addf(b, "<p id=forecast>This month so far: <b>$%.4f</b>. Forecast for the "
			      "month: $%.2f to $%.2f.</p>", f.spent_usd, f.low_usd, f.high_usd);
	llmr_buf_adds(b, "<h3>By route</h3>");
	spend_table(b, db, "routes", "Route", by_route_sql);
	llmr_buf_adds(b, "<h3>By agent</h3>");
	spend_table(b, db, "agents", "Agent", by_agent_sql);
}

static const char head[] =
	"<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
	"<meta http-equiv=refresh content=30><title>llmr status</title><style>"
	"body{font:15px system-ui,sans-serif;margin:2em;color:#222}"
	"table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;"
	"padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f3f3f3}"
	".bad{color:#b00;font-weight:bold}.ok{color:#070}</style></head><body>"
	"<h1>llmr status</h1>";

enum MHD_Result srv_status_page(struct srv_req *r, struct MHD_Connection *c)
{
	struct llmr_err e = {0, ""};
	struct llmr_buf b = LLMR_BUF_INIT;
	struct llmr_state *st = srv_state_take(r->srv, &e);
	struct MHD_Response *resp;
	json_t *rep = st ? llmr_quota_report(st, r->sc->cfg, NULL, &e) : NULL;
	enum MHD_Result rc;
	size_t n;

	llmr_buf_adds(&b, head);
	llmr_buf_adds(&b, "<p>Generated ");
	when_ms(&b, llmr_now_ms());
	llmr_buf_adds(&b, "; this page refreshes every 30 seconds.</p>");
	if (rep) {
		providers_table(&b, rep);
		spending(&b, st);
	} else {
		llmr_buf_adds(&b, "<p class=bad>");
		esc(&b, e.msg);
		llmr_buf_adds(&b, "</p>");
	}
	llmr_buf_adds(&b, "</body></html>\n");
	json_decref(rep);
	srv_state_give(r->srv, st);
	n = b.len;
	resp = MHD_create_response_from_buffer(n, llmr_buf_detach(&b), MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/html; charset=utf-8");
	r->status = 200;
	rc = MHD_queue_response(c, 200, resp);
	MHD_destroy_response(resp);
	return rc;
}
