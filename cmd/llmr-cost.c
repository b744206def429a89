/*
 * llmr-cost - spend reports, savings, forecasts, what-if simulation, prices,
 * budgets and routing versions, all from the request log. Option parsing
 * and printing only: the work is in lib/cost/.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ask/transcript.h"
#include "cli/cli.h"
#include "cli/cost_prices.h"
#include "conf/config.h"
#include "cost/cache_report.h"
#include "cost/cost.h"
#include "cost/cost_budget.h"
#include "cost/cost_savings.h"
#include "cost/prices.h"
#include "cost/report.h"
#include "cost/quality.h"
#include "cost/routing_version.h"
#include "cost/simulate.h"
#include "store/state.h"

enum {
	OPT_CONFIG = 256, OPT_STATE, OPT_SINCE, OPT_UNTIL, OPT_BY, OPT_JSON, OPT_CSV, OPT_HTML,
	OPT_BASELINE, OPT_NOW, OPT_CHECK, OPT_REPLACE, OPT_CHAIN, OPT_PRICE, OPT_PLAN, OPT_CACHE,
	OPT_PROFILE, OPT_APPLY, OPT_NOTE, OPT_ADD, OPT_ROUTE, OPT_NAMESPACE, OPT_OLDER
};

static const struct llmr_opt opts[] = {
	{"since", OPT_SINCE, "TIME", "start of the period (2026-01-01, 2026-01, 7d; default: this month)"},
	{"until", OPT_UNTIL, "TIME", "end of the period, excluded (default: now)"},
	{"by", OPT_BY, "KEY", "break down by route, provider, model, agent, day, week or month"},
	{"json", OPT_JSON, NULL, "print one JSON object"},
	{"csv", OPT_CSV, NULL, "print the breakdown as CSV"},
	{"html", OPT_HTML, NULL, "print a self-contained HTML report with charts"},
	{"baseline", OPT_BASELINE, "PROVIDER/MODEL", "savings against this model (default: each route's dearest)"},
	{"check", OPT_CHECK, NULL, "check budgets; exit 75 when a cap is reached or forecast to be"},
	{"replace", OPT_REPLACE, "FROM=TO[@ROUTE[:TIER]]", "simulate: answer with TO instead of FROM"},
	{"chain", OPT_CHAIN, "ROUTE[:TIER]=M1,M2", "simulate: give a route (tier) this chain"},
	{"price", OPT_PRICE, "P/M=IN,OUT[,CACHED]", "simulate: new prices, USD per 1M tokens"},
	{"plan", OPT_PLAN, "PROV:fee=,discount=,credit=,rpm=,...", "simulate: a plan for a provider"},
	{"cache-rate", OPT_CACHE, "RATE", "simulate: this response cache hit rate (0..1)"},
	{"profile", OPT_PROFILE, "ROUTE=PER_DAY[,in=,out=,...]", "simulate a synthetic month, not the log"},
	{"apply", OPT_APPLY, NULL, "simulate: store the new routing as a version and use it"},
	{"note", OPT_NOTE, "TEXT", "with --apply: say why"},
	{"add", OPT_ADD, NULL, "prices import: also add models the config does not list"},
	{"limit", 'n', "N", "logs: at most N requests (default 20; 0: all)"},
	{"route", OPT_ROUTE, "ROUTE", "cache purge: only this route's entries"},
	{"namespace", OPT_NAMESPACE, "NAME", "cache purge: only this namespace's entries"},
	{"older-than", OPT_OLDER, "DURATION", "cache purge: only entries older than this (12h, 7d)"},
	{"now", OPT_NOW, "TIME", "take this as the current time (reproducible reports)"},
	{"config", OPT_CONFIG, "FILE", "config file (default: $LLMR_CONFIG, ~/.config/llmr/llmr.conf)"},
	{"state", OPT_STATE, "FILE", "state file (default: $LLMR_STATE, ~/.local/share/llmr/state.db); repeated, or a directory of *.db: report over them all"},
	{"quiet", 'q', NULL, "print only what was asked"},
	{NULL, 0, NULL, NULL}
};

static const struct llmr_cli cli = {
	"llmr-cost",
	"[report] [--since TIME] [--until TIME] [--by KEY] [--baseline P/M] [--json | --csv | --html]\n"
	"simulate [--replace FROM=TO] [--chain ROUTE=M1,M2] [--price P/M=IN,OUT] [--plan ...] "
	"[--cache-rate RATE] [--profile ROUTE=PER_DAY] [--apply [--note TEXT]]\n"
	"prices [import FILE [--add] | history [PROVIDER/MODEL]]\n"
	"rollback [VERSION] | versions | routing\n"
	"budget route NAME USD [ALERT] | budget total USD [ALERT]\n"
	"logs [-n N] [--json] [WORDS...]\n"
	"cache [--since TIME] [--json] | cache purge [--route R] [--namespace N] [--older-than DUR]\n"
	"cache wrong REQUEST_ID...\n"
	"--check",
	"Spend reports, savings, forecasts and what-if simulation from the request log.",
	opts
};

#include "llmr-cost/cost_cmd.h"

void cost_fail(const struct llmr_err *e)
{
	llmr_die(e->code ? e->code : LLMR_EX_SOFTWARE, "%s", e->msg);
}

/* Reports open the state read-only, so they work on a file the user may
 * not write; only the subcommands that change something open it to write. */
