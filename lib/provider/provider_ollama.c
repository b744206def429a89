/*
 * provider_ollama.c - Ollama's native API (/api/chat, /api/embed).
 *
 * Ollama streams by default, so "stream" is always sent. Streams are
 * newline-delimited JSON: each line carries a piece of message.content (or
 * "response" for /api/generate), the done:true line carries the counts,
 * and an {"error": "..."} line can replace it with the status still 200.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider/adapter.h"
#include "provider/provider.h"
#include "provider/tools.h"

/* temperature and num_predict go under "options", only when set. */
static json_t *options_json(json_t *root, const struct llmr_chat_req *req)
{
	json_t *o = json_object();

	if (req->temperature >= 0)
		json_object_set_new(o, "temperature", json_real(req->temperature));
	if (req->max_tokens > 0)
		json_object_set_new(o, "num_predict", json_integer(req->max_tokens));
	ollama_agent_fields(root, o, req);
	if (json_object_size(o))
		return o;
	json_decref(o);
	return NULL;
}

static int ollama_build_chat(const struct llmr_provider_cfg *p, const char *api_key,
			     const struct llmr_chat_req *req, struct llmr_buf *url,
			     struct llmr_headers *hdrs, struct llmr_buf *body, struct llmr_err *e)
{
	json_t *o, *msgs, *opts;
	int rc;

	if (llmr_adapter_url(url, p->base_url, "/api/chat", e) < 0)
		return -1;
	if (!(msgs = ollama_messages(req, e)))
		return -1;
	o = json_object();
	json_object_set_new(o, "model", json_string(req->model ? req->model : ""));
	json_object_set_new(o, "messages", msgs);
	json_object_set_new(o, "stream", json_boolean(req->stream));
	if (req->json)
		json_object_set_new(o, "format", json_string("json"));
	if ((opts = options_json(o, req)))
		json_object_set_new(o, "options", opts);
	rc = llmr_adapter_body(body, o, e);
	json_decref(o);
	if (rc < 0)
		return -1;
	llmr_headers_add(hdrs, "Content-Type", "application/json");
	/* a plain Ollama wants no key; one behind an authenticating proxy may */
	llmr_adapter_bearer(hdrs, api_key);
	return 0;
}

/* The counts of a finished answer: prompt_eval_count in, eval_count out. */
static void parse_counts(const json_t *root, struct llmr_chat_result *r)
{
	long in = llmr_adapter_count(root, "prompt_eval_count");
	long out = llmr_adapter_count(root, "eval_count");

	if (in < 0 && out < 0)
		return;
	/* Ollama omits prompt_eval_count when the whole prompt was cached */
	r->usage.input_tokens = in < 0 ? 0 : in;
	r->usage.output_tokens = out < 0 ? 0 : out;
	llmr_adapter_usage_clamp(&r->usage);
	r->usage_seen = true;
}

/* Ollama says "stop" after tool calls; say what happened. */
static void parse_done(const json_t *root, struct llmr_chat_result *r)
{
	const char *reason = json_string_value(json_object_get(root, "done_reason"));

	if (json_array_size(r->tool_calls) && (!reason || !strcmp(reason, "stop")))
		reason = "tool_calls";
	llmr_adapter_finish_reason(r, reason ? reason : "stop");
	parse_counts(root, r);
}

/* The text of one object: message.content (/api/chat) or response
 * (/api/generate, whose stream has the same shape otherwise). */
static const json_t *content_of(const json_t *root)
{
	const json_t *c = json_object_get(json_object_get(root, "message"), "content");

	return json_is_string(c) ? c : json_object_get(root, "response");
}

/* message.tool_calls: each arrives whole, arguments as an object. */
static int take_calls(const json_t *root, struct llmr_chat_result *r)
{
	const json_t *call;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(root, "message"), "tool_calls"), i, call) {
		const json_t *fn = json_object_get(call, "function");

		if (llmr_adapter_tool_whole(r, json_string_value(json_object_get(call, "id")),
					    json_string_value(json_object_get(fn, "name")),
					    json_object_get(fn, "arguments")) < 0)
			return -1;
	}
	return 0;
}

static int error_line(const json_t *root, struct llmr_chat_result *r)
{
	const json_t *err = json_object_get(root, "error");
	const char *msg = json_string_value(err);

	if (!err)
		return 0;
	return llmr_adapter_fail(r, LLMR_ERR_SERVER, msg ? msg : "error in stream");
}

