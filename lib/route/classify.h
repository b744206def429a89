/*
 * classify.h - the deterministic request classifier: how hard is this
 * question (simple, medium, complex, with a score in [0,1]) and what kind
 * of task is it. Same input, same answer, and a reason that says why.
 *
 * Features: length (continuous), questions and sub-questions, verbs of
 * analysis, comparison, planning and recommendation, of writing, summaries
 * and explanations (French and English; not in narrative form: "compared",
 * "designer"), requested output length, JSON asked for, code in the
 * prompt, legal or compliance wording. tests/fixtures/classify holds the
 * labelled prompts it is checked against.
 */
#ifndef LLMR_CLASSIFY_H
#define LLMR_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

/* Score thresholds between the tiers: score < SIMPLE_MAX is simple,
 * score < MEDIUM_MAX is medium, else complex. */
#define LLMR_CLASSIFY_SIMPLE_MAX 0.35
#define LLMR_CLASSIFY_MEDIUM_MAX 0.65

struct llmr_classify_in {
	const char *text;  /* the prompt (messages joined); need not end in NUL */
	size_t len;
	long max_tokens;   /* requested output length; 0 unknown */
	bool json;         /* a JSON object is asked for */
};

struct llmr_class {
	int complexity;    /* LLMR_SIMPLE, LLMR_MEDIUM or LLMR_COMPLEX */
	double score;      /* estimated difficulty in [0,1] */
	const char *task;  /* static: "chat", "classification", "extraction",
			      "summary", "writing", "code", "analysis", "planning",
			      "legal" */
	char reason[256];  /* "score 0.52: 180 tokens, 2 questions, ..." */
};

/* Classify in. Never fails; out is filled completely. */
void llmr_classify(const struct llmr_classify_in *in, struct llmr_class *out);

/* The tier for a score (thresholds above). */
int llmr_classify_tier(double score);

/* Estimated tokens in n bytes of text (~4 bytes a token, at least 1). */
long llmr_classify_tokens(size_t n);

#endif
