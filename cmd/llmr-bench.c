/*
 * llmr-bench - routing learned from outcomes: import labelled outcomes into
 * the state, evaluate routers on them as RouteLLM does (APGR, CPT), and
 * recommend routing changes from them, to approve or reject.
 * Option parsing and printing only: the work is in lib/learn/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/interrupt.h"
#include "cli/cli.h"
#include "bench/run.h"
#include "learn/evalr.h"

#include "llmr-bench/bench_cmd.h"

enum { OPT_CONFIG = 256, OPT_STATE, OPT_JSON, OPT_FOLDS, OPT_SEED, OPT_WEAK, OPT_STRONG,
       OPT_MODELS, OPT_JUDGE, OPT_FORMAT,
       OPT_HTML, OPT_RUN, OPT_SINCE, OPT_EVALUATOR, OPT_PROMPT };

static const struct llmr_opt opts[] = {
	{"json", OPT_JSON, NULL, "print one JSON object"},
	{"folds", OPT_FOLDS, "N", "eval-router: cross-validation folds (default 5)"},
	{"seed", OPT_SEED, "N", "eval-router, ratings, report, arena: seed of the shuffle, the bootstrap (default 1) or the order of the answers (default random)"},
	{"weak", OPT_WEAK, "MODEL", "eval-router: the cheaper model (default: the lower mean score)"},
	{"strong", OPT_STRONG, "MODEL", "eval-router: the stronger model (default: the higher mean score)"},
	{"models", 'm', "A,B[,C]", "run: the models, instead of the suite's; compare: the two models; arena: two or three (compare, arena: default the suite's)"},
	{"parallel", 'P', "N", "run: cases x models at once, compare: cases at once; N workers (default 1)"},
	{"judge", OPT_JUDGE, "MODEL", "run, compare: the judge (default: the suite's, else the config's)"},
	{"format", OPT_FORMAT, "FMT", "export: jsonl (default) or csv"},
	{"html", OPT_HTML, NULL, "report: one self-contained HTML page with SVG charts"},
	{"run", OPT_RUN, "ID", "report: only this run's results and pairwise results"},
	{"since", OPT_SINCE, "TIME", "report: only runs and pairs since TIME (2026-01-01, 2026-01, 7d)"},
	/* arena */
	{"evaluator", OPT_EVALUATOR, "NAME", "arena: who scores (default: $USER)"},
	{"prompt", OPT_PROMPT, "TEXT", "arena: one prompt instead of a SUITE"},
	{"config", OPT_CONFIG, "FILE", "config file (default: $LLMR_CONFIG, ~/.config/llmr/llmr.conf)"},
	{"state", OPT_STATE, "FILE", "state file (default: $LLMR_STATE, ~/.local/share/llmr/state.db)"},
	{"quiet", 'q', NULL, "print nothing on success (import-outcomes, approve, reject; probe: only the models that did not answer)"},
	{NULL, 0, NULL, NULL}
};

static const struct llmr_cli cli = {
	"llmr-bench",
	"import-outcomes [--json] FILE...\n"
	"eval-router [--folds N] [--seed N] [--weak MODEL] [--strong MODEL] [--json] FILE\n"
	"run [-m A,B,...] [-P N] [--judge MODEL] [--json] SUITE\n"
	"compare [--models A,B] [-P N] [--judge MODEL] [--json] SUITE\n"
	"ratings [--seed N] [--json]\n"
	"report [--run ID] [--since TIME] [--seed N] [--json | --html]\n"
	"arena [-m A,B[,C]] [--evaluator NAME] [--seed N] SUITE | --prompt TEXT\n"
	"export [--format jsonl|csv]\n"
	"probe [-q] [--json] [ROUTE]\n"
	"recommend [--json]\n"
	"pending [--json]\n"
	"approve [--json] ID\n"
	"reject [--json] ID",
	"Benchmark suites, judged comparisons and ratings; routing learned from outcomes,\n"
	"with recommended routing changes to approve or reject.",
	opts
};

_Noreturn void bench_fail(const struct llmr_err *e)
{
	llmr_die(e->code ? e->code : LLMR_EX_SOFTWARE, "%s", e->msg);
}

void bench_print_json(json_t *o)
{
	json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	putchar('\n');
	json_decref(o);
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
	case OPT_SEED: m->seed = llmr_cli_long("--seed", optarg); m->seed_set = 1; break;
	case OPT_WEAK: m->weak = optarg; break;
	case OPT_STRONG: m->strong = optarg; break;
	case 'q': m->quiet = 1; break;
	case 'm': m->models = optarg; break;
	case OPT_EVALUATOR: m->evaluator = optarg; break;
	case OPT_PROMPT: m->prompt = optarg; break;
	case 'P':
		m->parallel = llmr_cli_long("--parallel", optarg);
		if (m->parallel < 1 || m->parallel > LLMR_BENCH_MAX_PARALLEL)
			llmr_die(LLMR_EX_USAGE, "--parallel: '%s' is not 1..%d", optarg, LLMR_BENCH_MAX_PARALLEL);
		break;
	case OPT_JUDGE: m->judge = optarg; break;
	case OPT_FORMAT:
		if (strcmp(optarg, "jsonl") && strcmp(optarg, "csv"))
			llmr_die(LLMR_EX_USAGE, "--format: '%s' is not jsonl or csv", optarg);
		m->format = optarg;
		break;
	case OPT_HTML: m->html = 1; break;
	case OPT_RUN:
		if ((m->run = llmr_cli_long("--run", optarg)) < 1)
			llmr_die(LLMR_EX_USAGE, "--run: '%s' is not a run id", optarg);
		break;
	case OPT_SINCE: m->since = optarg; break;
	}
}

int main(int argc, char **argv)
{
	struct bench_main m = {.folds = 5, .seed = 1, .parallel = 1};
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
		code = bench_import_outcomes(&m, nops - 1, ops + 1);
	else if (!strcmp(ops[0], "eval-router"))
		code = bench_eval_router(&m, nops - 1, ops + 1);
	else if (!strcmp(ops[0], "run") || !strcmp(ops[0], "compare") || !strcmp(ops[0], "ratings"))
		code = bench_suite_command(&m, ops[0], nops - 1, ops + 1);
	else if (!strcmp(ops[0], "report"))
		code = bench_report(&m, nops - 1);
	else if (!strcmp(ops[0], "arena") || !strcmp(ops[0], "export"))
		code = bench_arena_export(&m, ops[0], nops - 1, ops + 1);
	else if (!strcmp(ops[0], "probe"))
		code = bench_probe(&m, nops - 1, ops + 1);
	else if (!strcmp(ops[0], "recommend"))
		code = bench_recommend(&m, nops - 1);
	else if (!strcmp(ops[0], "pending"))
		code = bench_pending(&m, nops - 1);
	else if (!strcmp(ops[0], "approve") || !strcmp(ops[0], "reject"))
		code = bench_decide_change(&m, !strcmp(ops[0], "approve"), nops - 1, ops + 1);
	else
		llmr_die(LLMR_EX_USAGE, "'%s' is not a command: import-outcomes, eval-router, run, "
			 "compare, ratings, report, arena, export, probe, recommend, pending, approve or "
			 "reject", ops[0]);
	free(ops);
	return llmr_cli_exit(llmr_interrupt_exit(code));
}
