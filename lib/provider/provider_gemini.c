/*
 * provider_gemini.c - the Gemini API (generativelanguage.googleapis.com):
 * models/M:generateContent, :streamGenerateContent and :batchEmbedContents.
 *
 * Points to watch: the key goes in the x-goog-api-key header, never in the
 * URL (URLs end up in logs and proxies); the assistant role is "model";
 * thinking arrives as parts marked thought:true and is billed apart
 * (thoughtsTokenCount), so output is candidates + thoughts; a stream's
 * usageMetadata is cumulative and there is no [DONE]: the chunk carrying
 * finishReason is the end, and a stream cut before it is a truncation.
 */
#include "provider/provider.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider/adapter.h"
#include "provider/tools.h"

#define GEMINI_DEFAULT_URL "https://generativelanguage.googleapis.com/v1beta"

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

static long int_at(json_t *o, const char *key, long dflt)
{
	long v = llmr_adapter_count(o, key);

	return v >= 0 ? v : dflt;
}

/* ---- requests ---- */

static bool unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* {base}/models/{model}{suffix}; the model is percent-encoded so that a
 * name from a config file cannot change the path or add a query. */
static int add_url(const struct llmr_provider_cfg *p, const char *model, const char *suffix,
		   struct llmr_buf *url)
{
	const char *base = p && p->base_url && *p->base_url ? p->base_url : GEMINI_DEFAULT_URL;
	size_t n = strlen(base);
	const unsigned char *m;
	int rc;

	while (n && base[n - 1] == '/')
		n--;
	if (!strncmp(model, "models/", 7))
		model += 7;
	rc = llmr_buf_addf(url, "%.*s/models/", (int)n, base);
	for (m = (const unsigned char *)model; rc == 0 && *m; m++)
		rc = unreserved(*m) ? llmr_buf_add(url, m, 1) : llmr_buf_addf(url, "%%%02X", *m);
	return rc < 0 ? rc : llmr_buf_adds(url, suffix);
}

static void add_headers(const char *api_key, struct llmr_headers *hdrs)
{
	if (api_key && *api_key)
		llmr_headers_add(hdrs, "x-goog-api-key", api_key);
	llmr_headers_add(hdrs, "content-type", "application/json");
}

static json_t *text_parts(const char *text)
{
	return json_pack("[{s:s}]", "text", text ? text : "");
}

/* System text: req->system, then any system messages, in order. */
static json_t *system_instruction(const struct llmr_chat_req *req)
{
	struct llmr_buf sys = LLMR_BUF_INIT;
	json_t *o = NULL;
	size_t i;

	if (req->system && *req->system)
		llmr_buf_adds(&sys, req->system);
	for (i = 0; i < req->nmsgs; i++) {
		if (strcmp(req->msgs[i].role, "system") || !req->msgs[i].content)
			continue;
		if (sys.len)
			llmr_buf_adds(&sys, "\n\n");
		llmr_buf_adds(&sys, req->msgs[i].content);
	}
	if (sys.len)
		o = json_pack("{s:o}", "parts", text_parts(sys.s));
	llmr_buf_release(&sys);
	return o;
}

static json_t *generation_config(json_t *root, const struct llmr_chat_req *req)
{
	json_t *gc = json_object();

	/* Gemini has its own default output cap: send one only when asked. */
	if (req->max_tokens > 0)
		json_object_set_new(gc, "maxOutputTokens", json_integer(req->max_tokens));
	if (req->temperature >= 0)
		json_object_set_new(gc, "temperature", json_real(req->temperature));
	if (req->json)
		json_object_set_new(gc, "responseMimeType", json_string("application/json"));
	gemini_agent_fields(root, gc, req);
	if (!json_object_size(gc)) {
		json_decref(gc);
		return NULL;
	}
	return gc;
}

/* Dump root (stolen) into body. */
static int dump_body(json_t *root, struct llmr_buf *body, struct llmr_err *e)
{
	int rc = llmr_adapter_body(body, root, e);

	json_decref(root);
	return rc;
}

