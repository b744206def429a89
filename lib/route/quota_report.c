#include "route/quota_report.h"
#include "route/verified.h"

#include "route/coord_ratelimit.h"
#include "route/coord_report.h"
#include "route/coord_spend.h"

#include <stdio.h>
#include <string.h>

#include "route/breaker.h"
#include "route/degrade.h"
#include "route/quota.h"
#include "route/quota_calendar.h"
#include "route/route_view.h"

static const char *status_name(enum llmr_pstatus s)
{
	return s == LLMR_PSTATUS_INACTIVE ? "inactive" : s == LLMR_PSTATUS_TESTING ? "testing" : "active";
}

static const char *tier_name(enum llmr_tier t)
{
	return t == LLMR_TIER_FREE ? "free" : t == LLMR_TIER_ENTERPRISE ? "enterprise" : "paid";
}

static const char *unit_of(int w)
{
	return w == LLMR_QW_TPS || w == LLMR_QW_TPM || w == LLMR_QW_TPD ? "tok" : "req";
}

static long left_in(const struct llmr_quota_win *w)
{
	return w->limit > w->used ? w->limit - w->used : 0;
}

/* One object per limited window, so a reader needs no table of units:
 * {"unit","limit","used","remaining","resets_at"} (resets_at: when the
 * oldest counted entry leaves the window; absent when it is empty). */
static json_t *window_json(const struct llmr_quota_win *w, int i)
{
	json_t *o = json_pack("{s:s,s:I,s:I,s:I}", "unit", unit_of(i), "limit", (json_int_t)w->limit,
			      "used", (json_int_t)w->used, "remaining", (json_int_t)left_in(w));

	if (w->free_at > 0)
		json_object_set_new(o, "resets_at", json_integer(w->free_at));
	return o;
}

static void windows(json_t *p, const struct llmr_quota_status *q)
{
	json_t *lim = json_object(), *used = json_object(), *rem = json_object(), *fr = json_object();
	json_t *all = json_object();

	for (int w = 0; w < LLMR_QW_N; w++) {
		const char *n = llmr_qwin_name(w);

		json_object_set_new(used, n, json_integer(q->w[w].used));
		if (q->w[w].free_at > 0)
			json_object_set_new(fr, n, json_integer(q->w[w].free_at));
		if (q->w[w].limit < 0)
			continue;
		json_object_set_new(lim, n, json_integer(q->w[w].limit));
		json_object_set_new(rem, n, json_integer(left_in(&q->w[w])));
		json_object_set_new(all, n, window_json(&q->w[w], w));
	}
	json_object_set_new(p, "limits", lim);
	json_object_set_new(p, "used", used);
	json_object_set_new(p, "remaining", rem);
	json_object_set_new(p, "frees_at", fr);
	json_object_set_new(p, "windows", all);
}

static const char *exhausted_last(const struct llmr_quota_status *q, int64_t *at)
{
	const char *name = NULL;

	for (int w = 0; w < LLMR_QW_N; w++)
		if (q->w[w].limit >= 0 && q->w[w].used >= q->w[w].limit &&
		    (!name || q->w[w].free_at > *at)) {
			name = llmr_qwin_name(w);
			*at = q->w[w].free_at;
		}
	return name;
}

static const char *least_left(const struct llmr_quota_status *q, int64_t *at)
{
	const char *name = NULL;
	double least = 2;

	for (int w = 0; w < LLMR_QW_N; w++) {
		const struct llmr_quota_win *x = &q->w[w];
		double share = x->limit > 0 ? (double)left_in(x) / (double)x->limit : 0;

		if (x->limit >= 0 && share < least) {
			least = share;
			name = llmr_qwin_name(w);
			*at = x->free_at;
		}
	}
	return name;
}

/*
 * The window that binds: when a request would be refused now (the same
 * check the router makes), the cooldown, the headers, or the exhausted
 * window that frees last; otherwise the limited window with the smallest
 * share left, the first to bind. Its reset is the one worth showing: the
 * soonest reset of all says nothing when the day's quota is the one spent.
 */
static void binding(json_t *p, const struct llmr_quota_status *q, int64_t now)
{
	int64_t at = 0;
	const char *name;
	char why[200];
	int blocked = llmr_quota_check(q, 1, now, why, sizeof(why), &at) != 0;
	json_t *b;

	if (blocked && q->cooldown_until > now)
		name = "cooldown";
	else if (blocked && at > 0 && (at == q->hdr_req_reset_at || at == q->hdr_tok_reset_at))
		name = "headers";
	else if (blocked)
		name = exhausted_last(q, &at);
	else
		name = least_left(q, &at);
	if (!name && !blocked)
		return;
	b = json_pack("{s:s,s:b}", "window", name ? name : "limit", "blocked", blocked);
	if (at > 0)
		json_object_set_new(b, "resets_at", json_integer(at));
	if (blocked)
		json_object_set_new(b, "why", json_string(why));
	json_object_set_new(p, "binding", b);
}

