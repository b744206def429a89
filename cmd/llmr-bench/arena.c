/*
 * llmr-bench arena and export: a person's scores and votes on a terminal,
 * and the results, scores and votes written out.
 */
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/interrupt.h"
#include "base/sha256.h"
#include "cli/cli.h"
#include "conf/config.h"
#include "store/state.h"
#include "bench/arena.h"
#include "bench/bench_db.h"
#include "bench/run.h"
#include "bench/suite.h"
#include "cli/bench_arena.h"
#include "cli/bench_print.h"

#include "bench_cmd.h"

/* --models A,B[,C], else the suite's own two or three models. */
static size_t arena_models(const char *list, const struct llmr_suite *s, char **v)
{
	size_t n = 0;

	if (!list) {
		if (s->nmodels < 2 || s->nmodels > LLMR_ARENA_MAX)
			llmr_die(LLMR_EX_USAGE, "arena: --models A,B[,C] is needed (the suite does not "
				 "list two or three models)");
		for (; n < s->nmodels; n++)
			v[n] = llmr_xstrdup(s->models[n]);
		return n;
	}
	for (const char *p = list; n <= LLMR_ARENA_MAX; p += strcspn(p, ",") + 1) {
		size_t len = strcspn(p, ",");

		if (!len || n == LLMR_ARENA_MAX)
			llmr_die(LLMR_EX_USAGE, "--models: '%s' is not two or three models A,B[,C]", list);
		v[n] = llmr_xstrndup(p, len);
		for (size_t k = 0; k < n; k++)
			if (!strcmp(v[k], v[n]))
				llmr_die(LLMR_EX_USAGE, "--models: '%s' is named twice", v[n]);
		n++;
		if (!p[len])
			break;
	}
	if (n < 2)
		llmr_die(LLMR_EX_USAGE, "--models: '%s' is not two or three models A,B[,C]", list);
	return n;
}

/* A seed nobody chose: the order must not be guessable by the evaluator. */
static uint64_t fresh_seed(void)
{
	uint64_t x = (uint64_t)llmr_now_ms() ^ ((uint64_t)getpid() << 32);
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &x, sizeof(x)) != (ssize_t)sizeof(x))
			x ^= (uint64_t)llmr_mono_ms();
		close(fd);
	}
	/* Kept below 2^53 so that JSON readers get it back exactly. */
	return x & ((UINT64_C(1) << 53) - 1);
}

/* --prompt TEXT: a suite of one case, its hash that of the text. */
static void one_prompt(struct llmr_suite *s, const char *text, char hash[65])
{
	static struct llmr_case c;

	memset(s, 0, sizeof(*s));
	c.prompt = (char *)text;
	c.weight = 1;
	s->file = "-";
	s->name = "prompt";
	s->threshold = 1;
	s->cases = &c;
	s->ncases = 1;
	llmr_sha256_hex(text, strlen(text), hash);
}

static void arena_summary(struct llmr_state *st, const struct llmr_arena_tally *t)
{
	struct llmr_err e = {0, ""};
	json_t *ev = llmr_arena_evaluators(st, &e), *o;
	size_t i;

	printf("\n%s: %zu score%s and %zu preference%s in %zu case%s (run %lld)\n",
	       t->stopped ? "stopped" : "done", t->scores, t->scores == 1 ? "" : "s", t->prefs,
	       t->prefs == 1 ? "" : "s", t->cases, t->cases == 1 ? "" : "s", (long long)t->run);
	json_array_foreach(json_object_get(ev, "evaluators"), i, o)
		if (json_is_true(json_object_get(o, "flagged")))
			printf("evaluator %s disagrees with the others: %.2f points from the consensus "
			       "(median evaluator %.2f)\n", json_string_value(json_object_get(o, "evaluator")),
			       json_real_value(json_object_get(o, "deviation")),
			       json_real_value(json_object_get(ev, "median_deviation")));
	if (!ev)
		llmr_warn("%s", e.msg);
	json_decref(ev);
}

/* Everything a usage error can stop is checked before the state is open. */
static int arena(struct bench_main *m, int argc, char **argv)
{
	struct llmr_err e = {0, ""};
	struct llmr_bench_env env = {NULL, NULL, NULL};
	struct llmr_config *cfg;
	struct llmr_suite s;
	struct llmr_arena_tally t;
	char hash[65], *models[LLMR_ARENA_MAX] = {NULL}, *path;
	struct llmr_arena_opts o = {(const char *const *)models, 0, NULL, m->evaluator, 0, hash};
	struct llmr_buf list = LLMR_BUF_INIT;

	if (m->prompt ? argc != 0 : argc != 1)
		llmr_die(LLMR_EX_USAGE, "arena: one SUITE file, or --prompt TEXT, is needed");
	env.cfg = cfg = llmr_cli_config(m->config_opt, NULL);
	if (m->prompt)
		one_prompt(&s, m->prompt, hash);
	else if (llmr_suite_load(argv[0], env.cfg->judge_model, &s, &e) < 0 ||
		 llmr_arena_file_hash(argv[0], hash, &e) < 0)
		bench_fail(&e);
	o.nmodels = arena_models(m->models, &s, models);
	for (size_t k = 0; k < o.nmodels; k++)
		llmr_buf_addf(&list, "%s%s", k ? "," : "", models[k]);
	o.models_arg = list.s;
	if (!isatty(STDIN_FILENO))
		llmr_die(LLMR_EX_USAGE, "arena: the answers are read from a terminal, and standard input is not one");
	if (!o.evaluator && !(o.evaluator = getenv("USER")))
		llmr_die(LLMR_EX_USAGE, "arena: --evaluator NAME is needed ($USER is not set)");
	if (!*o.evaluator)
		llmr_die(LLMR_EX_USAGE, "--evaluator: the name is empty");
	o.seed = m->seed_set ? (uint64_t)m->seed : fresh_seed();
	path = llmr_state_path(m->state_opt, env.cfg);
	if (llmr_state_open(path, &env.st, &e) < 0)
		bench_fail(&e);
	/* Without SA_RESTART, Ctrl-C at a question ends its read at once. */
	llmr_interrupt_catch(false);
	if (llmr_bench_arena(&env, &s, &o, stdin, stdout, &t, &e) < 0)
		bench_fail(&e);
	arena_summary(env.st, &t);
	for (size_t k = 0; k < o.nmodels; k++)
		free(models[k]);
	llmr_buf_release(&list);
	if (!m->prompt)
		llmr_suite_release(&s);
	llmr_state_close(env.st);
	llmr_config_free(cfg);
	free(path);
	return 0;
}

/* arena: a person's scores and votes on a terminal; export: everything. */
int bench_arena_export(struct bench_main *m, const char *cmd, int argc, char **argv)
{
	struct llmr_err e = {0, ""};
	struct llmr_config *cfg;
	struct llmr_state *st;
	char *path;
	json_t *rows;

	if (!strcmp(cmd, "arena"))
		return arena(m, argc, argv);
	if (argc != 0)
		llmr_die(LLMR_EX_USAGE, "export: no operand is taken");
	cfg = llmr_cli_config(m->config_opt, NULL);
	path = llmr_state_path(m->state_opt, cfg);
	if (llmr_state_open_ro(path, &st, &e) < 0 || !(rows = llmr_bench_db_export(st, &e)))
		bench_fail(&e);
	llmr_bench_print_export(stdout, rows, m->format && !strcmp(m->format, "csv"));
	json_decref(rows);
	llmr_state_close(st);
	llmr_config_free(cfg);
	free(path);
	return 0;
}
