/*
 * provider_openai.c - the OpenAI-compatible adapter on real captures from
 * OpenAI, Groq, DeepSeek, Mistral, OpenRouter and Ollama's /v1
 * (tests/fixtures/wire/SOURCES.md gives the expected numbers).
 */
#include <jansson.h>

#include "provider/adapter.h"
#include "provider/provider.h"
#include "tap.h"
#include "replay.h"

static const struct llmr_adapter *A = &llmr_adapter_openai;

#define VLLM "{\"object\":\"error\",\"message\":\"bad model\",\"code\":400}"
#define BAD64 "{\"data\":[{\"embedding\":\"@@@\"}]}"

struct want {
	const char *file;
	const char *text;      /* exact text, or NULL to skip */
	size_t text_len;       /* bytes of text */
	const char *finish;
	long in, out, cached, written;
	double cost;           /* -1 = not reported */
	enum llmr_errclass err;
};

static void check_usage(const struct llmr_chat_result *r, const struct want *w, const char *how)
{
	ok(r->usage_seen, "%s %s: usage seen", w->file, how);
	is_int(r->usage.input_tokens, w->in, "%s %s: input tokens", w->file, how);
	is_int(r->usage.output_tokens, w->out, "%s %s: output tokens", w->file, how);
	is_int(r->usage.cached_tokens, w->cached, "%s %s: cached tokens", w->file, how);
	is_int(r->usage.cache_write_tokens, w->written, "%s %s: cache write tokens", w->file, how);
	is_num(r->usage.provider_cost_usd, w->cost, 1e-12, "%s %s: provider cost", w->file, how);
}

static const struct want plain[] = {
	{"openai-chat.json", "Hello!", 6, "stop", 1144, 2, 1024, 0, -1, 0},
	{"openai-chat-toolcall.json", "", 0, "tool_calls", 1187, 14, 1152, 0, -1, 0},
	{"openai-chat-toolcall-parallel.json", "", 0, "tool_calls", 149, 60, 0, 0, -1, 0},
	{"groq-chat.json", "Bien s\xc3\xbbr!\n\nThe lovely city that is the capital of France is ", 61,
	 "stop", 35, 25, 0, 0, -1, 0},
	{"deepseek-chat.json", "Let me load the dice rolling capability!", 40, "tool_calls",
	 563, 116, 512, 0, -1, 0},
	{"mistral-chat.json", "cache probe two.", 16, "stop", 268, 5, 224, 0, -1, 0},
	{"openrouter-chat.json", "https://github.com/pydantic/pydantic-ai ", 40, "stop",
	 8174, 30, 0, 0, 0.0133176, 0},
	{"ollama-openai-compat-chat.json",
	 "Hello! It's nice to meet you. Is there something I can help you with, or would you like to chat?",
	 96, "stop", 0, 26, 0, 0, -1, 0},
};

static void test_plain(const struct want *w)
{
	struct llmr_chat_result r;
	size_t n;
	char *body = fixture(w->file, &n);
	int rc;

	llmr_chat_result_init(&r);
	rc = llmr_provider_replay(A, false, body, n, &r, NULL, NULL);
	is_int(rc, 0, "%s: parses", w->file);
	is_int(r.err, LLMR_ERR_NONE, "%s: no error", w->file);
	is_str(r.text.s ? r.text.s : "", w->text, "%s: text", w->file);
	is_int(r.text.len, w->text_len, "%s: text bytes", w->file);
	is_str(r.finish_reason, w->finish, "%s: finish reason", w->file);
	check_usage(&r, w, "plain");
	llmr_chat_result_release(&r);
	free(body);
}

