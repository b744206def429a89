/*
 * llmr-bench run, compare and ratings: suites, their results and the ratings.
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

/* --models A,B: exactly two names. */
void bench_two_models(const char *list, const struct llmr_suite *s, char **a, char **b)
{
	const char *comma = list ? strchr(list, ',') : NULL;

	if (!list && s->nmodels == 2) {
		*a = llmr_xstrdup(s->models[0]);
		*b = llmr_xstrdup(s->models[1]);
		return;
	}
	if (!list)
		llmr_die(LLMR_EX_USAGE, "compare: --models A,B is needed (the suite does not list two models)");
	if (!comma || comma == list || !comma[1] || strchr(comma + 1, ','))
		llmr_die(LLMR_EX_USAGE, "--models: '%s' is not two models A,B", list);
	*a = llmr_xstrndup(list, (size_t)(comma - list));
	*b = llmr_xstrdup(comma + 1);
	if (!strcmp(*a, *b))
		llmr_die(LLMR_EX_USAGE, "--models: a model cannot be compared with itself");
}

static json_t *compare(struct llmr_bench_env *env, struct bench_main *m, struct llmr_suite *s,
		       const char *path, struct llmr_err *e)
{
	char *a, *b;
	json_t *r;

	bench_two_models(m->models, s, &a, &b);
	r = llmr_bench_compare(env, s, a, b, (int)m->parallel, path, e);
	free(a);
	free(b);
	return r;
}

/* run, compare, ratings: the suites, their state and their printing. */
int bench_suite_command(struct bench_main *m, const char *cmd, int argc, char **argv)
{
	struct llmr_err e = {0, ""};
	struct llmr_suite s;
	struct llmr_bench_env env = {NULL, NULL, m->judge};
	struct llmr_config *cfg;
	char *path;
	json_t *r;
	int code = 0, ratings = !strcmp(cmd, "ratings");

	if (ratings ? argc != 0 : argc != 1)
		llmr_die(LLMR_EX_USAGE, ratings ? "ratings: no operand is taken" : "%s: one SUITE file is needed", cmd);
	cfg = llmr_cli_config(m->config_opt, NULL);
	env.cfg = cfg;
	/* --judge, else the config's judge, stands in for a suite that names none. */
	if (!ratings && llmr_suite_load(argv[0], m->judge ? m->judge : cfg->judge_model, &s, &e) < 0)
		bench_fail(&e);
	/* run -m: these models instead of the suite's (compare reads two). */
	if (!strcmp(cmd, "run") && m->models && llmr_suite_set_models(&s, m->models, &e) < 0)
		bench_fail(&e);
	if (!ratings && llmr_bench_check(&env, &s, &e) < 0)
		bench_fail(&e);
	path = llmr_state_path(m->state_opt, cfg);
	if ((ratings ? llmr_state_open_ro(path, &env.st, &e) : llmr_state_open(path, &env.st, &e)) < 0)
		bench_fail(&e);
	if (ratings)
		r = llmr_bench_ratings(env.st, LLMR_BENCH_ROUNDS, (uint64_t)m->seed, &e);
	else if (!strcmp(cmd, "run"))
		r = llmr_bench_run(&env, &s, (int)m->parallel, path, &e);
	else
		r = compare(&env, m, &s, path, &e);
	if (!r)
		bench_fail(&e);
	llmr_bench_print(stdout, cmd, r, m->json);
	code = llmr_bench_unanswered(cmd, r);
	if (code)
		llmr_warn("%s: no model could answer: %s", cmd, llmr_bench_first_error(r));
	else if (!strcmp(cmd, "run") && !json_is_true(json_object_get(r, "passed")) &&
		 !json_is_true(json_object_get(r, "interrupted"))) {
		/* For cron: a suite below its threshold is a failed check. */
		code = LLMR_BENCH_EX_BELOW;
		llmr_warn("run: %s: below the threshold: %s", s.file, llmr_bench_tally(r));
	}
	json_decref(r);
	llmr_state_close(env.st);
	if (!ratings)
		llmr_suite_release(&s);
	llmr_config_free(cfg);
	free(path);
	return code;
}
