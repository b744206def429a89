/*
 * outcomes.h - labelled outcomes: for a prompt, how well each model did.
 *
 * Two input formats, told apart by their first non-blank byte:
 *   CSV (RouteLLM's): a header `prompt,MODEL,...`, then one record per
 *   prompt with one cell per model: True/False (any case), or a number;
 *   an empty cell is "not measured". RFC 4180 quoting: a quoted field may
 *   hold commas, doubled quotes and newlines.
 *   JSON lines: {"prompt": "...", "outcomes": {"MODEL": score, ...}} where a
 *   score is true/false or a number.
 * true counts 1, false 0. A prompt seen twice keeps its later scores.
 *
 * In the state file: outcome_prompts (one row per distinct prompt) and
 * outcomes (prompt, model, score).
 */
#ifndef LLMR_OUTCOMES_H
#define LLMR_OUTCOMES_H

#include <stddef.h>

#include "store/state.h"
#include "base/util.h"

struct llmr_outcome_cell {
	size_t row, model;
	double score;
};

struct llmr_outcomes {
	char **prompts;   /* owned */
	size_t n, cap;
	char **models;    /* owned, distinct names */
	size_t nmodels;
	struct llmr_outcome_cell *cells; /* in the order set: a later cell for
					    the same row and model wins */
	size_t ncells, cellcap;
	size_t *slots;    /* prompt hash table: row + 1, 0 = empty */
	size_t nslots;
};

void llmr_outcomes_init(struct llmr_outcomes *o);
void llmr_outcomes_release(struct llmr_outcomes *o);

/*
 * Read path ("-" for standard input) into o (initialised; rows are
 * appended). Returns 0, or -1 with e: LLMR_EX_NOINPUT when the file cannot
 * be opened, LLMR_EX_DATAERR for bad input ("FILE:LINE: why", LINE where
 * the record starts), LLMR_EX_IOERR for a read error. On error o may hold
 * part of the file: the caller must not store it.
 */
int llmr_outcomes_read(const char *path, struct llmr_outcomes *o, struct llmr_err *e);

/* Parse in-memory text as read does; name is used in messages. */
int llmr_outcomes_parse(const char *name, const char *text, size_t len, struct llmr_outcomes *o,
			struct llmr_err *e);

/* The row of prompt (added if new) and the model's index (added if new). */
size_t llmr_outcomes_row(struct llmr_outcomes *o, const char *prompt, size_t len);
size_t llmr_outcomes_model(struct llmr_outcomes *o, const char *name);
/* Set a score (replacing an earlier one for the same row and model). */
void llmr_outcomes_set(struct llmr_outcomes *o, size_t row, size_t model, double score);

struct llmr_outcomes_stored {
	long prompts_new, prompts_seen, outcomes;
};

/*
 * Store o in the state, in one transaction: all of it or nothing. A
 * prompt already stored gets its scores replaced model by model; other
 * models' scores stay. Returns 0 with *out filled, or -1 with e.
 */
int llmr_outcomes_store(struct llmr_state *st, const struct llmr_outcomes *o,
			struct llmr_outcomes_stored *out, struct llmr_err *e);

/*
 * The answered results of llmr-bench run number run, stored as outcomes:
 * prompt, the model that answered, the case's score (0..1); the prompts'
 * embeddings are cached as import-outcomes does. *n gets how many
 * outcomes were stored. Returns 0, or -1 with e.
 */
int llmr_outcomes_from_bench(struct llmr_state *st, int64_t run, long *n, struct llmr_err *e);

/* Load every stored outcome into o (initialised). Returns 0, or -1 with e. */
int llmr_outcomes_load(struct llmr_state *st, struct llmr_outcomes *o, struct llmr_err *e);

/*
 * The rows scored for both of two models, as parallel arrays (prompt
 * borrowed from the outcomes, scores copied).
 */
struct llmr_pairs {
	size_t n;
	const char **prompt;
	double *weak, *strong;
	size_t *row;      /* the outcomes' row of each */
	char *weak_model, *strong_model; /* owned */
};

/*
 * Pick the pair to compare: weak and strong name models (NULL: the two
 * models with the most outcomes, the one with the lower mean score being
 * the weak one) and fill p. Returns 0, or -1 with e (LLMR_EX_DATAERR: an
 * unknown model, fewer than two models, or no row scored for both).
 */
int llmr_pairs_pick(const struct llmr_outcomes *o, const char *weak, const char *strong,
		    struct llmr_pairs *p, struct llmr_err *e);
void llmr_pairs_release(struct llmr_pairs *p);

#endif
