/*
 * fuzz_sse.c - the SSE and NDJSON framer. The first byte picks the
 * framing, the line cap and the size of the pieces the rest is fed in, as
 * the network would cut it.
 */
#include "net/sse.h"
#include "fuzz.h"

static int on_event(const char *event, const char *data, size_t n, void *ud)
{
	size_t *total = ud;

	/* Touch every byte handed out, so ASan sees a short buffer. */
	for (size_t i = 0; i < n; i++)
		*total += (unsigned char)data[i];
	if (event)
		while (*event)
			*total += (unsigned char)*event++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct llmr_framer f;
	size_t total = 0, piece, off, len;
	int rc = 0;

	if (size < 1)
		return 0;
	piece = (size_t)(data[0] >> 2) + 1;
	llmr_framer_init(&f, data[0] & 1, data[0] & 2 ? 64 : 1u << 20, on_event, &total);
	data++, size--;
	for (off = 0; off < size && !rc; off += len) {
		len = size - off < piece ? size - off : piece;
		rc = llmr_framer_feed(&f, (const char *)data + off, len);
	}
	if (!rc)
		llmr_framer_finish(&f);
	llmr_framer_release(&f);
	return 0;
}
