/*
 * llmr-bench - routing learned from outcomes: import labelled outcomes into
 * the state, evaluate routers on them as RouteLLM does (APGR, CPT), and
 * recommend routing changes from them, to approve or reject.
 * Option parsing and printing only: the work is in lib/learn/.
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

enum { OPT_CONFIG = 256, OPT_STATE, OPT_JSON, OPT_FOLDS, OPT_SEED, OPT_WEAK, OPT_STRONG,
       OPT_MODELS, OPT_JUDGE, OPT_FORMAT };

static const struct llmr_opt opts[] = {
	{"json", OPT_JSON, NULL, "print one JSON object"},
	{"folds", OPT_FOLDS, "N", "eval-router: cross-validation folds (default 5)"},
	{"seed", OPT_SEED, "N", "eval-router, ratings: seed of the shuffle or the bootstrap (default 1)"},
	{"weak", OPT_WEAK, "MODEL", "eval-router: the cheaper model (default: the lower mean score)"},
	{"strong", OPT_STRONG, "MODEL", "eval-router: the stronger model (default: the higher mean score)"},
	{"models", OPT_MODELS, "A,B", "compare, arena: the two models (compare: default the suite's two)"},
	{"judge", OPT_JUDGE, "MODEL", "run, compare: the judge (default: the suite's, else the config's)"},
	{"format", OPT_FORMAT, "FMT", "export: jsonl (default) or csv"},
	{"config", OPT_CONFIG, "FILE", "config file (default: $LLMR_CONFIG, ~/.config/llmr/llmr.conf)"},
	{"state", OPT_STATE, "FILE", "state file (default: $LLMR_STATE, ~/.local/share/llmr/state.db)"},
	{"quiet", 'q', NULL, "print nothing on success (import-outcomes, approve, reject)"},
	{NULL, 0, NULL, NULL}
};

static const struct llmr_cli cli = {
	"llmr-bench",
	"import-outcomes [--json] FILE...\n"
	"eval-router [--folds N] [--seed N] [--weak MODEL] [--strong MODEL] [--json] FILE\n"
	"run [--judge MODEL] [--json] SUITE\n"
	"compare [--models A,B] [--judge MODEL] [--json] SUITE\n"
	"ratings [--seed N] [--json]\n"
	"arena --models A,B PROMPT\n"
	"export [--format jsonl|csv]\n"
	"recommend [--json]\n"
	"pending [--json]\n"
	"approve [--json] ID\n"
	"reject [--json] ID",
	"Benchmark suites, judged comparisons and ratings; routing learned from outcomes,\n"
	"with recommended routing changes to approve or reject.",
	opts
};

struct bench_main {
	const char *config_opt, *state_opt, *weak, *strong, *models, *judge, *format;
	int json, quiet;
	long folds, seed;
};

static _Noreturn void fail(const struct llmr_err *e)
{
	llmr_die(e->code ? e->code : LLMR_EX_SOFTWARE, "%s", e->msg);
}

static void print_json(json_t *o)
{
	json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	putchar('\n');
	json_decref(o);
}

/* Read every file first: one bad file stores nothing at all. */
static int import_outcomes(struct bench_main *m, int argc, char **argv)
{
	struct llmr_outcomes o;
	struct llmr_outcomes_stored s;
	long embedded;
	struct llmr_config *cfg;
	struct llmr_state *st;
	struct llmr_err e = {0, ""};
	char *path;

	if (argc < 1)
		llmr_die(LLMR_EX_USAGE, "import-outcomes: a FILE is needed ('-' for standard input)");
	llmr_outcomes_init(&o);
	for (int i = 0; i < argc; i++)
		if (llmr_outcomes_read(argv[i], &o, &e) < 0)
			fail(&e);
	cfg = llmr_cli_config(m->config_opt, NULL);
	path = llmr_state_path(m->state_opt, cfg);
	/* The embeddings are cached now, so that routing with
	 * router.learned does not make them at every start. */
	if (llmr_state_open(path, &st, &e) < 0 || llmr_outcomes_store(st, &o, &s, &e) < 0 ||
	    llmr_learned_cache(st, &embedded, &e) < 0)
		fail(&e);
	if (m->json) {
		json_t *models = json_array();

		for (size_t i = 0; i < o.nmodels; i++)
			json_array_append_new(models, json_string(o.models[i]));
		print_json(json_pack("{s:s, s:I, s:I, s:I, s:I, s:o}", "state", path, "prompts",
				     (json_int_t)o.n, "new", (json_int_t)s.prompts_new, "updated",
				     (json_int_t)s.prompts_seen, "outcomes", (json_int_t)s.outcomes,
				     "models", models));
	} else if (!m->quiet) {
		printf("imported %zu prompts (%ld new, %ld already stored), %ld outcomes for %zu models\n",
		       o.n, s.prompts_new, s.prompts_seen, s.outcomes, o.nmodels);
	}
	llmr_state_close(st);
	llmr_config_free(cfg);
	free(path);
	llmr_outcomes_release(&o);
	return 0;
}