static void load(struct cost_main *m, bool writes)
{
	struct llmr_err e = {0, ""};
	char *sp;

	char **paths = NULL;
	size_t n = 0;

	m->cfg = llmr_cli_config(m->config_opt, NULL);
	if (m->nstates && llmr_state_expand(m->states, m->nstates, &paths, &n, &e) < 0)
		cost_fail(&e);
	if (n > 1 && writes)
		llmr_die(LLMR_EX_USAGE, "--state: this subcommand writes: give one state file");
	sp = llmr_state_path(n ? paths[0] : m->state_opt, m->cfg);
	if ((writes ? llmr_state_open : llmr_state_open_ro)(sp, &m->st, &e) < 0 ||
	    (n > 1 && llmr_state_union(m->st, paths + 1, n - 1, &e) < 0))
		cost_fail(&e);
	free(sp);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	/* Simulations weigh quality as routing does: measured where
	 * llmr-bench recommend measured it. */
	if (llmr_routing_overlay(m->st, m->cfg, &e) < 0 || llmr_quality_overlay(m->st, m->cfg, &e) < 0)
		cost_fail(&e);
}

void cost_out(struct llmr_buf *b)
{
	if (b->len)
		fwrite(b->s, 1, b->len, stdout);
	llmr_buf_release(b);
}

void cost_out_json(json_t *o)
{
	json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
	putchar('\n');
	json_decref(o);
}

static int cmd_report(struct cost_main *m)
{
	struct llmr_err e = {0, ""};
	struct llmr_cost_run run;
	struct llmr_buf b = LLMR_BUF_INIT;

	if (llmr_cost_run(llmr_state_db(m->st), m->cfg, m->since, m->until, m->by, m->baseline, &run, &e))
		cost_fail(&e);
	if (m->fmt == FMT_JSON) {
		cost_out_json(llmr_report_json(&run.report, &run.forecast, &run.savings));
	} else if (m->fmt == FMT_CSV) {
		llmr_report_csv(&b, &run.report);
	} else if (m->fmt == FMT_HTML) {
		struct llmr_price_row *rows;
		size_t n;

		if (llmr_prices_table(llmr_state_db(m->st), &run.pb, &rows, &n, &e))
			cost_fail(&e);
		llmr_report_html(&b, &run.report, &run.forecast, &run.savings, rows, n);
		llmr_price_rows_free(rows, n);
	} else {
		llmr_report_text(&b, &run.report, &run.forecast, &run.savings, isatty(STDOUT_FILENO),
				 llmr_cli_color(stdout));
	}
	cost_out(&b);
	llmr_cost_run_release(&run);
	return 0;
}

