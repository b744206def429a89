/*
 * provider_gemini.c - the Gemini adapter against real wire captures
 * (tests/fixtures/wire/gemini-*, numbers from SOURCES.md).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "provider/adapter.h"
#include "provider/provider.h"
#include "net/sse.h"
#include "replay.h"
#include "tap.h"

static const struct llmr_adapter *G = &llmr_adapter_gemini;

/* The shared fixture loader (replay.h), into a reusable buffer. */
static void load(const char *name, struct llmr_buf *b)
{
	size_t n;
	char *s = fixture(name, &n);

	llmr_buf_release(b);
	b->s = s;
	b->len = n;
	b->cap = n + 1;
}

/* Frame the body piece bytes at a time (replay.h): 1 done, 2 error, 0 ran
 * out; the deltas seen are appended to seen. */
static int feed_pieces(const char *s, size_t len, size_t piece, struct llmr_chat_result *r,
		       struct llmr_buf *seen)
{
	struct deltas d = {LLMR_BUF_INIT, 0};
	int rc = replay_pieces(G, s, len, piece, r, &d);

	llmr_buf_add(seen, d.text.s ? d.text.s : "", d.text.len);
	llmr_buf_release(&d.text);
	return rc;
}

static void test_generate(void)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	struct llmr_chat_result r;

	load("gemini-generatecontent.json", &b);
	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(G, false, b.s, b.len, &r, NULL, NULL), 0, "generate: parses");
	ok(r.text.s && !strncmp(r.text.s, "```python\n# Example list to be sorted", 37), "generate: text");
	ok(r.text.len > 37 && !strcmp(r.text.s + r.text.len - 20, "\n[1, 2, 3, 4, 5]\n```"),
	   "generate: text ends as sent");
	is_str(r.finish_reason, "stop", "generate: STOP is stop");
	is_int(r.usage.input_tokens, 9, "generate: input");
	is_int(r.usage.output_tokens, 87, "generate: output");
	is_int(r.usage.cached_tokens, 0, "generate: no cache");
	llmr_chat_result_release(&r);

	load("gemini-generatecontent-cached.json", &b);
	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(G, false, b.s, b.len, &r, NULL, NULL), 0, "cached: parses");
	ok(r.text.s && !strncmp(r.text.s, "This is a transcript", 20), "cached: text");
	is_int(r.usage.input_tokens, 323388, "cached: input includes the cached part");
	is_int(r.usage.cached_tokens, 323383, "cached: cached");
	is_int(r.usage.output_tokens, 397, "cached: output");
	llmr_chat_result_release(&r);
	llmr_buf_release(&b);
}

static void test_stream(void)
{
	static const size_t pieces[] = {1, 5, 64, 1 << 20};
	struct llmr_buf b = LLMR_BUF_INIT, seen = LLMR_BUF_INIT, want = LLMR_BUF_INIT;
	struct llmr_chat_result r;
	const char *third;
	size_t i;
	int k;

	for (k = 1; k <= 30; k++)
		llmr_buf_addf(&want, k == 1 ? "%d" : "\n%d", k);
	load("gemini-stream.sse", &b);
	for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		llmr_chat_result_init(&r);
		llmr_buf_reset(&seen);
		is_int(feed_pieces(b.s, b.len, pieces[i], &r, &seen), 1,
		       "stream/%zu: ends on the finishReason chunk", pieces[i]);
		ok(r.done, "stream/%zu: done", pieces[i]);
		is_str(r.text.s, want.s, "stream/%zu: text 1..30 across chunks", pieces[i]);
		is_str(seen.s, want.s, "stream/%zu: deltas", pieces[i]);
		is_str(r.finish_reason, "stop", "stream/%zu: finish", pieces[i]);
		is_int(r.usage.input_tokens, 18, "stream/%zu: input", pieces[i]);
		is_int(r.usage.output_tokens, 80 + 35, "stream/%zu: output = candidates + thoughts",
		       pieces[i]);
		llmr_chat_result_release(&r);
	}
	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(G, true, b.s, b.len, &r, NULL, NULL), 0, "stream: replay ok");
	is_str(r.text.s, want.s, "stream: replay text");
	llmr_chat_result_release(&r);

	/* No [DONE] in Gemini streams: a body cut before the finishReason
	 * chunk must read as truncated, not as a complete answer. */
	third = strstr(b.s, "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"0\"}");
	ok(third != NULL, "stream: fixture has the final chunk");
	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(G, true, b.s, (size_t)(third - b.s), &r, NULL, NULL), -1,
	       "stream: cut before finishReason fails");
	is_int(r.err, LLMR_ERR_PROTOCOL, "stream: truncation is a protocol error");
	ok(!r.done, "stream: not done");
	llmr_chat_result_release(&r);
	llmr_buf_release(&want);
	llmr_buf_release(&seen);
	llmr_buf_release(&b);
}

