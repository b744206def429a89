/*
 * Reading outcome files: RouteLLM's CSV (RFC 4180 quoting) and JSON lines.
 * Errors name the file and the line where the bad record starts.
 */
#include "learn/outcomes.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Outcome files are small next to this; the cap stops a runaway read. */
#define OUTCOMES_MAX_BYTES (1024L * 1024 * 1024)
#define CSV_MAX_FIELDS 256

struct csv {
	const char *name, *s;
	size_t len, pos;
	long line;
	struct llmr_buf field[CSV_MAX_FIELDS];
	size_t nfields;
};

static int csv_quoted(struct csv *c, struct llmr_buf *f, struct llmr_err *e)
{
	long opened = c->line;

	c->pos++;
	for (;;) {
		if (c->pos >= c->len)
			return llmr_errf(e, LLMR_EX_DATAERR,
					 "%s:%ld: unterminated quoted field (no closing '\"')", c->name,
					 opened);
		if (c->s[c->pos] == '"') {
			if (c->pos + 1 < c->len && c->s[c->pos + 1] == '"') {
				llmr_buf_add(f, "\"", 1);
				c->pos += 2;
				continue;
			}
			c->pos++;
			break;
		}
		if (c->s[c->pos] == '\n')
			c->line++;
		llmr_buf_add(f, c->s + c->pos++, 1);
	}
	if (c->pos < c->len && c->s[c->pos] != ',' && c->s[c->pos] != '\n' && c->s[c->pos] != '\r')
		return llmr_errf(e, LLMR_EX_DATAERR, "%s:%ld: text after a closing quote", c->name,
				 c->line);
	return 0;
}

static int csv_plain(struct csv *c, struct llmr_buf *f, struct llmr_err *e)
{
	while (c->pos < c->len && c->s[c->pos] != ',' && c->s[c->pos] != '\n') {
		if (c->s[c->pos] == '"')
			return llmr_errf(e, LLMR_EX_DATAERR,
					 "%s:%ld: a quote inside an unquoted field", c->name, c->line);
		if (c->s[c->pos] == '\r' && (c->pos + 1 == c->len || c->s[c->pos + 1] == '\n'))
			c->pos++; /* CRLF line end */
		else
			llmr_buf_add(f, c->s + c->pos++, 1);
	}
	return 0;
}

/* One record into c->field[0..nfields). Returns 1, 0 at the end, -1 with e. */
static int csv_record(struct csv *c, struct llmr_err *e)
{
	c->nfields = 0;
	if (c->pos >= c->len)
		return 0;
	for (;;) {
		struct llmr_buf *f;

		if (c->nfields == CSV_MAX_FIELDS)
			return llmr_errf(e, LLMR_EX_DATAERR, "%s:%ld: more than %d fields", c->name,
					 c->line, CSV_MAX_FIELDS);
		f = &c->field[c->nfields++];
		llmr_buf_reset(f);
		llmr_buf_add(f, "", 0);
		if (c->pos < c->len && c->s[c->pos] == '"' ? csv_quoted(c, f, e) < 0
							    : csv_plain(c, f, e) < 0)
			return -1;
		if (c->pos < c->len && c->s[c->pos] == '\r')
			c->pos++;
		if (c->pos >= c->len)
			return 1;
		if (c->s[c->pos++] == '\n') {
			c->line++;
			return 1;
		}
	}
}

/* A cell: empty (not measured, returns 1), True/False or a number (0). */
static int cell_score(const char *s, double *out)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return 1;
	if (!strncasecmp(s, "true", 4) || !strncasecmp(s, "false", 5)) {
		*out = tolower((unsigned char)*s) == 't';
		s += *out ? 4 : 5;
	} else {
		errno = 0;
		*out = strtod(s, &end);
		if (end == s || errno || !isfinite(*out))
			return -1;
		s = end;
	}
	while (isspace((unsigned char)*s))
		s++;
	return *s ? -1 : 0;
}

static int csv_header(struct csv *c, struct llmr_outcomes *o, size_t *model, struct llmr_err *e)
{
	int r = csv_record(c, e);

	if (r <= 0)
		return r < 0 ? -1 : llmr_errf(e, LLMR_EX_DATAERR, "%s: empty file", c->name);
	if (strcasecmp(c->field[0].s, "prompt") || c->nfields < 2)
		return llmr_errf(e, LLMR_EX_DATAERR,
				 "%s:1: the header must be 'prompt' then one column per model",
				 c->name);
	for (size_t i = 1; i < c->nfields; i++) {
		if (!c->field[i].len)
			return llmr_errf(e, LLMR_EX_DATAERR, "%s:1: column %zu has no model name",
					 c->name, i + 1);
		for (size_t j = 1; j < i; j++)
			if (!strcmp(c->field[i].s, c->field[j].s))
				return llmr_errf(e, LLMR_EX_DATAERR, "%s:1: model '%s' appears twice",
						 c->name, c->field[i].s);
		model[i] = llmr_outcomes_model(o, c->field[i].s);
	}
	return 0;
}

