/*
 * llmr-route - decide without calling: requests in (an argument or JSON
 * lines), DESIGN.md Decision objects out, one per line; --explain prints a
 * table for humans instead.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ask/request.h"
#include "cli/cli.h"
#include "cost/prices.h"
#include "cost/quality.h"
#include "cost/routing_version.h"
#include "learn/learned_route.h"
#include "conf/config.h"
#include "route/route.h"
#include "route/route_view.h"
#include "store/state.h"
#include "base/util.h"

enum { OPT_STATE = 256, OPT_NO_STATE, OPT_EXPLAIN, OPT_JSON_ANSWER, OPT_MAX_TOKENS, OPT_ID, OPT_CONFIG };

static const struct llmr_opt opts[] = {
	{"config", OPT_CONFIG, "FILE", "config file (default: $LLMR_CONFIG, ~/.config/llmr/llmr.conf)"},
	{"state", OPT_STATE, "FILE", "state file (default: $LLMR_STATE, ~/.local/share/llmr/state.db)"},
	{"no-state", OPT_NO_STATE, NULL, "ignore live state (quotas, breakers, spend)"},
	{"route", 'r', "NAME", "route to use (default: default_route, else the first)"},
	{"model", 'm', "PROVIDER/MODEL", "decide for this model only, as llmr-ask -m does"},
	{"priority", 'p', "P", "priority P0..P3 (default: the route's)"},
	{"complexity", 'C', "TIER", "skip the classifier: simple, medium or complex"},
	{"max-tokens", OPT_MAX_TOKENS, "N", "expected answer length in tokens"},
	{"expect-json", OPT_JSON_ANSWER, NULL, "the request asks for a JSON object (as llmr-ask's)"},
	{"json-answer", OPT_JSON_ANSWER, NULL, NULL}, /* the old name of --expect-json */
	{"id", OPT_ID, "ID", "request id to print in the decision"},
	{"explain", 'e', NULL, "print a table for humans instead of JSON lines"},
	{NULL, 0, NULL, NULL}
};

static const struct llmr_cli cli = {
	"llmr-route",
	"[OPTIONS] PROMPT...\n[OPTIONS] < requests.jsonl",
	"Decide which model would answer, and why, without calling it.",
	opts
};

struct route_main {
	struct llmr_config *cfg;
	struct llmr_state *st;
	struct llmr_route_snap *snap;
	struct llmr_learned *learned; /* router.learned over stored outcomes, or NULL */
	int64_t snap_at;          /* mono ms of the snapshot */
	struct llmr_ask_req defaults; /* from the options; each line starts from them */
	int explain;
	int worst;                /* exit code so far */
	struct llmr_buf text;     /* messages joined */
	struct llmr_buf out;      /* the decision line being written */
};

/* The live state, re-read at most once a second: decisions stay fast and
 * still see quotas fill and breakers open. */
static struct llmr_route_view *view(struct route_main *m, struct llmr_route_view *v)
{
	struct llmr_err e = {0, ""};
	int64_t now = llmr_mono_ms();

	if (!m->st)
		return NULL;
	if (!m->snap || now - m->snap_at >= 1000) {
		llmr_route_snap_free(m->snap);
		m->snap = NULL;
		if (llmr_route_snap_load(m->st, m->cfg, true, &m->snap, &e) < 0)
			llmr_die(e.code ? e.code : LLMR_EX_SOFTWARE, "%s", e.msg);
		m->snap_at = now;
	}
	llmr_route_snap_view(m->snap, v);
	return v;
}

/* The exit is the highest code of any request, as in llmr-ask --jsonl. */
static void note_exit(struct route_main *m, int code)
{
	if (code > m->worst)
		m->worst = code;
}

/* The code llmr-ask would exit with for this decision: 75 when only
 * things that pass stop it, 77 for a missing key, 69 otherwise. */
static int decision_exit(const struct llmr_decision *d)
{
	int code = llmr_errclass_exit(llmr_decision_errclass(d));

	return !code && d->skip ? LLMR_EX_TEMPFAIL : code;
}

static void print_explain(const struct llmr_decision *d)
{
	struct llmr_buf b = LLMR_BUF_INIT;

	llmr_sanitize_for_tty(&b, d->reason, strlen(d->reason));
	printf("request %s  route %s  %s  %s (score %.2f, task %s)%s\n", d->id[0] ? d->id : "-",
	       d->route[0] ? d->route : "-", llmr_priority_name(d->priority), llmr_complexity_name(d->complexity),
	       d->score, d->task, d->degraded ? "  DEGRADED" : "");
	printf("reason: %s\n", b.s ? b.s : "");
	printf("est. tokens: %ld in, %ld out\n", d->est_input_tokens, d->est_output_tokens);
	printf("  #  %-40s %12s  %s\n", "model", "est. cost", "status");
	for (size_t i = 0; i < d->nchain; i++)
		printf("  %zu  %-40s %12.6f  %s\n", i + 1, d->chain[i].spec, d->chain[i].est_cost_usd,
		       i == 0 ? (d->skip ? "would be chosen" : "chosen") : "fallback");
	for (size_t i = 0; i < d->nskipped; i++)
		printf("  -  %-40s %12s  skipped: %s\n", d->skipped[i].spec, "-", d->skipped[i].why);
	if (d->skip)
		printf("request skipped: %s (P3 work waits while llmr is degraded)\n", d->skip);
	printf("\n");
	llmr_buf_release(&b);
}