static int cmd_simulate(struct cost_main *m)
{
	struct llmr_err e = {0, ""};
	struct llmr_cost_log log = {0};
	struct llmr_pricebook pb;
	struct llmr_sim_result r;
	struct llmr_buf b = LLMR_BUF_INIT;

	if (llmr_pricebook_load(&pb, m->cfg, llmr_state_db(m->st), &e) ||
	    (!m->ch.nprofiles && llmr_cost_log_load(llmr_state_db(m->st), m->since, m->until, &log, &e)) ||
	    llmr_simulate(&log, m->since, m->until, m->cfg, &pb, &m->ch, &r, &e))
		cost_fail(&e);
	if (m->fmt == FMT_JSON)
		cost_out_json(llmr_sim_json(&r));
	else
		llmr_sim_text(&b, &r, llmr_cli_color(stdout));
	cost_out(&b);
	if (m->apply) {
		bool changed;
		long v;

		if (llmr_routing_apply_changes(m->cfg, &m->ch, &changed, &e))
			cost_fail(&e);
		if (!changed)
			llmr_die(LLMR_EX_USAGE, "--apply: nothing to apply: only --replace and --chain change the routing");
		if (llmr_routing_save(m->st, m->cfg, m->note, m->now, &v, &e))
			cost_fail(&e);
		if (!m->quiet)
			fprintf(stderr, "llmr-cost: routing version %ld applied (undo: llmr-cost rollback)\n", v);
	}
	llmr_sim_result_release(&r);
	llmr_pricebook_release(&pb);
	llmr_cost_log_release(&log);
	return 0;
}

static int cmd_prices(struct cost_main *m, int argc, char **argv)
{
	struct llmr_err e = {0, ""};
	int rc = llmr_cli_cost_prices(stdout, m->st, m->cfg, argc, argv, m->add, m->now,
				       m->fmt == FMT_JSON, &e);

	if (rc < 0)
		cost_fail(&e);
	return 0;
}

static int cmd_rollback(struct cost_main *m, int argc, char **argv)
{
	struct llmr_err e = {0, ""};
	long v = -1, restored;

	if (argc > 1)
		llmr_die(LLMR_EX_USAGE, "rollback: expected at most one VERSION");
	if (argc == 1)
		v = llmr_cli_long("rollback", argv[0]);
	if (llmr_routing_rollback(m->st, v, m->now, &restored, &e))
		cost_fail(&e);
	if (!m->quiet)
		printf("routing version %ld in force%s\n", restored, restored ? "" : " (the config as written)");
	return 0;
}

static int cmd_versions(struct cost_main *m)
{
	struct llmr_err e = {0, ""};
	struct llmr_routing_version *v;
	size_t n, i;
	long active;
	char when[32];

	if (llmr_routing_history(m->st, &v, &n, &active, &e))
		cost_fail(&e);
	printf("%s 0  config as written\n", active == 0 ? "*" : " ");
	for (i = 0; i < n; i++) {
		llmr_cost_fmt_iso(v[i].created_ms, when);
		printf("%s %ld  %s  from %ld  %s\n", v[i].active ? "*" : " ", v[i].version, when, v[i].parent,
		       llmr_report_clean(v[i].note));
	}
	llmr_routing_history_free(v, n);
	return 0;
}

static double num_arg(const char *what, const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !isfinite(v) || v < 0)
		llmr_die(LLMR_EX_USAGE, "%s: '%s' is not a non-negative number", what, s);
	return v;
}

static int cmd_budget(struct cost_main *m, int argc, char **argv)
{
	struct llmr_err e = {0, ""};
	int total = argc > 0 && !strcmp(argv[0], "total"), need = total ? 2 : 3;

	if (argc < need || argc > need + 1)
		llmr_die(LLMR_EX_USAGE, "budget: expected 'route NAME USD [ALERT]' or 'total USD [ALERT]' (USD off removes)");
	if (llmr_budget_set(m->st, argv[0], total ? "all" : argv[1],
			    !strcmp(argv[need - 1], "off") ? -1 : num_arg("budget", argv[need - 1]),
			    argc > need ? num_arg("alert", argv[need]) : 0.8, &e))
		cost_fail(&e);
	return 0;
}

static int cmd_check(struct cost_main *m)
{
	struct llmr_err e = {0, ""};
	struct llmr_budget_status *s;
	struct llmr_buf b = LLMR_BUF_INIT;
	size_t n, i;
	int worst = LLMR_BUDGET_OK;

	if (llmr_budget_check(m->st, m->cfg, m->until, &s, &n, &e))
		cost_fail(&e);
	for (i = 0; i < n; i++) {
		if (s[i].level > worst)
			worst = s[i].level;
		if (m->fmt == FMT_JSON)
			cost_out_json(llmr_budget_json(&s[i]));
		else if (!m->quiet || s[i].level != LLMR_BUDGET_OK)
			llmr_budget_text(&b, &s[i]);
	}
	cost_out(&b);
	free(s);
	if (worst >= LLMR_BUDGET_FORECAST)
		llmr_warn("budget: a cap is %s", worst == LLMR_BUDGET_OVER ? "reached" : "forecast to be reached");
	return worst >= LLMR_BUDGET_FORECAST ? LLMR_EX_TEMPFAIL : 0;
}

