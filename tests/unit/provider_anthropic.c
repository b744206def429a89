/*
 * provider_anthropic.c - the Anthropic adapter against real wire captures
 * (tests/fixtures/wire/anthropic-*, numbers from SOURCES.md).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "provider/adapter.h"
#include "provider/provider.h"
#include "net/sse.h"
#include "replay.h"
#include "tap.h"

static const struct llmr_adapter *A = &llmr_adapter_anthropic;

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
static int feed_pieces(const struct llmr_buf *body, size_t piece, struct llmr_chat_result *r,
		       struct llmr_buf *seen)
{
	struct deltas d = {LLMR_BUF_INIT, 0};
	int rc = replay_pieces(A, body->s, body->len, piece, r, &d);

	llmr_buf_add(seen, d.text.s ? d.text.s : "", d.text.len);
	llmr_buf_release(&d.text);
	return rc;
}

static void test_messages(void)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	struct llmr_chat_result r;

	load("anthropic-messages.json", &b);
	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(A, false, b.s, b.len, &r, NULL, NULL), 0, "messages: parses");
	is_str(r.text.s, "Hello!", "messages: text");
	is_str(r.finish_reason, "stop", "messages: end_turn is stop");
	ok(r.usage_seen, "messages: usage seen");
	is_int(r.usage.input_tokens, 3 + 1217 + 0, "messages: input counts cache reads");
	is_int(r.usage.cached_tokens, 1217, "messages: cached");
	is_int(r.usage.cache_write_tokens, 0, "messages: no cache write");
	is_int(r.usage.output_tokens, 5, "messages: output");
	llmr_chat_result_release(&r);
	llmr_buf_release(&b);
}

static void test_cache_write(void)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	struct llmr_chat_result r;
	struct llmr_model_cfg m = {0};

	load("anthropic-messages-cache-write.json", &b);
	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(A, false, b.s, b.len, &r, NULL, NULL), 0, "cache-write: parses");
	ok(r.text.s && !strncmp(r.text.s, "Python is a beginner-friendly", 29), "cache-write: text");
	is_int(r.usage.input_tokens, 3 + 1111 + 418, "cache-write: input = raw + read + write");
	is_int(r.usage.cached_tokens, 1111, "cache-write: cached");
	is_int(r.usage.cache_write_tokens, 418, "cache-write: cache_write");
	is_int(r.usage.output_tokens, 33, "cache-write: output");
	/* Sonnet-like prices: 3 in, 15 out, 0.30 cache read, 3.75 cache write.
	 * (3*3 + 1111*0.30 + 418*3.75 + 33*15) / 1e6 = (9 + 333.3 + 1567.5 + 495) / 1e6 */
	m.input = 3;
	m.output = 15;
	m.cached_input = 0.30;
	m.cache_write = 3.75;
	is_num(llmr_usage_cost(&m, &r.usage), 2404.8e-6, 1e-12, "cache-write: cost 0.0024048");
	llmr_chat_result_release(&r);
	llmr_buf_release(&b);
}

static const size_t pieces[] = {1, 5, 64, 1 << 20};

static void test_stream(void)
{
	struct llmr_buf b = LLMR_BUF_INIT, seen = LLMR_BUF_INIT;
	struct llmr_chat_result r;
	size_t i;

	load("anthropic-messages-stream.sse", &b);
	for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		llmr_chat_result_init(&r);
		llmr_buf_reset(&seen);
		is_int(feed_pieces(&b, pieces[i], &r, &seen), 1, "stream/%zu: ends on message_stop",
		       pieces[i]);
		ok(r.done, "stream/%zu: done", pieces[i]);
		is_str(r.text.s, "Hello", "stream/%zu: text", pieces[i]);
		is_str(seen.s, "Hello", "stream/%zu: deltas", pieces[i]);
		is_str(r.finish_reason, "stop", "stream/%zu: finish", pieces[i]);
		is_int(r.usage.output_tokens, 4, "stream/%zu: output from message_delta", pieces[i]);
		is_int(r.usage.cached_tokens, 1217, "stream/%zu: cache read", pieces[i]);
		is_int(r.usage.input_tokens, 1220, "stream/%zu: input", pieces[i]);
		is_int(r.err, LLMR_ERR_NONE, "stream/%zu: no error", pieces[i]);
		llmr_chat_result_release(&r);
	}
	/* Through the library's own framing too. */
	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(A, true, b.s, b.len, &r, NULL, NULL), 0, "stream: replay ok");
	is_str(r.text.s, "Hello", "stream: replay text");
	llmr_chat_result_release(&r);
	/* Cut before message_stop: a truncation, not an answer. */
	llmr_chat_result_init(&r);
	ok(strstr(b.s, "event: message_stop") != NULL, "stream: fixture has message_stop");
	is_int(llmr_provider_replay(A, true, b.s, (size_t)(strstr(b.s, "event: message_stop") - b.s),
				    &r, NULL, NULL),
	       -1, "stream: cut before message_stop fails");
	is_int(r.err, LLMR_ERR_PROTOCOL, "stream: cut stream is a protocol error");
	llmr_chat_result_release(&r);
	llmr_buf_release(&seen);
	llmr_buf_release(&b);
}

