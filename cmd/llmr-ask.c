/*
 * llmr-ask - ask a question: one-shot, REPL on a TTY, or JSON lines batch.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ask/ask.h"
#include "cli/batch.h"
#include "cli/cli.h"
#include "base/interrupt.h"
#include "cli/converse.h"
#include "conf/config.h"
#include "conf/key_status.h"
#include "net/http.h"
#include "cost/prices.h"
#include "cli/ask_print.h"
#include "cli/prompt.h"
#include "cli/repl.h"
#include "cli/skip_warn.h"
#include "cli/serve_main.h"
#include "cli/warm.h"
#include "learn/learned_route.h"
#include "cost/quality.h"
#include "cost/routing_version.h"
#include "store/state.h"

enum {
	OPT_JSON = 256, OPT_JSONL, OPT_STREAM, OPT_NO_STREAM, OPT_CONFIG, OPT_STATE, OPT_CHECK,
	OPT_SYSTEM, OPT_MAXTOK, OPT_TEMP, OPT_EXPECT_JSON, OPT_PRIORITY, OPT_BUDGET, OPT_COMPLEXITY,
	OPT_ID, OPT_NO_CACHE, OPT_CID, OPT_LIST_MODELS, OPT_SERVE, OPT_NO_STORE, OPT_NAMESPACE,
	OPT_WARM
};

static const struct llmr_opt opts[] = {
	{"model", 'm', "PROVIDER/MODEL", "ask this model only (no fallback chain)"},
	{"route", 'r', "ROUTE", "use this route's chain (default: default_route)"},
	{"json", OPT_JSON, NULL, "print the response as one JSON object"},
	{"jsonl", OPT_JSONL, NULL, "batch: JSON line requests on stdin, responses on stdout"},
	{"parallel", 'P', "N", "with --jsonl, answer N requests at once (default 1)"},
	{"stream", OPT_STREAM, NULL, "stream from the provider (default when stdout is a TTY)"},
	{"no-stream", OPT_NO_STREAM, NULL, "do not stream from the provider"},
	{"system", OPT_SYSTEM, "TEXT", "system prompt (overrides the route's)"},
	{"max-tokens", OPT_MAXTOK, "N", "cap the answer's length"},
	{"temperature", OPT_TEMP, "T", "sampling temperature"},
	{"expect-json", OPT_EXPECT_JSON, NULL, "ask the model for a JSON object"},
	{"priority", OPT_PRIORITY, "P0..P3", "request priority (default: the route's)"},
	{"complexity", OPT_COMPLEXITY, "TIER", "simple, medium or complex (skip the classifier)"},
	{"budget", OPT_BUDGET, "ID", "draw on a request budget (see llmr-quota)"},
	{"collection", 'c', "NAME", "answer from this document collection (RAG)"},
	{"attach", 'a', "FILE", "send FILE's text below the prompt (.txt .md .html .docx .odt .pdf)"},
	{"id", OPT_ID, "ID", "request id (default: generated)"},
	{"continue", 'C', NULL, "continue the last conversation"},
	{"cid", OPT_CID, "ID", "continue conversation ID"},
	{"param", 'p', "NAME VALUE", "fill {{NAME}} of the route's template with VALUE"},
	{"no-cache", OPT_NO_CACHE, NULL, "do not answer from the response cache"},
	{"no-store", OPT_NO_STORE, NULL, "do not store the answer in the response cache"},
	{"warm", OPT_WARM, "FILE", "fill the caches from FILE's questions (a line each, or JSON), at P3"},
	{"namespace", OPT_NAMESPACE, "NAME", "cache namespace (e.g. a workflow step): hits stay inside it"},
	{"serve", OPT_SERVE, "[HOST:]PORT", "serve an OpenAI-compatible HTTP API (see SERVER)"},
	{"config", OPT_CONFIG, "FILE", "config file (default: $LLMR_CONFIG, ~/.config/llmr/llmr.conf)"},
	{"state", OPT_STATE, "FILE", "state file (default: $LLMR_STATE, ~/.local/share/llmr/state.db)"},
	{"check-config", OPT_CHECK, NULL, "check the config, list every error, and exit"},
	{"list-models", OPT_LIST_MODELS, NULL, "list every model: tier, status, key, prices, context"},
	{"verbose", 'v', NULL, "print model, tokens, cost and latency on stderr"},
	{"quiet", 'q', NULL, "print nothing but the answer"},
	{NULL, 0, NULL, NULL}
};

static const struct llmr_cli cli = {
	"llmr-ask",
	"[options] PROMPT...\n[options] < prompt.txt\n[options] --jsonl [-P N] < requests.jsonl\n[options] --warm FILE [-P N]\n"
	"[options]                  (REPL, on a terminal)\n[options] --serve [HOST:]PORT",
	"Ask the cheapest capable model, fall back on failure, and log what it cost.",
	opts
};

struct ask_main {
	struct llmr_config *cfg;
	char *state_path;
	struct llmr_state *st;
	pid_t st_pid;
	struct llmr_ask_req defaults;
	struct llmr_learned *learned; /* router.learned over stored outcomes, or NULL */
	int stream;        /* -1 auto, 0 off, 1 on */
	int json, verbose, quiet, tty_out;
	const char *warm_path;
};

