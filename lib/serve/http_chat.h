/*
 * http_chat.h - private to http_chat*.c: one chat completion request,
 * parsed, and the OpenAI shapes of its answer.
 */
#ifndef LLMR_HTTP_CHAT_H
#define LLMR_HTTP_CHAT_H

#include "ask/ask.h"
#include "serve/http_impl.h"

struct chat {
	json_t *body;            /* the parsed request (owned) */
	json_t *messages;        /* normalised [{role, content}] (owned) */
	struct llmr_ask_req req; /* borrows from body and messages */
	const char *asked;       /* the model name the client sent */
	int stream, include_usage;
	char id[40];             /* the llmr request id */
	int64_t created;         /* epoch seconds */
};

/* A refusal: status, OpenAI type and code, the parameter at fault. */
struct chat_refusal {
	unsigned status;
	const char *type, *code, *param;
	char msg[300];
};

/* Parse r's body into ch. Returns 0, or -1 with why. */
int chat_parse(struct srv_req *r, struct chat *ch, struct chat_refusal *why);
void chat_release(struct chat *ch);

/* The agent's monthly cap: 0 when under it (or none), else -1 with why
 * (429, Retry-After in *retry_after). */
int chat_check_cap(struct srv_req *r, struct llmr_state *st, struct chat_refusal *why,
		   long *retry_after);

/* A failed llmr_ask response as an HTTP refusal: 429 when llmr itself is
 * out of quota or budget (retry after *retry_after s), 502/503 when the
 * providers failed, 400 for a request they refused. */
void chat_failure(const json_t *resp, struct llmr_state *st, const struct llmr_config *cfg,
		  struct chat_refusal *why, long *retry_after);

/* Reply why (with Retry-After for a 429). */
enum MHD_Result chat_reply_refusal(struct srv_req *r, struct MHD_Connection *c,
				   const struct chat_refusal *why, long retry_after);

/* OpenAI "usage" from an llmr Response. */
json_t *chat_usage(const json_t *resp);
/* "tool_calls" when the answer holds some, "length" when it was cut,
 * "content_filter" when it was withheld, else "stop". */
const char *chat_finish_reason(const json_t *resp);
/* The "llmr" extension object: route, model, cost, cache, fallback. */
json_t *chat_extension(const json_t *resp);

/* Answer a parsed streaming request (http_chat_stream.c). */
enum MHD_Result chat_stream(struct srv_req *r, struct MHD_Connection *c, struct chat *ch);

#endif