static void test_stream_toolcall(void)
{
	static const char want[] = "I'll help you find out the current temperature in San "
				   "Francisco. I'll use the get_current_temperature function to "
				   "retrieve this information.";
	struct llmr_buf b = LLMR_BUF_INIT, seen = LLMR_BUF_INIT;
	struct llmr_chat_result r;
	size_t i;

	load("anthropic-messages-stream-toolcall.sse", &b);
	for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		llmr_chat_result_init(&r);
		llmr_buf_reset(&seen);
		is_int(feed_pieces(&b, pieces[i], &r, &seen), 1, "toolcall/%zu: ends", pieces[i]);
		is_str(r.text.s, want, "toolcall/%zu: text without tool JSON", pieces[i]);
		is_str(r.finish_reason, "tool_calls", "toolcall/%zu: tool_use is tool_calls",
		       pieces[i]);
		is_int(r.usage.output_tokens, 85, "toolcall/%zu: output", pieces[i]);
		is_int(r.usage.input_tokens, 351, "toolcall/%zu: input", pieces[i]);
		llmr_chat_result_release(&r);
	}
	llmr_buf_release(&seen);
	llmr_buf_release(&b);
}

static void test_stream_error(void)
{
	struct llmr_buf b = LLMR_BUF_INIT, seen = LLMR_BUF_INIT;
	struct llmr_chat_result r;
	size_t i;

	load("anthropic-stream-error-overloaded.sse", &b);
	for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		llmr_chat_result_init(&r);
		is_int(feed_pieces(&b, pieces[i], &r, &seen), 2, "stream error/%zu: stops", pieces[i]);
		is_int(r.err, LLMR_ERR_OVERLOADED, "stream error/%zu: overloaded", pieces[i]);
		ok(!r.done, "stream error/%zu: not a normal end", pieces[i]);
		llmr_chat_result_release(&r);
	}
	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(A, true, b.s, b.len, &r, NULL, NULL), -1, "stream error: replay fails");
	is_int(r.err, LLMR_ERR_OVERLOADED, "stream error: replay class overloaded");
	ok(r.retryable, "stream error: overload is retryable");
	is_str(r.errmsg, "Overloaded", "stream error: message");
	llmr_chat_result_release(&r);
	llmr_buf_release(&seen);
	llmr_buf_release(&b);
}

/* Block and event types no fixture holds, in the documented shapes. */
static void test_synthetic(void)
{
	static const char body[] =
		"{\"type\":\"message\",\"content\":[{\"type\":\"thinking\",\"thinking\":"
		"\"Let me think\",\"signature\":\"sig\"},{\"type\":\"text\",\"text\":\"Open \"},"
		"{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"hours\",\"input\":{}},"
		"{\"type\":\"text\",\"text\":\"at 9.\"}],\"stop_reason\":\"max_tokens\","
		"\"usage\":{\"input_tokens\":10,\"output_tokens\":20}}";
	static const char stream[] =
		"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":"
		"{\"input_tokens\":7,\"output_tokens\":1}}}\n\n"
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
		"\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"secret plan\"}}\n\n"
		"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,"
		"\"content_block\":{\"type\":\"text\",\"text\":\"Bon\"}}\n\n"
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,"
		"\"delta\":{\"type\":\"text_delta\",\"text\":\"jour\"}}\n\n"
		"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
		"\"stop_sequence\"},\"usage\":{\"output_tokens\":9}}\n\n"
		"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
	struct llmr_chat_result r;

	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(A, false, body, strlen(body), &r, NULL, NULL), 0, "blocks: parses");
	is_str(r.text.s, "Open at 9.", "blocks: thinking and tool_use skipped");
	is_str(r.finish_reason, "length", "blocks: max_tokens is length");
	is_int(r.usage.input_tokens, 10, "blocks: input without cache fields");
	llmr_chat_result_release(&r);
	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(A, true, stream, strlen(stream), &r, NULL, NULL), 0,
	       "thinking stream: ok");
	is_str(r.text.s, "Bonjour", "thinking stream: thinking_delta skipped, block start text kept");
	is_str(r.finish_reason, "stop", "thinking stream: stop_sequence is stop");
	is_int(r.usage.input_tokens, 7, "thinking stream: input kept from message_start");
	is_int(r.usage.output_tokens, 9, "thinking stream: output from message_delta");
	llmr_chat_result_release(&r);
}