static void emit(struct route_main *m, const struct llmr_ask_req *req)
{
	struct llmr_route_view v;
	struct llmr_route_req r;
	struct llmr_decision d;
	struct llmr_err e = {0, ""};

	llmr_ask_req_route(req, &r, &m->text);
	if (llmr_learned_decide(m->learned, m->cfg, view(m, &v), &r, &d, &e) < 0) {
		llmr_warn("%s", e.msg);
		note_exit(m, LLMR_EX_DATAERR);
		return;
	}
	note_exit(m, decision_exit(&d));
	if (m->explain) {
		print_explain(&d);
		return;
	}
	llmr_buf_reset(&m->out);
	llmr_decision_write(&d, &m->out);
	llmr_buf_add(&m->out, "\n", 1);
	fwrite(m->out.s, 1, m->out.len, stdout);
}

static void run_lines(struct route_main *m, FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;

	while ((n = getline(&line, &cap, in)) > 0) {
		struct llmr_ask_req r = m->defaults;
		struct llmr_err e = {0, ""};
		json_t *o;

		lineno++;
		if (n == 1 && line[0] == '\n')
			continue;
		/* A bad line is bad input for that line; the others go on. */
		if (llmr_ask_req_parse_line(m->cfg, line, (size_t)n, &o, &r, &e) < 0) {
			llmr_warn("<stdin>:%ld: %s", lineno, e.msg);
			note_exit(m, e.code);
		} else {
			emit(m, &r);
		}
		json_decref(o);
	}
	if (ferror(in))
		llmr_die(LLMR_EX_IOERR, "cannot read standard input: %s", strerror(errno));
	free(line);
}

/* An option that sets a request field: the same checks as a JSON line's. */
static void set_field(struct route_main *m, const char *option, const char *value)
{
	struct llmr_err e = {0, ""};

	if (llmr_ask_req_option(&m->defaults, option, value, &e) < 0)
		llmr_die(e.code, "%s", e.msg);
}

static void parse_opts(int argc, char **argv, struct route_main *m, const char **config,
		       const char **state, int *no_state)
{
	int c;

	while ((c = llmr_cli_next(argc, argv, &cli)) != -1) {
		switch (c) {
		case OPT_CONFIG: *config = optarg; break;
		case OPT_STATE: *state = optarg; break;
		case OPT_NO_STATE: *no_state = 1; break;
		case 'r': set_field(m, "route", optarg); break;
		case 'm': set_field(m, "model", optarg); break;
		case 'p': set_field(m, "priority", optarg); break;
		case 'C': set_field(m, "complexity", optarg); break;
		case OPT_MAX_TOKENS: set_field(m, "max-tokens", optarg); break;
		case OPT_ID: set_field(m, "id", optarg); break;
		case OPT_JSON_ANSWER: m->defaults.json = true; break;
		case 'e': m->explain = 1; break;
		}
	}
}

int main(int argc, char **argv)
{
	struct route_main m;
	const char *config = NULL, *state = NULL;
	int no_state = 0;
	struct llmr_err e = {0, ""};

	memset(&m, 0, sizeof(m));
	llmr_cli_start(&cli);
	llmr_ask_req_init(&m.defaults);
	parse_opts(argc, argv, &m, &config, &state, &no_state);
	if (optind == argc && isatty(0)) {
		llmr_cli_usage(stderr, &cli);
		return LLMR_EX_USAGE;
	}
	m.cfg = llmr_cli_config(config, NULL);
	llmr_cli_coordinate(m.cfg);
	if (llmr_ask_req_check(m.cfg, &m.defaults, LLMR_EX_USAGE, &e) < 0)
		llmr_die(e.code, "%s", e.msg);
	if (!no_state) {
		char *path = llmr_state_path(state, m.cfg);

		if (llmr_state_open(path, &m.st, &e) < 0)
			llmr_die(e.code ? e.code : LLMR_EX_IOERR, "%s", e.msg);
		free(path);
		/* Decide as llmr-ask will: under the routing and the prices
		 * llmr-cost applied. */
		if (llmr_routing_overlay(m.st, m.cfg, &e) < 0 || llmr_prices_overlay(m.st, m.cfg, &e) < 0 ||
		    llmr_quality_overlay(m.st, m.cfg, &e) < 0)
			llmr_die(e.code ? e.code : LLMR_EX_SOFTWARE, "%s", e.msg);
		/* The learned router needs stored outcomes: without the state
		 * the heuristic decides. */
		if (m.cfg->router_learned && llmr_learned_load(m.st, NULL, &m.learned, &e) < 0)
			llmr_die(e.code ? e.code : LLMR_EX_SOFTWARE, "%s", e.msg);
	}
	if (optind < argc) {
		struct llmr_buf prompt = LLMR_BUF_INIT;

		for (int i = optind; i < argc; i++) {
			if (i > optind)
				llmr_buf_adds(&prompt, " ");
			llmr_buf_adds(&prompt, argv[i]);
		}
		m.defaults.prompt = prompt.s;
		emit(&m, &m.defaults);
		llmr_buf_release(&prompt);
	} else {
		run_lines(&m, stdin);
	}
	llmr_route_snap_free(m.snap);
	llmr_learned_free(m.learned);
	llmr_state_close(m.st);
	llmr_config_free(m.cfg);
	llmr_buf_release(&m.text);
	llmr_buf_release(&m.out);
	return llmr_cli_exit(m.worst);
}
