/*
 * provider_openai.c - the OpenAI chat completions wire format, spoken by
 * OpenAI and by every "OpenAI-compatible" service (Groq, DeepSeek, Mistral,
 * OpenRouter, Together, xAI, vLLM, llama.cpp, Ollama's /v1). Their dialects
 * differ in where usage sits and how content is shaped; each difference met
 * in a real capture is handled here and named where it is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider/adapter.h"
#include "provider/provider.h"
#include "provider/tools.h"

/* Billing errors: a 429 that retrying cannot fix. */
static const char *const no_retry_codes[] = {
	"insufficient_quota", "billing_hard_limit_reached", "enforced_spend_limit_reached",
};

static json_t *chat_json(const struct llmr_chat_req *req, struct llmr_err *e)
{
	json_t *msgs = llmr_adapter_messages(req, e), *o;

	if (!msgs)
		return NULL;
	o = json_object();
	json_object_set_new(o, "model", json_string(req->model ? req->model : ""));
	json_object_set_new(o, "messages", msgs);
	json_object_set_new(o, "stream", json_boolean(req->stream));
	if (req->stream)
		json_object_set_new(o, "stream_options", json_pack("{s:b}", "include_usage", 1));
	if (req->max_tokens > 0)
		json_object_set_new(o, "max_tokens", json_integer(req->max_tokens));
	if (req->temperature >= 0)
		json_object_set_new(o, "temperature", json_real(req->temperature));
	if (req->json)
		json_object_set_new(o, "response_format", json_pack("{s:s}", "type", "json_object"));
	openai_agent_fields(o, req);
	return o;
}

static void auth_headers(const char *api_key, struct llmr_headers *hdrs)
{
	llmr_headers_add(hdrs, "Content-Type", "application/json");
	llmr_adapter_bearer(hdrs, api_key);
}

static int openai_build_chat(const struct llmr_provider_cfg *p, const char *api_key,
			     const struct llmr_chat_req *req, struct llmr_buf *url,
			     struct llmr_headers *hdrs, struct llmr_buf *body, struct llmr_err *e)
{
	json_t *o;
	int rc;

	if (llmr_adapter_url(url, p->base_url, "/chat/completions", e) < 0)
		return -1;
	if (!(o = chat_json(req, e)))
		return -1;
	rc = llmr_adapter_body(body, o, e);
	json_decref(o);
	if (rc < 0)
		return -1;
	auth_headers(api_key, hdrs);
	return 0;
}

/*
 * Usage per DESIGN.md. prompt_tokens already includes cached tokens.
 * Cached: prompt_tokens_details.cached_tokens, else DeepSeek's
 * prompt_cache_hit_tokens. Cache writes: OpenRouter's
 * prompt_tokens_details.cache_write_tokens. A 0 is a real 0.
 */
static void parse_usage(const json_t *u, struct llmr_chat_result *r)
{
	const json_t *d = json_object_get(u, "prompt_tokens_details");
	const json_t *cost = json_object_get(u, "cost");
	long v;

	if (!json_is_object(u))
		return;
	if ((v = llmr_adapter_count(u, "prompt_tokens")) >= 0)
		r->usage.input_tokens = v;
	if ((v = llmr_adapter_count(u, "completion_tokens")) >= 0)
		r->usage.output_tokens = v;
	if ((v = llmr_adapter_count(d, "cached_tokens")) >= 0 ||
	    (v = llmr_adapter_count(u, "prompt_cache_hit_tokens")) >= 0)
		r->usage.cached_tokens = v;
	if ((v = llmr_adapter_count(d, "cache_write_tokens")) >= 0)
		r->usage.cache_write_tokens = v;
	if (json_is_number(cost))
		r->usage.provider_cost_usd = json_number_value(cost);
	llmr_adapter_usage_clamp(&r->usage);
	r->usage_seen = true;
}

/* Usage lives in "usage", or for Groq in "x_groq.usage"; null means none yet. */
static void find_usage(const json_t *root, struct llmr_chat_result *r)
{
	const json_t *u = json_object_get(root, "usage");

	if (!json_is_object(u))
		u = json_object_get(json_object_get(root, "x_groq"), "usage");
	if (json_is_object(u))
		parse_usage(u, r);
}

