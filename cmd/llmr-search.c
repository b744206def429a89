/*
 * llmr-search - hybrid keyword + semantic search over a collection.
 */
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/interrupt.h"
#include "cli/cli.h"
#include "cli/collection.h"
#include "cli/prompt.h"
#include "conf/config.h"
#include "index/search.h"
#include "serve/mcp.h"
#include "store/state.h"
#include "base/util.h"

enum { OPT_JSON = 256, OPT_MODE, OPT_BY, OPT_CONFIG, OPT_STATE, OPT_MCP };

static const struct llmr_opt opts[] = {
	{"collection", 'c', "NAME", "collection to search (default: default)"},
	{"k", 'k', "N", "number of hits (default 10)"},
	{"json", OPT_JSON, NULL, "print hits as JSON lines"},
	{"mode", OPT_MODE, "MODE", "bm25, vector or hybrid (default hybrid)"},
	{"by", OPT_BY, "UNIT", "chunk or doc: one hit per chunk (default) or per document"},
	{"config", OPT_CONFIG, "FILE", "config file (default: $LLMR_CONFIG, ~/.config/llmr/llmr.conf)"},
	{"state", OPT_STATE, "FILE", "state file (default: $LLMR_STATE, ~/.local/share/llmr/state.db)"},
	{"mcp", OPT_MCP, NULL, "serve search and ask to MCP clients on stdin/stdout"},
	{NULL, 0, NULL, NULL}};

static const struct llmr_cli cli = {
	"llmr-search", "[-c NAME] [-k N] [--json] [--mode bm25|vector|hybrid] [--by chunk|doc] QUERY...\n"
	"--mcp [-c NAME] [-k N] [--mode bm25|vector|hybrid]",
	"Search a document collection: BM25 and vectors fused by reciprocal rank.", opts};

static void print_hit(const struct llmr_hit *h, size_t i, const char *query, int color)
{
	struct llmr_buf text = LLMR_BUF_INIT, sn = LLMR_BUF_INIT, src = LLMR_BUF_INIT,
			hd = LLMR_BUF_INIT;

	/* Clean the file's text before adding our own escapes to it. */
	llmr_sanitize_for_tty(&text, h->text, strlen(h->text));
	llmr_search_snippet(text.s ? text.s : "", query, 240, color ? "\033[1;31m" : NULL,
			    color ? "\033[0m" : NULL, &sn);
	llmr_sanitize_for_tty(&src, h->source, strlen(h->source));
	llmr_sanitize_for_tty(&hd, h->heading, strlen(h->heading));
	printf("%s%zu. %s #%ld  (%.3f)%s\n", color ? "\033[1m" : "", i + 1, src.s ? src.s : "",
	       h->seq, h->score, color ? "\033[0m" : "");
	if (hd.len)
		printf("   %s%s%s\n", color ? "\033[2m" : "", hd.s, color ? "\033[0m" : "");
	printf("   %s\n", sn.s ? sn.s : "");
	if (h->url && strncmp(h->url, "file:", 5)) {
		/* A web address (llmr-index --url-base): where readers open it. */
		llmr_buf_reset(&src);
		llmr_sanitize_for_tty(&src, h->url, strlen(h->url));
		printf("   %s\n", src.s);
	}
	llmr_buf_release(&text);
	llmr_buf_release(&sn);
	llmr_buf_release(&src);
	llmr_buf_release(&hd);
}

/* The hits: a JSON line each, or numbered for a reader. */
static void print_hits(const struct llmr_hits *hits, const char *query, int json)
{
	for (size_t i = 0; i < hits->n; i++) {
		if (json) {
			json_t *h = llmr_hit_json(&hits->v[i], hits->collection, query);

			json_dumpf(h, stdout, JSON_COMPACT);
			putchar('\n');
			json_decref(h);
		} else {
			print_hit(&hits->v[i], i, query, llmr_cli_color(stdout));
		}
	}
	if (!hits->n && !json)
		llmr_warn("no match in collection '%s'", hits->collection);
}

/* A misspelt collection is an error with a suggestion (66), not an empty
 * result that reads as "no match". */
static int check_collection(struct llmr_state *st, const char *name)
{
	struct llmr_err e = {0, ""};
	char *near = NULL;
	int known = llmr_collection_known(st, name, &near, &e);

	if (known < 0) {
		llmr_warn("%s", e.msg);
		return e.code ? e.code : LLMR_EX_IOERR;
	}
	if (known)
		return 0;
	if (near)
		llmr_warn("no collection '%s' (did you mean '%s'?)", name ? name : "default", near);
	else
		llmr_warn("no collection '%s' (llmr-index adds documents to one)",
			  name ? name : "default");
	free(near);
	return LLMR_EX_NOINPUT;
}

