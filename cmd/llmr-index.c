/*
 * llmr-index - add documents to a collection: files and folders, or JSON
 * lines on stdin. Incremental and safe to run from cron.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/interrupt.h"
#include "cli/cli.h"
#include "conf/config.h"
#include "index/embed.h"
#include "index/extract.h"
#include "index/index.h"
#include "store/state.h"
#include "base/util.h"

enum { OPT_REBUILD = 256, OPT_PRUNE, OPT_STATS, OPT_JSON, OPT_CONFIG, OPT_STATE, OPT_EXTRACT,
       OPT_URL_BASE, OPT_CHANGES };

static const struct llmr_opt opts[] = {
	{"collection", 'c', "NAME", "collection to add to (default: default)"},
	{"rebuild", OPT_REBUILD, NULL, "drop the collection's content and index from scratch"},
	{"prune", OPT_PRUNE, NULL, "let missing or empty paths lose their documents"},
	{"url-base", OPT_URL_BASE, "URL", "web address of the synced copy of the PATH indexed (kept)"},
	{"changes", OPT_CHANGES, NULL, "print the documents added, updated and deleted as JSON lines"},
	{"stats", OPT_STATS, NULL, "print documents, chunks, bytes and index sizes"},
	{"json", OPT_JSON, NULL, "print the summary and --stats as JSON"},
	{"config", OPT_CONFIG, "FILE", "config file (default: $LLMR_CONFIG, ~/.config/llmr/llmr.conf)"},
	{"state", OPT_STATE, "FILE", "state file (default: $LLMR_STATE, ~/.local/share/llmr/state.db)"},
	{"extract", OPT_EXTRACT, NULL, "print the text of FILE (or - for stdin) as it would be indexed"},
	{"verbose", 'v', NULL, "also name the unsupported files skipped in folders"},
	{"quiet", 'q', NULL, "print no summary and no progress"},
	{NULL, 0, NULL, NULL}};

static const struct llmr_cli cli = {
	"llmr-index", "[-c NAME] [--rebuild] [--prune] [--stats] [--json] [--changes] PATH...\n[-c NAME] [--changes] --url-base URL PATH\n[-c NAME] < docs.jsonl\n--stats [-c NAME] [--json]\n--extract FILE|-",
	"Add documents to a collection (.txt .md .html .docx .odt .pdf, or JSON lines on stdin).",
	opts};

struct run {
	int quiet, json, tty, bad, changes;
	const char *collection;
	int failed;  /* the run stopped on an error: no --stats after it */
	size_t last_pct;
};

static void on_warn(const char *path, const char *msg, void *ud)
{
	struct run *r = ud;
	struct llmr_buf b = LLMR_BUF_INIT;

	if (r->tty)
		fputs("\r\033[K", stderr);
	llmr_sanitize_for_tty(&b, path, strlen(path));
	llmr_warn("%s: %s", b.s, msg);
	llmr_buf_release(&b);
}

/* --changes: one JSON line per document, flushed so that a notifier
 * reading the pipe sees it at once. */
static void on_change(const struct llmr_index_change *c, void *ud)
{
	struct run *r = ud;
	json_t *o = json_object();

	json_object_set_new(o, "change", json_string(c->change));
	json_object_set_new(o, "source", json_string(c->source));
	if (c->url)
		json_object_set_new(o, "url", json_string(c->url));
	json_object_set_new(o, "collection", json_string(r->collection));
	json_dumpf(o, stdout, JSON_COMPACT);
	putchar('\n');
	fflush(stdout);
	json_decref(o);
}

static void on_progress(size_t done, size_t total, const char *path, void *ud)
{
	struct run *r = ud;
	size_t width = 30, fill = total ? done * width / total : width, i;
	char bar[31];

	(void)path;
	if (!r->tty || r->quiet)
		return;
	if (done == total) {
		fputs("\r\033[K", stderr);
		return;
	}
	for (i = 0; i < width; i++)
		bar[i] = i < fill ? '#' : ' ';
	bar[width] = '\0';
	fprintf(stderr, "\rindexing [%s] %zu/%zu", bar, done, total);
}