/* Where the figures come from: "redis" (every host's) or "state" (this
 * host's state file). */
struct sources {
	const char *windows, *headers, *spend;
	const struct llmr_coord_headers *shared; /* the headers from Redis, or NULL */
};

/*
 * With coordination, the newest headers any host read (Redis) replace this
 * host's when they are newer, with what every host admitted since, so that
 * binding, headers and cooldown all show what the next reservation will
 * be judged against (coord_lua.h).
 */
static void shared_headers(struct llmr_state *st, const struct llmr_provider_cfg *pc,
			   struct llmr_quota_status *q, struct llmr_coord_headers *h, struct sources *src)
{
	int got = llmr_coord_ratelimit_read(st, pc, h);

	if (got == LLMR_COORD_GO_LOCAL)
		return;
	src->headers = "redis";
	if (got != 1 || h->seen_ms < q->hdr_seen_ms) {
		if (q->hdr_seen_ms)
			src->headers = "state";
		return;
	}
	src->shared = h;
	q->hdr_seen_ms = h->seen_ms;
	q->hdr_req_limit = h->req_limit;
	q->hdr_req_remaining = h->req_remaining;
	q->hdr_req_reset_at = h->req_reset_at;
	q->hdr_tok_limit = h->tok_limit;
	q->hdr_tok_remaining = h->tok_remaining;
	q->hdr_tok_reset_at = h->tok_reset_at;
	q->cooldown_until = h->cooldown_until;
	q->req_since_hdr = h->req_since > 0 ? h->req_since : 0;
	q->tok_since_hdr = h->tok_since > 0 ? h->tok_since : 0;
}

static void headers(json_t *p, const struct llmr_quota_status *q, const struct sources *src)
{
	const struct llmr_coord_headers *sh = src->shared;
	json_t *h;

	json_object_set_new(p, "sources", json_pack("{s:s,s:s,s:s}", "windows", src->windows, "headers",
						    src->headers, "month_spend_usd", src->spend));
	if (!q->hdr_seen_ms)
		return;
	h = json_pack("{s:I,s:s,s:{s:I,s:I}}", "seen_at", (json_int_t)q->hdr_seen_ms, "source", src->headers,
		      "admitted_since", "requests", (json_int_t)q->req_since_hdr, "tokens",
		      (json_int_t)q->tok_since_hdr);
	if (sh) {
		json_object_set_new(h, "learned_by", json_string(sh->mine ? "this host" : "another host"));
		if (sh->model[0])
			json_object_set_new(h, "model", json_string(sh->model));
	}
	if (q->hdr_req_limit >= 0)
		json_object_set_new(h, "requests_limit", json_integer(q->hdr_req_limit));
	if (q->hdr_req_remaining >= 0)
		json_object_set_new(h, "requests_remaining", json_integer(q->hdr_req_remaining));
	if (q->hdr_req_reset_at)
		json_object_set_new(h, "requests_reset_at", json_integer(q->hdr_req_reset_at));
	if (q->hdr_tok_limit >= 0)
		json_object_set_new(h, "tokens_limit", json_integer(q->hdr_tok_limit));
	if (q->hdr_tok_remaining >= 0)
		json_object_set_new(h, "tokens_remaining", json_integer(q->hdr_tok_remaining));
	if (q->hdr_tok_reset_at)
		json_object_set_new(h, "tokens_reset_at", json_integer(q->hdr_tok_reset_at));
	json_object_set_new(p, "headers", h);
	if (q->cooldown_until > llmr_now_ms())
		json_object_set_new(p, "cooldown_until", json_integer(q->cooldown_until));
}

/* Alerts: a daily quota below the threshold, a monthly budget past its
 * alert level, an open breaker. */
static void alerts(json_t *p, json_t *all, const struct llmr_config *cfg,
		   const struct llmr_provider_cfg *pc, const struct llmr_quota_status *q,
		   const struct llmr_breaker *b, double spend)
{
	static const int day[] = {LLMR_QW_RPD, LLMR_QW_TPD, LLMR_QW_RPM, LLMR_QW_TPM};
	json_t *a = json_array();
	char msg[200];

	for (size_t i = 0; i < sizeof(day) / sizeof(day[0]); i++) {
		const struct llmr_quota_win *w = &q->w[day[i]];
		double left;

		if (w->limit <= 0)
			continue;
		left = (double)(w->limit - w->used) / (double)w->limit;
		if (left < cfg->quota_alert_below) {
			snprintf(msg, sizeof(msg), "%s: %.0f%% of %s left (%ld of %ld)", pc->name,
				 left < 0 ? 0 : left * 100, llmr_qwin_name(day[i]),
				 w->limit > w->used ? w->limit - w->used : 0, w->limit);
			json_array_append_new(a, json_string(msg));
		}
	}
	if (pc->budget_usd_per_month > 0 && spend >= pc->budget_usd_per_month * pc->budget_alert_at) {
		snprintf(msg, sizeof(msg), "%s: $%.2f spent this month of $%.2f", pc->name, spend,
			 pc->budget_usd_per_month);
		json_array_append_new(a, json_string(msg));
	}
	if (b->state == LLMR_BREAKER_OPEN) {
		snprintf(msg, sizeof(msg), "%s: breaker open (%s)", pc->name,
			 b->last_error[0] ? b->last_error : "failures");
		json_array_append_new(a, json_string(msg));
	}
	llmr_key_expiry_alert(pc, llmr_now_ms(), a);
	json_array_extend(all, a);
	json_object_set_new(p, "alerts", a);
}

