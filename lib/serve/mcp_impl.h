/*
 * mcp_impl.h - what the mcp*.c files share (not a public interface).
 *
 * A method handler returns its result (new reference), or NULL with e
 * filled: e->code is then the JSON-RPC error code.
 */
#ifndef LLMR_MCP_IMPL_H
#define LLMR_MCP_IMPL_H

#include <stdbool.h>

#include "serve/mcp.h"

enum {
	MCP_PARSE_ERROR = -32700,
	MCP_INVALID_REQUEST = -32600,
	MCP_METHOD_NOT_FOUND = -32601,
	MCP_INVALID_PARAMS = -32602,
	MCP_INTERNAL_ERROR = -32603
};

struct llmr_mcp {
	struct llmr_mcp_opts o;
	char version[16]; /* negotiated at initialize; "" before */
};

/* Whether the negotiated version has structuredContent and outputSchema. */
bool llmr_mcp_structured(const struct llmr_mcp *m);

/* A JSON string of s (new reference), with the bytes of any invalid UTF-8
 * sequence replaced by '?': messages may quote file names. */
json_t *llmr_mcp_string(const char *s);

/* "NAME: mcp: ..." on log, when log is not NULL. */
void llmr_mcp_log(const struct llmr_mcp *m, FILE *log, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The methods past the handshake. params is borrowed and may be NULL. */
json_t *llmr_mcp_tools_list(struct llmr_mcp *m, json_t *params, FILE *log, struct llmr_err *e);
json_t *llmr_mcp_tools_call(struct llmr_mcp *m, json_t *params, FILE *log, struct llmr_err *e);
json_t *llmr_mcp_resources_list(struct llmr_mcp *m, json_t *params, FILE *log,
				struct llmr_err *e);
json_t *llmr_mcp_resources_read(struct llmr_mcp *m, json_t *params, FILE *log,
				struct llmr_err *e);

/*
 * Tool results: text content, and structured (steals; may be NULL) as
 * structuredContent when the version has it. A tool that fails says so in
 * an isError result, which the model can read, and in a log line.
 */
json_t *llmr_mcp_tool_result(const struct llmr_mcp *m, const char *text, json_t *structured);
json_t *llmr_mcp_tool_error(const struct llmr_mcp *m, FILE *log, const char *tool,
			    const char *msg);

/* The ask tool: its entry in tools/list, and a call (args may be NULL). */
json_t *llmr_mcp_ask_tool(const struct llmr_mcp *m);
json_t *llmr_mcp_ask(struct llmr_mcp *m, json_t *args, FILE *log);

#endif
