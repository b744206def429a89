/*
 * prompt.h - the one-shot prompt of llmr-ask, put together from its
 * sources: the operands (the instruction), standard input when it is not a
 * terminal, and files attached with -a. As simonw/llm does, piped text goes
 * with the instruction rather than being dropped:
 *
 *     cat report.txt | llmr-ask "Summarise this"
 *
 * sends "Summarise this", a blank line, then the report inside
 * <document source="stdin"> ... </document>. Attached files follow, each
 * in its own <document source="FILE">, as text extracted the way
 * llmr-index extracts it (.txt .md .html .docx .odt .pdf).
 */
#ifndef LLMR_PROMPT_H
#define LLMR_PROMPT_H

#include <stdbool.h>
#include <stdio.h>

#include "base/util.h"

/* The largest prompt put together (16 MiB): past it, exit 65. */
#define LLMR_PROMPT_MAX ((size_t)16 << 20)

struct llmr_prompt_src {
	char **words;            /* the operands (borrowed), joined by spaces */
	int nwords;
	FILE *in;                /* standard input to read, or NULL when a TTY */
	const char *const *files; /* attached files (borrowed) */
	size_t nfiles;
	size_t max;              /* cap on the result; 0 = LLMR_PROMPT_MAX */
};

/*
 * Put the prompt together into *out (a new string). With no operands the
 * text read from in is the instruction itself. Returns 0, or -1 with e:
 * LLMR_EX_USAGE when the instruction is empty or only white space (nothing
 * is sent), LLMR_EX_DATAERR past the cap or on a file that cannot be
 * extracted, LLMR_EX_NOINPUT for a missing file, LLMR_EX_IOERR when stdin
 * cannot be read.
 */
int llmr_prompt_build(const struct llmr_prompt_src *src, char **out, struct llmr_err *e);

#endif
