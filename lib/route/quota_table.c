#include "route/quota_report.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/*
 * The llmr-quota table (background plan, section 4.4), rendered from the
 * report so that the table and --json can never disagree.
 */

static const char *clock_of(json_int_t ms, char *b, size_t n)
{
	json_int_t left = ms - llmr_now_ms();
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0)
		return "-";
	if (left < 60000) {
		snprintf(b, n, "in %llds", (long long)(left > 0 ? (left + 999) / 1000 : 0));
		return b;
	}
	gmtime_r(&t, &tm);
	strftime(b, n, "%H:%M:%S", &tm);
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

/* The day's quota: tokens if tpd is set, else requests if rpd, else none. */
static void day_cols(json_t *p, char *quota, char *used, char *left, size_t n)
{
	json_t *lim = json_object_get(p, "limits"), *u = json_object_get(p, "used");
	int tok = num(lim, "tpd", -1) >= 0;
	json_int_t l = num(lim, tok ? "tpd" : "rpd", -1), v = num(u, tok || l < 0 ? "tpd" : "rpd", 0);
	char a[32];

	human(used, n, v);
	if (l < 0) {
		snprintf(quota, n, "unlimited");
		snprintf(left, n, "-");
		return;
	}
	human(a, sizeof(a), l);
	snprintf(quota, n, tok ? "%s tokens" : "%s req/day", a);
	human(left, n, l > v ? l - v : 0);
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

	llmr_buf_addf(out, "%-14s %-9s %-16s %-8s %-10s %-10s %-10s %s\n", "Provider", "Status", "Quota today",
	       "Used", "Remaining", "RPM left", "Next reset", "Breaker");
	json_array_foreach(json_object_get(r, "providers"), i, p) {
		json_t *lim = json_object_get(p, "limits"), *br = json_object_get(p, "breaker");
		json_t *hd = json_object_get(p, "headers");
		const char *st = json_string_value(json_object_get(p, "status"));
		const char *bs = json_string_value(json_object_get(br, "state"));
		char quota[32], used[32], left[32], rpm[32], reset[32], brk[64], t[32];
		json_int_t rl = num(lim, "rpm", -1), fr = -1;
		int alert = json_array_size(json_object_get(p, "alerts")) > 0;
		const char *col = strcmp(st, "active") ? "33" : alert ? "38;5;208" : "32";

		day_cols(p, quota, used, left, sizeof(quota));
		if (rl >= 0)
			snprintf(rpm, sizeof(rpm), "%lld/%lld", (long long)num(json_object_get(p, "remaining"), "rpm", 0), (long long)rl);
		else if (hd && num(hd, "requests_remaining", -1) >= 0)
			snprintf(rpm, sizeof(rpm), "%lld/%lld hdr", (long long)num(hd, "requests_remaining", 0),
				 (long long)num(hd, "requests_limit", 0));
		else
			snprintf(rpm, sizeof(rpm), "-");
		fr = num(json_object_get(p, "frees_at"), num(lim, "tpd", -1) >= 0 ? "tpd" : "rpd", -1);
		if (num(lim, "rpm", -1) >= 0 && num(json_object_get(p, "frees_at"), "rpm", -1) > 0)
			fr = num(json_object_get(p, "frees_at"), "rpm", -1);
		snprintf(reset, sizeof(reset), "%s", clock_of(fr, t, sizeof(t)));
		if (strcmp(bs, "closed"))
			snprintf(brk, sizeof(brk), "%s (retry %s)", bs, clock_of(num(br, "retry_at", 0), t, sizeof(t)));
		else if (num(br, "failures", 0))
			snprintf(brk, sizeof(brk), "closed (%lld failures)", (long long)num(br, "failures", 0));
		else
			snprintf(brk, sizeof(brk), "closed");
		if (num(p, "cooldown_until", 0) > 0) {
			size_t l = strlen(brk);

			snprintf(brk + l, sizeof(brk) - l, ", cooldown %s", clock_of(num(p, "cooldown_until", 0), t, sizeof(t)));
		}
		llmr_buf_addf(out, "%-14s %s %-16s %-8s %-10s %-10s %-10s %s\n", json_string_value(json_object_get(p, "name")),
		       paint(color, alert && !strcmp(st, "active") ? "warn" : st, strcmp(bs, "closed") ? "31" : col),
		       quota, used, left, rpm, reset, brk);
	}
	llmr_buf_addf(out, "\ndegraded mode: %s", json_is_true(json_object_get(d, "active")) ? "ON" : "off");
	if (json_is_true(json_object_get(d, "active")))
		llmr_buf_addf(out, " (%s)", json_string_value(json_object_get(d, "reason")));
	llmr_buf_addf(out, "\n");
	json_array_foreach(json_object_get(r, "alerts"), i, p)
		llmr_buf_addf(out, "alert: %s\n", json_string_value(p));
	return 0;
}

