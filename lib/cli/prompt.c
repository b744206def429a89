#include "cli/prompt.h"

#include <errno.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/extract_child.h"

static int too_big(size_t max, struct llmr_err *e)
{
	if (max % (1 << 20) == 0)
		return llmr_errf(e, LLMR_EX_DATAERR, "the prompt is larger than %zu MiB", max >> 20);
	return llmr_errf(e, LLMR_EX_DATAERR, "the prompt is larger than %zu bytes", max);
}

/* All of in, capped at max bytes. */
static int read_all(FILE *in, size_t max, struct llmr_buf *b, struct llmr_err *e)
{
	char chunk[65536];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		if (b->len + n > max)
			return too_big(max, e);
		else if (llmr_buf_add(b, chunk, n) < 0)
			return llmr_errf(e, LLMR_EX_SOFTWARE, "out of memory");
	if (ferror(in))
		return llmr_errf(e, LLMR_EX_IOERR, "cannot read standard input: %s", strerror(errno));
	return 0;
}

static void trim_end(struct llmr_buf *b)
{
	while (b->len && strchr(" \t\r\n", b->s[b->len - 1]))
		b->s[--b->len] = '\0';
}

/* Append a document: the source named, its text as UTF-8. */
static int add_doc(struct llmr_buf *p, const char *source, struct llmr_buf *text,
		   size_t max, struct llmr_err *e)
{
	trim_end(text);
	if (!text->len)
		return 0;
	llmr_buf_addf(p, "\n\n<document source=\"%s\">\n", source);
	llmr_buf_add(p, text->s, text->len);
	llmr_buf_adds(p, "\n</document>");
	return p->len > max ? too_big(max, e) : 0;
}

static int add_stdin(struct llmr_buf *p, FILE *in, size_t max, struct llmr_err *e)
{
	struct llmr_buf raw = LLMR_BUF_INIT, text = LLMR_BUF_INIT;
	int rc = read_all(in, max, &raw, e);

	/* Piped text may be in any character set: the extractors' rule. */
	if (rc == 0 && raw.len && llmr_child_text(raw.s, raw.len, max, &text, e) < 0)
		rc = -1;
	if (rc == 0)
		rc = add_doc(p, "stdin", &text, max, e);
	llmr_buf_release(&raw);
	llmr_buf_release(&text);
	return rc;
}

static int add_file(struct llmr_buf *p, const char *path, size_t max, struct llmr_err *e)
{
	struct llmr_buf text = LLMR_BUF_INIT;
	int rc = llmr_child_file(path, max, &text, e);

	if (rc == 0)
		rc = add_doc(p, path, &text, max, e);
	llmr_buf_release(&text);
	return rc;
}

/* The instruction: the operands, or all of stdin when there are none. */
static int instruction(const struct llmr_prompt_src *src, size_t max, struct llmr_buf *p,
		       struct llmr_err *e)
{
	if (src->nwords) {
		for (int i = 0; i < src->nwords; i++) {
			if (i)
				llmr_buf_add(p, " ", 1);
			llmr_buf_adds(p, src->words[i]);
		}
		if (p->len > max)
			return too_big(max, e);
	} else if (src->in) {
		struct llmr_buf raw = LLMR_BUF_INIT;
		int rc = read_all(src->in, max, &raw, e);

		if (rc == 0 && raw.len && llmr_child_text(raw.s, raw.len, max, p, e) < 0)
			rc = -1;
		llmr_buf_release(&raw);
		if (rc < 0)
			return -1;
	}
	trim_end(p);
	if (llmr_prompt_blank(p->s ? p->s : "", p->len))
		return llmr_errf(e, LLMR_EX_USAGE, "empty prompt");
	return 0;
}

int llmr_prompt_build(const struct llmr_prompt_src *src, char **out, struct llmr_err *e)
{
	struct llmr_buf p = LLMR_BUF_INIT;
	size_t max = src->max ? src->max : LLMR_PROMPT_MAX;
	int rc = instruction(src, max, &p, e);

	if (rc == 0 && src->nwords && src->in)
		rc = add_stdin(&p, src->in, max, e);
	for (size_t i = 0; rc == 0 && i < src->nfiles; i++)
		rc = add_file(&p, src->files[i], max, e);
	if (rc < 0) {
		llmr_buf_release(&p);
		return -1;
	}
	*out = llmr_buf_detach(&p);
	return 0;
}
