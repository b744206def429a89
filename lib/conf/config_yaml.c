/*
 * config_yaml.c - reading llmr.conf with libyaml's document API, and the
 * small node helpers the schema walker uses to word its messages.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/config_impl.h"

#define CFG_MAX_DEPTH 32
#define CFG_MAX_ALIASES 256

struct llmr_pos cfg_pos(const yaml_node_t *n)
{
	struct llmr_pos p = {0, 0};

	/* libyaml marks are 0-based; people and editors count from 1. */
	if (n) {
		p.line = (int)n->start_mark.line + 1;
		p.col = (int)n->start_mark.column + 1;
	}
	return p;
}

static void vdiag(struct cfg_ctx *c, struct llmr_pos pos, const char *fmt, va_list ap)
{
	char tmp[1024];
	struct cfg_diag *d;

	if (c->ndiags == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 8;
		c->diags = llmr_xrealloc(c->diags, c->alloc * sizeof(*c->diags));
	}
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	d = &c->diags[c->ndiags];
	d->line = pos.line;
	d->col = pos.col;
	d->seq = c->ndiags++;
	d->msg = llmr_xstrdup(tmp);
}

void cfg_error(struct cfg_ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(c, cfg_pos(n), fmt, ap);
	va_end(ap);
}

void cfg_error_at(struct cfg_ctx *c, struct llmr_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(c, pos, fmt, ap);
	va_end(ap);
}

const char *cfg_kind_name(const yaml_node_t *n)
{
	if (!n)
		return "nothing";
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return cfg_is_null(n) ? "empty" : "a string";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

const char *cfg_scalar(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

int cfg_is_null(const yaml_node_t *n)
{
	const char *s = cfg_scalar(n);

	/* Only plain scalars are null: "" and '~' quoted are strings. */
	if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") ||
	       !strcmp(s, "Null") || !strcmp(s, "NULL");
}

const char *cfg_quote(const char *s)
{
	static _Thread_local char slot[2][128];
	static _Thread_local int which;
	char *out = slot[which ^= 1];
	size_t i;

	for (i = 0; s[i] && i < sizeof(slot[0]) - 4; i++) {
		unsigned char ch = (unsigned char)s[i];

		out[i] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	if (s[i])
		memcpy(out + i, "...", 3), i += 3;
	out[i] = '\0';
	return out;
}

/* A tab where indentation is expected is the most common way to break
 * YAML by hand, and libyaml only says "found character that cannot start
 * any token": say why. */
static int is_tab_problem(const yaml_parser_t *p, const char *text, size_t len)
{
	size_t off = p->problem_mark.index;

	return text && p->error == YAML_SCANNER_ERROR && off < len && text[off] == '\t';
}

static void syntax_error(struct cfg_ctx *c, const yaml_parser_t *p, const char *text, size_t len)
{
	struct llmr_pos pos;
	const char *what = p->problem ? p->problem : "cannot parse";

	pos.line = (int)p->problem_mark.line + 1;
	pos.col = (int)p->problem_mark.column + 1;
	if (p->error == YAML_READER_ERROR) {
		/* Reader errors (bad UTF-8) carry a byte offset, not a mark. */
		size_t i;

		pos.line = pos.col = 1;
		for (i = 0; text && i < p->problem_offset && i < len; i++, pos.col++)
			if (text[i] == '\n')
				pos.line++, pos.col = 0;
		cfg_error_at(c, pos, "not UTF-8 text: %s", what);
	} else if (is_tab_problem(p, text, len))
		cfg_error_at(c, pos, "YAML syntax error: tab character in indentation (use spaces)");
	else if (p->context)
		cfg_error_at(c, pos, "YAML syntax error: %s (%s at %d:%d)", what, p->context,
			     (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
	else
		cfg_error_at(c, pos, "YAML syntax error: %s", what);
}

static int more_documents(struct cfg_ctx *c, yaml_parser_t *p)
{
	yaml_document_t next;
	yaml_node_t *root;
	int more;

	if (!yaml_parser_load(p, &next)) {
		syntax_error(c, p, NULL, 0);
		return 1;
	}
	root = yaml_document_get_root_node(&next);
	more = root != NULL;
	if (more)
		cfg_error(c, root, "only one YAML document is allowed in a config file");
	yaml_document_delete(&next);
	return more;
}

/*
 * A first pass over the events, before libyaml builds the document: its
 * scanner slows down quadratically with nesting depth (a 4 MiB file of '['
 * would take hours), and aliases can multiply a small file into a huge
 * walk. No real config nests deeper than a few levels or needs many
 * aliases. Returns 0, or -1 after recording the problem.
 */
static int check_shape(struct cfg_ctx *c, const char *text, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int depth = 0, aliases = 0, rc = 0, done = 0;

	if (!yaml_parser_initialize(&p))
		return 0; /* the real load will report it */
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (!done && !rc) {
		if (!yaml_parser_parse(&p, &ev))
			break; /* syntax errors are reported by the load */
		if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT)
			depth++;
		else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT)
			depth--;
		else if (ev.type == YAML_ALIAS_EVENT)
			aliases++;
		done = ev.type == YAML_STREAM_END_EVENT;
		if (depth > CFG_MAX_DEPTH || aliases > CFG_MAX_ALIASES) {
			struct llmr_pos pos = {(int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1};

			if (depth > CFG_MAX_DEPTH)
				cfg_error_at(c, pos, "nested deeper than %d levels", CFG_MAX_DEPTH);
			else
				cfg_error_at(c, pos, "more than %d aliases", CFG_MAX_ALIASES);
			rc = -1;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return rc;
}

int cfg_yaml_load(struct cfg_ctx *c, const char *path, yaml_document_t *doc,
		  struct llmr_err *e)
{
	struct llmr_buf text = LLMR_BUF_INIT;
	yaml_parser_t parser;
	int rc = 0;

	text.max = LLMR_CONFIG_MAX_BYTES;
	if (llmr_read_file(path, &text) < 0) {
		int err = errno;

		llmr_buf_release(&text);
		if (err == EFBIG)
			return llmr_errf(e, LLMR_EX_CONFIG, "cannot read '%s': larger than %u MiB",
					 path, LLMR_CONFIG_MAX_BYTES >> 20);
		return llmr_errf(e, LLMR_EX_NOINPUT, "cannot open '%s': %s", path, strerror(err));
	}
	if (!yaml_parser_initialize(&parser)) {
		llmr_buf_release(&text);
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot parse '%s': out of memory", path);
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text.s, text.len);
	if (check_shape(c, text.s, text.len) < 0) {
		rc = -1;
	} else if (!yaml_parser_load(&parser, doc)) {
		syntax_error(c, &parser, text.s, text.len);
		rc = -1;
	} else if (yaml_document_get_root_node(doc) && more_documents(c, &parser)) {
		yaml_document_delete(doc);
		rc = -1;
	}
	yaml_parser_delete(&parser);
	llmr_buf_release(&text);
	return rc;
}
