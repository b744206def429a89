#include "index/extract.h"
#include "index/extract_md.h"
#include "base/utf8.h"

#include <libxml/HTMLparser.h>
#include <string.h>
#include <strings.h>

/* Elements whose text is not document content. */
static int skipped(const char *name)
{
	static const char *const skip[] = {"script", "style", "noscript", "head", "template",
					   "svg", "nav", NULL};
	int i;

	for (i = 0; skip[i]; i++)
		if (!strcasecmp(name, skip[i]))
			return 1;
	return 0;
}

/* Elements that end a paragraph. */
static int block(const char *name)
{
	static const char *const blocks[] = {
		"p", "div", "li", "br", "tr", "td", "th", "section", "article", "blockquote",
		"pre", "table", "ul", "ol", "dl", "dt", "dd", "header", "footer", "main",
		"aside", "figure", "figcaption", "hr", "form", "body", "caption", NULL};
	int i;

	for (i = 0; blocks[i]; i++)
		if (!strcasecmp(name, blocks[i]))
			return 1;
	return 0;
}

static int heading_level(const char *name)
{
	if ((name[0] == 'h' || name[0] == 'H') && name[1] >= '1' && name[1] <= '6' && !name[2])
		return name[1] - '0';
	return 0;
}

static void walk(xmlNode *n, struct llmr_mdw *w, int depth)
{
	for (; n; n = n->next) {
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content)
				llmr_mdw_text(w, (const char *)n->content,
					      strlen((const char *)n->content));
		} else if (n->type == XML_ELEMENT_NODE && depth < 256) {
			const char *name = (const char *)n->name;
			int h = heading_level(name);

			if (skipped(name))
				continue;
			if (h || block(name))
				llmr_mdw_flush(w, 0);
			walk(n->children, w, depth + 1);
			if (h)
				llmr_mdw_flush(w, h);
			else if (block(name))
				llmr_mdw_flush(w, 0);
		}
	}
}

int llmr_extract_html(const char *data, size_t n, struct llmr_buf *out, struct llmr_err *e)
{
	struct llmr_buf utf8 = LLMR_BUF_INIT;
	struct llmr_mdw w;
	htmlDocPtr doc;

	if (n > (size_t)0x7fffffff)
		return llmr_errf(e, LLMR_EX_DATAERR, "too large");
	/* Bytes that are not UTF-8 are converted first (the charset detected
	 * as for text files): left to libxml2, which assumes Latin-1 without
	 * a <meta charset>, "&\xe9" came out as invalid UTF-8. */
	if (!llmr_utf8_valid(data, n)) {
		utf8.max = LLMR_EXTRACT_MAX_BYTES;
		if (llmr_extract_to_utf8(data, n, &utf8, e) < 0) {
			llmr_buf_release(&utf8);
			return -1;
		}
		data = utf8.s ? utf8.s : "";
		n = utf8.len;
	}
	doc = htmlReadMemory(data, (int)n, NULL, "UTF-8",
			     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
				     HTML_PARSE_NONET | HTML_PARSE_NOBLANKS);
	llmr_buf_release(&utf8);
	if (!doc)
		return llmr_errf(e, LLMR_EX_DATAERR, "not an HTML document");
	llmr_mdw_init(&w, out);
	walk(xmlDocGetRootElement(doc), &w, 0);
	xmlFreeDoc(doc);
	return llmr_mdw_finish(&w, e);
}
