/*
 * ask.h - one question, end to end: pick the chain, call, retry, fall back,
 * log every attempt, and build the DESIGN.md Response object.
 */
#ifndef LLMR_ASK_H
#define LLMR_ASK_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "ask/request.h"
#include "conf/config.h"
#include "provider/provider.h"
#include "store/state.h"
#include "base/util.h"

struct llmr_learned;

struct llmr_ask_ctx {
	const struct llmr_config *cfg; /* borrowed */
	struct llmr_state *st;         /* borrowed; NULL: nothing is logged */
	llmr_delta_fn on_delta;        /* streamed text, or NULL */
	void *ud;                      /* for on_delta and on_tool */
	/* Called before a fallback, or a retry of the same model (to is then
	 * from), when text was already streamed from the try that failed, so
	 * a UI can mark the break. May be NULL. */
	void (*on_fallback)(const char *from, const char *to, const char *why, void *ud);
	int64_t max_retry_wait_ms;     /* never sleep longer than this for one
					  retry; fall back instead (default 20 s) */
	/* Borrowed, may be NULL: when it becomes non-zero (a signal handler
	 * sets it), the call in flight stops within a second and is logged
	 * "cancelled" with the usage known so far, its quota and money holds
	 * are released, and no other model is tried. */
	const volatile int *cancel;
	struct llmr_learned *learned;  /* borrowed, may be NULL: with
					  router.learned, the learned router
					  (learn/learned_route.h) picks the tier */
	llmr_tool_fn on_tool;          /* streamed tool-call pieces (OpenAI's
					  delta.tool_calls elements), or NULL */
};

/*
 * Answer req. Returns a new reference: the Response object, or a failed
 * request object {"id","error":{"class","message"},"attempts":[...]}.
 * *exit_code gets the sysexits code the answer deserves (0 on success;
 * 75 rate limit or overload; 77 authentication; 69 nothing could answer;
 * 64/65 bad request; 130 cancelled, with error class "cancelled"). Never
 * NULL.
 */
json_t *llmr_ask(struct llmr_ask_ctx *ctx, const struct llmr_ask_req *req, int *exit_code);


#endif
