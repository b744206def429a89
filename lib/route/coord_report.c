#include "route/coord_report.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "route/coord.h"

/* A local date and time, for the table. */
static void stamp(int64_t ms, char *out, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(out, n, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(out, n, "?");
}

static const char *mode_name(enum llmr_coord_mode m)
{
	return m == LLMR_COORD_REDIS ? "redis" : m == LLMR_COORD_FALLBACK ? "fallback" : "local";
}

json_t *llmr_coord_report(struct llmr_state *st)
{
	struct llmr_err e = {0, ""};
	json_t *c = json_object();
	int64_t rtt = 0, start, end;
	char reason[512];
	int ok;

	if (llmr_coord_mode() == LLMR_COORD_LOCAL) {
		json_object_set_new(c, "mode", json_string("local"));
		return c;
	}
	ok = llmr_coord_ping(st, &rtt, &e) == 0;
	json_object_set_new(c, "mode", json_string(mode_name(llmr_coord_mode())));
	json_object_set_new(c, "url", json_string(llmr_coord_where()));
	json_object_set_new(c, "prefix", json_string(llmr_coord_prefix()));
	json_object_set_new(c, "healthy", json_boolean(ok));
	if (ok)
		json_object_set_new(c, "rtt_us", json_integer(rtt));
	else
		json_object_set_new(c, "error", json_string(e.msg));
	json_object_set_new(c, "share", json_real(llmr_coord_share()));
	if (llmr_coord_last_outage(st, &start, &end, reason, sizeof(reason), &e) == 0 && start) {
		json_t *o = json_pack("{s:I,s:s}", "started_at", (json_int_t)start, "reason", reason);

		if (end)
			json_object_set_new(o, "ended_at", json_integer(end));
		json_object_set_new(c, "last_outage", o);
	}
	return c;
}

void llmr_coord_table(json_t *c, struct llmr_buf *out)
{
	const char *mode = json_string_value(json_object_get(c, "mode"));
	json_t *o = json_object_get(c, "last_outage");

	/* Without coordination the table stays as it always was. */
	if (!mode || !strcmp(mode, "local"))
		return;
	if (json_is_true(json_object_get(c, "healthy")))
		llmr_buf_addf(out, "coordination: %s %s: healthy (ping %.2f ms); usage is every host's\n", mode,
			      json_string_value(json_object_get(c, "url")),
			      (double)json_integer_value(json_object_get(c, "rtt_us")) / 1000.0);
	else
		llmr_buf_addf(out, "coordination: %s %s: DOWN (%s); this host uses %.0f%% of each limit\n", mode,
			      json_string_value(json_object_get(c, "url")),
			      json_string_value(json_object_get(c, "error")),
			      json_real_value(json_object_get(c, "share")) * 100);
	if (o) {
		char a[32], b[32];

		stamp(json_integer_value(json_object_get(o, "started_at")), a, sizeof(a));
		stamp(json_integer_value(json_object_get(o, "ended_at")), b, sizeof(b));
		llmr_buf_addf(out, "last outage: %s to %s: %s\n", a,
			      json_object_get(o, "ended_at") ? b : "now", json_string_value(json_object_get(o, "reason")));
	}
}
