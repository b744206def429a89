/*
 * llmr-bench import-outcomes and eval-router: labelled outcomes and the routers
 * evaluated on them.
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

/* Read every file first: one bad file stores nothing at all. */
int bench_import_outcomes(struct bench_main *m, int argc, char **argv)
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
			bench_fail(&e);
	cfg = llmr_cli_config(m->config_opt, NULL);
	path = llmr_state_path(m->state_opt, cfg);
	/* The embeddings are cached now, so that routing with
	 * router.learned does not make them at every start. */
	if (llmr_state_open(path, &st, &e) < 0 || llmr_outcomes_store(st, &o, &s, &e) < 0 ||
	    llmr_learned_cache(st, &embedded, &e) < 0)
		bench_fail(&e);
	if (m->json) {
		json_t *models = json_array();

		for (size_t i = 0; i < o.nmodels; i++)
			json_array_append_new(models, json_string(o.models[i]));
		bench_print_json(json_pack("{s:s, s:I, s:I, s:I, s:I, s:o}", "state", path, "prompts",
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
	       "of the share of calls sent to the strong model; neighbours, structure:\n"
	       "the learned router's two parts alone; random: mean of %d seeds.\n",
	       LLMR_EVAL_STEPS, LLMR_EVAL_RANDOM_SEEDS);
}

int bench_eval_router(struct bench_main *m, int argc, char **argv)
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
		bench_fail(&e);
	if (m->json)
		bench_print_json(llmr_eval_report_json(&r, &p));
	else
		print_report(&r, &p);
	llmr_eval_report_release(&r);
	llmr_pairs_release(&p);
	llmr_outcomes_release(&o);
	return 0;
}