/* A JSON line may hold a document of LLMR_EXTRACT_MAX_BYTES escaped. */
#define MAX_JSON_LINE (2 * LLMR_EXTRACT_MAX_BYTES)

/* --extract: one document's text on stdout, as the index would see it
 * (llmr-ask runs this to read attached files). */
static int extract_to_stdout(const char *path)
{
	struct llmr_buf text = LLMR_BUF_INIT, raw = LLMR_BUF_INIT;
	struct llmr_err e = {0, ""};
	char chunk[65536];
	size_t n;
	int rc;

	if (strcmp(path, "-")) {
		rc = llmr_extract_file(path, &text, &e);
	} else {
		while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0 &&
		       raw.len <= LLMR_EXTRACT_MAX_BYTES)
			llmr_buf_add(&raw, chunk, n);
		if (raw.len > LLMR_EXTRACT_MAX_BYTES) {
			llmr_buf_release(&raw);
			llmr_die(LLMR_EX_DATAERR, "standard input: larger than %zu MiB",
				 (size_t)LLMR_EXTRACT_MAX_BYTES >> 20);
		}
		rc = llmr_extract_to_utf8(raw.s ? raw.s : "", raw.len, &text, &e);
	}
	if (rc < 0)
		llmr_warn("%s: %s", strcmp(path, "-") ? path : "standard input", e.msg);
	else if (text.len)
		fwrite(text.s, 1, text.len, stdout);
	llmr_buf_release(&raw);
	llmr_buf_release(&text);
	return llmr_cli_exit(rc < 0 ? (e.code ? e.code : LLMR_EX_DATAERR) : 0);
}

static int read_jsonl(struct llmr_indexer *ix, struct run *r, struct llmr_err *e)
{
	struct llmr_buf buf = LLMR_BUF_INIT;
	long lineno = 0;
	int got;

	while ((got = llmr_read_line(stdin, &buf, MAX_JSON_LINE)) != 0) {
		json_error_t je;
		json_t *o, *id, *text, *url, *meta;
		char idbuf[32];
		const char *ids, *line = buf.s;
		size_t n = buf.len;

		lineno++;
		if (got < 0) {
			if (ferror(stdin))
				break;
			llmr_warn("<stdin>:%ld: longer than %zu MiB: skipped", lineno, MAX_JSON_LINE >> 20);
			r->bad++;
			continue;
		}
		if (n <= 1 && line[0] == '\n')
			continue;
		o = json_loadb(line, n, 0, &je);
		if (!o || !json_is_object(o)) {
			llmr_warn("<stdin>:%ld: invalid JSON: %s", lineno, o ? "not an object" : je.text);
			json_decref(o);
			r->bad++;
			continue;
		}
		id = json_object_get(o, "id");
		text = json_object_get(o, "text");
		url = json_object_get(o, "url");
		meta = json_object_get(o, "meta");
		if (!json_is_string(text) || (id && !json_is_string(id) && !json_is_integer(id))) {
			llmr_warn("<stdin>:%ld: expected a string \"text\" and a string \"id\"", lineno);
			json_decref(o);
			r->bad++;
			continue;
		}
		if (json_is_integer(id)) {
			snprintf(idbuf, sizeof(idbuf), "%lld", (long long)json_integer_value(id));
			ids = idbuf;
		} else if (id) {
			ids = json_string_value(id);
		} else {
			snprintf(idbuf, sizeof(idbuf), "stdin:%ld", lineno);
			ids = idbuf;
		}
		if (llmr_index_doc(ix, ids, json_string_value(text), json_string_length(text),
				   json_is_string(url) ? json_string_value(url) : NULL,
				   json_is_object(meta) ? meta : NULL, e) < 0) {
			json_decref(o);
			llmr_buf_release(&buf);
			return -1;
		}
		json_decref(o);
	}
	llmr_buf_release(&buf);
	if (ferror(stdin))
		return llmr_errf(e, LLMR_EX_IOERR, "<stdin>: %s", strerror(errno));
	return 0;
}

static void human_bytes(char *out, size_t n, double b)
{
	if (b >= 1e6)
		snprintf(out, n, "%.1f MB", b / 1e6);
	else if (b >= 1e3)
		snprintf(out, n, "%.1f kB", b / 1e3);
	else
		snprintf(out, n, "%.0f B", b);
}

