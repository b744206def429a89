/*
 * fuzz_ratelimit.c - rate-limit headers (durations, RFC 3339 instants,
 * HTTP dates, Retry-After) and the wait derived from them. The input is a
 * header block; every wait must be finite and within the documented cap.
 */
#include <math.h>
#include <stdlib.h>

#include "net/http.h"
#include "net/ratelimit.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct llmr_headers h = {0};
	struct llmr_ratelimit rl;
	char *text = fuzz_cstr(data, size);
	long status = 0;
	double w;

	llmr_headers_parse_block(&h, text, &status);
	llmr_ratelimit_init(&rl);
	llmr_ratelimit_parse(&h, 1.7e9, &rl);
	w = llmr_ratelimit_wait_s(&rl, text);
	if (isnan(w) || w > LLMR_RATELIMIT_MAX_WAIT_S)
		abort();
	/* The same conversion the callers do. */
	if (w >= 0 && (int64_t)(w * 1000.0) < 0)
		abort();
	llmr_headers_release(&h);
	free(text);
	return 0;
}