static void test_jsonarray(void)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	struct llmr_chat_result r;

	load("gemini-stream-jsonarray.json", &b);
	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(G, false, b.s, b.len, &r, NULL, NULL), 0, "jsonarray: parses");
	is_str(r.text.s, "Scoop", "jsonarray: thought parts skipped");
	is_str(r.finish_reason, "stop", "jsonarray: finish");
	is_int(r.usage.input_tokens, 11, "jsonarray: input");
	is_int(r.usage.output_tokens, 2 + 291, "jsonarray: output counts thoughts");
	llmr_chat_result_release(&r);
	llmr_buf_release(&b);
}

/* Fields no fixture holds, in the documented GenerateContentResponse shape. */
static void test_synthetic(void)
{
	static const char tool[] =
		"{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"functionCall\":"
		"{\"name\":\"hours\",\"args\":{}}}]},\"finishReason\":\"STOP\"}],"
		"\"usageMetadata\":{\"promptTokenCount\":40,\"toolUsePromptTokenCount\":7,"
		"\"candidatesTokenCount\":5}}";
	static const char blocked[] =
		"{\"promptFeedback\":{\"blockReason\":\"SAFETY\"},\"usageMetadata\":"
		"{\"promptTokenCount\":12}}";
	static const char maxtok[] =
		"{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"abc\"}]},"
		"\"finishReason\":\"MAX_TOKENS\"}]}";
	struct llmr_chat_result r;

	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(G, false, tool, strlen(tool), &r, NULL, NULL), 0, "tool: parses");
	is_str(r.finish_reason, "tool_calls", "tool: a functionCall part means tool_calls");
	is_int(r.usage.input_tokens, 47, "tool: input counts tool-use prompt tokens");
	is_int(r.text.len, 0, "tool: no text");
	llmr_chat_result_release(&r);
	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(G, false, blocked, strlen(blocked), &r, NULL, NULL), 0,
	       "blocked: parses");
	is_str(r.finish_reason, "content_filter", "blocked prompt: content_filter");
	is_int(r.usage.input_tokens, 12, "blocked: input");
	llmr_chat_result_release(&r);
	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(G, false, maxtok, strlen(maxtok), &r, NULL, NULL), 0,
	       "max tokens: parses");
	is_str(r.finish_reason, "length", "MAX_TOKENS is length");
	ok(!r.usage_seen, "max tokens: no usage reported");
	llmr_chat_result_release(&r);
}

static void check_error(long status, const char *body, enum llmr_errclass want, bool retry,
			const char *msg_part, const char *what)
{
	struct llmr_chat_result r;

	llmr_chat_result_init(&r);
	G->parse_error(status, body, strlen(body), &r);
	is_int(r.err, want, "%s: class %s", what, llmr_errclass_name(want));
	is_int(r.retryable, retry, "%s: retryable %d", what, retry);
	ok(strstr(r.errmsg, msg_part) != NULL, "%s: message has '%s' (%s)", what, msg_part, r.errmsg);
	llmr_chat_result_release(&r);
}

