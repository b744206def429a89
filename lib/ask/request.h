/*
 * request.h - the one request parser. A DESIGN.md Request (a JSON line)
 * or command-line options become a struct llmr_ask_req through the same
 * checks and messages, whichever program reads them: llmr-ask (one-shot,
 * REPL, --jsonl) and llmr-route. llmr_ask_req_route() turns it into what
 * the decision reads, so llmr-route prints the decision llmr-ask follows.
 *
 * Exit codes: a bad value is a usage error (64) on the command line and
 * bad input (65) in a request line; the caller passes the code it wants.
 */
#ifndef LLMR_ASK_REQUEST_H
#define LLMR_ASK_REQUEST_H

/* The largest max_tokens a request may ask for: ten times the largest
 * context window on sale, and far enough below LONG_MAX that token sums
 * and cost estimates cannot overflow (fuzzing found 2^63-1 wrapping). */
#define LLMR_MAX_TOKENS_LIMIT 10000000L

#include <jansson.h>
#include <stdbool.h>

#include "conf/config.h"
#include "route/route.h"
#include "base/util.h"

/* A request. Strings are borrowed from wherever they were parsed (argv,
 * or a json_t kept alive by the caller). */
struct llmr_ask_req {
	const char *id;          /* NULL: one is generated */
	const char *prompt;      /* or messages */
	json_t *messages;        /* borrowed: [{"role","content"}], or NULL;
				    an assistant's may hold "tool_calls", a
				    "tool" one "tool_call_id" */
	json_t *params;          /* borrowed: the request object when it holds
				    agent fields (request_tools.c), else NULL */
	const char *system;      /* overrides the route's system prompt */
	const char *route;       /* NULL: default_route, else the first route */
	const char *model;       /* "provider/model": only this model, no chain */
	int priority;            /* 0..3 for P0..P3; -1: the route's */
	int complexity;          /* llmr_complexity, or -1: classify */
	long max_tokens;         /* 0: adapter default */
	double temperature;      /* < 0: unset */
	bool json;               /* ask the model for a JSON object */
	const char *budget;      /* request budget id, or NULL */
	const char *collection;  /* RAG collection, or NULL (route's index) */
	bool stream;             /* stream from the provider */
	bool no_cache;           /* do not answer from the response cache */
	bool no_store;           /* do not store the answer in it */
	const char *cache_namespace; /* "namespace": a partition of the cache, or NULL */
	const char *conversation; /* continue this conversation; NULL: a new one */
};

void llmr_ask_req_init(struct llmr_ask_req *req);

/*
 * Set one field from text, by its JSON name: "id", "route", "model",
 * "system", "budget", "collection", "namespace", "priority" (P0..P3, any case),
 * "complexity" (simple, medium, complex), "max_tokens" (integer, 0 to LLMR_MAX_TOKENS_LIMIT),
 * "temperature" (number >= 0). value is borrowed. Returns 0, or -1 with e
 * (code: LLMR_EX_USAGE or LLMR_EX_DATAERR, as the caller says) saying what
 * is wrong with the value, without naming the field.
 */
int llmr_ask_req_set(struct llmr_ask_req *req, const char *field, const char *value, int code,
		     struct llmr_err *e);

/*
 * The same from a command-line option named like the field, with '-' for
 * '_' ("max-tokens"). Returns 0, or -1 with e (LLMR_EX_USAGE):
 * "--priority: 'P9' is not P0, P1, P2 or P3", the same words in every
 * program.
 */
int llmr_ask_req_option(struct llmr_ask_req *req, const char *option, const char *value,
			struct llmr_err *e);

/*
 * Parse one JSON request into req (fields not in obj keep their value, so
 * req may hold the command line's defaults). obj is borrowed and must
 * outlive req. Returns 0, or -1 with a message naming the bad field in e
 * (LLMR_EX_DATAERR).
 */
int llmr_ask_req_from_json(json_t *obj, struct llmr_ask_req *req, struct llmr_err *e);

/*
 * One line of JSON lines input, as both programs read it: parsed into
 * *obj (a new reference the caller keeps while req is used, NULL when the
 * line is not JSON), then into req (which may hold the command line's
 * defaults), then checked against cfg. Returns 0, or -1 with e
 * (LLMR_EX_DATAERR) saying what is wrong: "invalid JSON: ... (column N)",
 * a field, or an unknown name. The caller prints "<stdin>:N: " before it.
 */
int llmr_ask_req_parse_line(const struct llmr_config *cfg, const char *line, size_t len,
			    json_t **obj, struct llmr_ask_req *req, struct llmr_err *e);

/*
 * Check the names req gives against cfg: the route exists, the model
 * resolves. Returns 0, or -1 with e (code as given).
 */
int llmr_ask_req_check(const struct llmr_config *cfg, const struct llmr_ask_req *req, int code,
		       struct llmr_err *e);

/*
 * What the decision reads: r is filled from req, its text being the
 * prompt, or the messages' contents joined by newlines (the classifier
 * reads the whole conversation), kept in text (caller releases; r->text
 * borrows it, or req's prompt).
 */
void llmr_ask_req_route(const struct llmr_ask_req *req, struct llmr_route_req *r,
			struct llmr_buf *text);

/* ---- request_tools.c ---- */

/*
 * The agent fields of obj, in OpenAI's names and shapes: "tools",
 * "tool_choice", "parallel_tool_calls", "response_format" (text,
 * json_object, json_schema: the last two set req->json), "top_p", "stop",
 * "seed", "presence_penalty", "frequency_penalty". Checked; when any is
 * there, req->params borrows obj. Returns 0, or -1 with e (LLMR_EX_DATAERR)
 * naming the field.
 */
int llmr_ask_req_agent_from_json(json_t *obj, struct llmr_ask_req *req, struct llmr_err *e);

/* One message: a string role; string content, or null beside an
 * assistant's "tool_calls" [{"id","function":{"name","arguments"}}]; a
 * "tool" message's "tool_call_id". Returns 0, or -1 with e (65). */
int llmr_ask_req_check_message(const json_t *m, size_t i, struct llmr_err *e);

/* Does answering need a model that takes tools: tools defined, or a tool
 * exchange in the messages? */
bool llmr_ask_req_uses_tools(const struct llmr_ask_req *req);

/* What the answer depends on besides the text: the agent fields and the
 * tool parts of the messages, appended to out for the cache key. */
void llmr_ask_req_agent_key(const struct llmr_ask_req *req, struct llmr_buf *out);

#endif