static void check_error(long status, const char *body, enum llmr_errclass want, bool retry,
			const char *msg_part, const char *what)
{
	struct llmr_chat_result r;

	llmr_chat_result_init(&r);
	A->parse_error(status, body, strlen(body), &r);
	is_int(r.err, want, "%s: class %s", what, llmr_errclass_name(want));
	is_int(r.retryable, retry, "%s: retryable %d", what, retry);
	ok(strstr(r.errmsg, msg_part) != NULL, "%s: message has '%s' (%s)", what, msg_part, r.errmsg);
	llmr_chat_result_release(&r);
}

static void test_errors(void)
{
	struct llmr_buf b = LLMR_BUF_INIT;

	load("anthropic-error-429.json", &b);
	check_error(429, b.s, LLMR_ERR_RATE_LIMITED, true, "exceed your account's rate limit", "429");
	load("anthropic-error-429-tokens.json", &b);
	check_error(429, b.s, LLMR_ERR_RATE_LIMITED, true, "Number of request tokens", "429 tokens");
	load("anthropic-error-529-overloaded.json", &b);
	check_error(529, b.s, LLMR_ERR_OVERLOADED, true, "Overloaded", "529");
	/* The spend-limit 429 as Anthropic's docs describe it: same type as a
	 * rate limit, told apart by error.details.error_code. */
	check_error(429,
		    "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":"
		    "\"You have reached your monthly spend limit.\",\"details\":{\"error_code\":"
		    "\"enforced_spend_limit_reached\"}},\"request_id\":\"req_x\"}",
		    LLMR_ERR_RATE_LIMITED, false, "spend limit", "429 spend limit");
	check_error(400,
		    "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":"
		    "\"Your credit balance is too low to access the Anthropic API.\"}}",
		    LLMR_ERR_RATE_LIMITED, false, "credit balance", "400 credit balance");
	check_error(401,
		    "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":"
		    "\"invalid x-api-key\"}}",
		    LLMR_ERR_AUTH, false, "invalid x-api-key", "401");
	check_error(413, "<html>Request Entity Too Large</html>", LLMR_ERR_BAD_REQUEST, false,
		    "HTTP 413", "413 from the proxy");
	check_error(529, "", LLMR_ERR_OVERLOADED, true, "HTTP 529", "529 empty body");
	check_error(500,
		    "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal "
		    "server error\"}}",
		    LLMR_ERR_SERVER, true, "Internal", "500");
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
		{"system", "Cite the documents.", NULL, NULL},
		{"user", "Bonjour", NULL, NULL},
		{"assistant", "Bonjour !", NULL, NULL},
		{"user", "Horaires ?", NULL, NULL},
	};
	struct llmr_provider_cfg p = {0};
	struct llmr_chat_req req = {0};
	struct llmr_buf url = LLMR_BUF_INIT, body = LLMR_BUF_INIT;
	struct llmr_headers h = {0};
	struct llmr_err e = {0, ""};
	json_t *j, *sys, *m;
	size_t i;
	bool roles_ok = true;

	p.base_url = "https://api.anthropic.com/";
	req.model = "claude-sonnet-4-5";
	req.system = "You answer for a ressourcerie.";
	req.msgs = msgs;
	req.nmsgs = 4;
	req.temperature = -1;
	req.json = true;
	is_int(A->build_chat(&p, "sk-ant-SECRET123", &req, &url, &h, &body, &e), 0, "build: ok");
	is_str(url.s, "https://api.anthropic.com/v1/messages", "build: URL");
	is_str(hdr(&h, "x-api-key"), "sk-ant-SECRET123", "build: key header");
	is_str(hdr(&h, "anthropic-version"), "2023-06-01", "build: version header");
	is_str(hdr(&h, "content-type"), "application/json", "build: content-type");
	ok(!strstr(body.s, "SECRET") && !strstr(url.s, "SECRET"), "build: key not in body or URL");
	j = json_loads(body.s, 0, NULL);
	ok(json_is_object(j), "build: body is JSON");
	is_str(json_string_value(json_object_get(j, "model")), "claude-sonnet-4-5", "build: model");
	is_int(json_integer_value(json_object_get(j, "max_tokens")), 4096, "build: default max_tokens");
	ok(json_is_false(json_object_get(j, "stream")), "build: stream false");
	ok(!json_object_get(j, "temperature"), "build: no temperature when unset");
	sys = json_object_get(j, "system");
	is_int(json_array_size(sys), 2, "build: cached system block + JSON instruction");
	is_str(json_string_value(json_object_get(json_object_get(json_array_get(sys, 0),
								  "cache_control"), "type")),
	       "ephemeral", "build: cache_control on the system block");
	is_str(json_string_value(json_object_get(json_array_get(sys, 0), "text")),
	       "You answer for a ressourcerie.\n\nCite the documents.",
	       "build: system messages merged into system");
	ok(!json_object_get(json_array_get(sys, 1), "cache_control"),
	   "build: JSON instruction outside the cached prefix");
	ok(strstr(json_string_value(json_object_get(json_array_get(sys, 1), "text")), "JSON") != NULL,
	   "build: JSON instruction");
	m = json_object_get(j, "messages");
	is_int(json_array_size(m), 3, "build: three messages, system removed");
	for (i = 0; i < json_array_size(m); i++)
		roles_ok &= !strcmp(json_string_value(json_object_get(json_array_get(m, i), "role")),
				    msgs[i + 1].role);
	ok(roles_ok, "build: roles kept in order");
	json_decref(j);
	llmr_buf_release(&url);
	llmr_buf_release(&body);
	llmr_headers_release(&h);

	/* No key, no system, streaming, a /v1 base, explicit limits. */
	p.base_url = "http://127.0.0.1:8080/v1";
	req.system = NULL;
	req.msgs = msgs + 1;
	req.nmsgs = 1;
	req.json = false;
	req.stream = true;
	req.max_tokens = 100;
	req.temperature = 0.5;
	is_int(A->build_chat(&p, "", &req, &url, &h, &body, &e), 0, "build 2: ok");
	is_str(url.s, "http://127.0.0.1:8080/v1/messages", "build 2: base with /v1");
	ok(!llmr_headers_get(&h, "x-api-key"), "build 2: no key header without a key");
	j = json_loads(body.s, 0, NULL);
	ok(!json_object_get(j, "system"), "build 2: no system when none");
	ok(json_is_true(json_object_get(j, "stream")), "build 2: stream true");
	is_int(json_integer_value(json_object_get(j, "max_tokens")), 100, "build 2: max_tokens");
	is_num(json_real_value(json_object_get(j, "temperature")), 0.5, 1e-9, "build 2: temperature");
	json_decref(j);
	llmr_buf_release(&url);
	llmr_buf_release(&body);
	llmr_headers_release(&h);

	/* Only a system message: nothing to answer. */
	req.msgs = msgs;
	req.nmsgs = 1;
	is_int(A->build_chat(&p, "", &req, &url, &h, &body, &e), -1, "build 3: no user message fails");
	ok(e.msg[0] != '\0', "build 3: says why (%s)", e.msg);
	llmr_buf_release(&url);
	llmr_buf_release(&body);
	llmr_headers_release(&h);
}