static void test_errors(void)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	struct llmr_chat_result r;
	static const char retry_body[] =
		"{\"error\":{\"code\":429,\"message\":\"Quota exceeded\",\"status\":"
		"\"RESOURCE_EXHAUSTED\",\"details\":[{\"@type\":\"type.googleapis.com/"
		"google.rpc.RetryInfo\",\"retryDelay\":\"37s\"}]}}";
	static const char stream_err[] = "data: {\"error\":{\"code\":503,\"message\":\"busy\","
					 "\"status\":\"UNAVAILABLE\"}}\r\n\r\n";

	load("gemini-error-429.json", &b);
	check_error(429, b.s, LLMR_ERR_RATE_LIMITED, true, "Resource exhausted", "429");
	check_error(503,
		    "{\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":"
		    "\"UNAVAILABLE\"}}",
		    LLMR_ERR_OVERLOADED, true, "overloaded", "503");
	check_error(400,
		    "{\"error\":{\"code\":400,\"message\":\"API key not valid.\",\"status\":"
		    "\"INVALID_ARGUMENT\"}}",
		    LLMR_ERR_BAD_REQUEST, false, "API key", "400");
	check_error(403,
		    "{\"error\":{\"code\":403,\"message\":\"denied\",\"status\":\"PERMISSION_DENIED\"}}",
		    LLMR_ERR_AUTH, false, "denied", "403");
	check_error(500, "{\"error\":{\"code\":500,\"message\":\"oops\",\"status\":\"INTERNAL\"}}",
		    LLMR_ERR_SERVER, true, "oops", "500");
	check_error(502, "<html>Bad Gateway</html>", LLMR_ERR_SERVER, true, "HTTP 502", "502 html");
	/* The non-SSE stream form wraps errors in an array too. */
	check_error(429, "[{\"error\":{\"code\":429,\"message\":\"slow down\",\"status\":"
			 "\"RESOURCE_EXHAUSTED\"}}]",
		    LLMR_ERR_RATE_LIMITED, true, "slow down", "429 in an array");

	/* RetryInfo in the body gives the wait, unless a header did. */
	llmr_chat_result_init(&r);
	G->parse_error(429, retry_body, strlen(retry_body), &r);
	is_num(r.rl.retry_after_s, 37, 1e-9, "RetryInfo: retry_after 37 s");
	is_num(llmr_ratelimit_wait_s(&r.rl, r.errmsg), 37, 1e-9, "RetryInfo: wait 37 s");
	llmr_chat_result_release(&r);
	llmr_chat_result_init(&r);
	r.rl.retry_after_s = 5;
	G->parse_error(429, retry_body, strlen(retry_body), &r);
	is_num(r.rl.retry_after_s, 5, 1e-9, "RetryInfo: a retry-after header wins");
	llmr_chat_result_release(&r);
	{
		static const char huge[] =
			"{\"error\":{\"code\":429,\"status\":\"RESOURCE_EXHAUSTED\",\"details\":"
			"[{\"retryDelay\":\"99999999h\"}]}}";

		llmr_chat_result_init(&r);
		G->parse_error(429, huge, strlen(huge), &r);
		is_num(r.rl.retry_after_s, LLMR_RATELIMIT_MAX_WAIT_S, 0, "RetryInfo: capped at 31 days");
		llmr_chat_result_release(&r);
	}

	/* An error object inside a 200 stream. */
	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(G, true, stream_err, strlen(stream_err), &r, NULL, NULL), -1,
	       "stream error: fails");
	is_int(r.err, LLMR_ERR_OVERLOADED, "stream error: overloaded");
	llmr_chat_result_release(&r);
	llmr_buf_release(&b);
}

static const char *hdr(const struct llmr_headers *h, const char *name)
{
	const char *v = llmr_headers_get(h, name);

	return v ? v : "(none)";
}

