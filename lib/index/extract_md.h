/*
 * extract_md.h - the Markdown writer the extractors share (internal to the
 * extract*.c files): text is collected block by block with whitespace
 * collapsed, then flushed as "# heading" or a paragraph.
 */
#ifndef LLMR_EXTRACT_MD_H
#define LLMR_EXTRACT_MD_H

#include <stddef.h>

#include "base/util.h"

struct llmr_mdw {
	struct llmr_buf *out; /* borrowed: where blocks go */
	struct llmr_buf cur;  /* the block being collected */
	int failed;           /* out hit its cap */
};

/* Start writing to out (borrowed). */
void llmr_mdw_init(struct llmr_mdw *w, struct llmr_buf *out);
/* Add text to the current block, collapsing runs of whitespace. */
void llmr_mdw_text(struct llmr_mdw *w, const char *s, size_t n);
/* End the current block: level 1..6 makes a heading, 0 a paragraph. Empty
 * blocks vanish. */
void llmr_mdw_flush(struct llmr_mdw *w, int level);
/* Flush and free; returns 0, or -1 with e when the output was capped. */
int llmr_mdw_finish(struct llmr_mdw *w, struct llmr_err *e);

#endif