static json_t *breaker_json(const struct llmr_breaker *b, int64_t cooldown)
{
	json_t *o = json_pack("{s:s,s:i}", "state", llmr_breaker_state_name(b->state), "failures",
			      b->failures);

	if (b->state != LLMR_BREAKER_CLOSED)
		json_object_set_new(o, "retry_at", json_integer(b->opened_ms + cooldown));
	if (b->last_error[0])
		json_object_set_new(o, "last_error", json_string(b->last_error));
	return o;
}

static json_t *provider_json(struct llmr_state *st, const struct llmr_config *cfg,
			     const struct llmr_provider_cfg *pc, json_t *all, struct llmr_err *e)
{
	struct llmr_quota_status q;
	struct llmr_coord_headers sh;
	struct sources src = {"state", "state", "state", NULL};
	struct llmr_breaker b;
	double spend = 0;
	int64_t now = llmr_now_ms();
	json_t *p;

	if (llmr_quota_status(st, pc, NULL, now, &q, e) < 0 ||
	    llmr_breaker_get(st, pc->name, &b, e) < 0 ||
	    llmr_route_month_spend(st, pc->name, &spend, e) < 0)
		return NULL;
	/* Windows count every host's when Redis answered (quota_status.c). */
	if (llmr_coord_mode() == LLMR_COORD_REDIS)
		src.windows = "redis";
	if (llmr_coord_spend_month(st, pc->name, &spend)) /* every host's, through Redis */
		src.spend = "redis";
	shared_headers(st, pc, &q, &sh, &src);
	p = json_pack("{s:s,s:s,s:s,s:s}", "name", pc->name, "status", status_name(pc->status),
		      "tier", tier_name(pc->tier), "protocol", llmr_protocol_name(pc->protocol));
	windows(p, &q);
	binding(p, &q, now);
	headers(p, &q, &src);
	json_object_set_new(p, "breaker", breaker_json(&b, llmr_breaker_cooldown(pc)));
	json_object_set_new(p, "month_spend_usd", json_real(spend));
	if (pc->budget_usd_per_month >= 0)
		json_object_set_new(p, "budget_usd_per_month", json_real(pc->budget_usd_per_month));
	if (pc->notes)
		json_object_set_new(p, "notes", json_string(pc->notes));
	alerts(p, all, cfg, pc, &q, &b, spend);
	json_object_set_new(p, "last_verified", llmr_verified_get(st, pc->name));
	return p;
}

static json_t *degraded_json(const struct llmr_degrade *d)
{
	return json_pack("{s:b,s:I,s:s,s:{s:I,s:I,s:f,s:I,s:I}}", "active", d->active, "since",
			 (json_int_t)d->since_ms, "reason", d->reason, "signals", "attempts",
			 (json_int_t)d->sig.attempts, "rate_limited", (json_int_t)d->sig.rate_limited,
			 "rate_429", d->sig.rate_429, "p95_ms", (json_int_t)d->sig.p95_ms,
			 "queue_depth", (json_int_t)d->sig.queue_depth);
}

json_t *llmr_quota_report(struct llmr_state *st, const struct llmr_config *cfg, const char *only,
			  struct llmr_err *e)
{
	json_t *r = json_object(), *ps = json_array(), *all = json_array(), *p;
	struct llmr_degrade d;

	json_object_set_new(r, "coordination", llmr_coord_report(st));

	for (size_t i = 0; i < cfg->nproviders; i++) {
		const struct llmr_provider_cfg *pc = &cfg->providers[i];

		if (only && strcmp(only, pc->name))
			continue;
		if (!(p = provider_json(st, cfg, pc, all, e)))
			goto fail;
		json_array_append_new(ps, p);
	}
	if (llmr_degrade_update(st, &d, e) < 0 || llmr_degrade_measure(st, &d.sig, e) < 0)
		goto fail;
	json_object_set_new(r, "providers", ps);
	json_object_set_new(r, "degraded", degraded_json(&d));
	json_object_set_new(r, "alerts", all);
	json_object_set_new(r, "generated_at", json_integer(llmr_now_ms()));
	return r;
fail:
	json_decref(ps);
	json_decref(all);
	json_decref(r);
	return NULL;
}
