/*
 * llmr-bench's subcommands share this: the options as parsed, and the
 * helpers that end a command. Each subcommand lives in its own file under
 * cmd/llmr-bench/; cmd/llmr-bench.c parses the options and dispatches.
 * Option parsing and printing only: the work is in lib/bench/ and lib/learn/.
 */
#ifndef LLMR_BENCH_CMD_H
#define LLMR_BENCH_CMD_H

#include <jansson.h>

#include "base/util.h"

struct llmr_suite;

struct bench_main {
	const char *config_opt, *state_opt, *weak, *strong, *models, *judge, *format;
	const char *evaluator, *prompt; /* arena */
	int json, quiet, seed_set;
	long folds, seed, parallel;
	/* report */
	const char *since;
	int html;
	long run;
};

/* Exit with e's message and code (EX_SOFTWARE if it has none). */
_Noreturn void bench_fail(const struct llmr_err *e);
/* Print o as one compact JSON line and release it. */
void bench_print_json(json_t *o);
/* --models A,B (or the suite's two models): exactly two names, malloc'd. */
void bench_two_models(const char *list, const struct llmr_suite *s, char **a, char **b);

int bench_import_outcomes(struct bench_main *m, int argc, char **argv);
int bench_eval_router(struct bench_main *m, int argc, char **argv);
int bench_suite_command(struct bench_main *m, const char *cmd, int argc, char **argv);
int bench_report(struct bench_main *m, int argc);
int bench_arena_export(struct bench_main *m, const char *cmd, int argc, char **argv);
int bench_probe(struct bench_main *m, int argc, char **argv);
int bench_recommend(struct bench_main *m, int argc);
int bench_pending(struct bench_main *m, int argc);
int bench_decide_change(struct bench_main *m, int approve, int argc, char **argv);

#endif