/*
 * content is a string, null (tool calls), or an array of typed parts
 * (Mistral): keep "text" parts, skip "thinking" and anything else.
 */
static int add_content(const json_t *c, struct llmr_chat_result *r,
		       llmr_delta_fn on_delta, void *ud)
{
	size_t i;
	const json_t *part;

	if (json_is_string(c))
		return llmr_adapter_text(r, json_string_value(c), json_string_length(c),
					 on_delta, ud);
	if (!json_is_array(c))
		return 0;
	json_array_foreach(c, i, part) {
		const char *type = json_string_value(json_object_get(part, "type"));
		const json_t *text = json_object_get(part, "text");

		if (type && strcmp(type, "text") != 0)
			continue;
		if (json_is_string(text) &&
		    llmr_adapter_text(r, json_string_value(text), json_string_length(text),
				      on_delta, ud) < 0)
			return -1;
	}
	return 0;
}

/* An error object, in an error body or inside a 200 stream (OpenRouter). */
static void error_object(const json_t *err, long status, struct llmr_chat_result *r)
{
	const json_t *code = json_object_get(err, "code");
	const char *type = json_string_value(json_object_get(err, "type"));
	const char *scode = json_string_value(code);
	const char *msg = json_string_value(json_object_get(err, "message"));
	const char *raw = json_string_value(json_object_get(json_object_get(err, "metadata"), "raw"));
	char buf[512];
	size_t i;

	if (!status && json_is_integer(code))
		status = (long)json_integer_value(code);
	r->err = llmr_errclass_from_status(status);
	if (r->err == LLMR_ERR_NONE)
		r->err = LLMR_ERR_SERVER;
	for (i = 0; i < sizeof(no_retry_codes) / sizeof(no_retry_codes[0]); i++)
		if ((scode && !strcmp(scode, no_retry_codes[i])) ||
		    (type && !strcmp(type, no_retry_codes[i]))) {
			r->err = LLMR_ERR_RATE_LIMITED;
			r->retryable = false;
		}
	if (!msg)
		msg = scode ? scode : type ? type : "provider error";
	/* OpenRouter's own message is generic; the upstream's says why */
	if (raw)
		snprintf(buf, sizeof(buf), "%s: %s", msg, raw);
	else
		snprintf(buf, sizeof(buf), "%s", msg);
	llmr_adapter_fail(r, r->err, buf);
}

/* Choice 0 of a complete answer. */
static int parse_choice(const json_t *choice, struct llmr_chat_result *r)
{
	const json_t *msg = json_object_get(choice, "message");

	llmr_adapter_finish_reason(r, json_string_value(json_object_get(choice, "finish_reason")));
	if (!json_is_object(msg))
		return llmr_adapter_fail(r, LLMR_ERR_PROTOCOL, "answer has no message");
	if (openai_take_tool_calls(json_object_get(msg, "tool_calls"), false, r) < 0)
		return -1;
	return add_content(json_object_get(msg, "content"), r, NULL, NULL);
}

static int openai_parse_chat(const char *body, size_t n, struct llmr_chat_result *r)
{
	json_t *root = llmr_adapter_json(body, n, r);
	const json_t *choices, *err;
	int rc;

	if (!root)
		return -1;
	choices = json_object_get(root, "choices");
	err = json_object_get(root, "error");
	if (json_is_object(err) && json_array_size(choices) == 0) {
		error_object(err, 0, r);
		json_decref(root);
		return -1;
	}
	if (!json_is_array(choices) || json_array_size(choices) == 0) {
		json_decref(root);
		return llmr_adapter_fail(r, LLMR_ERR_PROTOCOL, "answer has no choices");
	}
	rc = parse_choice(json_array_get(choices, 0), r);
	find_usage(root, r);
	json_decref(root);
	return rc;
}