/* The MCP server: protocol on stdout, log lines on stderr, until EOF. */
static int serve_mcp(const struct llmr_config *cfg, struct llmr_state *st,
		     const struct llmr_search_opts *o)
{
	struct llmr_mcp_opts mo = {cfg, st, "llmr-search", o->collection, o->k, o->mode, 0};
	struct llmr_mcp *m = llmr_mcp_new(&mo);
	struct llmr_err e = {0, ""};
	int code = 0;

	/* A client that goes away makes a write fail (SIGPIPE is ignored);
	 * llmr_cli_exit then ends quietly, as every llmr program does. */
	if (llmr_mcp_serve(m, stdin, stdout, stderr, &e) < 0) {
		if (!ferror(stdout))
			llmr_warn("%s", e.msg);
		code = e.code;
	}
	llmr_mcp_free(m);
	return code;
}

int main(int argc, char **argv)
{
	struct llmr_search_opts o = {NULL, 10, LLMR_SEARCH_HYBRID, -1, -1, 0, 0};
	struct llmr_err e = {0, ""};
	struct llmr_config *cfg = NULL;
	struct llmr_state *st = NULL;
	struct llmr_hits hits;
	struct llmr_buf q = LLMR_BUF_INIT;
	const char *config = NULL, *state = NULL;
	char *state_path;
	int c, json = 0, mcp = 0, code = 0, mode;
	size_t i;

	llmr_cli_start(&cli);
	while ((c = llmr_cli_next(argc, argv, &cli)) != -1) {
		switch (c) {
		case 'c': o.collection = optarg; break;
		case 'k':
			o.k = (size_t)llmr_cli_long("-k", optarg);
			if (!o.k || o.k > 1000)
				llmr_die(LLMR_EX_USAGE, "-k: expected 1 to 1000");
			break;
		case OPT_JSON: json = 1; break;
		case OPT_MODE:
			mode = llmr_search_mode_parse(optarg);
			if (mode < 0)
				llmr_die(LLMR_EX_USAGE, "--mode: '%s': expected bm25, vector or hybrid", optarg);
			o.mode = (enum llmr_search_mode)mode;
			break;
		case OPT_BY:
			if (strcmp(optarg, "chunk") && strcmp(optarg, "doc"))
				llmr_die(LLMR_EX_USAGE, "--by: '%s': expected chunk or doc", optarg);
			o.by_doc = !strcmp(optarg, "doc");
			break;
		case OPT_CONFIG: config = optarg; break;
		case OPT_STATE: state = optarg; break;
		case OPT_MCP: mcp = 1; break;
		}
	}
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		if (q.len)
			llmr_buf_add(&q, " ", 1);
		llmr_buf_adds(&q, argv[i]);
	}
	if (mcp && !llmr_prompt_blank(q.s ? q.s : "", q.len))
		llmr_die(LLMR_EX_USAGE, "--mcp: queries come from the client, not the command line");
	if (!mcp && llmr_prompt_blank(q.s ? q.s : "", q.len)) {
		llmr_buf_release(&q);
		llmr_warn("no query given");
		fprintf(stderr, "Try 'llmr-search --help' for more information.\n");
		return LLMR_EX_USAGE;
	}
	cfg = llmr_cli_config(config, NULL);
	llmr_cli_coordinate(cfg);
	/* A signal stops the embedding call in flight, logged and released. */
	llmr_interrupt_catch(true);
	state_path = llmr_state_path(state, cfg);
	/* Searching writes nothing: a read-only state file will do. The MCP
	 * server's ask tool logs its calls and holds quota, so it writes. */
	if ((mcp ? llmr_state_open(state_path, &st, &e) : llmr_state_open_ro(state_path, &st, &e)) < 0) {
		llmr_warn("%s", e.msg);
		code = e.code ? e.code : LLMR_EX_IOERR;
		goto out;
	}
	if (mcp) {
		code = serve_mcp(cfg, st, &o);
		goto out;
	}
	if ((code = check_collection(st, o.collection)) != 0)
		goto out;
	if (llmr_search(st, cfg, &o, q.s, &hits, &e) < 0) {
		llmr_warn("%s", e.msg);
		code = e.code ? e.code : LLMR_EX_SOFTWARE;
		goto out;
	}
	print_hits(&hits, q.s, json);
	llmr_hits_release(&hits);
out:
	free(state_path);
	llmr_buf_release(&q);
	llmr_state_close(st);
	llmr_config_free(cfg);
	return llmr_cli_exit(llmr_interrupt_exit(code));
}