/* logs [WORDS...]: past requests, newest first, with what they said. */
static int cmd_logs(struct cost_main *m, int argc, char **argv)
{
	struct llmr_err e = {0, ""};
	struct llmr_buf b = LLMR_BUF_INIT;
	json_t *rows, *r;
	size_t i;

	if (llmr_transcript_search(m->st, (const char *const *)argv, (size_t)argc, m->limit, &rows,
				   &e) < 0)
		cost_fail(&e);
	if (m->fmt == FMT_JSON)
		json_array_foreach(rows, i, r)
			cost_out_json(json_incref(r));
	else
		llmr_transcript_text(rows, isatty(STDOUT_FILENO), &b);
	cost_out(&b);
	json_decref(rows);
	return 0;
}

static void option(struct cost_main *m, int c, const char *arg)
{
	struct llmr_err e = {0, ""};
	int rc = 0;

	switch (c) {
	case OPT_CONFIG: m->config_opt = arg; break;
	case OPT_STATE:
		if (m->nstates == sizeof(m->states) / sizeof(m->states[0]))
			llmr_die(LLMR_EX_USAGE, "--state: at most 64 (give a directory instead)");
		m->states[m->nstates++] = (char *)arg;
		m->state_opt = arg;
		break;
	case OPT_SINCE: m->since_s = (char *)arg; break;
	case OPT_UNTIL: m->until_s = (char *)arg; break;
	case OPT_NOW:
		if (llmr_cost_parse_time(arg, llmr_now_ms(), &m->now))
			llmr_die(LLMR_EX_USAGE, "--now: '%s' is not a time", arg);
		break;
	case OPT_BY:
		if ((m->by = llmr_cost_by_parse(arg)) < 0)
			llmr_die(LLMR_EX_USAGE, "--by: '%s': expected route, provider, model, agent, day, week or month", arg);
		break;
	case OPT_JSON: m->fmt = FMT_JSON; break;
	case OPT_CSV: m->fmt = FMT_CSV; break;
	case OPT_HTML: m->fmt = FMT_HTML; break;
	case OPT_BASELINE: m->baseline = arg; break;
	case OPT_CHECK: m->check = 1; break;
	case OPT_REPLACE: rc = llmr_sim_add_replace(&m->ch, arg, &e); break;
	case OPT_CHAIN: rc = llmr_sim_add_chain(&m->ch, arg, &e); break;
	case OPT_PRICE: rc = llmr_sim_add_price(&m->ch, arg, &e); break;
	case OPT_PLAN: rc = llmr_sim_add_plan(&m->ch, arg, &e); break;
	case OPT_PROFILE: rc = llmr_sim_add_profile(&m->ch, arg, &e); break;
	case OPT_CACHE:
		m->ch.cache_rate = num_arg("--cache-rate", arg);
		if (m->ch.cache_rate > 1)
			llmr_die(LLMR_EX_USAGE, "--cache-rate: '%s' is not between 0 and 1", arg);
		break;
	case OPT_APPLY: m->apply = 1; break;
	case OPT_NOTE: m->note = arg; break;
	case OPT_ADD: m->add = 1; break;
	case OPT_ROUTE: m->route = arg; break;
	case OPT_NAMESPACE: m->ns = arg; break;
	case OPT_OLDER: m->older = arg; break;
	case 'q': m->quiet = 1; break;
	case 'n': m->limit = llmr_cli_long("-n", arg); break;
	}
	if (rc)
		llmr_die(LLMR_EX_USAGE, "%s", e.msg);
}

/* Default period: this month up to now; --since alone runs up to now. */
static void period(struct cost_main *m)
{
	m->until = m->now;
	if (m->until_s && llmr_cost_parse_time(m->until_s, m->now, &m->until))
		llmr_die(LLMR_EX_USAGE, "--until: '%s' is not a time (try 2026-01-31 or 7d)", m->until_s);
	m->since = llmr_cost_month_start(m->until - 1, 0);
	if (m->since_s && llmr_cost_parse_time(m->since_s, m->now, &m->since))
		llmr_die(LLMR_EX_USAGE, "--since: '%s' is not a time (try 2026-01-01 or 7d)", m->since_s);
	if (m->until <= m->since)
		llmr_die(LLMR_EX_USAGE, "empty period: --until must come after --since");
}

