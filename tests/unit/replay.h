/*
 * replay.h - helpers for the provider tests: load a wire fixture, and feed
 * a captured stream through an adapter in pieces of any size.
 */
#ifndef LLMR_TEST_REPLAY_H
#define LLMR_TEST_REPLAY_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "provider/provider.h"
#include "net/sse.h"
#include "base/util.h"

/* $LLMR_FIXTURES (tests/fixtures or its wire/ folder), else relative to the
 * repo root, where prove runs. Exits the test when the file is missing. */
static char *fixture(const char *name, size_t *n)
{
	const char *env = getenv("LLMR_FIXTURES");
	struct llmr_buf path = LLMR_BUF_INIT, b = LLMR_BUF_INIT;

	if (env && *env) {
		llmr_buf_addf(&path, "%s/wire/%s", env, name);
		if (access(path.s, R_OK) != 0) {
			llmr_buf_reset(&path);
			llmr_buf_addf(&path, "%s/%s", env, name);
		}
	} else {
		llmr_buf_addf(&path, "tests/fixtures/wire/%s", name);
	}
	if (llmr_read_file(path.s, &b) < 0) {
		printf("Bail out! cannot read fixture %s\n", path.s);
		exit(1);
	}
	llmr_buf_release(&path);
	*n = b.len;
	return llmr_buf_detach(&b);
}

/* Collects on_delta pieces. */
struct deltas {
	struct llmr_buf text;
	int calls;
};

__attribute__((unused)) static void on_delta(const char *s, size_t n, void *ud)
{
	struct deltas *d = ud;

	llmr_buf_add(&d->text, s, n);
	d->calls++;
}

struct piecewise {
	const struct llmr_adapter *a;
	struct llmr_chat_result *r;
	struct deltas *d;
};

static int piece_event(const char *event, const char *data, size_t n, void *ud)
{
	struct piecewise *p = ud;
	int rc = p->a->stream_event(event, data, n, p->r, on_delta, p->d);

	if (rc == 1)
		p->r->done = true;
	return rc == 1 ? 1 : rc < 0 ? 2 : 0;
}

/*
 * Feed body to the adapter piece bytes at a time, as the network would.
 * Returns 1 at the normal end, 2 on an error event, 0 when the stream
 * ended without either, -1 when the framer failed.
 */
__attribute__((unused)) static int replay_pieces(const struct llmr_adapter *a, const char *body,
						 size_t n, size_t piece, struct llmr_chat_result *r,
						 struct deltas *d)
{
	struct piecewise p = {a, r, d};
	struct llmr_framer f;
	size_t off, len;
	int rc = 0;

	llmr_framer_init(&f, a->framing == LLMR_FRAME_NDJSON, 1u << 22, piece_event, &p);
	for (off = 0; off < n && !rc; off += len) {
		len = n - off < piece ? n - off : piece;
		rc = llmr_framer_feed(&f, body + off, len);
	}
	if (!rc)
		rc = llmr_framer_finish(&f);
	llmr_framer_release(&f);
	return rc;
}

#endif
