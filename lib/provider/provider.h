/*
 * provider.h - one interface over every wire format.
 *
 * A normalised chat request goes in; a normalised result comes out: text,
 * finish reason, usage (DESIGN.md "Usage means the same thing whatever the
 * provider"), the rate-limit headers seen, and an error class.
 *
 * Each protocol is an adapter (provider_openai.c, provider_anthropic.c,
 * provider_gemini.c, provider_ollama.c) that only builds requests and parses
 * bytes; llmr_provider_chat() in provider.c does the HTTP, the framing
 * (SSE or NDJSON, see sse.h) and the timing, so adapters are testable on the
 * fixtures without a network.
 */
#ifndef LLMR_PROVIDER_H
#define LLMR_PROVIDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/config.h"
#include "net/http.h"
#include "net/ratelimit.h"
#include "base/util.h"
#include "base/vocab.h"

struct llmr_usage {
	long input_tokens;       /* every prompt token, cache reads/writes included */
	long output_tokens;      /* every billed generated token, thinking included */
	long cached_tokens;      /* part of input read from the prompt cache */
	long cache_write_tokens; /* part of input written to it */
	double provider_cost_usd; /* what the provider said it cost (OpenRouter
				     usage.cost); -1 when not reported */
};

struct llmr_msg {
	const char *role;    /* "system", "user", "assistant", "tool" */
	const char *content; /* never NULL ("" beside tool_calls) */
	/* assistant: the calls it made, OpenAI's shape
	 * [{"id","type":"function","function":{"name","arguments":"JSON text"}}];
	 * borrowed, NULL for none */
	const json_t *tool_calls;
	const char *tool_call_id; /* tool: the call this message answers */
};

/*
 * A piece of a streamed tool call, in the shape of one element of OpenAI's
 * delta.tool_calls: {"index","id","type","function":{"name","arguments"}}
 * when a call opens, {"index","function":{"arguments"}} for more of its
 * arguments. Borrowed for the call.
 */
typedef void (*llmr_tool_fn)(const json_t *delta, void *ud);

struct llmr_chat_req {
	const char *model;        /* the provider's model name */
	const char *system;       /* optional system prompt: the stable prefix
				     (Anthropic gets cache_control on it) */
	const struct llmr_msg *msgs;
	size_t nmsgs;
	long max_tokens;          /* 0 = adapter default */
	double temperature;       /* < 0 = unset */
	bool json;                /* ask for a JSON object */
	bool stream;
	/* When not NULL and it becomes non-zero (from another thread), a
	 * streaming call stops at the next bytes received, with class network
	 * and the message "cancelled" (hedging keeps the other answer). */
	const volatile int *cancel;
	/*
	 * What agent clients send, in OpenAI's names and shapes (checked by
	 * ask/request_tools.c), borrowed, may be NULL: "tools", "tool_choice",
	 * "response_format", "parallel_tool_calls", "top_p", "stop", "seed",
	 * "presence_penalty", "frequency_penalty". Each adapter translates what
	 * its provider takes and drops what its documentation says it rejects.
	 */
	const json_t *params;
	llmr_tool_fn on_tool;     /* streamed tool-call pieces, or NULL (its
				     ud is the one given with on_delta) */
};

struct llmr_chat_result {
	struct llmr_buf text;     /* answer text (choice 0, no thinking parts) */
	json_t *tool_calls;       /* the calls asked for, OpenAI's shape (see
				     struct llmr_msg), or NULL; owned */
	llmr_tool_fn on_tool;     /* set from the request for the call */
	void *tool_ud;
	char finish_reason[32];   /* normalised: "stop", "length", "tool_calls",
				     "content_filter", or the provider's word */
	struct llmr_usage usage;
	bool usage_seen;          /* the provider reported usage */
	struct llmr_ratelimit rl;
	long http_status;
	enum llmr_errclass err;
	bool retryable;           /* false for insufficient_quota,
				     enforced_spend_limit_reached: go straight
				     to fallback, never retry the same model */
	char errmsg[256];         /* provider's message, sanitised */
	int64_t ttft_ms;          /* first text byte; -1 none */
	int64_t latency_ms;
	int stream_state;         /* adapter scratch during streaming */
	bool done;                /* the stream signalled its normal end */
};

