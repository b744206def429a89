/*
 * fuzz_extract.c - the document extractors, then the chunker on what they
 * produce. The first byte picks the format; the output must be valid
 * UTF-8 (extract.h promises it) and within LLMR_EXTRACT_MAX_BYTES.
 */
#include <stdlib.h>

#include "base/utf8.h"
#include "index/chunk.h"
#include "index/extract.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum llmr_doc_format fmts[] = {
		LLMR_FMT_TEXT, LLMR_FMT_MARKDOWN, LLMR_FMT_HTML, LLMR_FMT_DOCX,
		LLMR_FMT_ODT, LLMR_FMT_PDF, LLMR_FMT_HTML, LLMR_FMT_TEXT
	};
	struct llmr_buf out = LLMR_BUF_INIT;
	struct llmr_chunks ch = LLMR_CHUNKS_INIT;
	struct llmr_err e = {0, ""};

	if (size < 1)
		return 0;
	out.max = LLMR_EXTRACT_MAX_BYTES;
	if (llmr_extract_mem(fmts[data[0] & 7], (const char *)data + 1, size - 1, &out, &e) == 0) {
		if (out.len > LLMR_EXTRACT_MAX_BYTES || !llmr_utf8_valid(out.s ? out.s : "", out.len))
			abort();
		llmr_chunk_markdown(out.s ? out.s : "", out.len, 50, 10, &ch);
		llmr_chunks_release(&ch);
	}
	llmr_buf_release(&out);
	return 0;
}
