/*
 * provider_tools.c - tool calls through every adapter. The real captures
 * with tool calls (OpenAI single, parallel and streamed; Anthropic and
 * Ollama streamed) must come out in OpenAI's shape exactly: the calls of a
 * whole answer equal the capture's message.tool_calls, and the pieces of a
 * stream equal the capture's delta.tool_calls elements (OpenAI) or join to
 * the captured arguments (the others), whatever the size of the network
 * reads. Then the requests: OpenAI's tools, tool_choice, tool messages and
 * sampling parameters translated for each wire, and dropped where the
 * provider documents no such parameter.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "provider/adapter.h"
#include "provider/provider.h"
#include "replay.h"
#include "tap.h"

static void collect(const json_t *delta, void *ud)
{
	json_array_append_new(ud, json_deep_copy(delta));
}

static json_t *load_json(const char *name)
{
	size_t n;
	char *s = fixture(name, &n);
	json_t *j = json_loadb(s, n, 0, NULL);

	free(s);
	return j;
}

/* A whole OpenAI answer: the calls as the capture has them. */
static void test_openai_whole(const char *name, size_t ncalls)
{
	json_t *cap = load_json(name);
	json_t *want = json_object_get(json_object_get(json_array_get(json_object_get(cap, "choices"),
								       0), "message"), "tool_calls");
	struct llmr_chat_result r;
	size_t n;
	char *body = fixture(name, &n);

	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(&llmr_adapter_openai, false, body, n, &r, NULL, NULL), 0,
	       "%s: parsed", name);
	is_int(json_array_size(r.tool_calls), ncalls, "%s: %zu call(s)", name, ncalls);
	ok(json_equal(r.tool_calls, want), "%s: tool_calls round-trip exactly", name);
	is_str(r.finish_reason, "tool_calls", "%s: finish_reason", name);
	is_int(r.text.len, 0, "%s: no text", name);
	llmr_chat_result_release(&r);
	free(body);
	json_decref(cap);
}

/* The capture's delta.tool_calls elements, in order. */
static json_t *openai_stream_pieces(const char *body, size_t n)
{
	json_t *out = json_array();
	const char *p = body, *end = body + n;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (len > 6 && !strncmp(p, "data: {", 7)) {
			json_t *ev = json_loadb(p + 6, len - 6, 0, NULL), *c;
			size_t i;

			json_array_foreach(json_object_get(json_object_get(
				json_array_get(json_object_get(ev, "choices"), 0), "delta"), "tool_calls"),
					   i, c)
				json_array_append(out, c);
			json_decref(ev);
		}
		p += len + 1;
	}
	return out;
}

static void test_openai_stream(void)
{
	static const size_t pieces[] = {1, 7, 64, 1 << 20};
	const char *name = "openai-chat-stream-toolcall.sse";
	size_t n;
	char *body = fixture(name, &n);
	json_t *want = openai_stream_pieces(body, n);

	for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		struct llmr_chat_result r;
		struct deltas d = {LLMR_BUF_INIT, 0};
		json_t *got = json_array();

		llmr_chat_result_init(&r);
		r.on_tool = collect;
		r.tool_ud = got;
		is_int(replay_pieces(&llmr_adapter_openai, body, n, pieces[i], &r, &d), 1,
		       "openai stream (%zu-byte reads): ends on [DONE]", pieces[i]);
		ok(json_array_size(want) == 8 && json_equal(got, want),
		   "  the %zu delta.tool_calls pieces re-emitted exactly", json_array_size(want));
		is_str(json_string_value(json_object_get(json_object_get(json_array_get(r.tool_calls, 0),
									 "function"), "arguments")),
		       "{\"city\":\"New York City\"}", "  arguments joined");
		is_str(r.finish_reason, "tool_calls", "  finish_reason");
		is_int(r.usage.input_tokens * 1000 + r.usage.output_tokens, 44016, "  usage 44/16");
		json_decref(got);
		llmr_buf_release(&d.text);
		llmr_chat_result_release(&r);
	}
	json_decref(want);
	free(body);
}

/* The partial_json pieces of the Anthropic capture, joined. */
static void joined_partial_json(const char *body, size_t n, struct llmr_buf *out)
{
	const char *key = "\"partial_json\":\"";

	for (const char *p = body; (p = strstr(p, key)) && p < body + n;) {
		json_t *s;
		const char *q = p + strlen(key) - 1, *e = q + 1;

		while (*e && *e != '"')
			e += *e == '\\' ? 2 : 1;
		s = json_loadb(q, (size_t)(e - q + 1), JSON_DECODE_ANY, NULL);
		llmr_buf_add(out, json_string_value(s), json_string_length(s));
		json_decref(s);
		p = e;
	}
}

