#include "index/extract_md.h"
#include "base/utf8.h"

#include <string.h>

void llmr_mdw_init(struct llmr_mdw *w, struct llmr_buf *out)
{
	struct llmr_buf z = LLMR_BUF_INIT;

	w->out = out;
	w->cur = z;
	w->cur.max = (size_t)64 << 20;
	w->failed = 0;
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void add(struct llmr_mdw *w, const char *s, size_t n)
{
	if (llmr_buf_add(&w->cur, s, n) < 0)
		w->failed = 1;
}

void llmr_mdw_text(struct llmr_mdw *w, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		/* U+00A0 (no-break space) is common in French typography
		 * ("tri :") and counts as a space for collapsing. */
		if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] == 0xa0) {
			c = ' ';
			i++;
		}
		if (is_space(c)) {
			if (w->cur.len && w->cur.s[w->cur.len - 1] != ' ')
				add(w, " ", 1);
			continue;
		}
		if (c == 0)
			continue;
		if (c >= 0x80) {
			/* Whole UTF-8 sequences only: a parser's stray byte
			 * becomes U+FFFD, so the text stays valid UTF-8. */
			size_t l = llmr_utf8_seq((const unsigned char *)s + i, n - i);

			if (!l)
				add(w, "\xef\xbf\xbd", 3);
			else
				add(w, &s[i], l);
			i += l ? l - 1 : 0;
			continue;
		}
		add(w, &s[i], 1);
	}
}

void llmr_mdw_flush(struct llmr_mdw *w, int level)
{
	size_t len = w->cur.len;
	int rc = 0;

	while (len && w->cur.s[len - 1] == ' ')
		len--;
	if (len && !(len == 1 && w->cur.s[0] == ' ')) {
		const char *s = w->cur.s[0] == ' ' ? w->cur.s + 1 : w->cur.s;

		len -= (size_t)(s - w->cur.s);
		if (w->out->len)
			rc |= llmr_buf_add(w->out, "\n", 1);
		if (level > 0) {
			rc |= llmr_buf_add(w->out, "######", (size_t)(level > 6 ? 6 : level));
			rc |= llmr_buf_add(w->out, " ", 1);
		}
		rc |= llmr_buf_add(w->out, s, len);
		rc |= llmr_buf_add(w->out, "\n", 1);
	}
	if (rc)
		w->failed = 1;
	llmr_buf_reset(&w->cur);
}

int llmr_mdw_finish(struct llmr_mdw *w, struct llmr_err *e)
{
	llmr_mdw_flush(w, 0);
	llmr_buf_release(&w->cur);
	if (w->failed)
		return llmr_errf(e, LLMR_EX_DATAERR, "extracted text too large");
	return 0;
}
