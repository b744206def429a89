#include "index/extract.h"

#include "base/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	const char *ext;
	enum llmr_doc_format f;
} exts[] = {
	{".txt", LLMR_FMT_TEXT},      {".text", LLMR_FMT_TEXT},
	{".md", LLMR_FMT_MARKDOWN},   {".markdown", LLMR_FMT_MARKDOWN},
	{".html", LLMR_FMT_HTML},     {".htm", LLMR_FMT_HTML},
	{".xhtml", LLMR_FMT_HTML},    {".docx", LLMR_FMT_DOCX},
	{".odt", LLMR_FMT_ODT},       {".pdf", LLMR_FMT_PDF},
};

enum llmr_doc_format llmr_extract_format(const char *path)
{
	size_t n = strlen(path), i, el;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		el = strlen(exts[i].ext);
		if (n > el && !strcasecmp(path + n - el, exts[i].ext))
			return exts[i].f;
	}
	return LLMR_FMT_UNKNOWN;
}

const char *llmr_extract_format_name(enum llmr_doc_format f)
{
	static const char *names[] = {"unknown", "text", "markdown", "html", "docx", "odt", "pdf"};

	return (unsigned)f < sizeof(names) / sizeof(names[0]) ? names[f] : "unknown";
}

int llmr_extract_mem(enum llmr_doc_format f, const char *data, size_t n,
		     struct llmr_buf *out, struct llmr_err *e)
{
	/* Whatever the caller set, one document adds at most this much. */
	if (!out->max || out->max - out->len > LLMR_EXTRACT_MAX_BYTES)
		out->max = out->len + LLMR_EXTRACT_MAX_BYTES;
	if (n > LLMR_EXTRACT_MAX_BYTES)
		return llmr_errf(e, LLMR_EX_DATAERR, "larger than %zu MiB", LLMR_EXTRACT_MAX_BYTES >> 20);
	switch (f) {
	case LLMR_FMT_TEXT:
	case LLMR_FMT_MARKDOWN:
		return llmr_extract_to_utf8(data, n, out, e);
	case LLMR_FMT_HTML:
		return llmr_extract_html(data, n, out, e);
	case LLMR_FMT_DOCX:
		return llmr_extract_docx(data, n, out, e);
	case LLMR_FMT_ODT:
		return llmr_extract_odt(data, n, out, e);
	case LLMR_FMT_PDF:
		return llmr_extract_pdf(data, n, out, e);
	default:
		return llmr_errf(e, LLMR_EX_DATAERR, "unsupported file type");
	}
}

int llmr_extract_file(const char *path, struct llmr_buf *out, struct llmr_err *e)
{
	struct llmr_buf raw = LLMR_BUF_INIT;
	enum llmr_doc_format f = llmr_extract_format(path);
	int rc;

	if (f == LLMR_FMT_UNKNOWN)
		return llmr_errf(e, LLMR_EX_DATAERR, "unsupported file type");
	raw.max = LLMR_EXTRACT_MAX_BYTES;
	if (llmr_read_file(path, &raw) < 0) {
		int err = errno;

		llmr_buf_release(&raw);
		if (err == ENOBUFS || err == EFBIG)
			return llmr_errf(e, LLMR_EX_DATAERR, "larger than %zu MiB",
					 LLMR_EXTRACT_MAX_BYTES >> 20);
		return llmr_errf(e, LLMR_EX_NOINPUT, "%s", strerror(err));
	}
	rc = llmr_extract_mem(f, raw.s ? raw.s : "", raw.len, out, e);
	llmr_buf_release(&raw);
	return rc;
}