/* Only choice 0 is the answer: with n > 1 the others are interleaved. */
static int stream_choices(const json_t *choices, struct llmr_chat_result *r,
			  llmr_delta_fn on_delta, void *ud)
{
	size_t i;
	const json_t *c;

	json_array_foreach(choices, i, c) {
		const json_t *idx = json_object_get(c, "index");

		if (idx && json_integer_value(idx) != 0)
			continue;
		llmr_adapter_finish_reason(r, json_string_value(json_object_get(c, "finish_reason")));
		if (openai_take_tool_calls(json_object_get(json_object_get(c, "delta"), "tool_calls"),
					   true, r) < 0)
			return -1;
		if (add_content(json_object_get(json_object_get(c, "delta"), "content"),
				r, on_delta, ud) < 0)
			return -1;
	}
	return 0;
}

static int is_done(const char *data, size_t n)
{
	while (n > 0 && (data[n - 1] == ' ' || data[n - 1] == '\t'))
		n--;
	while (n > 0 && (*data == ' ' || *data == '\t')) {
		data++;
		n--;
	}
	return n == 6 && !memcmp(data, "[DONE]", 6);
}

static int openai_stream_event(const char *event, const char *data, size_t n,
			       struct llmr_chat_result *r, llmr_delta_fn on_delta, void *ud)
{
	json_t *root;
	const json_t *err;
	int rc = 0;

	(void)event; /* OpenAI-style streams carry no event names */
	if (is_done(data, n))
		return 1;
	if (!(root = llmr_adapter_json(data, n, r)))
		return -1;
	err = json_object_get(root, "error");
	if (json_is_object(err)) {
		error_object(err, 0, r);
		rc = -1;
	} else if (stream_choices(json_object_get(root, "choices"), r, on_delta, ud) < 0) {
		rc = -1;
	}
	find_usage(root, r);
	json_decref(root);
	return rc;
}

/* The first line of a body that is not JSON (an HTML page from a proxy). */
static void plain_error(const char *body, size_t n, struct llmr_chat_result *r)
{
	char buf[256];
	size_t len = 0;

	while (len < n && body[len] != '\n' && body[len] != '\r')
		len++;
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, body, len);
	buf[len] = '\0';
	if (len)
		llmr_adapter_fail(r, r->err, buf);
}

static void openai_parse_error(long status, const char *body, size_t n, struct llmr_chat_result *r)
{
	json_t *root = llmr_adapter_json(body, n, NULL);
	const json_t *err = json_object_get(root, "error");
	const char *msg;

	r->err = llmr_errclass_from_status(status);
	if (json_is_object(err))
		error_object(err, status, r);
	else if ((msg = json_string_value(err)) ||
		 (msg = json_string_value(json_object_get(root, "message"))) ||
		 (msg = json_string_value(json_object_get(root, "detail"))))
		llmr_adapter_fail(r, r->err, msg); /* {"error":"..."}, vLLM, FastAPI */
	else if (!root)
		plain_error(body, n, r);
	json_decref(root);
}

static int openai_build_embed(const struct llmr_provider_cfg *p, const char *api_key,
			      const char *model, const char *const *texts, size_t ntexts,
			      struct llmr_buf *url, struct llmr_headers *hdrs,
			      struct llmr_buf *body, struct llmr_err *e)
{
	json_t *o, *in = json_array();
	size_t i;
	int rc;

	if (llmr_adapter_url(url, p->base_url, "/embeddings", e) < 0) {
		json_decref(in);
		return -1;
	}
	for (i = 0; i < ntexts; i++) {
		json_t *s = json_string(texts[i] ? texts[i] : "");

		if (!s) {
			json_decref(in);
			return llmr_errf(e, LLMR_EX_DATAERR, "text %zu is not valid UTF-8", i + 1);
		}
		json_array_append_new(in, s);
	}
	o = json_pack("{s:s, s:o}", "model", model ? model : "", "input", in);
	rc = llmr_adapter_body(body, o, e);
	json_decref(o);
	if (rc < 0)
		return -1;
	auth_headers(api_key, hdrs);
	return 0;
}

/* encoding_format "base64": little-endian float32, whatever our byte order. */
static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+' || c == '-') return 62;
	if (c == '/' || c == '_') return 63;
	return -1;
}

