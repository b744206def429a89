/*
 * provider_anthropic.c - the Anthropic Messages API (POST /v1/messages).
 *
 * Differences from OpenAI that matter here: max_tokens is required; the
 * system prompt is a top-level field, sent as one text block with
 * cache_control so the stable prefix is read from the prompt cache on the
 * next call; usage.input_tokens excludes cache reads and writes, so the
 * normalised input is the sum of the three; streams are typed SSE events
 * and an overload can arrive as an "error" event inside a 200 stream.
 */
#include "provider/provider.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "provider/adapter.h"
#include "provider/tools.h"

#define ANTHROPIC_DEFAULT_URL "https://api.anthropic.com"
#define ANTHROPIC_VERSION "2023-06-01"
#define ANTHROPIC_DEFAULT_MAX_TOKENS 4096
#define JSON_INSTRUCTION \
	"Respond with a single valid JSON object and nothing else: no prose, no code fence."

/* Retrying the same model cannot cure a bad request, a bad key or an
 * answer we cannot read. */
static int fail(struct llmr_chat_result *r, enum llmr_errclass c, const char *msg)
{
	r->retryable = c != LLMR_ERR_PROTOCOL && c != LLMR_ERR_AUTH && c != LLMR_ERR_BAD_REQUEST;
	return llmr_adapter_fail(r, c, msg);
}

static const char *str_at(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* ---- request ---- */

/* System text: req->system, then any system messages, in order. */
static void collect_system(const struct llmr_chat_req *req, struct llmr_buf *sys)
{
	size_t i;

	if (req->system && *req->system)
		llmr_buf_adds(sys, req->system);
	for (i = 0; i < req->nmsgs; i++) {
		if (strcmp(req->msgs[i].role, "system") || !req->msgs[i].content)
			continue;
		if (sys->len)
			llmr_buf_adds(sys, "\n\n");
		llmr_buf_adds(sys, req->msgs[i].content);
	}
}

/*
 * The cached block comes first and carries the breakpoint; the JSON
 * instruction goes in a second block after it, so asking for JSON on one
 * call does not invalidate the cached prefix of the others.
 */
static json_t *system_blocks(const struct llmr_chat_req *req)
{
	struct llmr_buf sys = LLMR_BUF_INIT;
	json_t *arr = json_array();

	collect_system(req, &sys);
	if (sys.len)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:{s:s}}", "type", "text", "text",
						     sys.s, "cache_control", "type", "ephemeral"));
	if (req->json)
		json_array_append_new(arr, json_pack("{s:s, s:s}", "type", "text", "text",
						     JSON_INSTRUCTION));
	llmr_buf_release(&sys);
	if (!json_array_size(arr)) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

static int add_url(const struct llmr_provider_cfg *p, struct llmr_buf *url)
{
	const char *base = p && p->base_url && *p->base_url ? p->base_url : ANTHROPIC_DEFAULT_URL;
	size_t n = strlen(base);

	while (n && base[n - 1] == '/')
		n--;
	/* Accept a base_url written with the version, as OpenAI's is. */
	if (n >= 3 && !strncmp(base + n - 3, "/v1", 3))
		n -= 3;
	return llmr_buf_addf(url, "%.*s/v1/messages", (int)n, base);
}

static int build_chat(const struct llmr_provider_cfg *p, const char *api_key,
		      const struct llmr_chat_req *req, struct llmr_buf *url,
		      struct llmr_headers *hdrs, struct llmr_buf *body, struct llmr_err *e)
{
	json_t *root, *msgs, *sys;
	char *s;
	int rc;

	if (!req->model || !*req->model)
		return llmr_errf(e, LLMR_EX_CONFIG, "anthropic: no model given");
	if (!(msgs = anthropic_messages(req, e)))
		return -1;
	root = json_pack("{s:s, s:I}", "model", req->model, "max_tokens",
			 (json_int_t)(req->max_tokens > 0 ? req->max_tokens
							  : ANTHROPIC_DEFAULT_MAX_TOKENS));
	if ((sys = system_blocks(req)))
		json_object_set_new(root, "system", sys);
	json_object_set_new(root, "messages", msgs);
	json_object_set_new(root, "stream", json_boolean(req->stream));
	if (req->temperature >= 0)
		json_object_set_new(root, "temperature", json_real(req->temperature));
	anthropic_agent_fields(root, req);
	s = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (!s)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "anthropic: cannot encode the request");
	rc = llmr_buf_adds(body, s);
	free(s);
	if (rc < 0 || add_url(p, url) < 0)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "anthropic: request too large");
	if (api_key && *api_key)
		llmr_headers_add(hdrs, "x-api-key", api_key);
	llmr_headers_add(hdrs, "anthropic-version", ANTHROPIC_VERSION);
	llmr_headers_add(hdrs, "content-type", "application/json");
	return 0;
}

/* ---- response ---- */