static int build_chat(const struct llmr_provider_cfg *p, const char *api_key,
		      const struct llmr_chat_req *req, struct llmr_buf *url,
		      struct llmr_headers *hdrs, struct llmr_buf *body, struct llmr_err *e)
{
	json_t *root, *c, *o;

	if (!req->model || !*req->model)
		return llmr_errf(e, LLMR_EX_CONFIG, "gemini: no model given");
	if (!(c = gemini_contents(req, e)))
		return -1;
	root = json_pack("{s:o}", "contents", c);
	if ((o = system_instruction(req)))
		json_object_set_new(root, "systemInstruction", o);
	if ((o = generation_config(root, req)))
		json_object_set_new(root, "generationConfig", o);
	if (dump_body(root, body, e) < 0)
		return -1;
	if (add_url(p, req->model, req->stream ? ":streamGenerateContent?alt=sse" : ":generateContent",
		    url) < 0)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "gemini: URL too long");
	add_headers(api_key, hdrs);
	return 0;
}

static int build_embed(const struct llmr_provider_cfg *p, const char *api_key, const char *model,
		       const char *const *texts, size_t ntexts, struct llmr_buf *url,
		       struct llmr_headers *hdrs, struct llmr_buf *body, struct llmr_err *e)
{
	json_t *reqs = json_array();
	char name[256];
	size_t i;

	if (!model || !*model || strlen(model) > sizeof(name) - 8)
		return llmr_errf(e, LLMR_EX_CONFIG, "gemini: missing or overlong embedding model name");
	/* Each request names its model, and it must match the one in the URL. */
	snprintf(name, sizeof(name), "%s%s", strncmp(model, "models/", 7) ? "models/" : "", model);
	for (i = 0; i < ntexts; i++)
		json_array_append_new(reqs, json_pack("{s:s, s:{s:o}}", "model", name, "content",
						      "parts", text_parts(texts[i])));
	if (dump_body(json_pack("{s:o}", "requests", reqs), body, e) < 0)
		return -1;
	if (add_url(p, model, ":batchEmbedContents", url) < 0)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "gemini: URL too long");
	add_headers(api_key, hdrs);
	return 0;
}

/* ---- responses ---- */

static void set_finish(struct llmr_chat_result *r, const char *why)
{
	const char *f = why;

	if (!strcmp(why, "STOP"))
		f = "stop";
	else if (!strcmp(why, "MAX_TOKENS"))
		f = "length";
	else if (!strcmp(why, "SAFETY") || !strcmp(why, "RECITATION") || !strcmp(why, "BLOCKLIST") ||
		 !strcmp(why, "PROHIBITED_CONTENT") || !strcmp(why, "SPII") ||
		 !strcmp(why, "IMAGE_SAFETY"))
		f = "content_filter";
	llmr_adapter_finish_reason(r, f);
}

/* usageMetadata is cumulative in a stream: each one replaces the last.
 * Tokens of built-in tool results (search, code execution) are prompt
 * tokens billed as input but counted apart, like thoughts for output. */
static void take_usage(struct llmr_chat_result *r, json_t *u)
{
	if (!json_is_object(u))
		return;
	r->usage.input_tokens = int_at(u, "promptTokenCount", 0) +
				int_at(u, "toolUsePromptTokenCount", 0);
	r->usage.cached_tokens = int_at(u, "cachedContentTokenCount", 0);
	r->usage.cache_write_tokens = 0;
	r->usage.output_tokens = int_at(u, "candidatesTokenCount", 0) +
				 int_at(u, "thoughtsTokenCount", 0);
	llmr_adapter_usage_clamp(&r->usage);
	r->usage_seen = true;
}

static enum llmr_errclass class_of_status(const char *s)
{
	static const struct {
		const char *status;
		enum llmr_errclass c;
	} map[] = {
		{"RESOURCE_EXHAUSTED", LLMR_ERR_RATE_LIMITED},
		{"UNAVAILABLE", LLMR_ERR_OVERLOADED},
		{"UNAUTHENTICATED", LLMR_ERR_AUTH},
		{"PERMISSION_DENIED", LLMR_ERR_AUTH},
		{"INVALID_ARGUMENT", LLMR_ERR_BAD_REQUEST},
		{"NOT_FOUND", LLMR_ERR_BAD_REQUEST},
		{"FAILED_PRECONDITION", LLMR_ERR_BAD_REQUEST},
		{"OUT_OF_RANGE", LLMR_ERR_BAD_REQUEST},
		{"INTERNAL", LLMR_ERR_SERVER},
		{"UNKNOWN", LLMR_ERR_SERVER},
		{"DEADLINE_EXCEEDED", LLMR_ERR_TIMEOUT},
	};
	size_t i;

