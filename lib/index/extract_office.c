#include "index/extract.h"
#include "index/extract_md.h"

#include <ctype.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

/* The biggest XML part we inflate: a cap against zip bombs. */
#define MAX_PART ((zip_uint64_t)64 << 20)

/* Read one member of the ZIP held in memory into b. */
static int zip_member(const char *data, size_t n, const char *name, struct llmr_buf *b,
		      struct llmr_err *e)
{
	zip_error_t zerr;
	zip_source_t *src;
	zip_t *za;
	zip_stat_t zs;
	zip_file_t *zf;
	zip_int64_t idx, got;
	char tmp[65536];
	int rc = 0;

	zip_error_init(&zerr);
	src = zip_source_buffer_create(data, n, 0, &zerr);
	if (!src) {
		zip_error_fini(&zerr);
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot read archive");
	}
	za = zip_open_from_source(src, ZIP_RDONLY, &zerr);
	if (!za) {
		zip_source_free(src);
		rc = llmr_errf(e, LLMR_EX_DATAERR, "not a valid ZIP container: %s",
			       zip_error_strerror(&zerr));
		zip_error_fini(&zerr);
		return rc;
	}
	zip_error_fini(&zerr);
	idx = zip_name_locate(za, name, 0);
	if (idx < 0 || zip_stat_index(za, (zip_uint64_t)idx, 0, &zs) < 0) {
		zip_close(za);
		return llmr_errf(e, LLMR_EX_DATAERR, "no %s inside", name);
	}
	if ((zs.valid & ZIP_STAT_SIZE) && zs.size > MAX_PART) {
		zip_close(za);
		return llmr_errf(e, LLMR_EX_DATAERR, "%s is too large", name);
	}
	zf = zip_fopen_index(za, (zip_uint64_t)idx, 0);
	if (!zf) {
		rc = llmr_errf(e, LLMR_EX_DATAERR, "cannot open %s: %s", name, zip_strerror(za));
		zip_close(za);
		return rc;
	}
	b->max = (size_t)MAX_PART;
	while ((got = zip_fread(zf, tmp, sizeof(tmp))) > 0) {
		if (llmr_buf_add(b, tmp, (size_t)got) < 0) {
			rc = llmr_errf(e, LLMR_EX_DATAERR, "%s is too large", name);
			break;
		}
	}
	if (got < 0 && !rc)
		rc = llmr_errf(e, LLMR_EX_DATAERR, "corrupt %s: %s", name, zip_file_strerror(zf));
	zip_fclose(zf);
	zip_close(za);
	return rc;
}

/* True if the part has a document type declaration. Word and LibreOffice
 * never write one; a file that does may declare entities that expand
 * exponentially ("billion laughs": 641 bytes grew to 2 GB). */
static int has_doctype(const struct llmr_buf *b)
{
	static const char decl[] = "<!DOCTYPE";
	const char *p = b->s, *end = b->s + b->len;

	while (p && (p = memchr(p, '<', (size_t)(end - p)))) {
		if ((size_t)(end - p) >= sizeof(decl) - 1 && !memcmp(p, decl, sizeof(decl) - 1))
			return 1;
		p++;
	}
	return 0;
}

static xmlDocPtr parse_part(const struct llmr_buf *b, struct llmr_err *e)
{
	xmlDocPtr doc;

	if (b->len > (size_t)0x7fffffff) {
		llmr_errf(e, LLMR_EX_DATAERR, "part too large");
		return NULL;
	}
	if (has_doctype(b)) {
		llmr_errf(e, LLMR_EX_DATAERR, "refused: the XML declares a DTD");
		return NULL;
	}
	/* No network, no entity substitution (no XML_PARSE_NOENT), no DTD
	 * loading, and libxml2's own limits on depth and sizes (no
	 * XML_PARSE_HUGE): the file is untrusted. */
	doc = xmlReadMemory(b->s ? b->s : "", (int)b->len, NULL, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc)
		llmr_errf(e, LLMR_EX_DATAERR, "malformed XML");
	else if (doc->intSubset || doc->extSubset) {
		xmlFreeDoc(doc);
		doc = NULL;
		llmr_errf(e, LLMR_EX_DATAERR, "refused: the XML declares a DTD");
	}
	return doc;
}

static int is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* "Heading2", "heading 2", "Titre2", "Title": the level, else 0. */
static int style_level(const char *v)
{
	const char *p = NULL;

	if (!strncasecmp(v, "heading", 7))
		p = v + 7;
	else if (!strncasecmp(v, "titre", 5))
		p = v + 5;
	else if (!strcasecmp(v, "title"))
		return 1;
	if (!p)
		return 0;
	while (*p == ' ')
		p++;
	if (!*p)
		return 1;
	if (isdigit((unsigned char)*p) && *p > '0')
		return *p - '0' > 6 ? 6 : *p - '0';
	return 0;
}