static void set_finish(struct llmr_chat_result *r, const char *stop)
{
	const char *f = stop;

	if (!stop)
		return;
	if (!strcmp(stop, "end_turn") || !strcmp(stop, "stop_sequence"))
		f = "stop";
	else if (!strcmp(stop, "max_tokens"))
		f = "length";
	else if (!strcmp(stop, "tool_use"))
		f = "tool_calls";
	else if (!strcmp(stop, "refusal"))
		f = "content_filter";
	llmr_adapter_finish_reason(r, f);
}

/*
 * Merge an Anthropic usage object: each field present replaces the one
 * held, the others are kept (message_delta may or may not repeat the input
 * counts of message_start). Anthropic's input_tokens is the uncached part,
 * so the raw value is recovered from the normalised ones before updating.
 */
static void merge_usage(struct llmr_chat_result *r, json_t *u)
{
	struct llmr_usage *x = &r->usage;
	long raw, v;

	if (!json_is_object(u))
		return;
	raw = x->input_tokens - x->cached_tokens - x->cache_write_tokens;
	if (raw < 0)
		raw = 0;
	if ((v = llmr_adapter_count(u, "input_tokens")) >= 0)
		raw = v;
	if ((v = llmr_adapter_count(u, "cache_read_input_tokens")) >= 0)
		x->cached_tokens = v;
	if ((v = llmr_adapter_count(u, "cache_creation_input_tokens")) >= 0)
		x->cache_write_tokens = v;
	if ((v = llmr_adapter_count(u, "output_tokens")) >= 0)
		x->output_tokens = v;
	x->input_tokens = raw + x->cached_tokens + x->cache_write_tokens;
	llmr_adapter_usage_clamp(x);
	r->usage_seen = true;
}

/* A JSON string's bytes as answer text (NULs kept: JSON_ALLOW_NUL). */
static int add_text(struct llmr_chat_result *r, json_t *s, llmr_delta_fn on_delta, void *ud)
{
	if (!json_is_string(s))
		return 0;
	return llmr_adapter_text(r, json_string_value(s), json_string_length(s), on_delta, ud);
}

/* error.type to a class; LLMR_ERR_NONE when unknown. */
static enum llmr_errclass class_of_type(const char *t)
{
	static const struct {
		const char *type;
		enum llmr_errclass c;
	} map[] = {
		{"overloaded_error", LLMR_ERR_OVERLOADED},
		{"rate_limit_error", LLMR_ERR_RATE_LIMITED},
		{"api_error", LLMR_ERR_SERVER},
		{"timeout_error", LLMR_ERR_TIMEOUT},
		{"authentication_error", LLMR_ERR_AUTH},
		{"permission_error", LLMR_ERR_AUTH},
		{"invalid_request_error", LLMR_ERR_BAD_REQUEST},
		{"not_found_error", LLMR_ERR_BAD_REQUEST},
		{"request_too_large", LLMR_ERR_BAD_REQUEST},
		{"billing_error", LLMR_ERR_RATE_LIMITED},
	};
	size_t i;

	for (i = 0; t && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(t, map[i].type))
			return map[i].c;
	return LLMR_ERR_NONE;
}

static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; hay && *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return true;
	return false;
}

/*
 * Money, not throughput: a monthly spend limit (429 with
 * error.details.error_code "enforced_spend_limit_reached"), a workspace
 * usage limit or an empty credit balance (400), a billing_error (402).
 * Waiting will not help before the month or the balance changes, so
 * these go straight to the next model.
 */
static bool out_of_money(json_t *err, const char *type, const char *msg)
{
	const char *code = str_at(json_object_get(err, "details"), "error_code");

	return (code && !strcmp(code, "enforced_spend_limit_reached")) ||
	       (type && !strcmp(type, "billing_error")) || contains_ci(msg, "spend limit") ||
	       contains_ci(msg, "credit balance") || contains_ci(msg, "API usage limits");
}

/* Fill r from an {"type":"error","error":{...}} object; status 0 in a stream. */
static void apply_error(long status, json_t *err, struct llmr_chat_result *r)
{
	const char *type = str_at(err, "type"), *msg = str_at(err, "message");
	enum llmr_errclass c = class_of_type(type);
	char buf[64];

	if (status == 529)
		c = LLMR_ERR_OVERLOADED;
	if (c == LLMR_ERR_NONE && status >= 400)
		c = llmr_errclass_from_status(status);
	if (c == LLMR_ERR_NONE)
		c = LLMR_ERR_SERVER;
	if (!msg || !*msg) {
		snprintf(buf, sizeof(buf), "HTTP %ld", status);
		msg = type ? type : status ? buf : "error event in the stream";
	}
	fail(r, c, msg);
	if (out_of_money(err, type, msg)) {
		r->err = LLMR_ERR_RATE_LIMITED;
		r->retryable = false;
	}
}

