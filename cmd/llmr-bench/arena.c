/*
 * llmr-bench arena and export: a person's vote on a terminal, and the results
 * and votes written out.
 */
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/interrupt.h"
#include "cli/cli.h"
#include "conf/config.h"
#include "cost/prices.h"
#include "cost/quality.h"
#include "cost/routing_version.h"
#include "learn/evalr.h"
#include "learn/learned.h"
#include "learn/learned_route.h"
#include "learn/outcomes.h"
#include "learn/recommend.h"
#include "store/state.h"
#include "bench/bt.h"
#include "bench/run.h"
#include "bench/suite.h"
#include "bench/bench_db.h"
#include "cli/bench_arena.h"
#include "cli/bench_print.h"
#include "cli/change_print.h"

#include "bench_cmd.h"

/* arena: a person's vote on a terminal; export: results and votes. */
int bench_arena_export(struct bench_main *m, const char *cmd, int argc, char **argv)
{
	struct llmr_err e = {0, ""};
	struct llmr_bench_env env = {NULL, NULL, NULL};
	struct llmr_config *cfg;
	int arena = !strcmp(cmd, "arena"), rc;
	char *path, *a = NULL, *b = NULL;
	json_t *rows = NULL;

	if (arena ? argc != 1 : argc != 0)
		llmr_die(LLMR_EX_USAGE, arena ? "arena: one PROMPT is needed" : "export: no operand is taken");
	if (arena && !m->models)
		llmr_die(LLMR_EX_USAGE, "arena: --models A,B is needed");
	if (arena && !isatty(STDIN_FILENO))
		llmr_die(LLMR_EX_USAGE, "arena: the vote is read from a terminal, and standard input is not one");
	cfg = llmr_cli_config(m->config_opt, NULL);
	env.cfg = cfg;
	path = llmr_state_path(m->state_opt, cfg);
	rc = arena ? llmr_state_open(path, &env.st, &e) : llmr_state_open_ro(path, &env.st, &e);
	if (rc < 0)
		bench_fail(&e);
	if (arena) {
		struct llmr_suite none = {0};

		bench_two_models(m->models, &none, &a, &b);
		rc = llmr_bench_arena(&env, argv[0], a, b, stdin, stdout, &e);
	} else if ((rows = llmr_bench_db_export(env.st, &e)))
		llmr_bench_print_export(stdout, rows, m->format && !strcmp(m->format, "csv"));
	if (arena ? rc < 0 : !rows)
		bench_fail(&e);
	json_decref(rows);
	free(a);
	free(b);
	llmr_state_close(env.st);
	llmr_config_free(cfg);
	free(path);
	return 0;
}
