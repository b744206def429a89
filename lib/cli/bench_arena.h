/*
 * bench_arena.h - llmr-bench arena: a person evaluates, case by case, the
 * answers two or three models give to a suite, on a terminal, as in the
 * Chatbot Arena: anonymous (A, B, C) and in a seeded random order. Each
 * answer gets a score 0..10, tags, a comment and a confidence 1..5, then
 * every pair of answers a preference (A or B, tie, or skip), stored as a
 * pairwise result (source "human") that the ratings count. The models are
 * named once the case is done. Data: bench/arena.h.
 */
#ifndef LLMR_CLI_BENCH_ARENA_H
#define LLMR_CLI_BENCH_ARENA_H

#include <stdint.h>
#include <stdio.h>

#include "bench/arena.h"

struct llmr_arena_opts {
	const char *const *models;  /* borrowed, 2 or 3 */
	size_t nmodels;
	const char *models_arg;     /* the list as given, stored with the session */
	const char *evaluator;      /* who scores */
	uint64_t seed;              /* the order of the answers */
	const char *hash;           /* the suite's SHA-256 (hex) */
};

/* What the session stored. */
struct llmr_arena_tally {
	int64_t run;
	size_t cases, scores, prefs;
	int stopped;                /* ended by Ctrl-C or the end of input */
};

/*
 * Run the session on a terminal: questions read from in (readline when it
 * loads), everything shown on out. Ctrl-C or the end of input ends it at
 * any question; what was answered stays stored. Returns 0, or -1 with e:
 * 64 for an unknown model, 74 when the state cannot be written. A case a
 * model cannot answer is said so and skipped.
 */
int llmr_bench_arena(const struct llmr_bench_env *env, const struct llmr_suite *s,
		     const struct llmr_arena_opts *o, FILE *in, FILE *out,
		     struct llmr_arena_tally *t, struct llmr_err *e);

/* Terminal columns of fd ($COLUMNS, else 80, when it is not a terminal). */
size_t llmr_arena_width(int fd);

/* The n answers under their labels: side by side when width gives each
 * 36 columns, else one above the other. Control characters are replaced. */
void llmr_arena_show(FILE *out, const char *const *labels, const char *const *texts, size_t n,
		     size_t width);

/* The questions (bench_arena_input.c). Each returns one of these. */
enum { LLMR_ARENA_OK, LLMR_ARENA_SKIP, LLMR_ARENA_STOP };

struct llmr_arena_input {
	int score, confidence;
	json_t *tags;               /* new reference */
	char *comment;              /* malloc'd */
};

/* Load readline if it can be; without it lines are read plainly. */
void llmr_arena_input_init(void);
/* Score, tags, comment and confidence of the answer shown as label. */
int llmr_arena_ask_score(FILE *in, FILE *out, const char *label, struct llmr_arena_input *a);
/* The preference between la and lb: *winner "a", "b" or "tie". */
int llmr_arena_ask_pref(FILE *in, FILE *out, const char *la, const char *lb, const char **winner);

#endif
