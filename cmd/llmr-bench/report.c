/*
 * llmr-bench report: the bench tables as text, one JSON object or one
 * HTML page. Option parsing and printing only: the work is in
 * lib/bench/report.c and lib/cli/bench_report*.c.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench/bt.h"
#include "bench/report.h"
#include "cli/bench_report.h"
#include "cli/cli.h"
#include "conf/config.h"
#include "cost/cost.h"
#include "store/state.h"

#include "bench_cmd.h"

int bench_report(struct bench_main *m, int argc)
{
	struct llmr_bench_report_opts o = {m->run, 0, LLMR_BENCH_ROUNDS, (uint64_t)m->seed};
	struct llmr_err e = {0, ""};
	struct llmr_config *cfg;
	struct llmr_state *st;
	char *path;
	json_t *r;

	if (argc)
		llmr_die(LLMR_EX_USAGE, "report: no operand is taken");
	if (m->json && m->html)
		llmr_die(LLMR_EX_USAGE, "report: --json and --html cannot be combined");
	if (m->since && llmr_cost_parse_time(m->since, llmr_now_ms(), &o.since_ms))
		llmr_die(LLMR_EX_USAGE, "--since: '%s' is not a time (try 2026-01-01 or 7d)", m->since);
	cfg = llmr_cli_config(m->config_opt, NULL);
	path = llmr_state_path(m->state_opt, cfg);
	if (llmr_state_open_ro(path, &st, &e) < 0)
		bench_fail(&e);
	if (!(r = llmr_bench_report(st, &o, &e)))
		bench_fail(&e);
	if (m->json) {
		bench_print_json(r);
	} else if (m->html) {
		struct llmr_buf b = LLMR_BUF_INIT;

		llmr_bench_report_html(&b, r);
		fwrite(b.s, 1, b.len, stdout);
		free(b.s);
		json_decref(r);
	} else {
		llmr_bench_report_text(stdout, r);
		json_decref(r);
	}
	llmr_state_close(st);
	llmr_config_free(cfg);
	free(path);
	return 0;
}
