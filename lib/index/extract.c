#include "index/extract.h"

#include "base/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uchardet.h>

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

/* Copy valid UTF-8, replacing bad bytes with U+FFFD and dropping NUL/CR. */
static int add_utf8_clean(struct llmr_buf *out, const char *s, size_t n)
{
	size_t i = 0, l, start = 0;
	int rc = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		l = llmr_utf8_seq((const unsigned char *)s + i, n - i);
		if (l && c != 0 && c != '\r') {
			i += l;
			continue;
		}
		rc |= llmr_buf_add(out, s + start, i - start);
		if (!l)
			rc |= llmr_buf_add(out, "\xef\xbf\xbd", 3);
		i++;
		start = i;
	}
	rc |= llmr_buf_add(out, s + start, i - start);
	return rc;
}

static int convert(const char *cs, const char *data, size_t n, struct llmr_buf *out,
		   struct llmr_err *e)
{
	iconv_t cd = iconv_open("UTF-8", cs);
	char tmp[8192];
	char *in = (char *)data;
	size_t inleft = n;
	int rc = 0;

	if (cd == (iconv_t)-1)
		cd = iconv_open("UTF-8", "WINDOWS-1252");
	if (cd == (iconv_t)-1)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "iconv: no conversion from %s", cs);
	while (inleft > 0 && rc == 0) {
		char *o = tmp;
		size_t oleft = sizeof(tmp);
		size_t r = iconv(cd, &in, &inleft, &o, &oleft);
		int err = errno;

		rc = add_utf8_clean(out, tmp, (size_t)(o - tmp));
		if (r == (size_t)-1 && err != E2BIG) {
			/* A byte the charset cannot map: mark it and go on. */
			rc |= llmr_buf_add(out, "\xef\xbf\xbd", 3);
			in++;
			inleft--;
		}
	}
	iconv_close(cd);
	if (rc)
		return llmr_errf(e, LLMR_EX_DATAERR, "text too large");
	return 0;
}

int llmr_extract_to_utf8(const char *data, size_t n, struct llmr_buf *out, struct llmr_err *e)
{
	uchardet_t ud;
	char cs[64] = "";
	int rc;

	if (n >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
		data += 3, n -= 3;
	if (llmr_utf8_valid(data, n)) {
		if (add_utf8_clean(out, data, n))
			return llmr_errf(e, LLMR_EX_DATAERR, "text too large");
		return 0;
	}
	ud = uchardet_new();
	if (ud) {
		if (uchardet_handle_data(ud, data, n) == 0) {
			uchardet_data_end(ud);
			snprintf(cs, sizeof(cs), "%s", uchardet_get_charset(ud));
		}
		uchardet_delete(ud);
	}
	/* Unsure detection, or "UTF-8" on bytes that are not: Western
	 * European Windows text is the likeliest in this setting. */
	if (!cs[0] || !strcasecmp(cs, "ASCII") || !strcasecmp(cs, "UTF-8"))
		snprintf(cs, sizeof(cs), "WINDOWS-1252");
	rc = convert(cs, data, n, out, e);
	return rc;
}

int llmr_extract_mem(enum llmr_doc_format f, const char *data, size_t n,
		     struct llmr_buf *out, struct llmr_err *e)
{
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