struct ask_opts {
	const char *config, *state, *serve;
	int jsonl, check, list_models;
	long parallel;
	const char **attach; /* -a files, argc slots */
	size_t nattach;
	struct llmr_converse conv; /* -C, --cid, -p (vars: argc slots) */
	const char *warm;    /* --warm FILE */
};

/*
 * Batch workers are forked and leave through exit(): close what they
 * opened themselves (their state connection, their HTTP handle) there.
 */
static struct ask_main *exiting;
static pid_t main_pid;

static void close_at_exit(void)
{
	if (!exiting || getpid() == main_pid)
		return;
	if (exiting->st && exiting->st_pid == getpid())
		llmr_state_close(exiting->st);
	exiting->st = NULL;
	llmr_http_cleanup();
}

static struct llmr_state *state_get(struct ask_main *m)
{
	struct llmr_err e = {0, ""};

	/* Batch workers are forked: each opens its own connection. */
	if (m->st && m->st_pid == getpid())
		return m->st;
	if (llmr_state_open(m->state_path, &m->st, &e) < 0)
		llmr_die(e.code, "%s", e.msg);
	m->st_pid = getpid();
	return m->st;
}

/*
 * What llmr-cost stored in the state wins over the config file: a routing
 * version applied with "llmr-cost simulate --apply", and imported prices.
 * Done once, before any batch worker is forked, so workers inherit it.
 */
static void apply_state_overlays(struct ask_main *m)
{
	struct llmr_state *st = state_get(m);
	struct llmr_err e = {0, ""};

	if (llmr_routing_overlay(st, m->cfg, &e) < 0 || llmr_prices_overlay(st, m->cfg, &e) < 0 ||
	    llmr_quality_overlay(st, m->cfg, &e) < 0)
		llmr_die(e.code ? e.code : LLMR_EX_SOFTWARE, "%s", e.msg);
	/* The learned router decides as llmr-route does; loaded once, here,
	 * so batch workers inherit it. */
	if (m->cfg->router_learned && llmr_learned_load(st, NULL, &m->learned, &e) < 0)
		llmr_die(e.code ? e.code : LLMR_EX_SOFTWARE, "%s", e.msg);
}

static void print_delta(const char *text, size_t n, void *ud)
{
	struct ask_main *m = ud;
	struct llmr_buf b = LLMR_BUF_INIT;

	if (m->tty_out) {
		llmr_sanitize_for_tty(&b, text, n);
		fwrite(b.s, 1, b.len, stdout);
		llmr_buf_release(&b);
	} else {
		fwrite(text, 1, n, stdout);
	}
	fflush(stdout);
}

static void note_fallback(const char *from, const char *to, const char *why, void *ud)
{
	struct ask_main *m = ud;

	(void)to;
	/* Only a terminal was shown the broken text (see ask_once). */
	if (m->tty_out && !m->json) {
		fputc('\n', stdout);
		fflush(stdout);
	}
	if (!m->quiet)
		llmr_warn("%s failed mid-answer (%s); falling back", from, why);
}