static void print_stats_one(json_t *o)
{
	char text[32], graph[32];
	const char *emb = json_string_value(json_object_get(o, "embedder"));

	human_bytes(text, sizeof(text), (double)json_integer_value(json_object_get(o, "text_bytes")));
	human_bytes(graph, sizeof(graph), (double)json_integer_value(json_object_get(o, "graph_bytes")));
	printf("collection  %s\n", json_string_value(json_object_get(o, "collection")));
	printf("embedder    %s (%lld dims, vectors stored as int8)\n", emb,
	       (long long)json_integer_value(json_object_get(o, "dim")));
	printf("documents   %lld (%lld failed)\n",
	       (long long)json_integer_value(json_object_get(o, "documents")),
	       (long long)json_integer_value(json_object_get(o, "failed")));
	printf("chunks      %lld\n", (long long)json_integer_value(json_object_get(o, "chunks")));
	printf("text        %s\n", text);
	printf("graph       %lld nodes, %s\n",
	       (long long)json_integer_value(json_object_get(o, "graph_nodes")), graph);
	printf("per chunk   %lld B beyond the text (float32 vectors alone: %lld B)\n",
	       (long long)json_integer_value(json_object_get(o, "bytes_per_chunk")),
	       (long long)json_integer_value(json_object_get(o, "float32_bytes_per_chunk")));
}

static int print_stats(struct llmr_state *st, const char *coll, int json)
{
	struct llmr_err e = {0, ""};
	json_t *s;
	size_t i;

	if (llmr_index_stats(st, coll, &s, &e) < 0) {
		llmr_warn("%s", e.msg);
		return e.code ? e.code : LLMR_EX_SOFTWARE;
	}
	if (json) {
		if (json_is_array(s)) {
			for (i = 0; i < json_array_size(s); i++)
				json_dumpf(json_array_get(s, i), stdout, JSON_COMPACT), putchar('\n');
		} else {
			json_dumpf(s, stdout, JSON_COMPACT);
			putchar('\n');
		}
	} else if (json_is_array(s)) {
		for (i = 0; i < json_array_size(s); i++) {
			if (i)
				putchar('\n');
			print_stats_one(json_array_get(s, i));
		}
	} else {
		print_stats_one(s);
	}
	json_decref(s);
	return 0;
}

static void print_summary(FILE *f, const char *coll, const struct llmr_index_counts *c,
			  int json)
{
	if (json) {
		fprintf(f, "{\"collection\":\"%s\",\"files\":%zu,\"added\":%zu,\"updated\":%zu,"
		       "\"unchanged\":%zu,\"deleted\":%zu,\"failed\":%zu,\"chunks\":%zu,\"bytes\":%zu}\n",
		       coll, c->files, c->added, c->updated, c->unchanged, c->deleted, c->failed,
		       c->chunks, c->bytes);
		return;
	}
	fprintf(f, "%s: %zu added, %zu updated, %zu deleted, %zu unchanged, %zu failed (%zu chunks, %.2f MB of text)\n",
	       coll, c->added, c->updated, c->deleted, c->unchanged, c->failed, c->chunks,
	       (double)c->bytes / 1e6);
}

/* Index paths (and/or JSON lines on stdin) into o->collection: the exit
 * code, summary printed. */
static int index_run(struct llmr_state *st, const struct llmr_config *cfg,
		     struct llmr_index_opts *o, struct run *r, char **paths, size_t npaths,
		     int use_stdin)
{
	struct llmr_index_counts counts = {0};
	struct llmr_err e = {0, ""};
	struct llmr_indexer *ix = NULL;

	o->warn = on_warn;
	o->progress = on_progress;
	o->ud = r;
	o->change = r->changes ? on_change : NULL;
	r->collection = o->collection;
	r->tty = isatty(2) && !r->quiet;
	if (llmr_index_open(st, cfg, o, &ix, &e) < 0 ||
	    (npaths && llmr_index_paths(ix, paths, npaths, &e) < 0) ||
	    (use_stdin && read_jsonl(ix, r, &e) < 0)) {
		llmr_warn("%s", e.msg);
		if (ix)
			llmr_index_close(ix, NULL, &e);
		r->failed = 1;
		return e.code ? e.code : LLMR_EX_SOFTWARE;
	}
	if (llmr_index_close(ix, &counts, &e) < 0) {
		llmr_warn("%s", e.msg);
		r->failed = 1;
		return e.code ? e.code : LLMR_EX_SOFTWARE;
	}
	/* With --changes stdout carries only the change lines. */
	if (!r->quiet || r->json)
		print_summary(r->changes ? stderr : stdout, o->collection, &counts, r->json);
	if (counts.missing)
		return LLMR_EX_NOINPUT;
	if (counts.failed || r->bad)
		return LLMR_EX_DATAERR;
	return 0;
}

