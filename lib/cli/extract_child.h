/*
 * extract_child.h - text of attached files and piped input for llmr-ask,
 * as UTF-8. Plain UTF-8 text is taken as it is; anything else (another
 * character set, .html .docx .odt .pdf) is extracted by `llmr-index
 * --extract` in a child process, so that llmr-ask links none of the
 * extraction libraries.
 */
#ifndef LLMR_EXTRACT_CHILD_H
#define LLMR_EXTRACT_CHILD_H

#include <stddef.h>

#include "base/util.h"

/* data[0..n) as UTF-8, appended to out (at most max bytes). 0, or -1 with
 * e: LLMR_EX_DATAERR when it cannot be converted. */
int llmr_child_text(const char *data, size_t n, size_t max, struct llmr_buf *out,
		    struct llmr_err *e);

/* The text of the file at path, appended to out (at most max bytes). 0, or
 * -1 with e: LLMR_EX_NOINPUT for a missing file, LLMR_EX_DATAERR for one
 * that cannot be read or extracted, LLMR_EX_UNAVAILABLE when llmr-index
 * cannot be run. The message names the file. */
int llmr_child_file(const char *path, size_t max, struct llmr_buf *out, struct llmr_err *e);

#endif