	for (i = 0; s && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(s, map[i].status))
			return map[i].c;
	return LLMR_ERR_NONE;
}

/* google.rpc.RetryInfo {"retryDelay":"30s"} in error.details, if any. */
static double retry_delay_s(json_t *err)
{
	json_t *d;
	size_t i;
	int64_t ms;

	json_array_foreach(json_object_get(err, "details"), i, d) {
		const char *v = str_at(d, "retryDelay");

		if (v && llmr_parse_duration_ms(v, &ms) == 0)
			return ms > LLMR_RATELIMIT_MAX_WAIT_S * 1000 ? LLMR_RATELIMIT_MAX_WAIT_S
								     : (double)ms / 1000.0;
	}
	return -1;
}

/* Fill r from {"error":{"code","message","status"}}; status 0 in a stream. */
static void apply_error(long status, json_t *err, struct llmr_chat_result *r)
{
	enum llmr_errclass c = class_of_status(str_at(err, "status"));
	const char *msg = str_at(err, "message");
	long code = int_at(err, "code", status);
	char buf[64];
	double d;

	if (c == LLMR_ERR_NONE && code >= 400)
		c = llmr_errclass_from_status(code);
	if (c == LLMR_ERR_NONE)
		c = LLMR_ERR_SERVER;
	if (!msg || !*msg) {
		snprintf(buf, sizeof(buf), "HTTP %ld", code);
		msg = str_at(err, "status") ? str_at(err, "status")
		      : code		    ? buf
					    : "error in the stream";
	}
	fail(r, c, msg);
	/* Headers may already have set retry-after; the header wins. */
	if ((d = retry_delay_s(err)) >= 0 && r->rl.retry_after_s < 0) {
		r->rl.retry_after_s = d;
		r->rl.seen = true;
	}
}

/*
 * One GenerateContentResponse (a whole answer, or a stream chunk): text
 * of candidate 0 without thought parts, finish reason, usage. Returns 1
 * when it carries a finishReason, 0 otherwise, -1 on an error object.
 */
static int take_chunk(json_t *o, struct llmr_chat_result *r, llmr_delta_fn on_delta, void *ud)
{
	json_t *cand, *part, *err = json_object_get(o, "error");
	const char *why;
	bool tool = false;
	size_t i;

	if (json_is_object(err)) {
		apply_error(0, err, r);
		return -1;
	}
	take_usage(r, json_object_get(o, "usageMetadata"));
	cand = json_array_get(json_object_get(o, "candidates"), 0);
	json_array_foreach(json_object_get(json_object_get(cand, "content"), "parts"), i, part) {
		json_t *t = json_object_get(part, "text");
		json_t *fc = json_object_get(part, "functionCall");

		if (json_is_object(fc)) {
			tool = true;
			if (llmr_adapter_tool_whole(r, str_at(fc, "id"), str_at(fc, "name"),
						    json_object_get(fc, "args")) < 0)
				return -1;
		}
		if (!json_is_string(t) || json_is_true(json_object_get(part, "thought")))
			continue;
		if (llmr_adapter_text(r, json_string_value(t), json_string_length(t), on_delta, ud) < 0)
			return -1;
	}
	/* A prompt blocked before generation has no candidate at all. */
	if (!cand && str_at(json_object_get(o, "promptFeedback"), "blockReason")) {
		llmr_adapter_finish_reason(r, "content_filter");
		return 1;
	}
	if (!(why = str_at(cand, "finishReason")))
		return 0;
	set_finish(r, why);
	/* Gemini says STOP after a function call; say what happened. */
	if (tool && !strcmp(why, "STOP"))
		llmr_adapter_finish_reason(r, "tool_calls");
	return 1;
}

