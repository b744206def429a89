/*
 * extract.h - documents to text: .txt .md .html .docx .odt .pdf.
 *
 * Every format comes out as the same light Markdown: headings are lines that
 * start with '#' (one per level), paragraphs are separated by a blank line,
 * and the text is valid UTF-8. The chunker (chunk.h) reads only that, so a
 * new format needs only an extractor. Parsing is done by libraries: libxml2
 * (HTML, WordprocessingML, OpenDocument), libzip (the .docx/.odt container),
 * poppler-glib (PDF), uchardet and iconv (character sets).
 */
#ifndef LLMR_EXTRACT_H
#define LLMR_EXTRACT_H

#include <stddef.h>

#include "base/util.h"

/* Inputs above this size are refused (a cap on anything read from a file). */
#define LLMR_EXTRACT_MAX_BYTES ((size_t)64 << 20)
/* PDFs of more pages are refused. */
#define LLMR_EXTRACT_MAX_PAGES 100000

enum llmr_doc_format {
	LLMR_FMT_UNKNOWN,
	LLMR_FMT_TEXT,
	LLMR_FMT_MARKDOWN,
	LLMR_FMT_HTML,
	LLMR_FMT_DOCX,
	LLMR_FMT_ODT,
	LLMR_FMT_PDF
};

/* The format for a file name (by extension, case-insensitive). */
enum llmr_doc_format llmr_extract_format(const char *path);
/* "text", "markdown", ... for messages and --stats. */
const char *llmr_extract_format_name(enum llmr_doc_format f);

/*
 * Extract the document held in data[0..n) (read from a file of format f)
 * into out as UTF-8 Markdown (appended). Inputs above, and output beyond,
 * LLMR_EXTRACT_MAX_BYTES are refused (out->max is lowered to that); an
 * XML part that declares a DTD is refused (no entity expansion). Returns 0, or -1 with e
 * (LLMR_EX_DATAERR: corrupt or unsupported; the message says why, without
 * the file name, which the caller adds).
 */
int llmr_extract_mem(enum llmr_doc_format f, const char *data, size_t n,
		     struct llmr_buf *out, struct llmr_err *e);

/* Read path (capped at LLMR_EXTRACT_MAX_BYTES) and extract it. Returns 0,
 * or -1 with e (LLMR_EX_NOINPUT when unreadable, else as above). */
int llmr_extract_file(const char *path, struct llmr_buf *out, struct llmr_err *e);

/*
 * Append data[0..n) to out as valid UTF-8: UTF-8 input is kept (invalid
 * sequences become U+FFFD), anything else is detected by uchardet and
 * converted by iconv (Windows-1252 when detection is unsure). NUL bytes and
 * carriage returns are dropped. Returns 0, or -1 with e when out is full.
 */
int llmr_extract_to_utf8(const char *data, size_t n, struct llmr_buf *out, struct llmr_err *e);

/* Per-format extractors, for the dispatcher and the tests (same contract
 * as llmr_extract_mem). */
int llmr_extract_html(const char *data, size_t n, struct llmr_buf *out, struct llmr_err *e);
int llmr_extract_docx(const char *data, size_t n, struct llmr_buf *out, struct llmr_err *e);
int llmr_extract_odt(const char *data, size_t n, struct llmr_buf *out, struct llmr_err *e);
int llmr_extract_pdf(const char *data, size_t n, struct llmr_buf *out, struct llmr_err *e);

#endif