/* Decode base64 into bytes (new buffer, *len bytes); NULL if malformed. */
static unsigned char *b64decode(const char *s, size_t n, size_t *len)
{
	unsigned char *out = llmr_xmalloc(n / 4 * 3 + 3);
	unsigned acc = 0;
	int bits = 0, v;
	size_t i, o = 0;

	for (i = 0; i < n && s[i] != '='; i++) {
		if ((v = b64val((unsigned char)s[i])) < 0) {
			free(out);
			return NULL;
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	*len = o;
	return out;
}

static float *b64floats(const json_t *s, size_t *dim)
{
	size_t len, i;
	unsigned char *bytes = b64decode(json_string_value(s), json_string_length(s), &len);
	float *f;

	if (!bytes || len % 4 || !len) {
		free(bytes);
		return NULL;
	}
	*dim = len / 4;
	f = llmr_xmalloc(len);
	for (i = 0; i < *dim; i++) {
		uint32_t u = (uint32_t)bytes[4 * i] | (uint32_t)bytes[4 * i + 1] << 8 |
			     (uint32_t)bytes[4 * i + 2] << 16 | (uint32_t)bytes[4 * i + 3] << 24;

		memcpy(&f[i], &u, 4);
	}
	free(bytes);
	return f;
}

static float *array_floats(const json_t *a, size_t *dim)
{
	size_t i;
	const json_t *v;
	float *f;

	if (!json_is_array(a) || !(*dim = json_array_size(a)))
		return NULL;
	f = llmr_xmalloc(*dim * sizeof(*f));
	json_array_foreach(a, i, v) {
		if (!json_is_number(v)) {
			free(f);
			return NULL;
		}
		f[i] = (float)json_number_value(v);
	}
	return f;
}

/* Place each vector at its "index" (the order the texts went in). */
static int place_vectors(const json_t *data, float **vecs, size_t *dim, struct llmr_err *e)
{
	size_t i, n = json_array_size(data), d;
	const json_t *item;

	*vecs = NULL;
	*dim = 0;
	json_array_foreach(data, i, item) {
		const json_t *emb = json_object_get(item, "embedding");
		const json_t *idx = json_object_get(item, "index");
		size_t at = json_is_integer(idx) ? (size_t)json_integer_value(idx) : i;
		float *f = json_is_string(emb) ? b64floats(emb, &d) : array_floats(emb, &d);

		if (!f || at >= n || (*dim && d != *dim)) {
			free(f);
			free(*vecs);
			*vecs = NULL;
			return llmr_errf(e, LLMR_EX_UNAVAILABLE, "embedding %zu is malformed", i + 1);
		}
		if (!*vecs) {
			*dim = d;
			*vecs = llmr_xcalloc(n * d, sizeof(float));
		}
		memcpy(*vecs + at * d, f, d * sizeof(float));
		free(f);
	}
	return 0;
}

static int openai_parse_embed(const char *body, size_t n, float **vecs, size_t *nvecs,
			      size_t *dim, long *input_tokens, struct llmr_err *e)
{
	json_t *root = llmr_adapter_json(body, n, NULL);
	const json_t *data = json_object_get(root, "data");
	long v;

	*vecs = NULL;
	*nvecs = *dim = 0;
	if (!json_is_array(data) || !json_array_size(data)) {
		json_decref(root);
		return llmr_errf(e, LLMR_EX_UNAVAILABLE, "embeddings answer has no data");
	}
	if (place_vectors(data, vecs, dim, e) < 0) {
		json_decref(root);
		return -1;
	}
	*nvecs = json_array_size(data);
	v = llmr_adapter_count(json_object_get(root, "usage"), "prompt_tokens");
	if (input_tokens)
		*input_tokens = v < 0 ? 0 : v;
	json_decref(root);
	return 0;
}

const struct llmr_adapter llmr_adapter_openai = {
	.protocol = "openai",
	.framing = LLMR_FRAME_SSE,
	.build_chat = openai_build_chat,
	.parse_chat = openai_parse_chat,
	.stream_event = openai_stream_event,
	.parse_error = openai_parse_error,
	.build_embed = openai_build_embed,
	.parse_embed = openai_parse_embed,
};