int main(int argc, char **argv)
{
	struct llmr_index_opts o = {0};
	struct llmr_err e = {0, ""};
	struct llmr_config *cfg = NULL;
	struct llmr_state *st = NULL;
	struct run r = {0};
	const char *config = NULL, *state = NULL, *coll = "default";
	char *state_path;
	int c, stats = 0, code = 0, use_stdin, coll_set = 0, extract = 0;

	llmr_cli_start(&cli);
	while ((c = llmr_cli_next(argc, argv, &cli)) != -1) {
		switch (c) {
		case 'c': coll = optarg; coll_set = 1; break;
		case OPT_REBUILD: o.rebuild = true; break;
		case OPT_PRUNE: o.prune = true; break;
		case OPT_STATS: stats = 1; break;
		case OPT_JSON: r.json = 1; break;
		case OPT_CONFIG: config = optarg; break;
		case OPT_STATE: state = optarg; break;
		case OPT_EXTRACT: extract = 1; break;
		case OPT_URL_BASE: o.url_base = optarg; break;
		case OPT_CHANGES: r.changes = 1; break;
		case 'v': o.verbose = true; break;
		case 'q': r.quiet = 1; break;
		}
	}
	if (extract) {
		if (optind != argc - 1)
			llmr_die(LLMR_EX_USAGE, "--extract: give one FILE, or - for stdin");
		return extract_to_stdout(argv[optind]);
	}
	if (!*coll)
		llmr_die(LLMR_EX_USAGE, "-c: empty collection name");
	if (o.url_base && *o.url_base && !strstr(o.url_base, "://"))
		llmr_die(LLMR_EX_USAGE, "--url-base: '%s': expected an absolute URL (https://...)",
			 o.url_base);
	if (o.url_base && optind != argc - 1)
		llmr_die(LLMR_EX_USAGE, "--url-base: name exactly one PATH, the root it maps");
	if (r.changes && stats)
		llmr_die(LLMR_EX_USAGE, "--changes and --stats: both would print on stdout");
	use_stdin = optind == argc && !isatty(0) && !stats;
	if (optind == argc && !use_stdin && !stats) {
		llmr_warn("nothing to index: give paths, or JSON lines on stdin");
		fprintf(stderr, "Try 'llmr-index --help' for more information.\n");
		return LLMR_EX_USAGE;
	}
	cfg = llmr_cli_config(config, NULL);
	llmr_cli_coordinate(cfg);
	/* A signal stops the embedding call in flight, logged and released. */
	llmr_interrupt_catch(true);
	state_path = llmr_state_path(state, cfg);
	if (llmr_state_open(state_path, &st, &e) < 0) {
		llmr_warn("%s", e.msg);
		free(state_path);
		llmr_config_free(cfg);
		return llmr_cli_exit(e.code ? e.code : LLMR_EX_IOERR);
	}
	free(state_path);
	if (optind < argc || use_stdin) {
		o.collection = coll;
		code = index_run(st, cfg, &o, &r, argv + optind, (size_t)(argc - optind), use_stdin);
		if (r.failed)
			goto out;
	}
	if (stats && code != LLMR_EX_SOFTWARE && code != LLMR_EX_IOERR) {
		int sc = print_stats(st, optind < argc || use_stdin || coll_set ? coll : NULL, r.json);

		if (sc)
			code = sc;
	}
out:
	llmr_state_close(st);
	llmr_config_free(cfg);
	return llmr_cli_exit(llmr_interrupt_exit(code));
}
