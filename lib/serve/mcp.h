/*
 * mcp.h - a Model Context Protocol server over stdio (llmr-search --mcp).
 *
 * The stdio transport: one JSON-RPC 2.0 message per line on in, one per
 * line on out, nothing else on out. Requests are answered in order, one at
 * a time. The server offers two tools, "search" (hits in the DESIGN.md
 * "Search hit" shape) and "ask" (an answer with sources, through a route),
 * and lists each collection as a resource whose content is its stats.
 *
 * Protocol versions: those the official TypeScript SDK speaks; the client's
 * version is answered when it is one of them, else the latest.
 * structuredContent and outputSchema are sent from 2025-06-18 on.
 */
#ifndef LLMR_MCP_H
#define LLMR_MCP_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "conf/config.h"
#include "index/search.h"
#include "store/state.h"
#include "base/util.h"

/* A message longer than this (the line, without its newline) is refused
 * with a JSON-RPC error instead of being read whole. */
#define LLMR_MCP_MAX_MESSAGE (1024 * 1024)

/* The newest protocol version spoken, answered to unknown ones. */
#define LLMR_MCP_LATEST_VERSION "2025-11-25"

struct llmr_mcp_opts {
	const struct llmr_config *cfg; /* borrowed; must outlive the server */
	struct llmr_state *st;         /* borrowed; must outlive the server */
	const char *name;              /* serverInfo.name and the log prefix */
	/* Defaults of the tools' arguments: collection (NULL: "default" for
	 * search; for ask the route's index, then "default"), k (0: 10), mode. */
	const char *collection;
	size_t k;
	enum llmr_search_mode mode;
	size_t max_message;            /* 0: LLMR_MCP_MAX_MESSAGE */
};

struct llmr_mcp;

/* A new server session; o and what it points to are borrowed. */
struct llmr_mcp *llmr_mcp_new(const struct llmr_mcp_opts *o);
void llmr_mcp_free(struct llmr_mcp *m);

/*
 * Handle one message (a line without its newline, n bytes). Returns the
 * response (new reference), or NULL when none is due (a notification, or
 * a response from the client). Problems worth a log line are written to
 * log (may be NULL) as "NAME: mcp: what: why".
 */
json_t *llmr_mcp_handle(struct llmr_mcp *m, const char *line, size_t n, FILE *log);

/*
 * Serve: read messages from in until EOF, write each response to out as
 * one line and flush it. Returns 0 at EOF, or -1 with e (LLMR_EX_IOERR)
 * when in cannot be read or out cannot be written (the client is gone).
 */
int llmr_mcp_serve(struct llmr_mcp *m, FILE *in, FILE *out, FILE *log, struct llmr_err *e);

#endif