/* Regression: input, cache read and cache write near 2^63 summed into a
 * negative input; cost from the provider may not be negative. */
static void test_huge_usage(void)
{
	static const char body[] =
		"{\"type\":\"message\",\"content\":[{\"type\":\"text\",\"text\":\"a\"}],"
		"\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":9223372036854775807,"
		"\"cache_read_input_tokens\":9223372036854775807,"
		"\"cache_creation_input_tokens\":9223372036854775807,\"output_tokens\":-3}}";
	struct llmr_chat_result r;

	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(A, false, body, strlen(body), &r, NULL, NULL), 0, "huge usage: parses");
	ok(r.usage.input_tokens > 0 && r.usage.input_tokens <= LLMR_ADAPTER_MAX_TOKENS,
	   "huge usage: input saturates, never negative");
	ok(r.usage.cached_tokens + r.usage.cache_write_tokens <= r.usage.input_tokens,
	   "huge usage: cache parts within the input");
	is_int(r.usage.output_tokens, 0, "huge usage: a negative count is no count");
	llmr_chat_result_release(&r);
}

int main(void)
{
	test_messages();
	test_huge_usage();
	test_cache_write();
	test_stream();
	test_stream_toolcall();
	test_stream_error();
	test_synthetic();
	test_errors();
	test_build();
	return done_testing();
}
