/*
 * llmr-bench - routing learned from outcomes: import labelled outcomes into
 * the state, and evaluate routers on them as RouteLLM does (APGR, CPT).
 * Option parsing and printing only: the work is in lib/learn/.
 */
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "conf/config.h"
#include "learn/evalr.h"
#include "learn/learned.h"
#include "learn/learned_route.h"
#include "learn/outcomes.h"
#include "store/state.h"

enum { OPT_CONFIG = 256, OPT_STATE, OPT_JSON, OPT_FOLDS, OPT_SEED, OPT_WEAK, OPT_STRONG };

static const struct llmr_opt opts[] = {
	{"json", OPT_JSON, NULL, "print one JSON object"},
	{"folds", OPT_FOLDS, "N", "eval-router: cross-validation folds (default 5)"},
	{"seed", OPT_SEED, "N", "eval-router: seed of the fold shuffle and tie order (default 1)"},
	{"weak", OPT_WEAK, "MODEL", "eval-router: the cheaper model (default: the lower mean score)"},
	{"strong", OPT_STRONG, "MODEL", "eval-router: the stronger model (default: the higher mean score)"},
	{"config", OPT_CONFIG, "FILE", "config file (default: $LLMR_CONFIG, ~/.config/llmr/llmr.conf)"},
	{"state", OPT_STATE, "FILE", "state file (default: $LLMR_STATE, ~/.local/share/llmr/state.db)"},
	{"quiet", 'q', NULL, "print nothing on success (import-outcomes)"},
	{NULL, 0, NULL, NULL}
};

static const struct llmr_cli cli = {
	"llmr-bench",
	"import-outcomes [--json] FILE...\n"
	"eval-router [--folds N] [--seed N] [--weak MODEL] [--strong MODEL] [--json] FILE",
	"Routing learned from outcomes: import labelled outcomes, evaluate routers.",
	opts
};

struct bench_main {
	const char *config_opt, *state_opt, *weak, *strong;
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
	}
}

int main(int argc, char **argv)
{
	struct bench_main m = {.folds = 5, .seed = 1};
	char **ops = llmr_xcalloc((size_t)argc + 1, sizeof(*ops));
	int c, nops = 0, code;

	llmr_cli_start(&cli);
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
	else
		llmr_die(LLMR_EX_USAGE, "'%s' is not a command: import-outcomes or eval-router", ops[0]);
	free(ops);
	return llmr_cli_exit(code);
}