static const struct want streams[] = {
	{"openai-chat-stream.sse", "Hello!", 6, "stop", 1144, 2, 1024, 0, -1, 0},
	{"openai-chat-stream-multichoice.sse",
	 "{\"city\":\"San Francisco\",\"temperature\":65,\"units\":\"f\"}", 53, "stop", 79, 42, 0, 0, -1, 0},
	{"openai-chat-stream-toolcall.sse", "", 0, "tool_calls", 44, 16, 0, 0, -1, 0},
	{"groq-chat-stream.sse",
	 "Hello! It's nice to meet you. Is there something I can help you with or would you like to chat?",
	 95, "stop", 12, 24, 0, 0, -1, 0},
	{"deepseek-chat-stream.sse", "Hello! How can I assist you today? \xf0\x9f\x98\x8a", 39, "stop",
	 5, 11, 0, 0, -1, 0},
	{"openrouter-chat-stream.sse", "https://github.com/pydantic/pydantic-ai ", 40, "stop",
	 8174, 30, 0, 0, 0.0133176, 0},
	{"mistral-chat-stream.sse", NULL, 607, "stop", 10, 232, 0, 0, -1, 0},
	{"openrouter-stream-error.sse", "", 0, "length", 43, 10, 0, 0, 0, LLMR_ERR_BAD_REQUEST},
};

static void same_result(const struct llmr_chat_result *a, const struct llmr_chat_result *b,
			const char *file, size_t piece)
{
	is_str(b->text.s ? b->text.s : "", a->text.s ? a->text.s : "", "%s in %zu-byte pieces: same text", file, piece);
	is_str(b->finish_reason, a->finish_reason, "%s in %zu-byte pieces: same finish", file, piece);
	ok(b->usage.input_tokens == a->usage.input_tokens && b->usage.output_tokens == a->usage.output_tokens &&
	   b->usage.cached_tokens == a->usage.cached_tokens, "%s in %zu-byte pieces: same usage", file, piece);
	is_int(b->err, a->err, "%s in %zu-byte pieces: same error class", file, piece);
}

static void test_stream(const struct want *w)
{
	static const size_t pieces[] = {1, 3, 7, 64};
	struct llmr_chat_result r, p;
	struct deltas d = {LLMR_BUF_INIT, 0}, pd = {LLMR_BUF_INIT, 0};
	size_t n, i;
	char *body = fixture(w->file, &n);
	int rc;

	llmr_chat_result_init(&r);
	rc = llmr_provider_replay(A, true, body, n, &r, on_delta, &d);
	is_int(rc, w->err ? -1 : 0, "%s: replay result", w->file);
	is_int(r.err, w->err, "%s: error class %s", w->file, llmr_errclass_name(w->err));
	if (w->text)
		is_str(r.text.s ? r.text.s : "", w->text, "%s: text", w->file);
	is_int(r.text.len, w->text_len, "%s: text bytes", w->file);
	is_str(d.text.s ? d.text.s : "", r.text.s ? r.text.s : "", "%s: deltas join to the text", w->file);
	ok(w->text_len == 0 || d.calls > 1, "%s: text came in several deltas", w->file);
	is_str(r.finish_reason, w->finish, "%s: finish reason", w->file);
	ok(r.done == !w->err, "%s: done flag", w->file);
	check_usage(&r, w, "stream");
	for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		llmr_chat_result_init(&p);
		llmr_buf_reset(&pd.text);
		rc = replay_pieces(A, body, n, pieces[i], &p, &pd);
		is_int(rc, w->err ? 2 : 1, "%s in %zu-byte pieces: ends as expected", w->file, pieces[i]);
		same_result(&r, &p, w->file, pieces[i]);
		is_str(pd.text.s ? pd.text.s : "", r.text.s ? r.text.s : "",
		       "%s in %zu-byte pieces: deltas join", w->file, pieces[i]);
		llmr_chat_result_release(&p);
	}
	llmr_chat_result_release(&r);
	llmr_buf_release(&d.text);
	llmr_buf_release(&pd.text);
	free(body);
}

/* Mistral: array content with thinking parts skipped, text parts kept. */
static void test_mistral_thinking(void)
{
	struct llmr_chat_result r;
	size_t n;
	char *body = fixture("mistral-chat-stream.sse", &n);
	const char *part = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":[{\"type\":\"thinking\","
			   "\"thinking\":[{\"type\":\"text\",\"text\":\"hmm\"}]},{\"type\":\"text\",\"text\":\"Yes\"}]}}]}";

	llmr_chat_result_init(&r);
	llmr_provider_replay(A, true, body, n, &r, NULL, NULL);
	ok(r.text.s && !strncmp(r.text.s, "To cross the street safely, follow these steps:", 47),
	   "mistral stream: answer starts after the thinking parts");
	ok(r.text.s && !strstr(r.text.s, "Okay"), "mistral stream: no thinking text");
	ok(r.text.len > 10 && !strcmp(r.text.s + r.text.len - 10, " crossing."), "mistral stream: last words");
	llmr_chat_result_release(&r);
	free(body);

	llmr_chat_result_init(&r);
	is_int(A->stream_event(NULL, part, strlen(part), &r, NULL, NULL), 0, "mixed parts: accepted");
	is_str(r.text.s, "Yes", "mixed parts: text part kept, thinking part skipped");
	llmr_chat_result_release(&r);
}

