/*
 * chunk.h - split extracted Markdown (extract.h) into chunks for the index.
 *
 * Structure first: a heading always starts a new chunk, paragraphs are kept
 * whole while they fit, and only a paragraph longer than the budget is cut,
 * at a sentence end if it can, else at a space. Chunks that continue a
 * section start with the last `overlap` tokens of the previous one. Tokens
 * are estimated at 4 bytes each (the same estimate as extractive.h).
 */
#ifndef LLMR_CHUNK_H
#define LLMR_CHUNK_H

#include <stddef.h>

struct llmr_chunk {
	char *text;    /* owned: the chunk's text, UTF-8 */
	char *heading; /* owned: heading path "Guide > Accueil > Horaires", "" if none */
	size_t pos;    /* byte offset in the extracted text where it starts */
};

struct llmr_chunks {
	struct llmr_chunk *v;
	size_t n, cap;
};

#define LLMR_CHUNKS_INIT {NULL, 0, 0}
#define LLMR_CHUNK_BYTES_PER_TOKEN 4
/* The largest chunk size honoured (tokens): far above any embedder's
 * input, small enough that the byte budget never overflows. */
#define LLMR_CHUNK_MAX_TOKENS 65536L

/*
 * Append the chunks of md[0..n) to out. chunk_tokens <= 0 means 400,
 * and above LLMR_CHUNK_MAX_TOKENS means that; overlap is clamped to
 * [0, chunk_tokens / 2]. Never fails (allocation
 * failure aborts: chunks are bounded by the input, itself capped).
 */
void llmr_chunk_markdown(const char *md, size_t n, long chunk_tokens, long overlap,
			 struct llmr_chunks *out);
/* Free every chunk; out may be reused after. */
void llmr_chunks_release(struct llmr_chunks *c);

#endif
