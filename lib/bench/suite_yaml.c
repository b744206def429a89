/*
 * suite_yaml.c - the YAML side of a suite: loading the document, errors
 * at a node's FILE:LINE:COL, and YAML values as JSON (vars, messages and
 * JSON schemas are JSON things written in YAML).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench/suite_impl.h"

#define SUITE_MAX_BYTES (4u << 20)
#define SUITE_MAX_DEPTH 32

int sy_fail(struct sy_ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	char tmp[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	/* libyaml counts from 0; people and editors from 1. */
	if (n)
		return llmr_errf(c->e, LLMR_EX_DATAERR, "%s:%d:%d: %s", c->file,
				 (int)n->start_mark.line + 1, (int)n->start_mark.column + 1, tmp);
	return llmr_errf(c->e, LLMR_EX_DATAERR, "%s: %s", c->file, tmp);
}

const char *sy_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

const char *sy_kind(const yaml_node_t *n)
{
	if (!n)
		return "nothing";
	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	return "a string";
}

int sy_load(struct sy_ctx *c, const char *path)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	yaml_parser_t p;
	int ok;

	b.max = SUITE_MAX_BYTES;
	if (llmr_read_file(path, &b) < 0) {
		int code = errno == ENOENT ? LLMR_EX_NOINPUT : LLMR_EX_IOERR;

		llmr_buf_release(&b);
		return llmr_errf(c->e, code, "%s: cannot read: %s", path, strerror(errno));
	}
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)(b.s ? b.s : ""), b.len);
	ok = yaml_parser_load(&p, &c->doc);
	if (!ok) {
		llmr_errf(c->e, LLMR_EX_DATAERR, "%s:%d:%d: %s", path, (int)p.problem_mark.line + 1,
			  (int)p.problem_mark.column + 1, p.problem ? p.problem : "invalid YAML");
	}
	yaml_parser_delete(&p);
	llmr_buf_release(&b);
	if (!ok)
		return -1;
	c->loaded = 1;
	if (!yaml_document_get_root_node(&c->doc))
		return llmr_errf(c->e, LLMR_EX_DATAERR, "%s: empty suite", path);
	return 0;
}

/* A plain scalar that reads as a YAML 1.2 core number, boolean or null
 * becomes that JSON value; a quoted one stays a string. */
static json_t *scalar_json(const yaml_node_t *n)
{
	const char *s = sy_scalar(n);
	char *end;

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return json_string(s);
	if (!*s || !strcmp(s, "~") || !strcmp(s, "null"))
		return json_null();
	if (!strcmp(s, "true"))
		return json_true();
	if (!strcmp(s, "false"))
		return json_false();
	if (strspn(s, "+-0123456789") == strlen(s) && strcmp(s, "+") && strcmp(s, "-")) {
		long long v;

		errno = 0;
		v = strtoll(s, &end, 10);

		if (!*end && errno != ERANGE)
			return json_integer(v);
	}
	if (strpbrk(s, "0123456789")) {
		double d = strtod(s, &end);

		if (!*end && end != s)
			return json_real(d);
	}
	return json_string(s);
}

static json_t *to_json(struct sy_ctx *c, yaml_node_t *n, int depth)
{
	json_t *o;

	if (depth > SUITE_MAX_DEPTH) {
		sy_fail(c, n, "nested too deeply");
		return NULL;
	}
	if (n->type == YAML_SCALAR_NODE)
		return scalar_json(n);
	if (n->type == YAML_SEQUENCE_NODE) {
		o = json_array();
		for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
			json_t *v = to_json(c, yaml_document_get_node(&c->doc, *i), depth + 1);

			if (!v)
				return json_decref(o), NULL;
			json_array_append_new(o, v);
		}
		return o;
	}
	o = json_object();
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(&c->doc, pr->key);
		json_t *v;

		if (!sy_scalar(k)) {
			sy_fail(c, k, "a key must be a string, not %s", sy_kind(k));
			return json_decref(o), NULL;
		}
		v = to_json(c, yaml_document_get_node(&c->doc, pr->value), depth + 1);
		if (!v)
			return json_decref(o), NULL;
		json_object_set_new(o, sy_scalar(k), v);
	}
	return o;
}

json_t *sy_json(struct sy_ctx *c, yaml_node_t *n)
{
	return to_json(c, n, 0);
}

int sy_number(struct sy_ctx *c, yaml_node_t *n, const char *key, double *out)
{
	const char *s = sy_scalar(n);
	char *end;

	if (!s)
		return sy_fail(c, n, "'%s' must be a number, not %s", key, sy_kind(n));
	*out = strtod(s, &end);
	if (!*s || *end || *out != *out || *out < 0)
		return sy_fail(c, n, "'%s': '%s' is not a number >= 0", key, s);
	return 0;
}

int sy_string(struct sy_ctx *c, yaml_node_t *n, const char *key, char **out)
{
	const char *s = sy_scalar(n);

	if (!s || !*s)
		return sy_fail(c, n, "'%s' must be a non-empty string, not %s", key,
			       s ? "empty" : sy_kind(n));
	free(*out);
	*out = llmr_xstrdup(s);
	return 0;
}

int sy_unknown(struct sy_ctx *c, yaml_node_t *k, const char *where, const char *const *keys)
{
	size_t n = 0;
	const char *best;

	while (keys[n])
		n++;
	best = llmr_nearest(sy_scalar(k), keys, n);
	if (best)
		return sy_fail(c, k, "unknown key '%s' in %s (did you mean '%s'?)", sy_scalar(k),
			       where, best);
	return sy_fail(c, k, "unknown key '%s' in %s", sy_scalar(k), where);
}