static void test_stream_errors(void)
{
	struct llmr_chat_result r;
	size_t n;
	char *body = fixture("openrouter-stream-error.sse", &n);
	char *cut;

	llmr_chat_result_init(&r);
	llmr_provider_replay(A, true, body, n, &r, NULL, NULL);
	is_str(r.errmsg, "Token limit reached", "openrouter stream error: message");
	ok(!r.retryable, "openrouter stream error: a 400 is not retried");
	llmr_chat_result_release(&r);
	free(body);

	/* cut before [DONE]: the answer is incomplete */
	body = fixture("openai-chat-stream.sse", &n);
	cut = strstr(body, "data: [DONE]");
	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(A, true, body, (size_t)(cut - body), &r, NULL, NULL), -1,
	       "stream without [DONE]: fails");
	is_int(r.err, LLMR_ERR_PROTOCOL, "stream without [DONE]: protocol error");
	is_str(r.errmsg, "stream ended early", "stream without [DONE]: says so");
	llmr_chat_result_release(&r);
	free(body);

	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(A, true, "data: {not json\n\n", 17, &r, NULL, NULL), -1,
	       "bad JSON in a stream: fails");
	is_int(r.err, LLMR_ERR_PROTOCOL, "bad JSON in a stream: protocol error");
	llmr_chat_result_release(&r);

	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(A, false, "<html>502</html>", 16, &r, NULL, NULL), -1,
	       "HTML instead of JSON: fails");
	is_int(r.err, LLMR_ERR_PROTOCOL, "HTML instead of JSON: protocol error");
	llmr_chat_result_release(&r);

	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(A, false, "{\"choices\":[]}", 14, &r, NULL, NULL), -1,
	       "no choices: fails");
	is_int(r.err, LLMR_ERR_PROTOCOL, "no choices: protocol error");
	llmr_chat_result_release(&r);
}

/* A server that ignored stream:true, or failed before the stream began. */
static void test_not_a_stream(void)
{
	struct llmr_chat_result r;
	struct deltas d = {LLMR_BUF_INIT, 0};
	size_t n;
	char *body = fixture("openai-chat.json", &n);

	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(A, true, body, n, &r, on_delta, &d), 0, "JSON body on a stream: accepted");
	is_str(r.text.s, "Hello!", "JSON body on a stream: text");
	is_str(d.text.s, "Hello!", "JSON body on a stream: one delta with the text");
	is_int(r.usage.cached_tokens, 1024, "JSON body on a stream: usage");
	llmr_chat_result_release(&r);
	free(body);

	body = fixture("openai-error-429-insufficient-quota.json", &n);
	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(A, true, body, n, &r, NULL, NULL), -1, "error object on a stream: fails");
	is_int(r.err, LLMR_ERR_RATE_LIMITED, "error object on a stream: its class");
	ok(!r.retryable, "error object on a stream: insufficient_quota not retryable");
	ok(strstr(r.errmsg, "exceeded your current quota") != NULL, "error object on a stream: its message");
	llmr_chat_result_release(&r);
	llmr_buf_release(&d.text);
	free(body);
}

