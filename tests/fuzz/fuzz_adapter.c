/*
 * fuzz_adapter.c - one provider adapter's parsers: built once per adapter
 * (-DFUZZ_ADAPTER=llmr_adapter_openai ...). The first byte picks what the
 * rest is: a whole answer, a stream (framed as the adapter's protocol
 * frames it), an error body, or an embeddings answer.
 */
#include <stdlib.h>

#include "provider/provider.h"
#include "fuzz.h"

#ifndef FUZZ_ADAPTER
#define FUZZ_ADAPTER llmr_adapter_openai
#endif

static void on_delta(const char *s, size_t n, void *ud)
{
	size_t *total = ud;

	for (size_t i = 0; i < n; i++)
		*total += (unsigned char)s[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct llmr_adapter *a = &FUZZ_ADAPTER;
	struct llmr_chat_result r;
	const char *body = (const char *)data + 1;
	size_t n = size ? size - 1 : 0, total = 0, nvecs = 0, dim = 0;
	float *vecs = NULL;
	long tokens = 0;
	struct llmr_err e = {0, ""};

	if (size < 1)
		return 0;
	llmr_chat_result_init(&r);
	switch (data[0] & 3) {
	case 0:
		llmr_provider_replay(a, false, body, n, &r, on_delta, &total);
		break;
	case 1:
		llmr_provider_replay(a, true, body, n, &r, on_delta, &total);
		break;
	case 2:
		a->parse_error(400 + data[0] % 200, body, n, &r);
		break;
	case 3:
		if (a->parse_embed && a->parse_embed(body, n, &vecs, &nvecs, &dim, &tokens, &e) == 0)
			for (size_t i = 0; i < nvecs * dim; i++)
				total += vecs[i] != vecs[i];
		free(vecs);
		break;
	}
	/* Whatever the input, usage is never negative. */
	if (r.usage.input_tokens < 0 || r.usage.output_tokens < 0 || r.usage.cached_tokens < 0 ||
	    r.usage.cache_write_tokens < 0 || tokens < 0)
		abort();
	llmr_chat_result_release(&r);
	return 0;
}