static void test_build(void)
{
	static const struct llmr_msg msgs[] = {
		{"user", "Bonjour", NULL, NULL},
		{"assistant", "Bonjour !", NULL, NULL},
		{"system", "Short answers.", NULL, NULL},
		{"user", "Horaires ?", NULL, NULL},
	};
	struct llmr_provider_cfg p = {0};
	struct llmr_chat_req req = {0};
	struct llmr_buf url = LLMR_BUF_INIT, body = LLMR_BUF_INIT;
	struct llmr_headers h = {0};
	struct llmr_err e = {0, ""};
	json_t *j, *c, *gc;

	p.base_url = "https://generativelanguage.googleapis.com/v1beta/";
	req.model = "gemini-2.5-flash";
	req.system = "You answer for a ressourcerie.";
	req.msgs = msgs;
	req.nmsgs = 4;
	req.temperature = -1;
	req.json = true;
	req.max_tokens = 256;
	is_int(G->build_chat(&p, "AIzaSECRET42", &req, &url, &h, &body, &e), 0, "build: ok");
	is_str(url.s, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent",
	       "build: URL");
	is_str(hdr(&h, "x-goog-api-key"), "AIzaSECRET42", "build: key in the header");
	ok(!strstr(url.s, "SECRET") && !strstr(url.s, "key="), "build: no key in the URL");
	ok(!strstr(body.s, "SECRET"), "build: no key in the body");
	j = json_loads(body.s, 0, NULL);
	ok(json_is_object(j), "build: body is JSON");
	c = json_object_get(j, "contents");
	is_int(json_array_size(c), 3, "build: three contents, system taken out");
	is_str(json_string_value(json_object_get(json_array_get(c, 1), "role")), "model",
	       "build: assistant is model");
	is_str(json_string_value(json_object_get(
		       json_array_get(json_object_get(json_array_get(c, 2), "parts"), 0), "text")),
	       "Horaires ?", "build: parts text");
	is_str(json_string_value(json_object_get(
		       json_array_get(json_object_get(json_object_get(j, "systemInstruction"), "parts"), 0),
		       "text")),
	       "You answer for a ressourcerie.\n\nShort answers.", "build: systemInstruction");
	gc = json_object_get(j, "generationConfig");
	is_str(json_string_value(json_object_get(gc, "responseMimeType")), "application/json",
	       "build: JSON mode");
	is_int(json_integer_value(json_object_get(gc, "maxOutputTokens")), 256, "build: maxOutputTokens");
	ok(!json_object_get(gc, "temperature"), "build: no temperature when unset");
	json_decref(j);
	llmr_buf_release(&url);
	llmr_buf_release(&body);
	llmr_headers_release(&h);

	/* Streaming, default base, no key, odd model name. */
	p.base_url = NULL;
	req.model = "models/gemini 2?x";
	req.system = NULL;
	req.msgs = msgs;
	req.nmsgs = 1;
	req.json = false;
	req.max_tokens = 0;
	req.stream = true;
	req.temperature = 0.2;
	is_int(G->build_chat(&p, NULL, &req, &url, &h, &body, &e), 0, "build 2: ok");
	is_str(url.s, "https://generativelanguage.googleapis.com/v1beta/models/gemini%202%3Fx:streamGenerateContent?alt=sse",
	       "build 2: stream URL, model escaped");
	ok(!llmr_headers_get(&h, "x-goog-api-key"), "build 2: no key header");
	j = json_loads(body.s, 0, NULL);
	ok(!json_object_get(j, "systemInstruction"), "build 2: no systemInstruction");
	gc = json_object_get(j, "generationConfig");
	ok(!json_object_get(gc, "maxOutputTokens"), "build 2: no maxOutputTokens when unset");
	is_num(json_real_value(json_object_get(gc, "temperature")), 0.2, 1e-9, "build 2: temperature");
	json_decref(j);
	llmr_buf_release(&url);
	llmr_buf_release(&body);
	llmr_headers_release(&h);
}