void llmr_chat_result_init(struct llmr_chat_result *r);
void llmr_chat_result_release(struct llmr_chat_result *r);

/* Called with each piece of answer text as it streams in. */
typedef void (*llmr_delta_fn)(const char *text, size_t n, void *ud);

enum llmr_framing { LLMR_FRAME_SSE, LLMR_FRAME_NDJSON };

struct llmr_adapter {
	const char *protocol;
	enum llmr_framing framing;
	/* Build URL, headers (key included) and JSON body for a chat. */
	int (*build_chat)(const struct llmr_provider_cfg *p, const char *api_key,
			  const struct llmr_chat_req *req, struct llmr_buf *url,
			  struct llmr_headers *hdrs, struct llmr_buf *body, struct llmr_err *e);
	/* Parse a complete 2xx non-streaming body into r. -1 sets r->err. */
	int (*parse_chat)(const char *body, size_t n, struct llmr_chat_result *r);
	/*
	 * One streamed event: for SSE, event is the "event:" name (or NULL) and
	 * data the joined "data:" lines; for NDJSON, event is NULL and data is
	 * one line. Append text to r->text and call on_delta with it. Return 0
	 * to go on, 1 at the normal end of stream, -1 on an error event or
	 * bad JSON (r->err, r->errmsg set).
	 */
	int (*stream_event)(const char *event, const char *data, size_t n,
			    struct llmr_chat_result *r, llmr_delta_fn on_delta, void *ud);
	/* A non-2xx answer: set r->err, r->retryable, r->errmsg from the
	 * status and the body (headers are parsed by the caller). */
	void (*parse_error)(long status, const char *body, size_t n, struct llmr_chat_result *r);
	/* Embeddings; NULL when the protocol has none. */
	int (*build_embed)(const struct llmr_provider_cfg *p, const char *api_key,
			   const char *model, const char *const *texts, size_t ntexts,
			   struct llmr_buf *url, struct llmr_headers *hdrs,
			   struct llmr_buf *body, struct llmr_err *e);
	/* Parse vectors: *vecs gets ntexts*(*dim) floats (caller frees). */
	int (*parse_embed)(const char *body, size_t n, float **vecs, size_t *nvecs,
			   size_t *dim, long *input_tokens, struct llmr_err *e);
};

extern const struct llmr_adapter llmr_adapter_openai;
extern const struct llmr_adapter llmr_adapter_anthropic;
extern const struct llmr_adapter llmr_adapter_gemini;
extern const struct llmr_adapter llmr_adapter_ollama;

/* The adapter for a protocol, or NULL (extractive has none). */
const struct llmr_adapter *llmr_adapter_for(enum llmr_protocol p);

/*
 * Run one chat call: build, send, frame, parse, time. Always fills r (the
 * caller inits and releases it), including on failure, so the attempt can
 * be logged. Returns 0 when r->err is NONE, else -1.
 */
int llmr_provider_chat(const struct llmr_provider_cfg *p, const char *api_key,
		       const struct llmr_chat_req *req, struct llmr_chat_result *r,
		       llmr_delta_fn on_delta, void *ud);

/*
 * Feed a whole captured body through an adapter as if it arrived (for tests
 * and the fake): stream=true frames it as SSE/NDJSON. Returns as above.
 */
int llmr_provider_replay(const struct llmr_adapter *a, bool stream, const char *body,
			 size_t n, struct llmr_chat_result *r, llmr_delta_fn on_delta, void *ud);

/* Price of a usage under a model's prices (USD). */
double llmr_usage_cost(const struct llmr_model_cfg *m, const struct llmr_usage *u);

#endif
