#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "index/chunk.h"
#include "index/extract.h"
#include "tap.h"

static void test_structure(void)
{
	const char *md = "# Guide\n\nIntro paragraph.\n\n## Accueil\n\nFirst.\n\nSecond.\n\n"
			 "### D\xc3\xa9tails\n\nDeep.\n\n## Caisse\n\nCash.\n\n```\n# not a heading\n```\n";
	struct llmr_chunks c = LLMR_CHUNKS_INIT;

	llmr_chunk_markdown(md, strlen(md), 400, 40, &c);
	is_int(c.n, 4, "a chunk per section");
	is_str(c.v[0].heading, "Guide", "top heading");
	is_str(c.v[0].text, "Intro paragraph.", "its text");
	is_str(c.v[1].heading, "Guide > Accueil", "heading path");
	is_str(c.v[1].text, "First.\n\nSecond.", "paragraphs kept together");
	is_str(c.v[2].heading, "Guide > Accueil > D\xc3\xa9tails", "three levels");
	is_str(c.v[3].heading, "Guide > Caisse", "a sibling replaces the level");
	ok(strstr(c.v[3].text, "# not a heading") != NULL, "no heading inside a code fence");
	is_int(c.v[1].pos, strstr(md, "First.") - md, "position is the byte offset");
	llmr_chunks_release(&c);

	md = "Title\n=====\n\ntext\n\nSub\n---\n\nmore\n";
	llmr_chunk_markdown(md, strlen(md), 400, 40, &c);
	is_int(c.n, 2, "setext headings");
	is_str(c.v[1].heading, "Title > Sub", "setext levels");
	llmr_chunks_release(&c);
}

static void test_budget(void)
{
	struct llmr_buf md = LLMR_BUF_INIT;
	struct llmr_chunks c = LLMR_CHUNKS_INIT;
	size_t i, max = 0;
	int utf8 = 1, overlap = 1;

	llmr_buf_adds(&md, "# Long\n\n");
	for (i = 0; i < 300; i++)
		llmr_buf_addf(&md, "Phrase num\xc3\xa9ro %zu du tr\xc3\xa8s long paragraphe. ", i);
	llmr_chunk_markdown(md.s, md.len, 50, 10, &c);
	ok(c.n > 10, "a long paragraph is cut (%zu chunks)", c.n);
	for (i = 0; i < c.n; i++) {
		size_t n = strlen(c.v[i].text);

		if (n > max)
			max = n;
		if (!llmr_utf8_valid(c.v[i].text, n))
			utf8 = 0;
		if (i > 0) {
			/* The start of chunk i repeats the end of chunk i-1. */
			char head[12];

			memcpy(head, c.v[i].text, 11);
			head[11] = '\0';
			if (!strstr(c.v[i - 1].text, head))
				overlap = 0;
		}
	}
	ok(max <= 50 * LLMR_CHUNK_BYTES_PER_TOKEN, "every chunk within the budget (max %zu)", max);
	ok(utf8, "cuts never split a UTF-8 character");
	ok(overlap, "each chunk starts with the end of the previous one");
	ok(strstr(c.v[0].text, "Phrase") == c.v[0].text, "first chunk starts at the text");
	is_str(c.v[c.n - 1].heading, "Long", "heading kept on every piece");
	llmr_chunks_release(&c);
	llmr_buf_release(&md);

	llmr_chunk_markdown("", 0, 400, 40, &c);
	is_int(c.n, 0, "empty text, no chunk");
	llmr_chunk_markdown("# Only a heading\n", 17, 400, 40, &c);
	is_int(c.n, 0, "heading alone, no chunk");
	llmr_chunks_release(&c);
}

/* Regression: chunk_tokens of 2^62 wrapped the byte budget to 0 and cut
 * the text into 1-byte chunks. */
static void test_huge_budget(void)
{
	const char *md = "One paragraph of several words.\n\nAnother one.\n";
	struct llmr_chunks c = LLMR_CHUNKS_INIT;

	llmr_chunk_markdown(md, strlen(md), 1L << 62, 1L << 61, &c);
	is_int(c.n, 1, "a huge chunk size keeps the text in one chunk");
	llmr_chunks_release(&c);
	llmr_chunk_markdown(md, strlen(md), 9223372036854775807L, -5, &c);
	is_int(c.n, 1, "LONG_MAX too");
	llmr_chunks_release(&c);
}

int main(void)
{
	test_huge_budget();
	test_structure();
	test_budget();
	done_testing();
}
