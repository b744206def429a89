#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "index/extract.h"
#include "tap.h"

static char *fixture(const char *name)
{
	const char *src = getenv("LLMR_SRC");
	struct llmr_buf b = LLMR_BUF_INIT;

	llmr_buf_addf(&b, "%s/tests/fixtures/docs/%s", src ? src : ".", name);
	return llmr_buf_detach(&b);
}

static int extract(const char *name, struct llmr_buf *out, struct llmr_err *e)
{
	char *p = fixture(name);
	int rc = llmr_extract_file(p, out, e);

	free(p);
	return rc;
}

static void test_utf8(void)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	struct llmr_err e;

	ok(llmr_utf8_valid("caf\xc3\xa9", 5), "valid UTF-8");
	ok(!llmr_utf8_valid("caf\xe9", 4), "Latin-1 byte is not UTF-8");
	ok(!llmr_utf8_valid("\xc0\xaf", 2), "overlong form refused");
	ok(!llmr_utf8_valid("\xed\xa0\x80", 3), "surrogate refused");
	ok(llmr_extract_to_utf8("d\xe9p\xf4t \xe9t\xe9 \xe0 l'accueil", 21, &b, &e) == 0, "convert Latin-1");
	is_str(b.s, "d\xc3\xa9p\xc3\xb4t \xc3\xa9t\xc3\xa9 \xc3\xa0 l'accueil", "Latin-1 text became UTF-8");
	ok(llmr_utf8_valid(b.s, b.len), "output is valid UTF-8");
	llmr_buf_reset(&b);
	llmr_extract_to_utf8("\xef\xbb\xbf" "a\r\nb", 7, &b, &e);
	is_str(b.s, "a\nb", "BOM and CR dropped");
	llmr_buf_release(&b);
}

static void test_formats(void)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	struct llmr_err e = {0, ""};

	is_int(llmr_extract_format("a/B.DOCX"), LLMR_FMT_DOCX, "extension, any case");
	is_int(llmr_extract_format("x.png"), LLMR_FMT_UNKNOWN, "png is not a document");

	ok(extract("atelier.html", &b, &e) == 0, "html extracts");
	ok(strstr(b.s, "# Atelier v\xc3\xa9lo\n") != NULL, "h1 becomes a heading");
	ok(strstr(b.s, "## Outils\n") != NULL, "h2 becomes a level-2 heading");
	ok(strstr(b.s, "L'atelier r\xc3\xa9pare") != NULL, "entity decoded, UTF-8 kept");
	ok(!strstr(b.s, "secretscript") && !strstr(b.s, "color:red"), "script and style dropped");
	llmr_buf_reset(&b);

	ok(extract("reception.docx", &b, &e) == 0, "docx extracts");
	ok(strstr(b.s, "# Proc\xc3\xa9" "dure de r\xc3\xa9" "ception\n") != NULL, "Heading1 style is a heading");
	ok(strstr(b.s, "## Refus\n") != NULL, "Heading2 style is level 2");
	ok(strstr(b.s, "ornithorynque") != NULL, "docx body text");
	llmr_buf_reset(&b);

	ok(extract("inventaire.odt", &b, &e) == 0, "odt extracts");
	ok(strstr(b.s, "## Comptage\n") != NULL, "outline-level 2 heading");
	ok(strstr(b.s, "salamandre") != NULL, "odt body text");
	llmr_buf_reset(&b);

	ok(extract("securite.pdf", &b, &e) == 0, "pdf extracts");
	ok(strstr(b.s, "dromadaire") != NULL, "pdf body text");
	ok(strstr(b.s, "# Consignes de s\xc3\xa9" "curit\xc3\xa9") != NULL, "large type becomes a heading");
	ok(strstr(b.s, "\xc3\xa9vacuez") != NULL, "WinAnsi accents decoded");
	llmr_buf_reset(&b);

	ok(extract("depot-latin1.txt", &b, &e) == 0, "latin-1 text extracts");
	ok(strstr(b.s, "\xc3\x89t\xc3\xa9 comme hiver") != NULL, "charset detected and converted");
	llmr_buf_reset(&b);

	ok(extract("casse.docx", &b, &e) < 0, "corrupt docx fails");
	is_int(e.code, LLMR_EX_DATAERR, "with a data error");
	ok(strstr(e.msg, "ZIP") != NULL, "saying why: %s", e.msg);
	ok(extract("tronque.pdf", &b, &e) < 0, "truncated pdf fails");
	ok(extract("image.png", &b, &e) < 0 && strstr(e.msg, "unsupported"), "png unsupported");
	ok(extract("no-such-file.md", &b, &e) < 0 && e.code == LLMR_EX_NOINPUT, "missing file: 66");
	ok(llmr_extract_mem(LLMR_FMT_HTML, "", 0, &b, &e) < 0 || b.len == 0, "empty html: no text");
	llmr_buf_release(&b);
}