static int parse_chat(const char *body, size_t n, struct llmr_chat_result *r)
{
	json_t *root = llmr_adapter_json(body, n, r), *content, *blk;
	size_t i;
	int rc = 0;

	if (!root)
		return -1;
	if (!json_is_object(root)) {
		json_decref(root);
		return fail(r, LLMR_ERR_PROTOCOL, "anthropic: answer is not a JSON object");
	}
	if (json_is_object(json_object_get(root, "error"))) {
		apply_error(r->http_status, json_object_get(root, "error"), r);
		json_decref(root);
		return -1;
	}
	content = json_object_get(root, "content");
	if (!json_is_array(content)) {
		json_decref(root);
		return fail(r, LLMR_ERR_PROTOCOL, "anthropic: answer has no content array");
	}
	/* Text blocks are the answer, tool_use blocks its calls; thinking
	 * is neither. */
	json_array_foreach(content, i, blk) {
		const char *t = str_at(blk, "type");

		if (rc == 0 && t && !strcmp(t, "text"))
			rc = add_text(r, json_object_get(blk, "text"), NULL, NULL);
		else if (rc == 0 && t && !strcmp(t, "tool_use"))
			rc = llmr_adapter_tool_whole(r, str_at(blk, "id"), str_at(blk, "name"),
						     json_object_get(blk, "input"));
	}
	set_finish(r, str_at(root, "stop_reason"));
	merge_usage(r, json_object_get(root, "usage"));
	json_decref(root);
	return rc;
}

/*
 * Text blocks open empty in practice, but may carry a first piece. A
 * tool_use block opens a call (its input comes in input_json_delta
 * pieces): r->stream_state is 1 while one is open.
 */
static int block_start(struct llmr_chat_result *r, json_t *blk, llmr_delta_fn on_delta, void *ud)
{
	const char *t = str_at(blk, "type");

	if (t && !strcmp(t, "text"))
		return add_text(r, json_object_get(blk, "text"), on_delta, ud);
	if (!t || strcmp(t, "tool_use"))
		return 0;
	r->stream_state = 1;
	return llmr_adapter_tool_start(r, str_at(blk, "id"), str_at(blk, "name"), "", 0);
}

/* thinking_delta is not text. */
static int block_delta(struct llmr_chat_result *r, json_t *d, llmr_delta_fn on_delta, void *ud)
{
	const char *t = str_at(d, "type");
	json_t *pj = json_object_get(d, "partial_json");

	if (t && !strcmp(t, "text_delta"))
		return add_text(r, json_object_get(d, "text"), on_delta, ud);
	if (!t || strcmp(t, "input_json_delta") || !r->stream_state || !json_is_string(pj))
		return 0;
	return llmr_adapter_tool_args(r, json_array_size(r->tool_calls) - 1, json_string_value(pj),
				      json_string_length(pj));
}

/* A tool that takes no input sent no piece: its arguments are {}. */
static int block_stop(struct llmr_chat_result *r)
{
	size_t last = json_array_size(r->tool_calls) - 1;
	json_t *args = json_object_get(json_object_get(json_array_get(r->tool_calls, last),
						       "function"), "arguments");

	if (!r->stream_state)
		return 0;
	r->stream_state = 0;
	return json_string_length(args) ? 0 : llmr_adapter_tool_args(r, last, "{}", 2);
}

static int stream_event(const char *event, const char *data, size_t n,
			struct llmr_chat_result *r, llmr_delta_fn on_delta, void *ud)
{
	json_t *root = llmr_adapter_json(data, n, r);
	const char *type;
	int rc = 0;

	if (!root)
		return -1;
	if (!json_is_object(root)) {
		json_decref(root);
		return fail(r, LLMR_ERR_PROTOCOL, "anthropic: invalid JSON in the stream");
	}
	type = str_at(root, "type");
	if (!type)
		type = event ? event : "";
	if (!strcmp(type, "message_start")) {
		merge_usage(r, json_object_get(json_object_get(root, "message"), "usage"));
	} else if (!strcmp(type, "content_block_start")) {
		rc = block_start(r, json_object_get(root, "content_block"), on_delta, ud);
	} else if (!strcmp(type, "content_block_delta")) {
		rc = block_delta(r, json_object_get(root, "delta"), on_delta, ud);
	} else if (!strcmp(type, "content_block_stop")) {
		rc = block_stop(r);
	} else if (!strcmp(type, "message_delta")) {
		set_finish(r, str_at(json_object_get(root, "delta"), "stop_reason"));
		merge_usage(r, json_object_get(root, "usage"));
	} else if (!strcmp(type, "message_stop")) {
		r->done = true;
		rc = 1;
	} else if (!strcmp(type, "error")) {
		apply_error(0, json_object_get(root, "error"), r);
		rc = -1;
	}
	/* ping and future event types: nothing to do. */
	json_decref(root);
	return rc;
}

static void parse_error(long status, const char *body, size_t n, struct llmr_chat_result *r)
{
	json_t *root = body && n ? llmr_adapter_json(body, n, NULL) : NULL;
	json_t *err = json_object_get(root, "error");

	r->http_status = status;
	apply_error(status, json_is_object(err) ? err : NULL, r);
	json_decref(root);
}

const struct llmr_adapter llmr_adapter_anthropic = {
	.protocol = "anthropic",
	.framing = LLMR_FRAME_SSE,
	.build_chat = build_chat,
	.parse_chat = parse_chat,
	.stream_event = stream_event,
	.parse_error = parse_error,
	.build_embed = NULL, /* Anthropic has no embeddings endpoint */
	.parse_embed = NULL,
};
