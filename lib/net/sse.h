/*
 * sse.h - incremental framing of streamed bodies: Server-Sent Events
 * (LF, CR or CRLF line ends, comment lines, multi-line data, keep-alives)
 * and newline-delimited JSON. Bytes go in as they arrive, in pieces of any
 * size; whole events come out through a callback.
 */
#ifndef LLMR_SSE_H
#define LLMR_SSE_H

#include <stddef.h>

#include "base/util.h"

/* Return 0 to go on, non-zero to stop: the value is handed back by feed. */
typedef int (*llmr_event_fn)(const char *event, const char *data, size_t n, void *ud);

struct llmr_framer {
	int ndjson;            /* 0 = SSE, 1 = NDJSON */
	struct llmr_buf line;  /* the partial line */
	struct llmr_buf data;  /* SSE: data lines of the current event */
	char event[64];        /* SSE: event name of the current event */
	int last_cr;           /* the previous byte was CR (CRLF spans feeds) */
	llmr_event_fn fn;
	void *ud;
};

/* max caps a single line or event (bytes). */
void llmr_framer_init(struct llmr_framer *f, int ndjson, size_t max, llmr_event_fn fn, void *ud);
/* Returns 0, the callback's non-zero value, or -1 when a line exceeds max. */
int llmr_framer_feed(struct llmr_framer *f, const char *p, size_t n);
/* End of body: flush a final event or line that had no terminator. */
int llmr_framer_finish(struct llmr_framer *f);
void llmr_framer_release(struct llmr_framer *f);

#endif