static void test_anthropic_stream(void)
{
	static const size_t pieces[] = {1, 13, 1 << 20};
	const char *name = "anthropic-messages-stream-toolcall.sse";
	struct llmr_buf args = LLMR_BUF_INIT;
	size_t n;
	char *body = fixture(name, &n);

	joined_partial_json(body, n, &args);
	is_str(args.s, "{\"city\": \"San Francisco\"}", "anthropic capture: its partial_json pieces");
	for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		struct llmr_chat_result r;
		struct deltas d = {LLMR_BUF_INIT, 0};
		json_t *got = json_array(), *first, *want;
		struct llmr_buf joined = LLMR_BUF_INIT;
		size_t k;
		json_t *piece;

		llmr_chat_result_init(&r);
		r.on_tool = collect;
		r.tool_ud = got;
		is_int(replay_pieces(&llmr_adapter_anthropic, body, n, pieces[i], &r, &d), 1,
		       "anthropic stream (%zu-byte reads): ends on message_stop", pieces[i]);
		first = json_array_get(got, 0);
		want = json_pack("{s:i, s:s, s:s, s:{s:s, s:s}}", "index", 0, "id",
				 "toolu_01Lfr3kUnHMZApePPRWMv1uS", "type", "function", "function",
				 "name", "get_current_temperature", "arguments", "");
		ok(json_equal(first, want),
		   "  content_block_start tool_use opens call 0 with its id and name");
		json_decref(want);
		json_array_foreach(got, k, piece) {
			const json_t *a = json_object_get(json_object_get(piece, "function"), "arguments");

			if (k && json_integer_value(json_object_get(piece, "index")) == 0 &&
			    !json_object_get(piece, "id"))
				llmr_buf_add(&joined, json_string_value(a), json_string_length(a));
		}
		is_str(joined.s, args.s, "  input_json_delta pieces stream as arguments pieces");
		is_str(json_string_value(json_object_get(json_object_get(json_array_get(r.tool_calls, 0),
									 "function"), "arguments")),
		       args.s, "  the call's arguments");
		ok(!strncmp(d.text.s, "I'll help you find out", 22), "  the text block stays text");
		is_str(r.finish_reason, "tool_calls", "  stop_reason tool_use is finish_reason tool_calls");
		is_int(r.usage.output_tokens, 85, "  output tokens 85");
		json_decref(got);
		llmr_buf_release(&joined);
		llmr_buf_release(&d.text);
		llmr_chat_result_release(&r);
	}
	llmr_buf_release(&args);
	free(body);
}

static void test_ollama_stream(void)
{
	const char *name = "ollama-chat-stream-toolcall.jsonl";
	struct llmr_chat_result r;
	struct deltas d = {LLMR_BUF_INIT, 0};
	json_t *got = json_array(), *call;
	size_t n;
	char *body = fixture(name, &n);

	llmr_chat_result_init(&r);
	r.on_tool = collect;
	r.tool_ud = got;
	is_int(replay_pieces(&llmr_adapter_ollama, body, n, 5, &r, &d), 1, "ollama stream: ends on done");
	call = json_array_get(r.tool_calls, 0);
	is_int(json_array_size(r.tool_calls), 1, "  one call");
	is_str(json_string_value(json_object_get(json_object_get(call, "function"), "name")),
	       "get_weather", "  its name");
	is_str(json_string_value(json_object_get(json_object_get(call, "function"), "arguments")),
	       "{\"city\":\"Tokyo\"}", "  arguments: the object as JSON text");
	ok(!strncmp(json_string_value(json_object_get(call, "id")), "call_", 5),
	   "  an id is made up (Ollama sends none)");
	ok(json_array_size(got) == 1 && json_equal(json_object_get(json_array_get(got, 0), "function"),
						   json_object_get(call, "function")),
	   "  streamed as one whole piece");
	is_str(r.finish_reason, "tool_calls", "  done_reason stop after a call: tool_calls");
	json_decref(got);
	llmr_buf_release(&d.text);
	llmr_chat_result_release(&r);
	free(body);
}

/* Gemini has no capture with a call: the documented part shape. */
static void test_gemini_call(void)
{
	const char *body = "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":["
			   "{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"city\":\"Tokyo\"}}},"
			   "{\"functionCall\":{\"name\":\"get_time\",\"args\":{}}}]},"
			   "\"finishReason\":\"STOP\"}]}";
	struct llmr_chat_result r;

	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(&llmr_adapter_gemini, false, body, strlen(body), &r, NULL, NULL),
	       0, "gemini functionCall parts: parsed");
	is_int(json_array_size(r.tool_calls), 2, "  two parallel calls kept apart");
	is_str(json_string_value(json_object_get(json_object_get(json_array_get(r.tool_calls, 1),
								 "function"), "name")),
	       "get_time", "  in order");
	is_str(r.finish_reason, "tool_calls", "  STOP after calls: tool_calls");
	llmr_chat_result_release(&r);
}

