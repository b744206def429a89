#include "net/sse.h"

#include <string.h>

void llmr_framer_init(struct llmr_framer *f, int ndjson, size_t max, llmr_event_fn fn, void *ud)
{
	memset(f, 0, sizeof(*f));
	f->ndjson = ndjson;
	f->line.max = max;
	f->data.max = max;
	f->fn = fn;
	f->ud = ud;
}

static int dispatch_event(struct llmr_framer *f)
{
	int rc = 0;

	if (f->data.len || f->event[0])
		rc = f->fn(f->event[0] ? f->event : NULL, f->data.s ? f->data.s : "",
			   f->data.len, f->ud);
	llmr_buf_reset(&f->data);
	f->event[0] = '\0';
	return rc;
}

/* One SSE line (without its terminator), per the WHATWG event-stream rules. */
static int sse_line(struct llmr_framer *f, const char *s, size_t n)
{
	const char *colon, *val;
	size_t flen, vlen;

	if (n == 0)
		return dispatch_event(f);
	if (s[0] == ':')
		return 0; /* comment or keep-alive */
	colon = memchr(s, ':', n);
	flen = colon ? (size_t)(colon - s) : n;
	val = colon ? colon + 1 : s + n;
	vlen = colon ? n - flen - 1 : 0;
	if (vlen && *val == ' ') {
		val++;
		vlen--;
	}
	if (flen == 4 && !memcmp(s, "data", 4)) {
		if (f->data.len && llmr_buf_add(&f->data, "\n", 1) < 0)
			return -1;
		if (llmr_buf_add(&f->data, val, vlen) < 0)
			return -1;
		if (!f->data.s)
			llmr_buf_add(&f->data, "", 0);
	} else if (flen == 5 && !memcmp(s, "event", 5)) {
		if (vlen >= sizeof(f->event))
			vlen = sizeof(f->event) - 1;
		memcpy(f->event, val, vlen);
		f->event[vlen] = '\0';
	}
	/* id: and retry: are of no use to a one-shot client. */
	return 0;
}

static int ndjson_line(struct llmr_framer *f, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return f->fn(NULL, s, n, f->ud);
	return 0; /* blank line */
}

static int end_line(struct llmr_framer *f)
{
	const char *s = f->line.s ? f->line.s : "";
	int rc = f->ndjson ? ndjson_line(f, s, f->line.len) : sse_line(f, s, f->line.len);

	llmr_buf_reset(&f->line);
	return rc;
}

int llmr_framer_feed(struct llmr_framer *f, const char *p, size_t n)
{
	size_t i, start = 0;
	int rc;

	for (i = 0; i < n; i++) {
		if (p[i] != '\n' && p[i] != '\r') {
			f->last_cr = 0;
			continue;
		}
		if (p[i] == '\n' && f->last_cr) {
			/* second half of a CRLF: the line already ended */
			f->last_cr = 0;
			start = i + 1;
			continue;
		}
		if (llmr_buf_add(&f->line, p + start, i - start) < 0)
			return -1;
		f->last_cr = p[i] == '\r';
		start = i + 1;
		if ((rc = end_line(f)) != 0)
			return rc;
	}
	if (llmr_buf_add(&f->line, p + start, n - start) < 0)
		return -1;
	return 0;
}

int llmr_framer_finish(struct llmr_framer *f)
{
	int rc = 0;

	if (f->line.len)
		rc = end_line(f);
	if (!rc && !f->ndjson)
		rc = dispatch_event(f);
	return rc;
}

void llmr_framer_release(struct llmr_framer *f)
{
	llmr_buf_release(&f->line);
	llmr_buf_release(&f->data);
}