/* A saved fuzz regression input (its first byte picks the format). */
static void regression(const char *name, struct llmr_buf *b)
{
	const char *src = getenv("LLMR_SRC");
	struct llmr_buf p = LLMR_BUF_INIT;

	llmr_buf_addf(&p, "%s/tests/fuzz/regressions/extract/%s", src ? src : ".", name);
	if (llmr_read_file(p.s, b) < 0) {
		printf("Bail out! cannot read %s\n", p.s);
		exit(1);
	}
	llmr_buf_release(&p);
}

/* Regressions: a 518-byte .docx whose entities expand to 10^9 letters grew
 * to gigabytes; "&\xe9" in Latin-1 HTML came out as invalid UTF-8. */
static void test_hostile(void)
{
	struct llmr_buf in = LLMR_BUF_INIT, b = LLMR_BUF_INIT;
	struct llmr_err e = {0, ""};

	regression("docx-billion-laughs", &in);
	ok(llmr_extract_docx(in.s + 1, in.len - 1, &b, &e) < 0, "a docx with entity declarations is refused");
	ok(strstr(e.msg, "DTD") != NULL, "saying why: %s", e.msg);
	ok(b.len < 1024, "and nothing was expanded");
	llmr_buf_release(&in);
	llmr_buf_reset(&b);
	regression("html-latin1-amp", &in);
	ok(llmr_extract_html(in.s + 1, in.len - 1, &b, &e) == 0, "Latin-1 html extracts");
	ok(llmr_utf8_valid(b.s, b.len), "as valid UTF-8");
	ok(strstr(b.s, "Caf&\xc3\xa9 cr\xc3\xa8me & d\xc3\xa9j\xc3\xa0") != NULL, "with its accents: %s", b.s);
	llmr_buf_release(&in);
	llmr_buf_reset(&b);
	b.max = 10;
	ok(llmr_extract_mem(LLMR_FMT_TEXT, "0123456789abcdef", 16, &b, &e) < 0, "output cap honoured");
	llmr_buf_reset(&b);
	b.max = 0;
	ok(llmr_extract_mem(LLMR_FMT_TEXT, "abc", 3, &b, &e) == 0 && b.max == LLMR_EXTRACT_MAX_BYTES,
	   "no cap set: one document's worth");
	llmr_buf_release(&b);
}

/* A PDF whose page tree counts more pages than the cap (padded with null
 * objects, as poppler trusts /Count up to the number of objects). */
static void test_page_cap(void)
{
	size_t nobj = LLMR_EXTRACT_MAX_PAGES + 8, i, xref;
	size_t *off = calloc(nobj + 1, sizeof(*off));
	struct llmr_buf pdf = LLMR_BUF_INIT, out = LLMR_BUF_INIT;
	struct llmr_err e = {0, ""};

	llmr_buf_adds(&pdf, "%PDF-1.4\n");
	for (i = 1; i <= nobj; i++) {
		off[i] = pdf.len;
		if (i == 1)
			llmr_buf_addf(&pdf, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
		else if (i == 2)
			llmr_buf_addf(&pdf, "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count %d >>\nendobj\n",
				      LLMR_EXTRACT_MAX_PAGES + 1);
		else if (i == 3)
			llmr_buf_addf(&pdf, "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>\nendobj\n");
		else
			llmr_buf_addf(&pdf, "%zu 0 obj\nnull\nendobj\n", i);
	}
	xref = pdf.len;
	llmr_buf_addf(&pdf, "xref\n0 %zu\n0000000000 65535 f \n", nobj + 1);
	for (i = 1; i <= nobj; i++)
		llmr_buf_addf(&pdf, "%010zu 00000 n \n", off[i]);
	llmr_buf_addf(&pdf, "trailer\n<< /Size %zu /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n", nobj + 1, xref);
	ok(llmr_extract_pdf(pdf.s, pdf.len, &out, &e) < 0, "a PDF of more than %d pages is refused",
	   LLMR_EXTRACT_MAX_PAGES);
	ok(strstr(e.msg, "pages") != NULL, "saying why: %s", e.msg);
	llmr_buf_release(&pdf);
	llmr_buf_release(&out);
	free(off);
}

int main(void)
{
	test_hostile();
	test_page_cap();
	test_utf8();
	test_formats();
	done_testing();
}
