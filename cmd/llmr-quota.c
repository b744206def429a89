/*
 * llmr-quota - live provider status (limits used and left per window, next
 * reset, breaker, spend, alerts), manual resets, and request budgets.
 */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "route/breaker.h"
#include "route/budget.h"
#include "cli/cli.h"
#include "conf/config.h"
#include "route/degrade.h"
#include "route/quota.h"
#include "route/quota_report.h"
#include "store/state.h"
#include "base/util.h"

enum { OPT_STATE = 256, OPT_JSON, OPT_WATCH, OPT_COUNT, OPT_CHECK, OPT_PROVIDER, OPT_CALLS,
       OPT_USD, OPT_BREAKER, OPT_COOLDOWN, OPT_DEGRADED, OPT_CONFIG };

static const struct llmr_opt opts[] = {
	{"config", OPT_CONFIG, "FILE", "config file (default: $LLMR_CONFIG, ~/.config/llmr/llmr.conf)"},
	{"state", OPT_STATE, "FILE", "state file (default: $LLMR_STATE, ~/.local/share/llmr/state.db)"},
	{"json", OPT_JSON, NULL, "print JSON instead of a table"},
	{"watch", 'w', "SECS", "redraw every SECS seconds until interrupted"},
	{"count", OPT_COUNT, "N", "with --watch: stop after N redraws"},
	{"check", OPT_CHECK, NULL, "print alerts only; exit 75 when any is on"},
	{"provider", OPT_PROVIDER, "NAME", "only this provider"},
	{"calls", OPT_CALLS, "N", "budget open: calls allowed"},
	{"usd", OPT_USD, "USD", "budget open: dollars allowed"},
	{"breaker", OPT_BREAKER, NULL, "reset: close the breaker"},
	{"cooldown", OPT_COOLDOWN, NULL, "reset: forget the cooldown and header-learned limits"},
	{"degraded", OPT_DEGRADED, NULL, "reset: switch degraded mode off"},
	{NULL, 0, NULL, NULL}
};

static const struct llmr_cli cli = {
	"llmr-quota",
	"[--json] [--watch SECS [--count N]] [--check] [--provider NAME]\n"
	"reset [--breaker] [--cooldown] [--degraded] [PROVIDER]\n"
	"budget open [--calls N] [--usd USD]\n"
	"budget show|close ID",
	"Show provider quotas, breakers and alerts; reset them; manage request budgets.",
	opts
};

struct q_main {
	struct llmr_config *cfg;
	struct llmr_state *st;
	const char *config, *state, *provider;
	int json, check, color, resets;
	long watch, count, calls;
	double usd;
};

/* The status reads; it also records degraded mode, which it may skip on a
 * state file the user cannot write (it is then shown, not stored). */
static void load(struct q_main *m, bool writes)
{
	struct llmr_err e = {0, ""};
	char *sp;
	bool ro;

	m->cfg = llmr_cli_config(m->config, NULL);
	llmr_cli_coordinate(m->cfg);
	sp = llmr_state_path(m->state, m->cfg);
	ro = !writes && access(sp, F_OK) == 0 && access(sp, W_OK) < 0;
	if ((ro ? llmr_state_open_ro(sp, &m->st, &e) : llmr_state_open(sp, &m->st, &e)) < 0)
		llmr_die(e.code ? e.code : LLMR_EX_IOERR, "%s", e.msg);
	free(sp);
}

static void parse(int argc, char **argv, struct q_main *m)
{
	int c;

	while ((c = llmr_cli_next(argc, argv, &cli)) != -1) {
		switch (c) {
		case OPT_CONFIG: m->config = optarg; break;
		case OPT_STATE: m->state = optarg; break;
		case OPT_JSON: m->json = 1; break;
		case 'w': m->watch = llmr_cli_long("--watch", optarg); if (m->watch < 1) m->watch = 1; break;
		case OPT_COUNT: m->count = llmr_cli_long("--count", optarg); break;
		case OPT_CHECK: m->check = 1; break;
		case OPT_PROVIDER: m->provider = optarg; break;
		case OPT_CALLS: m->calls = llmr_cli_long("--calls", optarg); break;
		case OPT_USD: {
			char *end;

			m->usd = strtod(optarg, &end);
			if (*end || m->usd < 0)
				llmr_die(LLMR_EX_USAGE, "--usd: '%s' is not an amount of dollars", optarg);
			break;
		}
		case OPT_BREAKER: m->resets |= 1; break;
		case OPT_COOLDOWN: m->resets |= 2; break;
		case OPT_DEGRADED: m->resets |= 4; break;
		}
	}
}

/* Report and return code: after the state is open, errors go back to
 * main, which closes everything before exiting. */
static int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(int code, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	llmr_warn("%s", msg);
	return code;
}

static int status(struct q_main *m)
{
	struct llmr_err e = {0, ""};
	long n = 0;
	int code = 0;

	if (m->provider && !llmr_config_provider(m->cfg, m->provider))
		return fail(LLMR_EX_USAGE, "unknown provider '%s'", m->provider);
	for (;;) {
		json_t *r = llmr_quota_report(m->st, m->cfg, m->provider, &e);

		if (!r)
			return fail(e.code ? e.code : LLMR_EX_SOFTWARE, "%s", e.msg);
		code = json_array_size(json_object_get(r, "alerts")) ? LLMR_EX_TEMPFAIL : 0;
		if (m->watch && !m->json && m->color)
			fputs("\033[H\033[2J", stdout);
		if (m->check) {
			size_t i;
			json_t *a;

			json_array_foreach(json_object_get(r, "alerts"), i, a)
				printf("%s\n", json_string_value(a));
		} else if (m->json) {
			json_dumpf(r, stdout, JSON_COMPACT | JSON_REAL_PRECISION(8));
			putchar('\n');
		} else {
			struct llmr_buf t = LLMR_BUF_INIT;

			llmr_quota_table(r, m->color, &t);
			fputs(t.s ? t.s : "", stdout);
			llmr_buf_release(&t);
		}
		json_decref(r);
		/* A reader that has gone (| head) ends --watch quietly, as git
		 * would; another write error ends it with 74 at exit. */
		if (fflush(stdout) != 0 || ferror(stdout)) {
			llmr_cli_check_pipe(errno);
			break;
		}
		if (!m->watch || (m->count && ++n >= m->count))
			break;
		llmr_sleep_ms(m->watch * 1000);
	}
	return m->check ? code : 0;
}

