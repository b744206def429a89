/*
 * extract_text.c - any bytes to valid UTF-8: the plain-text extractor, and
 * the first step for HTML that is not UTF-8.
 */
#include "index/extract.h"

#include "base/utf8.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <uchardet.h>

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