/* One question from the command line or stdin; prints and returns the exit code. */
static int ask_once(struct ask_main *m, struct llmr_ask_req *req)
{
	struct llmr_ask_ctx ctx = {m->cfg, state_get(m), NULL, m, note_fallback, 0,
				   llmr_interrupt_flag(), m->learned, NULL};
	json_t *resp, *err;
	int code;

	req->stream = m->stream < 0 ? m->tty_out : m->stream;
	/* Only a terminal sees text as it comes: a model failing mid-answer
	 * would leave a pipe holding two answers, so a pipe gets the final one. */
	if (!m->json && req->stream && m->tty_out)
		ctx.on_delta = print_delta;
	resp = llmr_ask(&ctx, req, &code);
	llmr_cli_warn_skips(resp, m->quiet);
	if ((err = json_object_get(resp, "error"))) {
		if (m->json)
			json_dumpf(resp, stdout, JSON_COMPACT), putchar('\n');
		llmr_warn("%s", json_string_value(json_object_get(err, "message")));
	} else if (m->json) {
		json_dumpf(resp, stdout, JSON_COMPACT);
		putchar('\n');
	} else {
		const char *text = json_string_value(json_object_get(resp, "text"));

		if (!ctx.on_delta)
			print_delta(text, strlen(text), m);
		if (*text && text[strlen(text) - 1] != '\n')
			putchar('\n');
		llmr_ask_print_sources(stdout, resp);
	}
	if (m->verbose && !err)
		llmr_ask_print_verbose(resp);
	json_decref(resp);
	return code;
}

static char *batch_line(const char *line, size_t len, long lineno, int *status, void *ud)
{
	struct ask_main *m = ud;
	struct llmr_ask_ctx ctx = {m->cfg, state_get(m), NULL, NULL, NULL, 0,
				   llmr_interrupt_flag(), m->learned, NULL};
	struct llmr_ask_req req = m->defaults;
	struct llmr_err e = {0, ""};
	json_t *obj, *resp;
	char *out;

	if (llmr_ask_req_parse_line(m->cfg, line, len, &obj, &req, &e) < 0) {
		/* A bad line is bad input for that line; the others go on. */
		llmr_warn("<stdin>:%ld: %s", lineno, e.msg);
		*status = llmr_errclass_exit(LLMR_ERR_BAD_INPUT);
		resp = json_pack("{s:O?, s:I, s:{s:s, s:s}}", "id", json_object_get(obj, "id"), "line",
				 (json_int_t)lineno, "error", "class",
				 llmr_errclass_name(LLMR_ERR_BAD_INPUT), "message", e.msg);
	} else if (*llmr_interrupt_flag()) {
		/* Interrupted: the lines left are answered without a call. */
		*status = llmr_errclass_exit(LLMR_ERR_CANCELLED);
		resp = json_pack("{s:O?, s:{s:s, s:s}, s:[]}", "id", json_object_get(obj, "id"),
				 "error", "class", llmr_errclass_name(LLMR_ERR_CANCELLED), "message",
				 "interrupted", "attempts");
	} else {
		req.stream = m->stream > 0;
		resp = llmr_ask(&ctx, &req, status);
		llmr_cli_warn_skips(resp, m->quiet);
	}
	out = json_dumps(resp, JSON_COMPACT);
	json_decref(resp);
	json_decref(obj);
	return out;
}

/* --warm: one question of the file, asked at P3; prints what it did. */
static char *warm_line(const char *line, size_t len, long lineno, int *status, void *ud)
{
	struct ask_main *m = ud;
	struct llmr_ask_ctx ctx = {m->cfg, state_get(m), NULL, NULL, NULL, 0, llmr_interrupt_flag(), m->learned, NULL};
	struct llmr_ask_req req = m->defaults;
	struct llmr_err e = {0, ""};
	json_t *obj = NULL, *resp, *sum;
	char *out;

	if (llmr_warm_request(m->cfg, line, len, &obj, &req, &e) < 0) {
		llmr_warn("%s:%ld: %s", m->warm_path, lineno, e.msg);
		*status = llmr_errclass_exit(LLMR_ERR_BAD_INPUT);
		json_decref(obj);
		return NULL;
	}
	resp = llmr_ask(&ctx, &req, status);
	sum = llmr_warm_summary(resp, lineno);
	out = m->quiet ? NULL : json_dumps(sum, JSON_COMPACT);
	json_decref(sum);
	json_decref(resp);
	json_decref(obj);
	return out;
}

static int run_warm(struct ask_main *m, int argc, long parallel, const char *path)
{
	struct llmr_err e = {0, ""};
	int worst = 0;
	FILE *f;

	if (argc)
		llmr_die(LLMR_EX_USAGE, "--warm reads questions from its file, not arguments");
	if (!(f = fopen(path, "r")))
		llmr_die(LLMR_EX_NOINPUT, "%s: %s", path, strerror(errno));
	m->warm_path = path;
	llmr_state_close(m->st);
	m->st = NULL;
	if (llmr_batch_run(f, stdout, (int)parallel, warm_line, m, &worst, &e) < 0)
		llmr_die(e.code, "%s", e.msg);
	fclose(f);
	return worst;
}