static void print_share(double x)
{
	if (isnan(x))
		printf("  %8s", "-");
	else
		printf("  %7.1f%%", 100 * x);
}

static void print_report(const struct llmr_eval_report *r, const struct llmr_pairs *p)
{
	printf("%zu prompts, %zu folds, seed %" PRIu64 "\n", r->n, r->folds, r->seed);
	printf("weak   %-40s %.3f\nstrong %-40s %.3f\nstrong model wins on %.1f%% of prompts\n\n",
	       p->weak_model, r->weak_perf, p->strong_model, r->strong_perf, 100 * r->strong_wins);
	printf("%-10s %6s  %8s  %8s\n", "router", "APGR", "CPT(50%)", "CPT(80%)");
	for (int q = 0; q < LLMR_EVAL_NROUTERS; q++) {
		printf("%-10s %6.3f", llmr_eval_router_name(q), r->mean[q].apgr);
		print_share(r->mean[q].cpt50);
		print_share(r->mean[q].cpt80);
		printf("\n");
	}
	printf("\nMeans over the held-out folds; APGR by the trapezoid rule over %d steps\n"
	       "of the share of calls sent to the strong model; random: mean of %d seeds.\n",
	       LLMR_EVAL_STEPS, LLMR_EVAL_RANDOM_SEEDS);
}

static int eval_router(struct bench_main *m, int argc, char **argv)
{
	struct llmr_outcomes o;
	struct llmr_pairs p;
	struct llmr_eval_report r;
	struct llmr_learned_opts lo;
	struct llmr_err e = {0, ""};

	if (argc != 1)
		llmr_die(LLMR_EX_USAGE, "eval-router: one FILE is needed ('-' for standard input)");
	llmr_outcomes_init(&o);
	llmr_learned_opts_init(&lo);
	if (llmr_outcomes_read(argv[0], &o, &e) < 0 ||
	    llmr_pairs_pick(&o, m->weak, m->strong, &p, &e) < 0 ||
	    llmr_eval_routers(&p, (size_t)m->folds, (uint64_t)m->seed, &lo, &r, &e) < 0)
		fail(&e);
	if (m->json)
		print_json(llmr_eval_report_json(&r, &p));
	else
		print_report(&r, &p);
	llmr_eval_report_release(&r);
	llmr_pairs_release(&p);
	llmr_outcomes_release(&o);
	return 0;
}

/* --models A,B: exactly two names. */
static void two_models(const char *list, const struct llmr_suite *s, char **a, char **b)
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
		       struct llmr_err *e)
{
	char *a, *b;
	json_t *r;

	two_models(m->models, s, &a, &b);
	r = llmr_bench_compare(env, s, a, b, e);
	free(a);
	free(b);
	return r;
}

/* run, compare, ratings: the suites, their state and their printing. */
static int suite_command(struct bench_main *m, const char *cmd, int argc, char **argv)
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
	if (!ratings && (llmr_suite_load(argv[0], m->judge ? m->judge : cfg->judge_model, &s,
					 &e) < 0 ||
			 llmr_bench_check(&env, &s, &e) < 0))
		fail(&e);
	path = llmr_state_path(m->state_opt, cfg);
	if ((ratings ? llmr_state_open_ro(path, &env.st, &e) : llmr_state_open(path, &env.st, &e)) < 0)
		fail(&e);
	if (ratings)
		r = llmr_bench_ratings(env.st, LLMR_BENCH_ROUNDS, (uint64_t)m->seed, &e);
	else if (!strcmp(cmd, "run"))
		r = llmr_bench_run(&env, &s, &e);
	else
		r = compare(&env, m, &s, &e);
	if (!r)
		fail(&e);
	llmr_bench_print(stdout, cmd, r, m->json);
	code = llmr_bench_unanswered(cmd, r);
	if (code)
		llmr_warn("%s: no model could answer: %s", cmd, llmr_bench_first_error(r));
	json_decref(r);
	llmr_state_close(env.st);
	if (!ratings)
		llmr_suite_release(&s);
	llmr_config_free(cfg);
	free(path);
	return code;
}

