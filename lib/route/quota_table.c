#include "route/quota_report.h"
#include "route/coord_report.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/*
 * The llmr-quota table (background plan, section 4.4), rendered from the
 * report so that the table and --json can never disagree.
 */

/*
 * A reset as a relative time ("in 41s", "in 4m05s", "in 3h12m"), with the
 * local date and clock when it falls on another day than today, since a
 * bare clock time cannot say whether it means today or tomorrow.
 */
static const char *when(json_int_t ms, char *b, size_t n)
{
	json_int_t now = llmr_now_ms(), s = ms > now ? (ms - now + 999) / 1000 : 0;
	time_t t = (time_t)(ms / 1000), today = (time_t)(now / 1000);
	struct tm tm, tm_now;
	size_t l;

	if (ms <= 0)
		return "-";
	if (s < 60)
		snprintf(b, n, "in %llds", (long long)s);
	else if (s < 3600)
		snprintf(b, n, "in %lldm%02llds", (long long)(s / 60), (long long)(s % 60));
	else if (s < 48 * 3600)
		snprintf(b, n, "in %lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
	else
		snprintf(b, n, "in %lldd%02lldh", (long long)(s / 86400), (long long)(s % 86400 / 3600));
	localtime_r(&t, &tm);
	localtime_r(&today, &tm_now);
	l = strlen(b);
	if ((tm.tm_year != tm_now.tm_year || tm.tm_yday != tm_now.tm_yday) && l + 16 < n)
		strftime(b + l, n - l, " (%b %d %H:%M)", &tm);
	return b;
}

static void human(char *b, size_t n, json_int_t v)
{
	if (v >= 10000)
		snprintf(b, n, "%.1fk", v / 1000.0);
	else
		snprintf(b, n, "%lld", (long long)v);
}

static json_int_t num(json_t *o, const char *k, json_int_t dflt)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

/* The day's quota: tokens if tpd is set, else requests if rpd, else none;
 * used and left carry their unit. */
static void day_cols(json_t *p, char *quota, char *used, char *left, size_t n)
{
	json_t *lim = json_object_get(p, "limits"), *u = json_object_get(p, "used");
	int tok = num(lim, "tpd", -1) >= 0;
	json_int_t l = num(lim, tok ? "tpd" : "rpd", -1), v = num(u, tok || l < 0 ? "tpd" : "rpd", 0);
	const char *unit = tok || l < 0 ? "tok" : "req";
	char a[24];

	human(a, sizeof(a), v);
	snprintf(used, n, "%s %s", a, unit);
	if (l < 0) {
		snprintf(quota, n, "unlimited");
		snprintf(left, n, "-");
		return;
	}
	human(a, sizeof(a), l);
	snprintf(quota, n, tok ? "%s tokens" : "%s req/day", a);
	human(a, sizeof(a), l > v ? l - v : 0);
	snprintf(left, n, "%s %s", a, unit);
}

static void rpm_col(json_t *p, char *rpm, size_t n)
{
	json_t *hd = json_object_get(p, "headers");
	json_int_t rl = num(json_object_get(p, "limits"), "rpm", -1);

	if (rl >= 0)
		snprintf(rpm, n, "%lld/%lld", (long long)num(json_object_get(p, "remaining"), "rpm", 0),
			 (long long)rl);
	else if (hd && num(hd, "requests_remaining", -1) >= 0)
		snprintf(rpm, n, "%lld/%lld hdr", (long long)num(hd, "requests_remaining", 0),
			 (long long)num(hd, "requests_limit", 0));
	else
		snprintf(rpm, n, "-");
}

static void breaker_col(json_t *p, char *brk, size_t n)
{
	json_t *br = json_object_get(p, "breaker");
	const char *bs = json_string_value(json_object_get(br, "state"));
	char t[48];
	size_t l;

	if (strcmp(bs, "closed"))
		snprintf(brk, n, "%s (retry %s)", bs, when(num(br, "retry_at", 0), t, sizeof(t)));
	else if (num(br, "failures", 0))
		snprintf(brk, n, "closed (%lld failures)", (long long)num(br, "failures", 0));
	else
		snprintf(brk, n, "closed");
	if (num(p, "cooldown_until", 0) > 0) {
		l = strlen(brk);
		snprintf(brk + l, n - l, ", cooldown %s", when(num(p, "cooldown_until", 0), t, sizeof(t)));
	}
}

/* The reset of the window that binds ("rpd full, in 23h59m (...)"). */
static void reset_col(json_t *p, char *reset, size_t n)
{
	json_t *b = json_object_get(p, "binding");
	const char *w = json_string_value(json_object_get(b, "window"));
	char t[48];

	if (!w)
		snprintf(reset, n, "-");
	else
		snprintf(reset, n, "%s%s %s", w, json_is_true(json_object_get(b, "blocked")) ? " full," : "",
			 when(num(b, "resets_at", 0), t, sizeof(t)));
}

/* Headers kept in Redis: who read them and what every host admitted since. */
static void shared_suffix(json_t *hd, struct llmr_buf *out)
{
	json_t *a = json_object_get(hd, "admitted_since");
	const char *by = json_string_value(json_object_get(hd, "learned_by"));
	const char *src = json_string_value(json_object_get(hd, "source"));

	if (!src || strcmp(src, "redis"))
		return;
	llmr_buf_addf(out, " (Redis: read by %s, %lld req since, every host)", by ? by : "a host",
		      (long long)num(a, "requests", 0));
}

/* Where the figures come from, when any comes from Redis. */
static void sources_row(json_t *p, struct llmr_buf *out)
{
	json_t *s = json_object_get(p, "sources");
	const char *w = json_string_value(json_object_get(s, "windows"));
	const char *h = json_string_value(json_object_get(s, "headers"));
	const char *m = json_string_value(json_object_get(s, "month_spend_usd"));

	if (!w || !h || !m || (strcmp(w, "redis") && strcmp(h, "redis") && strcmp(m, "redis")))
		return;
	llmr_buf_addf(out, "  %-12s windows %s, headers %s, month spend %s\n", "from", w, h, m);
}

/* One line per limited window under its provider, each with its own reset. */
static void window_rows(json_t *p, struct llmr_buf *out)
{
	json_t *hd = json_object_get(p, "headers"), *w;
	const char *name;
	char used[80], t[48];

	json_object_foreach(json_object_get(p, "windows"), name, w) {
		char l[24], u[24];

		human(u, sizeof(u), num(w, "used", 0));
		human(l, sizeof(l), num(w, "limit", 0));
		snprintf(used, sizeof(used), "%s/%s %s", u, l, json_string_value(json_object_get(w, "unit")));
		llmr_buf_addf(out, "  %-12s %-20s resets %s\n", name, used,
			      num(w, "resets_at", 0) > 0 ? when(num(w, "resets_at", 0), t, sizeof(t)) : "-");
	}
	/* Headers whose reset has passed say nothing about now. */
	if (hd && num(hd, "requests_remaining", -1) >= 0 && num(hd, "requests_reset_at", 0) > llmr_now_ms()) {
		snprintf(used, sizeof(used), "%lld/%lld req left", (long long)num(hd, "requests_remaining", 0),
			 (long long)num(hd, "requests_limit", 0));
		llmr_buf_addf(out, "  %-12s %-20s resets %s", "headers", used,
			      when(num(hd, "requests_reset_at", 0), t, sizeof(t)));
		shared_suffix(hd, out);
		llmr_buf_addf(out, "\n");
	}
	if (hd && num(hd, "tokens_remaining", -1) >= 0 && num(hd, "tokens_reset_at", 0) > llmr_now_ms()) {
		snprintf(used, sizeof(used), "%lld/%lld tok left", (long long)num(hd, "tokens_remaining", 0),
			 (long long)num(hd, "tokens_limit", 0));
		llmr_buf_addf(out, "  %-12s %-20s resets %s", "headers", used,
			      when(num(hd, "tokens_reset_at", 0), t, sizeof(t)));
		shared_suffix(hd, out);
		llmr_buf_addf(out, "\n");
	}
	sources_row(p, out);
}

/* When a probe last saw the provider answer (llmr-bench probe). */
static void verified_row(json_t *p, struct llmr_buf *out)
{
	json_t *v = json_object_get(p, "last_verified");
	json_int_t at = num(v, "at", 0), ago = (llmr_now_ms() - at) / 1000;
	char t[32];

	if (!json_is_object(v))
		return;
	if (ago < 0)
		ago = 0;
	if (ago < 120)
		snprintf(t, sizeof(t), "%llds ago", (long long)ago);
	else if (ago < 2 * 3600)
		snprintf(t, sizeof(t), "%lldm ago", (long long)(ago / 60));
	else if (ago < 2 * 86400)
		snprintf(t, sizeof(t), "%lldh ago", (long long)(ago / 3600));
	else
		snprintf(t, sizeof(t), "%lldd ago", (long long)(ago / 86400));
	llmr_buf_addf(out, "  %-12s %-20s by %s in %lld ms\n", "verified", t,
		      json_string_value(json_object_get(v, "model")), (long long)num(v, "latency_ms", 0));
}

static const char *paint(bool color, const char *state, const char *colour_of)
{
	static char b[64];

	if (!color)
		snprintf(b, sizeof(b), "%-9s", state);
	else
		snprintf(b, sizeof(b), "\033[%sm%-9s\033[0m", colour_of, state);
	return b;
}

int llmr_quota_table(json_t *r, bool color, struct llmr_buf *out)
{
	json_t *p, *d = json_object_get(r, "degraded");
	size_t i;

	llmr_buf_addf(out, "%-14s %-10s %-9s %-16s %-10s %-10s %-10s %-20s %s\n", "Provider", "Tier",
		      "Status", "Quota today", "Used", "Remaining", "RPM left", "Breaker", "Reset");
	json_array_foreach(json_object_get(r, "providers"), i, p) {
		const char *st = json_string_value(json_object_get(p, "status"));
		const char *bs = json_string_value(json_object_get(json_object_get(p, "breaker"), "state"));
		char quota[48], used[48], left[48], rpm[48], reset[96], brk[112];
		int alert = json_array_size(json_object_get(p, "alerts")) > 0;
		const char *col = strcmp(st, "active") ? "33" : alert ? "38;5;208" : "32";

		day_cols(p, quota, used, left, sizeof(quota));
		rpm_col(p, rpm, sizeof(rpm));
		breaker_col(p, brk, sizeof(brk));
		reset_col(p, reset, sizeof(reset));
		llmr_buf_addf(out, "%-14s %-10s %s %-16s %-10s %-10s %-10s %-20s %s\n",
			      json_string_value(json_object_get(p, "name")),
			      json_string_value(json_object_get(p, "tier")),
			      paint(color, alert && !strcmp(st, "active") ? "warn" : st,
				    strcmp(bs, "closed") ? "31" : col),
			      quota, used, left, rpm, brk, reset);
		window_rows(p, out);
		verified_row(p, out);
	}
	llmr_buf_addf(out, "\ndegraded mode: %s", json_is_true(json_object_get(d, "active")) ? "ON" : "off");
	if (json_is_true(json_object_get(d, "active")))
		llmr_buf_addf(out, " (%s)", json_string_value(json_object_get(d, "reason")));
	llmr_buf_addf(out, "\n");
	llmr_coord_table(json_object_get(r, "coordination"), out);
	json_array_foreach(json_object_get(r, "alerts"), i, p)
		llmr_buf_addf(out, "alert: %s\n", json_string_value(p));
	return 0;
}
