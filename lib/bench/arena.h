/*
 * arena.h - the human arena's data (llmr-bench arena): sessions, the
 * scores a person gives each anonymous answer, their pairwise preferences,
 * the seeded order the answers are shown in, and who disagrees with the
 * others. The terminal side is lib/cli/bench_arena.c.
 *
 * Tables (store/schema.c, arena_v1): bench_arena_sessions, one row per
 * session; bench_arena_scores, one row per answer scored; preferences go
 * to bench_pairs (source "human", with evaluator and case_no), where the
 * ratings count them. Each row is its own transaction: a session cut short
 * keeps every score and vote given before.
 */
#ifndef LLMR_BENCH_ARENA_H
#define LLMR_BENCH_ARENA_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/run.h"
#include "bench/suite.h"
#include "store/state.h"

/* At most three models meet in one session (labels A, B, C). */
#define LLMR_ARENA_MAX 3

/* One answer scored. Every string is borrowed. */
struct llmr_arena_score {
	int64_t run;
	long case_no;           /* 1-based, as in the suite */
	const char *evaluator, *model, *label, *prompt, *answer;
	int score;              /* 0..10 */
	const char *tags;       /* a JSON array of strings, as text */
	const char *comment;    /* "" for none */
	int confidence;         /* 1 (a guess) .. 5 (sure) */
	int64_t time_ms;        /* from the first question on it to the last */
};

/* One pairwise preference between the models behind two labels. */
struct llmr_arena_pref {
	int64_t run;
	long case_no;
	const char *evaluator, *prompt;
	const char *model_a, *model_b;   /* shown as label_a, label_b */
	const char *label_a, *label_b;
	const char *answer_a, *answer_b;
	const char *winner;              /* "a", "b" or "tie" */
	int64_t time_ms;
};

/*
 * Open a session: a bench_runs row (kind "arena") and its
 * bench_arena_sessions row, in one transaction; *run gets the id.
 * models is the comma-separated list as given. 0, or -1 with e (74).
 */
int llmr_arena_begin(struct llmr_state *st, const struct llmr_suite *s, const char *hash,
		     const char *evaluator, uint64_t seed, const char *models, int64_t *run,
		     struct llmr_err *e);

/* Case c answered by model, as the suites ask (model forced, streamed,
 * never from the cache, through llmr_ask): the response or
 * failed-request object (new reference). */
json_t *llmr_arena_answer(const struct llmr_bench_env *env, const struct llmr_case *c,
			  const char *model);

/* Store one score, or one preference: 0, or -1 with e. */
int llmr_arena_db_score(struct llmr_state *st, const struct llmr_arena_score *sc,
			struct llmr_err *e);
int llmr_arena_db_pref(struct llmr_state *st, const struct llmr_arena_pref *p,
		       struct llmr_err *e);

/* The SHA-256 of a file's bytes, in hex: 0, or -1 with e (66). */
int llmr_arena_file_hash(const char *path, char hex[65], struct llmr_err *e);

/* The order the n answers of case case_no are shown in: perm[k] is the
 * model shown k-th. The same seed always gives the same orders. */
void llmr_arena_order(uint64_t seed, long case_no, size_t n, size_t *perm);

/*
 * Tags typed as one line, separated by commas: "h", "f" and "i" stand for
 * "hallucination", "format error" and "incomplete" (so do those words);
 * anything else is kept as free text, trimmed. A new array of strings.
 */
json_t *llmr_arena_tags(const char *line);

/* One score for consistency: the evaluator (borrowed), the item scored
 * (borrowed: the same suite, case and model), the score. */
struct llmr_arena_rating {
	const char *evaluator, *item;
	double score;
};

/*
 * Who disagrees with the consensus. An evaluator's scores of one item are
 * averaged; the consensus on an item is the median of the evaluators who
 * scored it, counted only when at least three did. An evaluator's
 * deviation is the mean absolute difference between their score and the
 * consensus over those items. An evaluator is flagged when at least three
 * evaluators have a deviation, and theirs is more than twice the median
 * deviation and at least one point (on 0..10).
 * Returns {"median_deviation": x or null, "evaluators": [{"evaluator",
 * "items", "deviation" (null without shared items), "flagged"}]} sorted by
 * name (new reference).
 */
json_t *llmr_arena_consistency(const struct llmr_arena_rating *r, size_t n);

/* The same over every score in the state (new reference), or NULL and e. */
json_t *llmr_arena_evaluators(struct llmr_state *st, struct llmr_err *e);

#endif