/*
 * A whole body: one object, or the JSON array that :streamGenerateContent
 * sends without alt=sse, read as the sequence of its chunks.
 */
static int parse_chat(const char *body, size_t n, struct llmr_chat_result *r)
{
	json_t *root = llmr_adapter_json(body, n, r), *o;
	size_t i;
	int rc = 0;

	if (!root)
		return -1;
	if (json_is_object(root)) {
		rc = take_chunk(root, r, NULL, NULL);
	} else if (json_is_array(root)) {
		json_array_foreach(root, i, o) {
			if (!json_is_object(o)) {
				rc = fail(r, LLMR_ERR_PROTOCOL, "gemini: stream array holds a non-object");
				break;
			}
			if ((rc = take_chunk(o, r, NULL, NULL)) < 0)
				break;
		}
	} else {
		rc = fail(r, LLMR_ERR_PROTOCOL, "gemini: answer is not JSON");
	}
	json_decref(root);
	if (rc < 0)
		return -1;
	r->done = true;
	return 0;
}

static int stream_event(const char *event, const char *data, size_t n,
			struct llmr_chat_result *r, llmr_delta_fn on_delta, void *ud)
{
	json_t *root;
	int rc;

	(void)event;
	if (!(root = llmr_adapter_json(data, n, r)))
		return -1;
	if (!json_is_object(root)) {
		json_decref(root);
		return fail(r, LLMR_ERR_PROTOCOL, "gemini: invalid JSON in the stream");
	}
	rc = take_chunk(root, r, on_delta, ud);
	json_decref(root);
	if (rc == 1)
		r->done = true;
	return rc;
}

static void parse_error(long status, const char *body, size_t n, struct llmr_chat_result *r)
{
	json_t *root = body && n ? llmr_adapter_json(body, n, NULL) : NULL;
	json_t *top = json_is_array(root) ? json_array_get(root, 0) : root;
	json_t *err = json_object_get(top, "error");

	r->http_status = status;
	apply_error(status, json_is_object(err) ? err : NULL, r);
	json_decref(root);
}

/* {"embeddings":[{"values":[...]}, ...]}, all of one dimension. */
static int parse_embed(const char *body, size_t n, float **vecs, size_t *nvecs, size_t *dim,
		       long *input_tokens, struct llmr_err *e)
{
	json_t *root = json_loadb(body, n, 0, NULL), *embs, *emb, *vals, *v;
	size_t i, j, d = 0, count;
	float *out = NULL;

	embs = json_object_get(root, "embeddings");
	count = json_array_size(embs);
	if (!count) {
		json_decref(root);
		return llmr_errf(e, LLMR_EX_DATAERR, "gemini: embeddings answer holds no vectors");
	}
	json_array_foreach(embs, i, emb) {
		vals = json_object_get(emb, "values");
		if (i == 0) {
			d = json_array_size(vals);
			if (!d || d > (size_t)1 << 20 || count > SIZE_MAX / sizeof(float) / d)
				break;
			out = llmr_xmalloc(count * d * sizeof(float));
		}
		if (json_array_size(vals) != d)
			break;
		json_array_foreach(vals, j, v) {
			if (!json_is_number(v))
				break;
			out[i * d + j] = (float)json_number_value(v);
		}
		if (j != d)
			break;
	}
	if (!out || i != count) {
		free(out);
		json_decref(root);
		return llmr_errf(e, LLMR_EX_DATAERR, "gemini: malformed embeddings answer");
	}
	/* Gemini does not report embedding tokens in this answer: 0. */
	if (input_tokens)
		*input_tokens = int_at(json_object_get(root, "usageMetadata"), "promptTokenCount", 0);
	*vecs = out;
	*nvecs = count;
	*dim = d;
	json_decref(root);
	return 0;
}

const struct llmr_adapter llmr_adapter_gemini = {
	.protocol = "gemini",
	.framing = LLMR_FRAME_SSE,
	.build_chat = build_chat,
	.parse_chat = parse_chat,
	.stream_event = stream_event,
	.parse_error = parse_error,
	.build_embed = build_embed,
	.parse_embed = parse_embed,
};