/* arena: a person's vote on a terminal; export: results and votes. */
static int arena_export(struct bench_main *m, const char *cmd, int argc, char **argv)
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
		fail(&e);
	if (arena) {
		struct llmr_suite none = {0};

		two_models(m->models, &none, &a, &b);
		rc = llmr_bench_arena(&env, argv[0], a, b, stdin, stdout, &e);
	} else if ((rows = llmr_bench_db_export(env.st, &e)))
		llmr_bench_print_export(stdout, rows, m->format && !strcmp(m->format, "csv"));
	if (arena ? rc < 0 : !rows)
		fail(&e);
	json_decref(rows);
	free(a);
	free(b);
	llmr_state_close(env.st);
	llmr_config_free(cfg);
	free(path);
	return 0;
}

/* ---- closing the loop: recommend, pending, approve, reject ---- */

/* The config as llmr-route sees it (routing version, prices and measured
 * quality from the state), and the state. */
static struct llmr_config *loop_open(const struct bench_main *m, struct llmr_state **st)
{
	struct llmr_config *cfg = llmr_cli_config(m->config_opt, NULL);
	char *path = llmr_state_path(m->state_opt, cfg);
	struct llmr_err e = {0, ""};

	if (llmr_state_open(path, st, &e) < 0 || llmr_routing_overlay(*st, cfg, &e) < 0 ||
	    llmr_prices_overlay(*st, cfg, &e) < 0 || llmr_quality_overlay(*st, cfg, &e) < 0)
		fail(&e);
	free(path);
	return cfg;
}

static int recommend(struct bench_main *m, int argc)
{
	struct llmr_state *st;
	struct llmr_config *cfg;
	struct llmr_recommend r;
	struct llmr_err e = {0, ""};

	if (argc)
		llmr_die(LLMR_EX_USAGE, "recommend takes no operand");
	cfg = loop_open(m, &st);
	if (llmr_recommend(st, cfg, llmr_now_ms(), &r, &e) < 0)
		fail(&e);
	if (m->json) {
		json_t *q = json_array(), *c = json_array();

		for (size_t i = 0; i < r.nm; i++)
			json_array_append_new(q, json_pack("{s:s, s:s, s:i, s:i, s:I}", "model", r.m[i].spec,
							   "outcomes_model", r.m[i].outcome, "quality", r.m[i].quality,
							   "previous_quality", r.m[i].was, "prompts", (json_int_t)r.m[i].n));
		for (size_t i = 0; i < r.nc; i++) {
			json_t *o = llmr_change_json(&r.c[i]);

			json_object_set_new(o, "already_pending", json_boolean(r.c[i].existed));
			json_array_append_new(c, o);
		}
		print_json(json_pack("{s:o, s:o}", "quality", q, "changes", c));
	} else {
		for (size_t i = 0; i < r.nm; i++)
			printf("%s%-40s quality %3d (was %d, %ld prompts)\n", i ? "" : "measured from outcomes:\n",
			       r.m[i].spec, r.m[i].quality, r.m[i].was, r.m[i].n);
		for (size_t i = 0; i < r.nc; i++) {
			llmr_change_print(stdout, &r.c[i]);
			printf("    %s: llmr-bench approve %ld | llmr-bench reject %ld\n",
			       r.c[i].existed ? "already pending" : "pending", r.c[i].id, r.c[i].id);
		}
		if (!r.nc)
			printf("nothing to recommend: every route's first model is on the quality/price frontier\n");
	}
	llmr_recommend_release(&r);
	llmr_state_close(st);
	llmr_config_free(cfg);
	return 0;
}

static int pending(struct bench_main *m, int argc)
{
	struct llmr_state *st;
	struct llmr_config *cfg;
	struct llmr_change *c;
	struct llmr_err e = {0, ""};
	size_t n;

	if (argc)
		llmr_die(LLMR_EX_USAGE, "pending takes no operand");
	cfg = loop_open(m, &st);
	if (llmr_changes_list(st, false, &c, &n, &e) < 0)
		fail(&e);
	if (m->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, llmr_change_json(&c[i]));
		print_json(a);
	} else {
		for (size_t i = 0; i < n; i++)
			llmr_change_print(stdout, &c[i]);
	}
	llmr_changes_free(c, n);
	llmr_state_close(st);
	llmr_config_free(cfg);
	return 0;
}

