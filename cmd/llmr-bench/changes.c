/*
 * llmr-bench recommend, pending, approve and reject: closing the loop from
 * outcomes to routing changes.
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
		bench_fail(&e);
	free(path);
	return cfg;
}

int bench_recommend(struct bench_main *m, int argc)
{
	struct llmr_state *st;
	struct llmr_config *cfg;
	struct llmr_recommend r;
	struct llmr_err e = {0, ""};

	if (argc)
		llmr_die(LLMR_EX_USAGE, "recommend takes no operand");
	cfg = loop_open(m, &st);
	if (llmr_recommend(st, cfg, llmr_now_ms(), &r, &e) < 0)
		bench_fail(&e);
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
		bench_print_json(json_pack("{s:o, s:o}", "quality", q, "changes", c));
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

int bench_pending(struct bench_main *m, int argc)
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
		bench_fail(&e);
	if (m->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, llmr_change_json(&c[i]));
		bench_print_json(a);
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
int bench_decide_change(struct bench_main *m, int approve, int argc, char **argv)
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
		bench_fail(&e);
	if (m->json)
		bench_print_json(json_pack("{s:I, s:s, s:I}", "id", (json_int_t)id, "status",
				     approve ? "approved" : "rejected", "version", (json_int_t)version));
	else if (!m->quiet && approve)
		printf("change %ld approved: routing version %ld in force (undo: llmr-cost rollback)\n", id, version);
	else if (!m->quiet)
		printf("change %ld rejected\n", id);
	llmr_state_close(st);
	llmr_config_free(cfg);
	return 0;
}