static int ollama_parse_chat(const char *body, size_t n, struct llmr_chat_result *r)
{
	json_t *root = llmr_adapter_json(body, n, r);
	const json_t *c;
	int rc = 0;

	if (!root)
		return -1;
	c = content_of(root);
	if (error_line(root, r) < 0 || take_calls(root, r) < 0)
		rc = -1;
	else if (!json_is_string(c))
		rc = llmr_adapter_fail(r, LLMR_ERR_PROTOCOL, "answer has no message");
	else if (llmr_adapter_text(r, json_string_value(c), json_string_length(c), NULL, NULL) < 0)
		rc = -1;
	else if (json_is_true(json_object_get(root, "done")))
		parse_done(root, r);
	else
		parse_counts(root, r);
	json_decref(root);
	return rc;
}

static int ollama_stream_event(const char *event, const char *data, size_t n,
			       struct llmr_chat_result *r, llmr_delta_fn on_delta, void *ud)
{
	json_t *root = llmr_adapter_json(data, n, r);
	const json_t *c;
	int rc = 0;

	(void)event;
	if (!root)
		return -1;
	c = content_of(root);
	if (error_line(root, r) < 0 || take_calls(root, r) < 0)
		rc = -1;
	else if (json_is_string(c) &&
		 llmr_adapter_text(r, json_string_value(c), json_string_length(c), on_delta, ud) < 0)
		rc = -1;
	else if (json_is_true(json_object_get(root, "done"))) {
		parse_done(root, r);
		rc = 1;
	}
	json_decref(root);
	return rc;
}

static void ollama_parse_error(long status, const char *body, size_t n, struct llmr_chat_result *r)
{
	json_t *root = llmr_adapter_json(body, n, NULL);
	const char *msg = json_string_value(json_object_get(root, "error"));
	char buf[256];
	size_t len;

	/* 404 is "model not found": a bad request, not a missing server */
	r->err = llmr_errclass_from_status(status);
	if (msg) {
		llmr_adapter_fail(r, r->err, msg);
	} else if (n) {
		len = n < sizeof(buf) - 1 ? n : sizeof(buf) - 1;
		memcpy(buf, body, len);
		buf[len] = '\0';
		llmr_adapter_fail(r, r->err, buf);
	}
	json_decref(root);
}

static int ollama_build_embed(const struct llmr_provider_cfg *p, const char *api_key,
			      const char *model, const char *const *texts, size_t ntexts,
			      struct llmr_buf *url, struct llmr_headers *hdrs,
			      struct llmr_buf *body, struct llmr_err *e)
{
	json_t *o, *in = json_array(), *s;
	size_t i;
	int rc;

	if (llmr_adapter_url(url, p->base_url, "/api/embed", e) < 0) {
		json_decref(in);
		return -1;
	}
	for (i = 0; i < ntexts; i++) {
		if (!(s = json_string(texts[i] ? texts[i] : ""))) {
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
	llmr_headers_add(hdrs, "Content-Type", "application/json");
	llmr_adapter_bearer(hdrs, api_key);
	return 0;
}

/* Copy one vector into out, checking it has dim numbers. */
static int copy_vector(const json_t *a, size_t dim, float *out)
{
	size_t i;
	const json_t *v;

	if (!json_is_array(a) || json_array_size(a) != dim)
		return -1;
	json_array_foreach(a, i, v) {
		if (!json_is_number(v))
			return -1;
		out[i] = (float)json_number_value(v);
	}
	return 0;
}

static int ollama_parse_embed(const char *body, size_t n, float **vecs, size_t *nvecs,
			      size_t *dim, long *input_tokens, struct llmr_err *e)
{
	json_t *root = llmr_adapter_json(body, n, NULL);
	const json_t *embs = json_object_get(root, "embeddings"), *v;
	size_t i, d = json_array_size(json_array_get(embs, 0));
	long t;

	*vecs = NULL;
	*nvecs = *dim = 0;
	if (!json_is_array(embs) || !json_array_size(embs) || !d) {
		json_decref(root);
		return llmr_errf(e, LLMR_EX_UNAVAILABLE, "embeddings answer has no vectors");
	}
	*vecs = llmr_xcalloc(json_array_size(embs) * d, sizeof(float));
	json_array_foreach(embs, i, v) {
		if (copy_vector(v, d, *vecs + i * d) < 0) {
			free(*vecs);
			*vecs = NULL;
			json_decref(root);
			return llmr_errf(e, LLMR_EX_UNAVAILABLE, "embedding %zu is malformed", i + 1);
		}
	}
	*nvecs = json_array_size(embs);
	*dim = d;
	t = llmr_adapter_count(root, "prompt_eval_count");
	if (input_tokens)
		*input_tokens = t < 0 ? 0 : t;
	json_decref(root);
	return 0;
}

const struct llmr_adapter llmr_adapter_ollama = {
	.protocol = "ollama",
	.framing = LLMR_FRAME_NDJSON,
	.build_chat = ollama_build_chat,
	.parse_chat = ollama_parse_chat,
	.stream_event = ollama_stream_event,
	.parse_error = ollama_parse_error,
	.build_embed = ollama_build_embed,
	.parse_embed = ollama_parse_embed,
};