static int attr_int(xmlNode *n, const char *name, int dflt)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	int r = dflt;

	if (v) {
		r = atoi((const char *)v);
		xmlFree(v);
	}
	return r;
}

/* The heading level a w:p's properties give it (0 for a paragraph). */
static int docx_level(xmlNode *ppr)
{
	xmlNode *c;
	int level = 0;

	for (c = ppr ? ppr->children : NULL; c; c = c->next) {
		if (is(c, "pStyle")) {
			xmlChar *v = xmlGetProp(c, (const xmlChar *)"val");

			if (v) {
				level = style_level((const char *)v);
				xmlFree(v);
			}
		} else if (is(c, "outlineLvl") && !level) {
			int l = attr_int(c, "val", 9);

			if (l >= 0 && l < 6)
				level = l + 1;
		}
	}
	return level;
}

static void docx_text(xmlNode *n, struct llmr_mdw *w, int depth)
{
	for (; n && depth < 128; n = n->next) {
		if (is(n, "t")) {
			xmlNode *c;

			/* Text nodes only: xmlNodeGetContent would expand
			 * entity references. */
			for (c = n->children; c; c = c->next)
				if (c->type == XML_TEXT_NODE && c->content)
					llmr_mdw_text(w, (const char *)c->content,
						      strlen((const char *)c->content));
		} else if (is(n, "tab") || is(n, "br") || is(n, "cr")) {
			llmr_mdw_text(w, " ", 1);
		} else if (is(n, "delText") || is(n, "instrText") || is(n, "pPr")) {
			continue;
		} else if (n->type == XML_ELEMENT_NODE) {
			docx_text(n->children, w, depth + 1);
		}
	}
}

static void docx_walk(xmlNode *n, struct llmr_mdw *w, int depth)
{
	for (; n && depth < 128; n = n->next) {
		if (is(n, "p")) {
			xmlNode *c = n->children;
			int level = 0;

			for (; c; c = c->next)
				if (is(c, "pPr"))
					level = docx_level(c);
			docx_text(n->children, w, depth + 1);
			llmr_mdw_flush(w, level);
		} else if (n->type == XML_ELEMENT_NODE) {
			docx_walk(n->children, w, depth + 1);
		}
	}
}

static void odt_walk(xmlNode *n, struct llmr_mdw *w, int depth)
{
	for (; n && depth < 128; n = n->next) {
		if (n->type == XML_TEXT_NODE && n->content) {
			llmr_mdw_text(w, (const char *)n->content, strlen((const char *)n->content));
		} else if (is(n, "s") || is(n, "tab") || is(n, "line-break")) {
			llmr_mdw_text(w, " ", 1);
		} else if (is(n, "annotation") || is(n, "tracked-changes")) {
			continue;
		} else if (is(n, "h")) {
			int level = attr_int(n, "outline-level", 1);

			llmr_mdw_flush(w, 0);
			odt_walk(n->children, w, depth + 1);
			llmr_mdw_flush(w, level < 1 ? 1 : level > 6 ? 6 : level);
		} else if (is(n, "p")) {
			llmr_mdw_flush(w, 0);
			odt_walk(n->children, w, depth + 1);
			llmr_mdw_flush(w, 0);
		} else if (n->type == XML_ELEMENT_NODE) {
			odt_walk(n->children, w, depth + 1);
		}
	}
}

static int office(const char *data, size_t n, const char *member,
		  void (*walk)(xmlNode *, struct llmr_mdw *, int), struct llmr_buf *out,
		  struct llmr_err *e)
{
	struct llmr_buf xml = LLMR_BUF_INIT;
	struct llmr_mdw w;
	xmlDocPtr doc;

	if (zip_member(data, n, member, &xml, e) < 0) {
		llmr_buf_release(&xml);
		return -1;
	}
	doc = parse_part(&xml, e);
	llmr_buf_release(&xml);
	if (!doc)
		return -1;
	llmr_mdw_init(&w, out);
	walk(xmlDocGetRootElement(doc), &w, 0);
	xmlFreeDoc(doc);
	return llmr_mdw_finish(&w, e);
}

int llmr_extract_docx(const char *data, size_t n, struct llmr_buf *out, struct llmr_err *e)
{
	return office(data, n, "word/document.xml", docx_walk, out, e);
}

int llmr_extract_odt(const char *data, size_t n, struct llmr_buf *out, struct llmr_err *e)
{
	return office(data, n, "content.xml", odt_walk, out, e);
}
