/*
 * The MCP server's transport and JSON-RPC envelope: read a line (capped),
 * parse it, tell requests from notifications and from junk, dispatch to a
 * method, write the one-line answer.
 */
#include "serve/mcp_impl.h"

#include <stdlib.h>
#include <string.h>

/* Bumped when the tools or resources change shape. */
#define SERVER_VERSION "1"

/* The TypeScript SDK's SUPPORTED_PROTOCOL_VERSIONS, newest first. */
static const char *const versions[] = {LLMR_MCP_LATEST_VERSION, "2025-06-18", "2025-03-26",
				       "2024-11-05", "2024-10-07", NULL};

typedef json_t *(*method_fn)(struct llmr_mcp *m, json_t *params, FILE *log, struct llmr_err *e);

struct llmr_mcp *llmr_mcp_new(const struct llmr_mcp_opts *o)
{
	struct llmr_mcp *m = llmr_xcalloc(1, sizeof(*m));

	m->o = *o;
	if (!m->o.name)
		m->o.name = "llmr";
	if (!m->o.max_message)
		m->o.max_message = LLMR_MCP_MAX_MESSAGE;
	return m;
}

void llmr_mcp_free(struct llmr_mcp *m)
{
	free(m);
}

static json_t *error_response(json_t *id, int code, const char *msg)
{
	json_t *r = json_object(), *err = json_object();

	json_object_set_new(r, "jsonrpc", json_string("2.0"));
	/* JSON-RPC: null when the request's id could not be read. */
	json_object_set(r, "id", id ? id : json_null());
	json_object_set_new(err, "code", json_integer(code));
	json_object_set_new(err, "message", llmr_mcp_string(msg));
	json_object_set_new(r, "error", err);
	return r;
}

static json_t *initialize(struct llmr_mcp *m, json_t *params, FILE *log, struct llmr_err *e)
{
	const char *asked = json_string_value(json_object_get(params, "protocolVersion"));
	const char *pick = LLMR_MCP_LATEST_VERSION;

	(void)log;
	if (!asked) {
		llmr_errf(e, MCP_INVALID_PARAMS, "protocolVersion: expected a string");
		return NULL;
	}
	for (size_t i = 0; versions[i]; i++)
		if (!strcmp(asked, versions[i]))
			pick = versions[i];
	snprintf(m->version, sizeof(m->version), "%s", pick);
	return json_pack("{s:s, s:{s:{s:b}, s:{s:b, s:b}}, s:{s:s, s:s}, s:s}",
			 "protocolVersion", pick,
			 "capabilities", "tools", "listChanged", 0,
			 "resources", "subscribe", 0, "listChanged", 0,
			 "serverInfo", "name", m->o.name, "version", SERVER_VERSION,
			 "instructions",
			 "Search the user's indexed document collections (tool search) and "
			 "answer questions from them with sources (tool ask). Each "
			 "collection is a resource; read it for its size.");
}

static json_t *ping(struct llmr_mcp *m, json_t *params, FILE *log, struct llmr_err *e)
{
	(void)m, (void)params, (void)log, (void)e;
	return json_object();
}

static const struct {
	const char *name;
	method_fn fn;
} methods[] = {
	{"initialize", initialize},
	{"ping", ping},
	{"tools/list", llmr_mcp_tools_list},
	{"tools/call", llmr_mcp_tools_call},
	{"resources/list", llmr_mcp_resources_list},
	{"resources/read", llmr_mcp_resources_read},
	{NULL, NULL},
};

static json_t *call_method(struct llmr_mcp *m, json_t *id, const char *method, json_t *params,
			   FILE *log)
{
	struct llmr_err e = {0, ""};
	json_t *result, *r;
	size_t i;

	for (i = 0; methods[i].name && strcmp(methods[i].name, method); i++)
		;
	if (!methods[i].name) {
		llmr_errf(&e, MCP_METHOD_NOT_FOUND, "method not found: '%s'", method);
		llmr_mcp_log(m, log, "%s", e.msg);
		return error_response(id, e.code, e.msg);
	}
	if (params && !json_is_object(params))
		return error_response(id, MCP_INVALID_PARAMS, "params: expected an object");
	result = methods[i].fn(m, params, log, &e);
	if (!result) {
		llmr_mcp_log(m, log, "%s: %s", method, e.msg);
		return error_response(id, e.code ? e.code : MCP_INTERNAL_ERROR, e.msg);
	}
	r = json_object();
	json_object_set_new(r, "jsonrpc", json_string("2.0"));
	json_object_set(r, "id", id);
	json_object_set_new(r, "result", result);
	return r;
}

