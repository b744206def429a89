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

#include "cli/cli.h"
#include "cost/routing_version.h"
#include "conf/config.h"
#include "route/route.h"
#include "route/route_view.h"
#include "store/state.h"
#include "base/util.h"

enum { OPT_STATE = 256, OPT_NO_STATE, OPT_EXPLAIN, OPT_JSON_ANSWER, OPT_MAX_TOKENS };

static const struct llmr_opt opts[] = {
	{"config", 'c', "FILE", "read this config file"},
	{"state", OPT_STATE, "FILE", "use this state file"},
	{"no-state", OPT_NO_STATE, NULL, "ignore live state (quotas, breakers, spend)"},
	{"route", 'r', "NAME", "route to use (default: default_route, else the first)"},
	{"priority", 'p', "P", "priority P0..P3 (default: the route's)"},
	{"complexity", 'C', "TIER", "skip the classifier: simple, medium or complex"},
	{"max-tokens", OPT_MAX_TOKENS, "N", "expected answer length in tokens"},
	{"json-answer", OPT_JSON_ANSWER, NULL, "the request asks for a JSON object"},
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
	int64_t snap_at;          /* mono ms of the snapshot */
	struct llmr_route_req defaults;
	int explain;
	int worst;                /* exit code so far */
	struct llmr_buf text;     /* messages joined */
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

static void note_exit(struct route_main *m, const struct llmr_decision *d)
{
	int code = 0;

	if (!d->nchain)
		code = llmr_decision_temporary(d) ? LLMR_EX_TEMPFAIL : LLMR_EX_UNAVAILABLE;
	else if (d->skip)
		code = LLMR_EX_TEMPFAIL;
	if (code && (!m->worst || m->worst == LLMR_EX_TEMPFAIL))
		m->worst = code;
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

static void emit(struct route_main *m, const struct llmr_route_req *r)
{
	struct llmr_route_view v;
	struct llmr_decision d;
	struct llmr_err e = {0, ""};
	json_t *j;

	if (llmr_route_decide(m->cfg, view(m, &v), r, &d, &e) < 0) {
		llmr_warn("%s", e.msg);
		m->worst = LLMR_EX_DATAERR;
		return;
	}
	note_exit(m, &d);
	if (m->explain) {
		print_explain(&d);
		return;
	}
	j = llmr_decision_json(&d);
	json_dumpf(j, stdout, JSON_COMPACT | JSON_REAL_PRECISION(6));
	putchar('\n');
	json_decref(j);
}

/* Join the messages' contents: the classifier reads the whole conversation. */
static int messages_text(json_t *msgs, struct llmr_buf *b)
{
	size_t i;
	json_t *msg;

	json_array_foreach(msgs, i, msg) {
		json_t *c = json_object_get(msg, "content");

		if (!json_is_string(c))
			return -1;
		if (b->len)
			llmr_buf_adds(b, "\n");
		llmr_buf_add(b, json_string_value(c), json_string_length(c));
	}
	return 0;
}

static const char *fill_from_json(struct route_main *m, json_t *o, struct llmr_route_req *r)
{
	json_t *v;

	*r = m->defaults;
	if ((v = json_object_get(o, "id")) && json_is_string(v))
		r->id = json_string_value(v);
	if ((v = json_object_get(o, "route")) && json_is_string(v))
		r->route = json_string_value(v);
	if ((v = json_object_get(o, "priority")) &&
	    (!json_is_string(v) || (r->priority = llmr_priority_parse(json_string_value(v))) < 0))
		return "\"priority\" must be \"P0\"..\"P3\"";
	if ((v = json_object_get(o, "complexity")) &&
	    (!json_is_string(v) || (r->complexity = llmr_complexity_parse(json_string_value(v))) < 0))
		return "\"complexity\" must be simple, medium or complex";
	if ((v = json_object_get(o, "max_tokens")) && (!json_is_integer(v) || json_integer_value(v) < 0))
		return "\"max_tokens\" must be a non-negative integer";
	if (v)
		r->max_tokens = (long)json_integer_value(v);
	if ((v = json_object_get(o, "json")))
		r->json = json_is_true(v);
	llmr_buf_reset(&m->text);
	if ((v = json_object_get(o, "prompt")) && json_is_string(v)) {
		r->text = json_string_value(v);
		r->text_len = json_string_length(v);
	} else if ((v = json_object_get(o, "messages")) && json_is_array(v)) {
		if (messages_text(v, &m->text) < 0)
			return "every message needs a string \"content\"";
		r->text = m->text.s ? m->text.s : "";
		r->text_len = m->text.len;
	} else {
		return "a request needs \"prompt\" or \"messages\"";
	}
	return NULL;
}

static void run_lines(struct route_main *m, FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;

	while ((n = getline(&line, &cap, in)) > 0) {
		struct llmr_route_req r;
		json_error_t jerr;
		const char *bad;
		json_t *o;

		lineno++;
		if (n == 1 && line[0] == '\n')
			continue;
		if (!(o = json_loadb(line, (size_t)n, 0, &jerr)) || !json_is_object(o)) {
			fprintf(stderr, "<stdin>:%ld: invalid JSON: %s\n", lineno,
				o ? "not an object" : jerr.text);
			json_decref(o);
			m->worst = LLMR_EX_DATAERR;
			continue;
		}
		if ((bad = fill_from_json(m, o, &r))) {
			fprintf(stderr, "<stdin>:%ld: bad request: %s\n", lineno, bad);
			m->worst = LLMR_EX_DATAERR;
		} else {
			emit(m, &r);
		}
		json_decref(o);
	}
	if (ferror(in))
		llmr_die(LLMR_EX_IOERR, "cannot read standard input: %s", strerror(errno));
	free(line);
}

static void parse_opts(int argc, char **argv, struct route_main *m, const char **config,
		       const char **state, int *no_state)
{
	int c;

	while ((c = llmr_cli_next(argc, argv, &cli)) != -1) {
		switch (c) {
		case 'c': *config = optarg; break;
		case OPT_STATE: *state = optarg; break;
		case OPT_NO_STATE: *no_state = 1; break;
		case 'r': m->defaults.route = optarg; break;
		case 'p':
			if ((m->defaults.priority = llmr_priority_parse(optarg)) < 0)
				llmr_die(LLMR_EX_USAGE, "--priority: '%s' is not P0..P3", optarg);
			break;
		case 'C':
			if ((m->defaults.complexity = llmr_complexity_parse(optarg)) < 0)
				llmr_die(LLMR_EX_USAGE, "--complexity: '%s' is not simple, medium or complex", optarg);
			break;
		case OPT_MAX_TOKENS: m->defaults.max_tokens = llmr_cli_long("--max-tokens", optarg); break;
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
	llmr_route_req_init(&m.defaults);
	parse_opts(argc, argv, &m, &config, &state, &no_state);
	if (optind == argc && isatty(0)) {
		llmr_cli_usage(stderr, &cli);
		return LLMR_EX_USAGE;
	}
	m.cfg = llmr_cli_config(config, NULL);
	if (!no_state) {
		char *path = llmr_state_path(state, m.cfg);

		if (llmr_state_open(path, &m.st, &e) < 0)
			llmr_die(e.code ? e.code : LLMR_EX_IOERR, "%s", e.msg);
		free(path);
		/* Decide as llmr-ask will: under the routing llmr-cost applied. */
		if (llmr_routing_overlay(m.st, m.cfg, &e) < 0)
			llmr_die(e.code ? e.code : LLMR_EX_SOFTWARE, "%s", e.msg);
	}
	if (optind < argc) {
		struct llmr_route_req r = m.defaults;

		for (int i = optind; i < argc; i++) {
			if (i > optind)
				llmr_buf_adds(&m.text, " ");
			llmr_buf_adds(&m.text, argv[i]);
		}
		r.text = m.text.s;
		r.text_len = m.text.len;
		emit(&m, &r);
	} else {
		run_lines(&m, stdin);
	}
	llmr_route_snap_free(m.snap);
	llmr_state_close(m.st);
	llmr_config_free(m.cfg);
	llmr_buf_release(&m.text);
	return llmr_cli_exit(m.worst);
}