/* Mistral's reasoning models answer with typed parts even without streaming. */
static void test_array_content(void)
{
	struct llmr_chat_result r;
	const char *b = "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":{\"role\":"
			"\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":[{\"type\":\"text\","
			"\"text\":\"Let me think\"}]},{\"type\":\"text\",\"text\":\"Cross \"},{\"type\":"
			"\"text\",\"text\":\"safely.\"}]}}],\"usage\":{\"prompt_tokens\":10,"
			"\"completion_tokens\":232}}";

	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(A, false, b, strlen(b), &r, NULL, NULL), 0, "array content: parses");
	is_str(r.text.s, "Cross safely.", "array content: text parts joined, thinking skipped");
	is_int(r.usage.output_tokens, 232, "array content: usage");
	llmr_chat_result_release(&r);
}

static void test_error(const char *file, long status, enum llmr_errclass want, bool retryable,
		       const char *needle)
{
	struct llmr_chat_result r;
	size_t n;
	char *body = fixture(file, &n);

	llmr_chat_result_init(&r);
	A->parse_error(status, body, n, &r);
	is_int(r.err, want, "%s: class %s", file, llmr_errclass_name(want));
	is_int(r.retryable, retryable, "%s: retryable %d", file, retryable);
	ok(strstr(r.errmsg, needle) != NULL, "%s: message has '%s' (%s)", file, needle, r.errmsg);
	ok(!strchr(r.errmsg, '\n'), "%s: message is one line", file);
	llmr_chat_result_release(&r);
	free(body);
}

static void test_errors(void)
{
	struct llmr_chat_result r;
	const char *e401 = "{\n    \"error\": {\n        \"message\": \"Incorrect API key provided: "
			   "sk-proj-abc***************************xyz9. You can find your API key at "
			   "https://platform.openai.com/account/api-keys.\",\n        \"type\": "
			   "\"invalid_request_error\",\n        \"param\": null,\n        \"code\": "
			   "\"invalid_api_key\"\n    }\n}\n";

	test_error("openai-error-429.json", 429, LLMR_ERR_RATE_LIMITED, true, "Please try again in 26.604s");
	test_error("openai-error-429-requests.json", 429, LLMR_ERR_RATE_LIMITED, true, "try again in 20s");
	test_error("openai-error-429-insufficient-quota.json", 429, LLMR_ERR_RATE_LIMITED, false,
		   "exceeded your current quota");
	test_error("openrouter-error-429.json", 429, LLMR_ERR_RATE_LIMITED, true, "temporarily rate-limited upstream");

	llmr_chat_result_init(&r);
	A->parse_error(401, e401, strlen(e401), &r);
	is_int(r.err, LLMR_ERR_AUTH, "401: auth");
	ok(!strstr(r.errmsg, "sk-proj") && !strstr(r.errmsg, "abc*"), "401: echoed key redacted (%s)", r.errmsg);
	ok(strstr(r.errmsg, "Incorrect API key provided: [redacted]") != NULL, "401: the rest stays");
	llmr_chat_result_release(&r);

	llmr_chat_result_init(&r);
	A->parse_error(503, "upstream connect error\r\nmore", 28, &r);
	is_int(r.err, LLMR_ERR_OVERLOADED, "503 plain text: overloaded");
	is_str(r.errmsg, "upstream connect error", "503 plain text: first line");
	llmr_chat_result_release(&r);

	llmr_chat_result_init(&r);
	A->parse_error(400, VLLM, strlen(VLLM), &r);
	is_int(r.err, LLMR_ERR_BAD_REQUEST, "vLLM error: bad_request");
	is_str(r.errmsg, "bad model", "vLLM error: top-level message");
	llmr_chat_result_release(&r);
}

static struct llmr_provider_cfg provider(const char *base)
{
	struct llmr_provider_cfg p;

	memset(&p, 0, sizeof(p));
	p.name = "openai";
	p.protocol = LLMR_PROTO_OPENAI;
	p.base_url = (char *)base;
	return p;
}

static json_t *build(const struct llmr_chat_req *req, const char *key, struct llmr_buf *url,
		     struct llmr_headers *h, struct llmr_buf *body)
{
	struct llmr_provider_cfg p = provider("https://api.example.com/v1/");
	struct llmr_err e = {0, ""};

	is_int(A->build_chat(&p, key, req, url, h, body, &e), 0, "build_chat succeeds");
	return json_loadb(body->s, body->len, 0, NULL);
}

static void test_build(void)
{
	struct llmr_msg msgs[] = {{"user", "Hi", NULL, NULL}, {"assistant", "Hello", NULL, NULL}, {"user", "Tri textile?", NULL, NULL}};
	struct llmr_chat_req req = {"gpt-4o-mini", "Be brief.", msgs, 3, 100, 0.2, true, true, NULL, NULL, NULL};
	struct llmr_buf url = LLMR_BUF_INIT, body = LLMR_BUF_INIT;
	struct llmr_headers h = {0};
	json_t *j, *m;

	j = build(&req, "sk-test-SECRETSECRET", &url, &h, &body);
	ok(j != NULL, "request body is valid JSON");
	is_str(url.s, "https://api.example.com/v1/chat/completions", "URL from base_url (trailing / dropped)");
	is_str(json_string_value(json_object_get(j, "model")), "gpt-4o-mini", "body: model");
	m = json_object_get(j, "messages");
	is_int(json_array_size(m), 4, "body: system + 3 messages");
	is_str(json_string_value(json_object_get(json_array_get(m, 0), "role")), "system", "body: system first");
	is_str(json_string_value(json_object_get(json_array_get(m, 0), "content")), "Be brief.", "body: system text");
	is_str(json_string_value(json_object_get(json_array_get(m, 3), "content")), "Tri textile?", "body: last message");
	ok(json_is_true(json_object_get(j, "stream")), "body: stream true");
	ok(json_is_true(json_object_get(json_object_get(j, "stream_options"), "include_usage")),
	   "body: stream_options.include_usage when streaming");
	is_int(json_integer_value(json_object_get(j, "max_tokens")), 100, "body: max_tokens");
	is_num(json_number_value(json_object_get(j, "temperature")), 0.2, 1e-9, "body: temperature");
	is_str(json_string_value(json_object_get(json_object_get(j, "response_format"), "type")),
	       "json_object", "body: response_format json_object");
	ok(!strstr(body.s, "SECRET"), "body: no key");
	is_str(llmr_headers_get(&h, "authorization"), "Bearer sk-test-SECRETSECRET", "header: bearer key");
	is_str(llmr_headers_get(&h, "content-type"), "application/json", "header: content type");
	json_decref(j);
	llmr_headers_release(&h);
	memset(&h, 0, sizeof(h));

	req.system = NULL;
	req.stream = false;
	req.json = false;
	req.max_tokens = 0;
	req.temperature = -1;
	j = build(&req, "", &url, &h, &body);
	ok(j != NULL, "plain request body is valid JSON");
	ok(json_is_false(json_object_get(j, "stream")), "body: stream false, explicit");
	ok(!json_object_get(j, "stream_options"), "body: no stream_options when not streaming");
	ok(!json_object_get(j, "max_tokens") && !json_object_get(j, "temperature") &&
	   !json_object_get(j, "response_format"), "body: unset options left out");
	is_str(json_string_value(json_object_get(json_array_get(json_object_get(j, "messages"), 0), "role")),
	       "user", "body: no system message when none");
	ok(!llmr_headers_get(&h, "authorization"), "no Authorization without a key");
	json_decref(j);
	llmr_headers_release(&h);
	llmr_buf_release(&url);
	llmr_buf_release(&body);
}

static void test_build_fails(void)
{
	struct llmr_msg bad[] = {{"user", NULL, NULL, NULL}};
	struct llmr_chat_req req = {"m", NULL, bad, 1, 0, -1, false, false, NULL, NULL, NULL};
	struct llmr_provider_cfg p = provider(NULL);
	struct llmr_buf url = LLMR_BUF_INIT, body = LLMR_BUF_INIT;
	struct llmr_headers h = {0};
	struct llmr_err e = {0, ""};

	is_int(A->build_chat(&p, "k", &req, &url, &h, &body, &e), -1, "no base_url: fails");
	is_int(e.code, LLMR_EX_CONFIG, "no base_url: config error");
	p = provider("http://x");
	is_int(A->build_chat(&p, "k", &req, &url, &h, &body, &e), -1, "message without content: fails");
	is_int(e.code, LLMR_EX_DATAERR, "message without content: bad input data");
	bad[0].content = "ok";
	req.system = "caf\xe9"; /* Latin-1, not UTF-8 */
	is_int(A->build_chat(&p, "k", &req, &url, &h, &body, &e), -1, "system prompt not UTF-8: fails");
	ok(strstr(e.msg, "system prompt") != NULL, "system prompt not UTF-8: says which");
	llmr_headers_release(&h);
	llmr_buf_release(&url);
	llmr_buf_release(&body);
}

static void test_embed(void)
{
	struct llmr_provider_cfg p = provider("http://localhost:8000/v1");
	const char *texts[] = {"the food was delicious", "and the waiter"};
	struct llmr_buf url = LLMR_BUF_INIT, body = LLMR_BUF_INIT;
	struct llmr_headers h = {0};
	struct llmr_err e = {0, ""};
	float *v;
	size_t n, nv, dim;
	long tok;
	char *fx;
	json_t *j;

	is_int(A->build_embed(&p, "", "text-embedding-3-small", texts, 2, &url, &h, &body, &e), 0, "build_embed");
	is_str(url.s, "http://localhost:8000/v1/embeddings", "embeddings URL");
	j = json_loadb(body.s, body.len, 0, NULL);
	is_int(json_array_size(json_object_get(j, "input")), 2, "embeddings body: input array");
	is_str(json_string_value(json_array_get(json_object_get(j, "input"), 1)), "and the waiter", "embeddings body: order");
	json_decref(j);

	fx = fixture("openai-embeddings.json", &n);
	is_int(A->parse_embed(fx, n, &v, &nv, &dim, &tok, &e), 0, "float embeddings parse");
	is_int(nv, 1, "float: one vector");
	is_int(dim, 1536, "float: 1536 dims");
	is_num(v[0], 0.0022786001, 1e-9, "float: first value");
	is_num(v[1], -0.009292118, 1e-9, "float: second value");
	is_num(v[1535], -0.0027657382, 1e-9, "float: last value");
	is_int(tok, 8, "float: prompt tokens");
	free(v);
	free(fx);

	fx = fixture("openai-embeddings-base64.json", &n);
	is_int(A->parse_embed(fx, n, &v, &nv, &dim, &tok, &e), 0, "base64 embeddings parse");
	is_int(dim, 1536, "base64: 1536 dims");
	is_num(v[0], 0.031128916889429092, 1e-9, "base64: first value");
	is_num(v[1], 0.029814155772328377, 1e-9, "base64: second value");
	is_num(v[1535], 0.019402403384447098, 1e-9, "base64: last value");
	is_int(tok, 7, "base64: prompt tokens");
	free(v);
	free(fx);

	is_int(A->parse_embed(BAD64, strlen(BAD64), &v, &nv, &dim, &tok, &e), -1,
	       "bad base64: fails");
	ok(v == NULL, "bad base64: no vectors");
	llmr_headers_release(&h);
	llmr_buf_release(&url);
	llmr_buf_release(&body);
}

/* Regression: a negative provider cost went to the cost log, and cached
 * tokens above the input made the uncached part negative. */
static void test_bad_usage(void)
{
	static const char body[] =
		"{\"choices\":[{\"message\":{\"content\":\"a\"},\"finish_reason\":\"stop\"}],"
		"\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":1e30,"
		"\"prompt_tokens_details\":{\"cached_tokens\":50},\"cost\":-2.5}}";
	struct llmr_chat_result r;

	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(A, false, body, strlen(body), &r, NULL, NULL), 0, "bad usage: parses");
	is_int(r.usage.cached_tokens, 10, "bad usage: cached tokens within the input");
	is_int(r.usage.output_tokens, LLMR_ADAPTER_MAX_TOKENS, "bad usage: a count past 2^63 saturates");
	ok(r.usage.provider_cost_usd < 0, "bad usage: a negative cost is no cost");
	llmr_chat_result_release(&r);
}

int main(void)
{
	test_bad_usage();
	size_t i;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		test_plain(&plain[i]);
	for (i = 0; i < sizeof(streams) / sizeof(streams[0]); i++)
		test_stream(&streams[i]);
	test_mistral_thinking();
	test_stream_errors();
	test_not_a_stream();
	test_array_content();
	test_errors();
	test_build();
	test_build_fails();
	test_embed();
	return done_testing();
}