static int csv_row(struct csv *c, struct llmr_outcomes *o, const size_t *model, size_t ncols,
		   long line, struct llmr_err *e)
{
	double v[CSV_MAX_FIELDS];
	int have[CSV_MAX_FIELDS];
	size_t row;

	if (c->nfields != ncols)
		return llmr_errf(e, LLMR_EX_DATAERR, "%s:%ld: %zu fields, the header has %zu",
				 c->name, line, c->nfields, ncols);
	if (!c->field[0].len)
		return llmr_errf(e, LLMR_EX_DATAERR, "%s:%ld: empty prompt", c->name, line);
	for (size_t i = 1; i < ncols; i++) {
		int r = cell_score(c->field[i].s, &v[i]);

		if (r < 0)
			return llmr_errf(e, LLMR_EX_DATAERR,
					 "%s:%ld: model '%s': '%.40s' is not True, False or a number",
					 c->name, line, o->models[model[i]], c->field[i].s);
		have[i] = !r;
	}
	row = llmr_outcomes_row(o, c->field[0].s, c->field[0].len);
	for (size_t i = 1; i < ncols; i++)
		if (have[i])
			llmr_outcomes_set(o, row, model[i], v[i]);
	return 0;
}

static int parse_csv(struct csv *c, struct llmr_outcomes *o, struct llmr_err *e)
{
	size_t model[CSV_MAX_FIELDS], ncols;
	int r;

	if (csv_header(c, o, model, e) < 0)
		return -1;
	ncols = c->nfields;
	for (;;) {
		long line = c->line;

		if ((r = csv_record(c, e)) <= 0)
			return r;
		if (c->nfields == 1 && !c->field[0].len)
			continue; /* a blank line */
		if (csv_row(c, o, model, ncols, line, e) < 0)
			return -1;
	}
}

static const char *json_row(json_t *obj, struct llmr_outcomes *o)
{
	json_t *p = json_object_get(obj, "prompt"), *outs = json_object_get(obj, "outcomes"), *v;
	const char *k;
	size_t row;

	if (!json_is_string(p) || !json_string_length(p))
		return "\"prompt\" must be a non-empty string";
	if (!json_is_object(outs) || !json_object_size(outs))
		return "\"outcomes\" must be an object of model: score";
	json_object_foreach(outs, k, v)
		if (!json_is_boolean(v) && !json_is_number(v))
			return "every outcome must be true, false or a number";
	row = llmr_outcomes_row(o, json_string_value(p), json_string_length(p));
	json_object_foreach(outs, k, v)
		llmr_outcomes_set(o, row, llmr_outcomes_model(o, k),
				  json_is_boolean(v) ? json_is_true(v) : json_number_value(v));
	return NULL;
}

static int parse_jsonl(const char *name, const char *s, size_t len, struct llmr_outcomes *o,
		       struct llmr_err *e)
{
	long line = 0;

	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(s + pos, '\n', len - pos), *bad;
		size_t n = nl ? (size_t)(nl - (s + pos)) : len - pos;
		json_error_t jerr;
		json_t *obj;
		size_t i;

		line++;
		for (i = 0; i < n && isspace((unsigned char)s[pos + i]); i++)
			;
		if (i < n) {
			if (!(obj = json_loadb(s + pos, n, 0, &jerr)) || !json_is_object(obj)) {
				json_decref(obj);
				return llmr_errf(e, LLMR_EX_DATAERR, "%s:%ld: invalid JSON: %s", name,
						 line, obj ? "not an object" : jerr.text);
			}
			bad = json_row(obj, o);
			json_decref(obj);
			if (bad)
				return llmr_errf(e, LLMR_EX_DATAERR, "%s:%ld: %s", name, line, bad);
		}
		pos += n + 1;
	}
	return 0;
}

int llmr_outcomes_parse(const char *name, const char *text, size_t len, struct llmr_outcomes *o,
			struct llmr_err *e)
{
	struct csv c = {.name = name, .s = text, .len = len, .line = 1};
	size_t i = 0;
	int r;

	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		c.pos = i = 3;
	while (i < len && isspace((unsigned char)text[i]))
		i++;
	if (i < len && text[i] == '{')
		return parse_jsonl(name, text + c.pos, len - c.pos, o, e);
	r = parse_csv(&c, o, e);
	for (i = 0; i < CSV_MAX_FIELDS; i++)
		llmr_buf_release(&c.field[i]);
	return r;
}

static int read_stdin(struct llmr_buf *b)
{
	char chunk[65536];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		if (llmr_buf_add(b, chunk, n) < 0) {
			errno = EFBIG;
			return -1;
		}
	return ferror(stdin) ? -1 : 0;
}

int llmr_outcomes_read(const char *path, struct llmr_outcomes *o, struct llmr_err *e)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	int stdin_ = !strcmp(path, "-"), r;

	b.max = OUTCOMES_MAX_BYTES;
	if ((stdin_ ? read_stdin(&b) : llmr_read_file(path, &b)) < 0) {
		r = llmr_errf(e, errno == ENOENT || errno == EACCES ? LLMR_EX_NOINPUT : LLMR_EX_IOERR,
			      "cannot read '%s': %s", path, strerror(errno));
		llmr_buf_release(&b);
		return r;
	}
	r = llmr_outcomes_parse(stdin_ ? "<stdin>" : path, b.s ? b.s : "", b.len, o, e);
	llmr_buf_release(&b);
	return r;
}
