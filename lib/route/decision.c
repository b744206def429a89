#include "route/route.h"

#include <stdio.h>
#include <string.h>

#include "base/utf8.h"

/*
 * llmr-route prints decisions by the hundred thousand: they are written
 * straight into a buffer, byte for byte what jansson's compact dump with
 * JSON_REAL_PRECISION(6) would print, without building objects.
 */

/* A JSON string: quotes, backslashes and control characters escaped, and
 * invalid UTF-8 (a word cut in a reason) replaced by U+FFFD. */
static void put_str(struct llmr_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, run = 0;

	llmr_buf_add(b, "\"", 1);
	while (i < n) {
		size_t k = p[i] < 0x80 ? 1 : llmr_utf8_seq(p + i, n - i);
		char esc[8];

		if (k && p[i] >= 0x20 && p[i] != '"' && p[i] != '\\') {
			i += k;
			run += k;
			continue;
		}
		llmr_buf_add(b, p + i - run, run);
		run = 0;
		if (!k) {
			llmr_buf_add(b, "\xef\xbf\xbd", 3);
		} else if (p[i] == '"' || p[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)p[i];
			llmr_buf_add(b, esc, 2);
		} else {
			const char *named = p[i] == '\n' ? "\\n" : p[i] == '\t' ? "\\t" : p[i] == '\r' ? "\\r"
					    : p[i] == '\b' ? "\\b" : p[i] == '\f' ? "\\f" : NULL;

			if (named)
				llmr_buf_adds(b, named);
			else
				llmr_buf_add(b, esc, (size_t)snprintf(esc, sizeof(esc), "\\u%04X", p[i]));
		}
		i++;
	}
	llmr_buf_add(b, p + n - run, run);
	llmr_buf_add(b, "\"", 1);
}

/* "%.6g", then as jansson: ".0" on what would read as an integer, no '+'
 * and no leading zero in the exponent. */
static void put_real(struct llmr_buf *b, double v)
{
	char s[40], out[40], *e;
	size_t o = 0;

	snprintf(s, sizeof(s), "%.6g", v);
	if (!strpbrk(s, ".eEin"))
		strcat(s, ".0");
	if (!(e = strchr(s, 'e'))) {
		llmr_buf_adds(b, s);
		return;
	}
	memcpy(out, s, (size_t)(e - s) + 1);
	o = (size_t)(e - s) + 1;
	e++;
	if (*e == '+')
		e++;
	else if (*e == '-')
		out[o++] = *e++;
	while (*e == '0' && e[1])
		e++;
	while (*e)
		out[o++] = *e++;
	llmr_buf_add(b, out, o);
}

static void put_key(struct llmr_buf *b, const char *key)
{
	llmr_buf_add(b, ",\"", 2);
	llmr_buf_adds(b, key);
	llmr_buf_add(b, "\":", 2);
}

static void put_long(struct llmr_buf *b, long v)
{
	char s[24];

	llmr_buf_add(b, s, (size_t)snprintf(s, sizeof(s), "%ld", v));
}

static void put_models(struct llmr_buf *b, const struct llmr_route_cand *c, size_t n, bool why)
{
	llmr_buf_add(b, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			llmr_buf_add(b, ",", 1);
		if (why) {
			llmr_buf_adds(b, "{\"model\":");
			put_str(b, c[i].spec);
			llmr_buf_adds(b, ",\"why\":");
			put_str(b, c[i].why);
			llmr_buf_add(b, "}", 1);
		} else {
			put_str(b, c[i].spec);
		}
	}
	llmr_buf_add(b, "]", 1);
}

void llmr_decision_write(const struct llmr_decision *d, struct llmr_buf *b)
{
	llmr_buf_add(b, "{", 1);
	if (d->id[0]) {
		llmr_buf_adds(b, "\"id\":");
		put_str(b, d->id);
		llmr_buf_add(b, ",", 1);
	}
	llmr_buf_adds(b, "\"route\":");
	put_str(b, d->route);
	put_key(b, "priority");
	put_str(b, llmr_priority_name(d->priority));
	put_key(b, "complexity");
	put_str(b, llmr_complexity_name(d->complexity));
	put_key(b, "score");
	put_real(b, d->score);
	put_key(b, "task");
	put_str(b, d->task ? d->task : "chat");
	put_key(b, "model");
	if (d->nchain)
		put_str(b, d->chain[0].spec);
	else
		llmr_buf_adds(b, "null");
	put_key(b, "chain");
	put_models(b, d->chain, d->nchain, false);
	put_key(b, "reason");
	put_str(b, d->reason);
	put_key(b, "est_input_tokens");
	put_long(b, d->est_input_tokens);
	put_key(b, "est_output_tokens");
	put_long(b, d->est_output_tokens);
	put_key(b, "est_cost_usd");
	put_real(b, d->est_cost_usd);
	put_key(b, "skipped");
	put_models(b, d->skipped, d->nskipped, true);
	if (d->degraded)
		llmr_buf_adds(b, ",\"degraded\":true");
	if (d->skip) {
		put_key(b, "skip");
		put_str(b, d->skip);
	}
	llmr_buf_add(b, "}", 1);
}

json_t *llmr_decision_json(const struct llmr_decision *d)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	json_t *o;

	llmr_decision_write(d, &b);
	o = json_loadb(b.s, b.len, 0, NULL);
	llmr_buf_release(&b);
	return o ? o : json_object();
}
