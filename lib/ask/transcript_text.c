/* llmr-cost logs as text. */
#include "ask/transcript.h"

#include <string.h>

#include "cost/cost.h"

static const char *field(json_t *r, const char *key)
{
	const char *v = json_string_value(json_object_get(r, key));

	return v ? v : "-";
}

/* Every line marked, so that an answer cannot pass for a header line. */
static void add_text(struct llmr_buf *out, const char *mark, json_t *v, int tty)
{
	const char *s = json_string_value(v), *nl;

	if (!s) {
		llmr_buf_addf(out, "  %s (not kept: logs: off)\n", mark);
		return;
	}
	do {
		size_t n = (nl = strchr(s, '\n')) ? (size_t)(nl - s) : strlen(s);

		llmr_buf_addf(out, "  %s ", mark);
		if (tty)
			llmr_sanitize_for_tty(out, s, n);
		else
			llmr_buf_add(out, s, n);
		llmr_buf_adds(out, "\n");
		s = nl + 1;
	} while (nl);
}

void llmr_transcript_text(json_t *rows, int tty, struct llmr_buf *out)
{
	json_t *r;
	size_t i;
	char ts[32];

	json_array_foreach(rows, i, r) {
		llmr_cost_fmt_iso(json_integer_value(json_object_get(r, "ts_ms")), ts);
		llmr_buf_addf(out, "%s%s  %s  %s  %s  $%.6f\n", i ? "\n" : "", ts, field(r, "id"),
			      field(r, "route"), field(r, "model"),
			      json_real_value(json_object_get(r, "cost_usd")));
		add_text(out, ">", json_object_get(r, "prompt"), tty);
		add_text(out, "<", json_object_get(r, "answer"), tty);
	}
}
