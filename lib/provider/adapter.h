/*
 * adapter.h - small helpers shared by the provider adapters
 * (provider_*.c): URL joining, JSON bodies, streamed text, error fields.
 * Not for use outside lib/provider*.c.
 */
#ifndef LLMR_ADAPTER_H
#define LLMR_ADAPTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "provider/provider.h"
#include "base/util.h"

/*
 * Set url to base (trailing slashes dropped) followed by path. Returns 0,
 * or -1 with e set (LLMR_EX_CONFIG) when base is NULL or empty.
 */
int llmr_adapter_url(struct llmr_buf *url, const char *base, const char *path,
		     struct llmr_err *e);

/*
 * Serialise obj (borrowed) compactly into body. Returns 0, or -1 with e set
 * (LLMR_EX_SOFTWARE) when it cannot be serialised.
 */
int llmr_adapter_body(struct llmr_buf *body, const json_t *obj, struct llmr_err *e);

/*
 * Append a piece of answer text to r->text and hand it to on_delta (may be
 * NULL). Returns 0, or -1 with r->err = LLMR_ERR_PROTOCOL when the text
 * outgrows its cap.
 */
int llmr_adapter_text(struct llmr_chat_result *r, const char *s, size_t n,
		      llmr_delta_fn on_delta, void *ud);

/* Add "Authorization: Bearer KEY" when key is not empty (local servers
 * want none). The temporary copy of the key is wiped. */
void llmr_adapter_bearer(struct llmr_headers *hdrs, const char *key);

/*
 * The messages as [{"role","content"}...], the system prompt first when
 * there is one (OpenAI and Ollama share this shape). Returns a new
 * reference, or NULL with e set (LLMR_EX_DATAERR) when a message lacks a
 * role or content or is not valid UTF-8.
 */
json_t *llmr_adapter_messages(const struct llmr_chat_req *req, struct llmr_err *e);

/* Set r->err and r->errmsg (redacted, one line) from msg. Returns -1. */
int llmr_adapter_fail(struct llmr_chat_result *r, enum llmr_errclass c, const char *msg);

/* Copy a finish reason into r (ignores NULL and empty strings). */
void llmr_adapter_finish_reason(struct llmr_chat_result *r, const char *reason);

/*
 * Parse n bytes of JSON. Returns a new reference, or NULL with r->err =
 * LLMR_ERR_PROTOCOL and a message saying what (r may be NULL).
 */
json_t *llmr_adapter_json(const char *s, size_t n, struct llmr_chat_result *r);

/* The most tokens one answer may report: 2^40, a thousand times any real
 * context window, so that sums of a few counts and a day of them in the
 * quotas stay far from overflow. Larger counts are taken as this. */
#define LLMR_ADAPTER_MAX_TOKENS (1L << 40)
/* The most one call may say it cost (USD); above it, the figure is taken
 * as this cap. */
#define LLMR_ADAPTER_MAX_COST_USD 1e6

/* A member as a count: integers, and reals holding whole numbers, capped
 * at LLMR_ADAPTER_MAX_TOKENS; -1 when absent, negative or not a number.
 * obj is borrowed and may be NULL. */
long llmr_adapter_count(const json_t *obj, const char *key);

/* Make a usage coherent whatever the provider sent: every count within
 * 0..LLMR_ADAPTER_MAX_TOKENS, the cached and cache-write parts within the
 * input, a provider cost that is negative or not finite dropped (-1) and
 * one above LLMR_ADAPTER_MAX_COST_USD capped. */
void llmr_adapter_usage_clamp(struct llmr_usage *u);

/* ---- tool calls (adapter_tools.c) ---- */

/*
 * A tool call opens: appended to r->tool_calls in OpenAI's shape, and its
 * opening piece handed to r->on_tool. id NULL or empty: a "call_" id is
 * made up (Gemini and Ollama may send none). args (n bytes, may be empty)
 * is the start of its JSON arguments. Returns 0, or -1 with r->err set.
 */
int llmr_adapter_tool_start(struct llmr_chat_result *r, const char *id, const char *name,
			    const char *args, size_t n);

/* More arguments for the call at index (the order calls opened in). */
int llmr_adapter_tool_args(struct llmr_chat_result *r, size_t index, const char *args, size_t n);

/* A whole call whose arguments are a JSON value (Gemini args, Ollama
 * arguments, Anthropic input): serialised compactly. */
int llmr_adapter_tool_whole(struct llmr_chat_result *r, const char *id, const char *name,
			    const json_t *args);

/* The request's agent parameter key (see llmr_chat_req.params), or NULL. */
const json_t *llmr_adapter_param(const struct llmr_chat_req *req, const char *key);

/* Does the request define tools? */
bool llmr_adapter_has_tools(const struct llmr_chat_req *req);

/* The function name of the call id among the assistant messages before
 * message at (Gemini's functionResponse and Ollama's tool_name want it),
 * or NULL. */
const char *llmr_adapter_tool_name(const struct llmr_chat_req *req, size_t at, const char *id);

/* A call's "arguments" text as a JSON object (new reference; {} when
 * empty), or NULL when it is not one. */
json_t *llmr_adapter_args_object(const json_t *call);

/* "stop" as an array of strings (new reference), or NULL when unset. */
json_t *llmr_adapter_stop_array(const struct llmr_chat_req *req);

/* The function name forced by tool_choice {"type":"function",...}, or NULL. */
const char *llmr_adapter_forced_tool(const struct llmr_chat_req *req);

#endif
