/*
 * fuzz_chunk.c - the Markdown chunker. The first 16 bytes are the chunk
 * size and overlap in tokens (any long, so huge and negative ones too);
 * the rest is the text. Every chunk must lie inside the text.
 */
#include <stdlib.h>
#include <string.h>

#include "index/chunk.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct llmr_chunks ch = LLMR_CHUNKS_INIT;
	long tokens, overlap;
	size_t i;

	if (size < 2 * sizeof(long))
		return 0;
	memcpy(&tokens, data, sizeof(long));
	memcpy(&overlap, data + sizeof(long), sizeof(long));
	/* Mostly small sizes, so that chunks are many; the odd huge one. */
	if (!(data[0] & 0x80))
		tokens = tokens % 512, overlap = overlap % 256;
	data += 2 * sizeof(long), size -= 2 * sizeof(long);
	llmr_chunk_markdown((const char *)data, size, tokens, overlap, &ch);
	for (i = 0; i < ch.n; i++)
		if (ch.v[i].pos > size || !ch.v[i].text)
			abort();
	llmr_chunks_release(&ch);
	return 0;
}