static json_t *handle_message(struct llmr_mcp *m, json_t *msg, FILE *log)
{
	json_t *id, *method, *params;
	const char *v;
	bool has_id;

	if (!json_is_object(msg))
		return error_response(NULL, MCP_INVALID_REQUEST,
				      json_is_array(msg) ? "invalid request: batches are not supported"
							 : "invalid request: expected an object");
	id = json_object_get(msg, "id");
	method = json_object_get(msg, "method");
	params = json_object_get(msg, "params");
	has_id = id != NULL;
	/* We send no requests, so a response from the client needs nothing. */
	if (!method && has_id && (json_object_get(msg, "result") || json_object_get(msg, "error")))
		return NULL;
	if (has_id && !json_is_string(id) && !json_is_integer(id))
		return error_response(NULL, MCP_INVALID_REQUEST,
				      "invalid request: id: expected a string or an integer");
	v = json_string_value(json_object_get(msg, "jsonrpc"));
	if (!v || strcmp(v, "2.0") || !json_is_string(method) ||
	    (params && !json_is_object(params) && !json_is_array(params))) {
		llmr_mcp_log(m, log, "invalid request: not a JSON-RPC 2.0 request");
		return has_id ? error_response(id, MCP_INVALID_REQUEST,
					       "invalid request: not a JSON-RPC 2.0 request")
			      : NULL;
	}
	/* notifications/initialized, notifications/cancelled...: requests
	 * are answered one at a time, so there is nothing to do. */
	if (!has_id)
		return NULL;
	return call_method(m, id, json_string_value(method), params, log);
}

json_t *llmr_mcp_handle(struct llmr_mcp *m, const char *line, size_t n, FILE *log)
{
	json_error_t je;
	json_t *msg, *r;
	char what[200];

	msg = json_loadb(line, n, 0, &je);
	if (!msg) {
		snprintf(what, sizeof(what), "parse error: %s", je.text);
		llmr_mcp_log(m, log, "%s", what);
		return error_response(NULL, MCP_PARSE_ERROR, what);
	}
	r = handle_message(m, msg, log);
	json_decref(msg);
	return r;
}

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

static int write_message(json_t *r, FILE *out)
{
	int bad = json_dumpf(r, out, JSON_COMPACT) < 0 || putc('\n', out) == EOF ||
		  fflush(out) == EOF;

	json_decref(r);
	return bad ? -1 : 0;
}

/* One message's line ended (or the input did): answer it. */
static int end_of_line(struct llmr_mcp *m, struct llmr_buf *line, bool too_long, FILE *out,
		       FILE *log)
{
	json_t *r = NULL;
	char what[120];

	if (too_long) {
		snprintf(what, sizeof(what), "invalid request: message over %zu bytes",
			 m->o.max_message);
		llmr_mcp_log(m, log, "%s", what);
		r = error_response(NULL, MCP_INVALID_REQUEST, what);
	} else if (!blank(line->s ? line->s : "", line->len)) {
		if (line->len && line->s[line->len - 1] == '\r')
			line->len--;
		r = llmr_mcp_handle(m, line->s, line->len, log);
	}
	llmr_buf_reset(line);
	return r ? write_message(r, out) : 0;
}

int llmr_mcp_serve(struct llmr_mcp *m, FILE *in, FILE *out, FILE *log, struct llmr_err *e)
{
	struct llmr_buf line = LLMR_BUF_INIT;
	bool too_long = false;
	int c, rc = 0;
	char ch;

	for (;;) {
		c = getc(in);
		if (c == EOF && ferror(in)) {
			rc = llmr_errf(e, LLMR_EX_IOERR, "cannot read standard input");
			break;
		}
		if (c == EOF && !line.len && !too_long)
			break;
		if (c != EOF && c != '\n') {
			/* Past the cap the rest of the line is skipped, not kept. */
			if (too_long || line.len >= m->o.max_message) {
				too_long = true;
				continue;
			}
			ch = (char)c;
			if (llmr_buf_add(&line, &ch, 1) < 0) {
				rc = llmr_errf(e, LLMR_EX_SOFTWARE, "out of memory");
				break;
			}
			continue;
		}
		if (end_of_line(m, &line, too_long, out, log) < 0) {
			rc = llmr_errf(e, LLMR_EX_IOERR, "cannot write standard output");
			break;
		}
		too_long = false;
		if (c == EOF)
			break;
	}
	llmr_buf_release(&line);
	return rc;
}