/* File scope, so that what llmr_die leaves behind is still reachable. */
static struct cost_main m;
static char **ops;

int main(int argc, char **argv)
{
	const char *sub = "report";
	int c, code = 0, nops = 0;

	memset(&m, 0, sizeof(m));
	m.limit = 20;
	llmr_sim_changes_init(&m.ch);
	m.now = llmr_now_ms();
	llmr_cli_start(&cli);
	/* Options may come anywhere: getopt moves the operands, in order, to
	 * the end of argv. */
	while ((c = llmr_cli_next(argc, argv, &cli)) != -1)
		option(&m, c, optarg);
	ops = llmr_xcalloc((size_t)argc + 1, sizeof(*ops));
	while (optind < argc)
		ops[nops++] = argv[optind++];
	if (nops > 0)
		sub = ops[0];
	nops -= nops > 0;
	if (strcmp(sub, "report") && strcmp(sub, "simulate") && strcmp(sub, "prices") &&
	    strcmp(sub, "rollback") && strcmp(sub, "versions") && strcmp(sub, "budget") &&
	    strcmp(sub, "routing") && strcmp(sub, "logs") && strcmp(sub, "cache"))
		llmr_die(LLMR_EX_USAGE, "'%s' is not a subcommand (see llmr-cost --help)", sub);
	if ((!strcmp(sub, "report") || !strcmp(sub, "simulate") || !strcmp(sub, "versions") ||
	     !strcmp(sub, "routing")) && nops > 0)
		llmr_die(LLMR_EX_USAGE, "%s: unexpected operand '%s'", sub, ops[1]);
	if (m.apply && strcmp(sub, "simulate"))
		llmr_die(LLMR_EX_USAGE, "--apply goes with simulate");
	if (!strcmp(sub, "cache") && nops > 0 && strcmp(ops[1], "purge") && strcmp(ops[1], "wrong"))
		llmr_die(LLMR_EX_USAGE, "cache: '%s' is not purge or wrong", ops[1]);
	if (!strcmp(sub, "cache") && nops > 1 && !strcmp(ops[1], "purge"))
		llmr_die(LLMR_EX_USAGE, "cache purge: unexpected operand '%s'", ops[2]);
	if (!strcmp(sub, "cache") && nops == 1 && !strcmp(ops[1], "wrong"))
		llmr_die(LLMR_EX_USAGE, "cache wrong: a REQUEST_ID is needed");
	if ((m.route || m.ns || m.older) && !(!strcmp(sub, "cache") && nops > 0 && !strcmp(ops[1], "purge")))
		llmr_die(LLMR_EX_USAGE, "--route, --namespace and --older-than go with cache purge");
	period(&m);
	load(&m, !m.check && (m.apply || !strcmp(sub, "rollback") || !strcmp(sub, "budget") ||
			      (!strcmp(sub, "cache") && nops > 0) ||
			      (!strcmp(sub, "prices") && nops > 0 && !strcmp(ops[1], "import"))));
	if (strcmp(sub, "logs") && m.limit != 20)
		llmr_die(LLMR_EX_USAGE, "-n goes with logs");
	if (m.check)
		code = cmd_check(&m);
	else if (!strcmp(sub, "report"))
		code = cmd_report(&m);
	else if (!strcmp(sub, "simulate"))
		code = cmd_simulate(&m);
	else if (!strcmp(sub, "prices"))
		code = cmd_prices(&m, nops, ops + 1);
	else if (!strcmp(sub, "rollback"))
		code = cmd_rollback(&m, nops, ops + 1);
	else if (!strcmp(sub, "versions"))
		code = cmd_versions(&m);
	else if (!strcmp(sub, "logs"))
		code = cmd_logs(&m, nops, ops + 1);
	else if (!strcmp(sub, "routing"))
		cost_out_json(llmr_routing_snapshot(m.cfg));
	else if (!strcmp(sub, "cache"))
		code = cost_cmd_cache(&m, nops > 0 ? ops[1] : NULL, nops - 1, ops + 2);
	else
		code = cmd_budget(&m, nops, ops + 1);
	llmr_sim_changes_release(&m.ch);
	free(ops);
	llmr_state_close(m.st);
	llmr_config_free(m.cfg);
	return llmr_cli_exit(code);
}
