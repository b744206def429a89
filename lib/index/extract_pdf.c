#include "index/extract.h"
#include "index/extract_md.h"

#include <poppler.h>
#include <string.h>

/*
 * PDF keeps no paragraphs or headings, only positioned glyphs. poppler gives
 * the text in reading order, one line per line, with font sizes: a line set
 * clearly larger than the page's body text is taken for a heading, and a
 * short line ending a sentence ends a paragraph.
 */

struct line {
	const char *s;
	size_t n;
	double size; /* font size of its first glyph */
};

/* Font size at character index ci, from poppler's attribute runs. */
static double size_at(GList *attrs, long ci)
{
	GList *l;

	for (l = attrs; l; l = l->next) {
		PopplerTextAttributes *a = l->data;

		if (ci >= a->start_index && ci <= a->end_index)
			return a->font_size;
	}
	return 0;
}

/* The size most characters use: the body text. */
static double body_size(GList *attrs)
{
	double sizes[64];
	long counts[64];
	int n = 0, i, best = 0;
	GList *l;

	for (l = attrs; l; l = l->next) {
		PopplerTextAttributes *a = l->data;

		for (i = 0; i < n && sizes[i] != a->font_size; i++)
			;
		if (i == n) {
			if (n == 64)
				continue;
			sizes[n] = a->font_size;
			counts[n++] = 0;
		}
		counts[i] += a->end_index - a->start_index + 1;
	}
	for (i = 1; i < n; i++)
		if (counts[i] > counts[best])
			best = i;
	return n ? sizes[best] : 0;
}

static int ends_sentence(const struct line *ln)
{
	char c;

	if (!ln->n)
		return 1;
	c = ln->s[ln->n - 1];
	return c == '.' || c == '!' || c == '?' || c == ':' || c == ';';
}

static int starts_item(const struct line *ln)
{
	const unsigned char *s = (const unsigned char *)ln->s;

	if (ln->n >= 2 && (s[0] == '-' || s[0] == '*') && s[1] == ' ')
		return 1;
	if (ln->n >= 3 && s[0] == 0xe2 && s[1] == 0x80 && s[2] == 0xa2) /* bullet */
		return 1;
	return ln->n >= 3 && s[0] >= '0' && s[0] <= '9' && (s[1] == '.' || s[1] == ')');
}

static void page_text(PopplerPage *page, struct llmr_mdw *w)
{
	char *text = poppler_page_get_text(page);
	GList *attrs = poppler_page_get_text_attributes(page);
	struct line *lines = NULL;
	size_t nl = 0, cap = 0, i, maxlen = 0;
	double body = body_size(attrs);
	const char *p, *q;
	long ci = 0;

	for (p = text ? text : ""; *p; p = q) {
		q = strchr(p, '\n');
		if (!q)
			q = p + strlen(p);
		if (nl == cap) {
			cap = cap ? cap * 2 : 64;
			lines = llmr_xrealloc(lines, cap * sizeof(*lines));
		}
		lines[nl].s = p;
		lines[nl].n = (size_t)(q - p);
		lines[nl].size = size_at(attrs, ci);
		if (lines[nl].n > maxlen)
			maxlen = lines[nl].n;
		nl++;
		/* Attribute indexes count characters, not bytes. */
		for (; p < q; p++)
			if (((unsigned char)*p & 0xc0) != 0x80)
				ci++;
		if (*q == '\n')
			q++, ci++;
	}
	for (i = 0; i < nl; i++) {
		struct line *ln = &lines[i];
		int heading = body > 0 && ln->size > body * 1.15 && ln->n < 120;

		if (heading || starts_item(ln) || ln->n == 0)
			llmr_mdw_flush(w, 0);
		if (!heading && ln->n > 1 && ln->s[ln->n - 1] == '-' && i + 1 < nl) {
			/* A word hyphenated across lines: join the halves. */
			llmr_mdw_text(w, ln->s, ln->n - 1);
			continue;
		}
		llmr_mdw_text(w, ln->s, ln->n);
		llmr_mdw_text(w, " ", 1);
		if (heading) {
			/* Bigger type, higher level: 1.8x the body is a title. */
			llmr_mdw_flush(w, ln->size > body * 1.8 ? 1 : ln->size > body * 1.4 ? 2 : 3);
		} else if (ends_sentence(ln) && ln->n < maxlen * 8 / 10) {
			llmr_mdw_flush(w, 0);
		}
	}
	llmr_mdw_flush(w, 0);
	free(lines);
	poppler_page_free_text_attributes(attrs);
	g_free(text);
}

int llmr_extract_pdf(const char *data, size_t n, struct llmr_buf *out, struct llmr_err *e)
{
	GBytes *bytes = g_bytes_new_static(data, n);
	GError *gerr = NULL;
	PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &gerr);
	struct llmr_mdw w;
	int i, np;

	if (!doc) {
		llmr_errf(e, LLMR_EX_DATAERR, "not a readable PDF: %s",
			  gerr && gerr->message ? gerr->message : "unknown error");
		if (gerr)
			g_error_free(gerr);
		g_bytes_unref(bytes);
		return -1;
	}
	np = poppler_document_get_n_pages(doc);
	/* A page tree can name one page object millions of times in a small
	 * file: the count is bounded like the bytes. */
	if (np > LLMR_EXTRACT_MAX_PAGES) {
		g_object_unref(doc);
		g_bytes_unref(bytes);
		return llmr_errf(e, LLMR_EX_DATAERR, "more than %d pages", LLMR_EXTRACT_MAX_PAGES);
	}
	llmr_mdw_init(&w, out);
	for (i = 0; i < np && !w.failed; i++) {
		PopplerPage *page = poppler_document_get_page(doc, i);

		if (page) {
			page_text(page, &w);
			g_object_unref(page);
		}
	}
	g_object_unref(doc);
	g_bytes_unref(bytes);
	return llmr_mdw_finish(&w, e);
}