/* approve ID or reject ID. */
static int decide_change(struct bench_main *m, int approve, int argc, char **argv)
{
	struct llmr_state *st;
	struct llmr_config *cfg;
	struct llmr_err e = {0, ""};
	long id, version = 0;

	if (argc != 1)
		llmr_die(LLMR_EX_USAGE, "%s: one change ID is needed (see llmr-bench pending)",
			 approve ? "approve" : "reject");
	id = llmr_cli_long(approve ? "approve" : "reject", argv[0]);
	cfg = loop_open(m, &st);
	if ((approve ? llmr_change_approve(st, cfg, id, llmr_now_ms(), &version, &e)
		     : llmr_change_reject(st, id, llmr_now_ms(), &e)) < 0)
		fail(&e);
	if (m->json)
		print_json(json_pack("{s:I, s:s, s:I}", "id", (json_int_t)id, "status",
				     approve ? "approved" : "rejected", "version", (json_int_t)version));
	else if (!m->quiet && approve)
		printf("change %ld approved: routing version %ld in force (undo: llmr-cost rollback)\n", id, version);
	else if (!m->quiet)
		printf("change %ld rejected\n", id);
	llmr_state_close(st);
	llmr_config_free(cfg);
	return 0;
}

static void option(struct bench_main *m, int c)
{
	switch (c) {
	case OPT_CONFIG: m->config_opt = optarg; break;
	case OPT_STATE: m->state_opt = optarg; break;
	case OPT_JSON: m->json = 1; break;
	case OPT_FOLDS:
		m->folds = llmr_cli_long("--folds", optarg);
		if (m->folds < 2 || m->folds > LLMR_EVAL_MAX_FOLDS)
			llmr_die(LLMR_EX_USAGE, "--folds: '%s' is not 2..%d", optarg, LLMR_EVAL_MAX_FOLDS);
		break;
	case OPT_SEED: m->seed = llmr_cli_long("--seed", optarg); break;
	case OPT_WEAK: m->weak = optarg; break;
	case OPT_STRONG: m->strong = optarg; break;
	case 'q': m->quiet = 1; break;
	case OPT_MODELS: m->models = optarg; break;
	case OPT_JUDGE: m->judge = optarg; break;
	case OPT_FORMAT:
		if (strcmp(optarg, "jsonl") && strcmp(optarg, "csv"))
			llmr_die(LLMR_EX_USAGE, "--format: '%s' is not jsonl or csv", optarg);
		m->format = optarg;
		break;
	}
}

int main(int argc, char **argv)
{
	struct bench_main m = {.folds = 5, .seed = 1};
	/* static: still reachable when an option error exits (no leak). */
	static char **ops;
	int c, nops = 0, code;

	ops = llmr_xcalloc((size_t)argc + 1, sizeof(*ops));
	llmr_cli_start(&cli);
	/* Ctrl-C stops the model call in flight, logged "cancelled" with its
	 * holds given back, as in llmr-ask; a second one exits at once. */
	llmr_interrupt_catch(true);
	/* Options may come anywhere: llmr_cli_next permutes them to the
	 * front, so the operands are what is left, in order. */
	while ((c = llmr_cli_next(argc, argv, &cli)) != -1)
		option(&m, c);
	while (optind < argc)
		ops[nops++] = argv[optind++];
	if (!nops) {
		free(ops);
		llmr_cli_usage(stderr, &cli);
		return LLMR_EX_USAGE;
	}
	if (!strcmp(ops[0], "import-outcomes"))
		code = import_outcomes(&m, nops - 1, ops + 1);
	else if (!strcmp(ops[0], "eval-router"))
		code = eval_router(&m, nops - 1, ops + 1);
	else if (!strcmp(ops[0], "run") || !strcmp(ops[0], "compare") || !strcmp(ops[0], "ratings"))
		code = suite_command(&m, ops[0], nops - 1, ops + 1);
	else if (!strcmp(ops[0], "arena") || !strcmp(ops[0], "export"))
		code = arena_export(&m, ops[0], nops - 1, ops + 1);
	else if (!strcmp(ops[0], "recommend"))
		code = recommend(&m, nops - 1);
	else if (!strcmp(ops[0], "pending"))
		code = pending(&m, nops - 1);
	else if (!strcmp(ops[0], "approve") || !strcmp(ops[0], "reject"))
		code = decide_change(&m, !strcmp(ops[0], "approve"), nops - 1, ops + 1);
	else
		llmr_die(LLMR_EX_USAGE, "'%s' is not a command: import-outcomes, eval-router, run, "
			 "compare, ratings, arena, export, recommend, pending, approve or reject", ops[0]);
	free(ops);
	return llmr_cli_exit(llmr_interrupt_exit(code));
}