static void test_embed(void)
{
	static const char *const texts[] = {"tri textile", "horaires"};
	static const char ans[] = "{\"embeddings\":[{\"values\":[0.5,-1,0.25]},{\"values\":[1,2,3]}]}";
	static const char bad[] = "{\"embeddings\":[{\"values\":[0.5,-1,0.25]},{\"values\":[1,2]}]}";
	struct llmr_provider_cfg p = {0};
	struct llmr_buf url = LLMR_BUF_INIT, body = LLMR_BUF_INIT;
	struct llmr_headers h = {0};
	struct llmr_err e = {0, ""};
	float *v = NULL;
	size_t nv = 0, dim = 0;
	long tok = -1;
	json_t *j, *rq;

	p.base_url = "https://generativelanguage.googleapis.com/v1beta";
	is_int(G->build_embed(&p, "AIzaSECRET42", "text-embedding-004", texts, 2, &url, &h, &body, &e),
	       0, "embed: build ok");
	is_str(url.s, "https://generativelanguage.googleapis.com/v1beta/models/text-embedding-004:batchEmbedContents",
	       "embed: URL");
	ok(!strstr(body.s, "SECRET") && !strstr(url.s, "SECRET"), "embed: key only in a header");
	is_str(hdr(&h, "x-goog-api-key"), "AIzaSECRET42", "embed: key header");
	j = json_loads(body.s, 0, NULL);
	rq = json_object_get(j, "requests");
	is_int(json_array_size(rq), 2, "embed: one request per text");
	is_str(json_string_value(json_object_get(json_array_get(rq, 0), "model")),
	       "models/text-embedding-004", "embed: model named models/M");
	is_str(json_string_value(json_object_get(json_array_get(json_object_get(json_object_get(
		       json_array_get(rq, 1), "content"), "parts"), 0), "text")),
	       "horaires", "embed: content parts text");
	json_decref(j);
	is_int(G->parse_embed(ans, strlen(ans), &v, &nv, &dim, &tok, &e), 0, "embed: parse ok");
	is_int(nv, 2, "embed: two vectors");
	is_int(dim, 3, "embed: dimension 3");
	ok(v && v[1] == -1.0f && v[5] == 3.0f, "embed: values in order");
	is_int(tok, 0, "embed: no token count reported");
	free(v);
	v = NULL;
	is_int(G->parse_embed(bad, strlen(bad), &v, &nv, &dim, &tok, &e), -1, "embed: ragged fails");
	ok(v == NULL, "embed: nothing handed back on failure");
	is_int(G->parse_embed("{}", 2, &v, &nv, &dim, &tok, &e), -1, "embed: empty fails");
	llmr_buf_release(&url);
	llmr_buf_release(&body);
	llmr_headers_release(&h);
}

/* Regression: usage counts near 2^63 summed into a negative input. */
static void test_huge_usage(void)
{
	static const char body[] =
		"{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"a\"}]},\"finishReason\":\"STOP\"}],"
		"\"usageMetadata\":{\"promptTokenCount\":9223372036854775807,"
		"\"toolUsePromptTokenCount\":9223372036854775807,\"cachedContentTokenCount\":-5,"
		"\"candidatesTokenCount\":9223372036854775807,\"thoughtsTokenCount\":1e300}}";
	struct llmr_chat_result r;

	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(G, false, body, strlen(body), &r, NULL, NULL), 0, "huge usage: parses");
	is_int(r.usage.input_tokens, LLMR_ADAPTER_MAX_TOKENS, "huge usage: input saturates");
	is_int(r.usage.output_tokens, LLMR_ADAPTER_MAX_TOKENS, "huge usage: output saturates");
	is_int(r.usage.cached_tokens, 0, "huge usage: a negative count is no count");
	llmr_chat_result_release(&r);
}

int main(void)
{
	test_generate();
	test_huge_usage();
	test_stream();
	test_jsonarray();
	test_synthetic();
	test_errors();
	test_build();
	test_embed();
	return done_testing();
}