/* The operands, with stdin and the -a files below them (cli/prompt.h). */
static char *read_prompt(int argc, char **argv, const char *const *attach, size_t nattach)
{
	struct llmr_prompt_src src = {argv, argc, isatty(STDIN_FILENO) ? NULL : stdin,
				      attach, nattach, 0};
	struct llmr_err e = {0, ""};
	char *prompt;

	if (llmr_prompt_build(&src, &prompt, &e) < 0)
		llmr_die(e.code, "%s", e.msg);
	return prompt;
}

static void load_config(const char *explicit_path, struct ask_main *m, int checking, int listing)
{
	char *path = NULL;

	m->cfg = llmr_cli_config(explicit_path, &path);
	llmr_cli_coordinate(m->cfg);
	if (checking || listing) {
		if (checking)
			llmr_ask_check_config(path, m->cfg, m->quiet);
		else
			llmr_ask_list_models(stdout, m->cfg, m->json);
		free(path);
		llmr_config_free(m->cfg);
		exit(llmr_cli_exit(0));
	}
	free(path);
}

/* An option that sets a request field: the same checks as a JSON line's. */
static void set_field(struct ask_main *m, const char *option, const char *value)
{
	struct llmr_err e = {0, ""};

	if (llmr_ask_req_option(&m->defaults, option, value, &e) < 0)
		llmr_die(e.code, "%s", e.msg);
}

/* -p NAME VALUE: getopt gave NAME; VALUE is the next word, taken here. */
static void add_param(int argc, char **argv, struct ask_opts *o)
{
	if (optind >= argc)
		llmr_die(LLMR_EX_USAGE, "-p %s: no VALUE (-p NAME VALUE)", optarg);
	o->conv.vars[o->conv.nvars].name = optarg;
	o->conv.vars[o->conv.nvars++].value = argv[optind++];
}

/* The one-shot question: the template filled, a conversation continued. */
static int ask_prompt(struct ask_main *m, struct ask_opts *o, int argc, char **argv)
{
	struct llmr_err e = {0, ""};
	char *prompt = NULL;
	int code;

	if (argc || o->nattach || llmr_converse_wants_prompt(m->cfg, &m->defaults))
		prompt = read_prompt(argc, argv, o->attach, o->nattach);
	m->defaults.prompt = prompt;
	if (llmr_converse_prepare(m->cfg, state_get(m), &m->defaults, &o->conv, &e) < 0)
		llmr_die(e.code, "%s", e.msg);
	/* Caught only now: a Control-C while the prompt is still being read
	 * from standard input ends the program as usual. */
	llmr_interrupt_catch(true);
	code = ask_once(m, &m->defaults);
	llmr_converse_release(&o->conv);
	free(prompt);
	return code;
}

static void parse_opts(int argc, char **argv, struct ask_main *m, struct ask_opts *o)
{
	int c;

	while ((c = llmr_cli_next(argc, argv, &cli)) != -1) {
		switch (c) {
		case 'm': set_field(m, "model", optarg); break;
		case 'r': set_field(m, "route", optarg); break;
		case OPT_JSON: m->json = 1; break;
		case OPT_JSONL: o->jsonl = 1; break;
		case 'P': o->parallel = llmr_cli_long("--parallel", optarg); break;
		case OPT_STREAM: m->stream = 1; break;
		case OPT_NO_STREAM: m->stream = 0; break;
		case OPT_SYSTEM: set_field(m, "system", optarg); break;
		case OPT_MAXTOK: set_field(m, "max-tokens", optarg); break;
		case OPT_TEMP: set_field(m, "temperature", optarg); break;
		case OPT_EXPECT_JSON: m->defaults.json = true; break;
		case OPT_PRIORITY: set_field(m, "priority", optarg); break;
		case OPT_COMPLEXITY: set_field(m, "complexity", optarg); break;
		case OPT_BUDGET: set_field(m, "budget", optarg); break;
		case 'c': set_field(m, "collection", optarg); break;
		case 'a': o->attach[o->nattach++] = optarg; break;
		case OPT_ID: set_field(m, "id", optarg); break;
		case OPT_NO_CACHE: m->defaults.no_cache = true; break;
		case 'C': o->conv.cont = true; break;
		case OPT_CID: o->conv.cid = optarg; break;
		case 'p': add_param(argc, argv, o); break;
		case OPT_NO_STORE: m->defaults.no_store = true; break;
		case OPT_NAMESPACE: set_field(m, "namespace", optarg); break;
		case OPT_WARM: o->warm = optarg; break;
		case OPT_CONFIG: o->config = optarg; break;
		case OPT_STATE: o->state = optarg; break;
		case OPT_CHECK: o->check = 1; break;
		case OPT_LIST_MODELS: o->list_models = 1; break;
		case OPT_SERVE: o->serve = optarg; break;
		case 'v': m->verbose = 1; break;
		case 'q': m->quiet = 1; break;
		}
	}
}