static int reset(struct q_main *m, const char *provider)
{
	struct llmr_err e = {0, ""};
	int what = m->resets ? m->resets : 3;

	if (provider && !llmr_config_provider(m->cfg, provider))
		return fail(LLMR_EX_USAGE, "unknown provider '%s'", provider);
	if (((what & 1) && llmr_breaker_reset(m->st, provider, &e) < 0) ||
	    ((what & 2) && llmr_quota_reset_cooldown(m->st, provider, &e) < 0) ||
	    ((what & 4) && llmr_degrade_reset(m->st, &e) < 0))
		return fail(e.code ? e.code : LLMR_EX_SOFTWARE, "%s", e.msg);
	return 0;
}

static void budget_print(struct q_main *m, const struct llmr_budget *b)
{
	json_t *o = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:f,s:I,s:b}", "id", b->id,
			      "calls_max", (json_int_t)b->calls_max, "calls_used", (json_int_t)b->calls_used,
			      "calls_in_flight", (json_int_t)b->calls_held, "over_budget_calls",
			      (json_int_t)b->over_calls, "skipped", (json_int_t)b->skipped, "usd_max",
			      b->usd_max, "usd_used", b->usd_used, "usd_held", b->usd_held, "created",
			      (json_int_t)b->created_ms, "closed", b->closed_ms != 0);

	if (m->json) {
		json_dumpf(o, stdout, JSON_COMPACT | JSON_REAL_PRECISION(8));
		putchar('\n');
	} else {
		char lim[32] = "unlimited";

		if (b->calls_max >= 0)
			snprintf(lim, sizeof(lim), "%ld", b->calls_max);
		printf("budget %s (%s)\n", b->id, b->closed_ms ? "closed" : "open");
		printf("calls: %ld used of %s (%ld in flight), %ld over budget (P0), %ld skipped\n",
		       b->calls_used, lim, b->calls_held, b->over_calls, b->skipped);
		if (b->usd_max >= 0)
			snprintf(lim, sizeof(lim), "$%.6f", b->usd_max);
		else
			snprintf(lim, sizeof(lim), "unlimited");
		printf("usd:   $%.6f used, $%.6f held, of %s\n", b->usd_used, b->usd_held, lim);
	}
	json_decref(o);
}

static int budget(struct q_main *m, const char *verb, int argc, char **argv)
{
	struct llmr_err e = {0, ""};
	struct llmr_budget b;
	char id[48];

	if (!verb)
		return fail(LLMR_EX_USAGE, "budget: expected open, show ID or close ID");
	if (!strcmp(verb, "open")) {
		if (m->calls < 0 && m->usd < 0)
			return fail(LLMR_EX_USAGE, "budget open: give --calls, --usd or both");
		if (llmr_budget_open(m->st, m->calls, m->usd, id, &e) < 0)
			return fail(e.code ? e.code : LLMR_EX_SOFTWARE, "%s", e.msg);
		printf("%s\n", id);
		return 0;
	}
	if (argc != 1 || (strcmp(verb, "show") && strcmp(verb, "close")))
		return fail(LLMR_EX_USAGE, "budget: expected open, show ID or close ID");
	if ((!strcmp(verb, "close") && llmr_budget_close(m->st, argv[0], &e) < 0) ||
	    llmr_budget_get(m->st, argv[0], &b, &e) < 0)
		return fail(e.code ? e.code : LLMR_EX_SOFTWARE, "%s", e.msg);
	budget_print(m, &b);
	return 0;
}

int main(int argc, char **argv)
{
	struct q_main m;
	int code = 0, sub;

	memset(&m, 0, sizeof(m));
	m.calls = -1;
	m.usd = -1;
	llmr_cli_start(&cli);
	parse(argc, argv, &m);
	sub = optind;
	if (sub < argc) {
		/* Options may follow the subcommand: parse the rest again. */
		int k = sub + (!strcmp(argv[sub], "budget") && sub + 1 < argc ? 1 : 0);

		optind = 0;
		parse(argc - k, argv + k, &m);
		optind += k;
	}
	m.color = llmr_cli_color(stdout);
	load(&m, sub < argc);
	if (sub >= argc)
		code = status(&m);
	else if (!strcmp(argv[sub], "reset") && optind + 1 < argc)
		code = fail(LLMR_EX_USAGE, "reset: one provider at most");
	else if (!strcmp(argv[sub], "reset"))
		code = reset(&m, optind < argc ? argv[optind] : NULL);
	else if (!strcmp(argv[sub], "budget"))
		code = budget(&m, sub + 1 < argc ? argv[sub + 1] : NULL, argc - optind, argv + optind);
	else
		code = fail(LLMR_EX_USAGE, "unknown command '%s' (try --help)", argv[sub]);
	llmr_state_close(m.st);
	llmr_config_free(m.cfg);
	return llmr_cli_exit(code);
}