/* Gemini streams each call whole in a functionCall part. */
static void test_gemini_stream(void)
{
	const char *body =
		"data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Checking.\"}]}}]}\r\n\r\n"
		"data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"functionCall\":"
		"{\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\"}}}]},\"finishReason\":\"STOP\"}]}\r\n\r\n";
	struct llmr_chat_result r;
	struct deltas d = {LLMR_BUF_INIT, 0};
	json_t *got = json_array();

	llmr_chat_result_init(&r);
	r.on_tool = collect;
	r.tool_ud = got;
	is_int(replay_pieces(&llmr_adapter_gemini, body, strlen(body), 9, &r, &d), 1,
	       "gemini stream: ends on finishReason");
	is_str(d.text.s, "Checking.", "  the text part streams as text");
	is_int(json_array_size(got), 1, "  the functionCall part is one whole piece");
	is_str(json_string_value(json_object_get(json_object_get(json_array_get(got, 0), "function"),
						 "arguments")),
	       "{\"city\":\"Paris\"}", "  args as JSON text");
	is_str(r.finish_reason, "tool_calls", "  finish_reason tool_calls");
	json_decref(got);
	llmr_buf_release(&d.text);
	llmr_chat_result_release(&r);
}

/* Anthropic's whole answer has no capture with a call: the documented
 * tool_use block (type, id, name, input). */
static void test_anthropic_whole(void)
{
	const char *body = "{\"type\":\"message\",\"role\":\"assistant\",\"content\":["
			   "{\"type\":\"text\",\"text\":\"Let me check.\"},"
			   "{\"type\":\"tool_use\",\"id\":\"toolu_A\",\"name\":\"get_weather\","
			   "\"input\":{\"city\":\"Oslo\"}},"
			   "{\"type\":\"tool_use\",\"id\":\"toolu_B\",\"name\":\"get_time\",\"input\":{}}],"
			   "\"stop_reason\":\"tool_use\",\"usage\":{\"input_tokens\":10,\"output_tokens\":20}}";
	struct llmr_chat_result r;

	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(&llmr_adapter_anthropic, false, body, strlen(body), &r, NULL,
				    NULL), 0, "anthropic tool_use blocks: parsed");
	is_int(json_array_size(r.tool_calls), 2, "  two calls kept apart");
	is_str(json_string_value(json_object_get(json_array_get(r.tool_calls, 0), "id")), "toolu_A",
	       "  ids kept");
	is_str(json_string_value(json_object_get(json_object_get(json_array_get(r.tool_calls, 1),
								 "function"), "arguments")),
	       "{}", "  an empty input is {}");
	is_str(r.text.s, "Let me check.", "  the text block is the text");
	is_str(r.finish_reason, "tool_calls", "  stop_reason tool_use: tool_calls");
	llmr_chat_result_release(&r);
}

/* A compatible server that streams calls without an index: an id opens
 * a call, a piece without one adds to the last. */
static void test_openai_no_index(void)
{
	const char *body =
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"id\":\"a\",\"type\":\"function\","
		"\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"x\\\"\"}}]}}]}\n\n"
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\":1}\"}}]}}]}\n\n"
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"id\":\"b\",\"type\":\"function\","
		"\"function\":{\"name\":\"g\",\"arguments\":\"{}\"}}]},\"finish_reason\":\"tool_calls\"}]}\n\n"
		"data: [DONE]\n\n";
	struct llmr_chat_result r;
	struct deltas d = {LLMR_BUF_INIT, 0};

	llmr_chat_result_init(&r);
	is_int(replay_pieces(&llmr_adapter_openai, body, strlen(body), 1 << 20, &r, &d), 1,
	       "openai stream without index: read");
	is_int(json_array_size(r.tool_calls), 2, "  two calls");
	is_str(json_string_value(json_object_get(json_object_get(json_array_get(r.tool_calls, 0),
								 "function"), "arguments")),
	       "{\"x\":1}", "  the first one's pieces joined");
	llmr_buf_release(&d.text);
	llmr_chat_result_release(&r);
}

int main(void)
{
	test_openai_whole("openai-chat-toolcall.json", 1);
	test_openai_whole("openai-chat-toolcall-parallel.json", 2);
	test_openai_stream();
	test_anthropic_stream();
	test_ollama_stream();
	test_gemini_call();
	test_gemini_stream();
	test_anthropic_whole();
	test_openai_no_index();
	return done_testing();
}