static int run_batch(struct ask_main *m, int argc, long parallel, size_t nattach)
{
	struct llmr_err e = {0, ""};
	int worst = 0;

	if (argc || nattach)
		llmr_die(LLMR_EX_USAGE, "--jsonl reads requests from standard input, not arguments");
	/* Workers open their own connection: none may inherit this one. */
	llmr_state_close(m->st);
	m->st = NULL;
	if (llmr_batch_run(stdin, stdout, (int)parallel, batch_line, m, &worst, &e) < 0)
		llmr_die(e.code, "%s", e.msg);
	return worst;
}

int main(int argc, char **argv)
{
	struct ask_main m;
	/* static: still reachable when llmr_die exits (no leak reported). */
	static struct ask_opts o = {.parallel = 1};
	struct llmr_err e = {0, ""};
	int code;

	memset(&m, 0, sizeof(m));
	exiting = &m;
	main_pid = getpid();
	atexit(close_at_exit);
	llmr_ask_req_init(&m.defaults);
	m.stream = -1;
	llmr_cli_start(&cli);
	o.attach = llmr_xcalloc((size_t)argc + 1, sizeof(*o.attach));
	o.conv.vars = llmr_xcalloc((size_t)argc + 1, sizeof(*o.conv.vars));
	parse_opts(argc, argv, &m, &o);
	argc -= optind;
	argv += optind;
	load_config(o.config, &m, o.check, o.list_models);
	/* Names on the command line are checked before anything runs. */
	if (llmr_ask_req_check(m.cfg, &m.defaults, LLMR_EX_USAGE, &e) < 0)
		llmr_die(e.code, "%s", e.msg);
	m.state_path = llmr_state_path(o.state, m.cfg);
	m.tty_out = isatty(STDOUT_FILENO);
	apply_state_overlays(&m);
	if ((o.jsonl || (!argc && isatty(STDIN_FILENO) && !o.conv.nvars)) &&
	    (o.conv.cont || o.conv.cid || o.conv.nvars))
		llmr_die(LLMR_EX_USAGE, "--continue, --cid and -p go with a one-shot prompt");
	if (o.warm) {
		llmr_interrupt_catch(true);
		code = run_warm(&m, argc + (int)o.nattach + o.jsonl, o.parallel, o.warm);
	} else if (o.serve) {
		if (argc || o.jsonl || o.nattach)
			llmr_die(LLMR_EX_USAGE, "--serve takes no PROMPT, --jsonl or --attach");
		/* Requests take their own state connections. */
		llmr_state_close(m.st);
		m.st = NULL;
		code = llmr_cli_serve(m.cfg, o.config, m.state_path, o.serve, stderr);
		m.cfg = NULL;
	} else if (o.jsonl) {
		llmr_interrupt_catch(true);
		code = run_batch(&m, argc, o.parallel, o.nattach);
	} else if (!argc && isatty(STDIN_FILENO) && o.nattach) {
		llmr_die(LLMR_EX_USAGE, "--attach needs a PROMPT to go with the files");
	} else if (!argc && isatty(STDIN_FILENO) && !o.conv.nvars) {
		code = llmr_repl(m.cfg, state_get(&m), &m.defaults, m.verbose);
	} else {
		code = ask_prompt(&m, &o, argc, argv);
	}
	llmr_learned_free(m.learned);
	if (m.st && m.st_pid == getpid())
		llmr_state_close(m.st);
	llmr_http_cleanup();
	llmr_config_free(m.cfg);
	free(m.state_path);
	free(o.attach);
	free(o.conv.vars);
	return llmr_cli_exit(llmr_interrupt_exit(code));
}
