/*
 * provider_tools_build.c - one OpenAI-shaped tool exchange (tools,
 * tool_choice, an assistant's call, its result, sampling parameters) as
 * each adapter writes it on its wire, and what each drops.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider/adapter.h"
#include "provider/provider.h"
#include "tap.h"

static const char *const PARAMS =
	"{\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
	"\"description\":\"Weather of a city\",\"parameters\":{\"type\":\"object\","
	"\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"],"
	"\"additionalProperties\":false}}}],"
	"\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}},"
	"\"parallel_tool_calls\":false,\"top_p\":0.9,\"seed\":7,\"stop\":\"END\","
	"\"presence_penalty\":0.5,\"frequency_penalty\":0.25}";
static const char *const CALLS =
	"[{\"id\":\"call_x9KzZUT3UYazEUJiRmE0PvaU\",\"type\":\"function\",\"function\":"
	"{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Tokyo\\\"}\"}}]";

static json_t *params, *calls;

/* Build with adapter a; the body as JSON (new reference). */
static json_t *build(const struct llmr_adapter *a, const char *tool_result, double temperature)
{
	struct llmr_msg msgs[] = {
		{"user", "Weather in Tokyo?", NULL, NULL},
		{"assistant", "", calls, NULL},
		{"tool", tool_result, NULL, "call_x9KzZUT3UYazEUJiRmE0PvaU"},
	};
	struct llmr_chat_req req = {0};
	struct llmr_provider_cfg p = {0};
	struct llmr_buf url = LLMR_BUF_INIT, body = LLMR_BUF_INIT;
	struct llmr_headers h = {0};
	struct llmr_err e = {0, ""};
	json_t *j = NULL;

	p.base_url = "http://127.0.0.1:9/v1";
	req.model = "m";
	req.msgs = msgs;
	req.nmsgs = 3;
	req.temperature = temperature;
	req.params = params;
	if (a->build_chat(&p, "k", &req, &url, &h, &body, &e) == 0)
		j = json_loads(body.s, 0, NULL);
	else
		printf("# %s: %s\n", a->protocol, e.msg);
	llmr_buf_release(&url);
	llmr_buf_release(&body);
	llmr_headers_release(&h);
	return j;
}

static const char *s_at(const json_t *o, const char *path)
{
	json_t *v = json_object_get(o, path);

	return json_string_value(v);
}

static void test_openai(void)
{
	json_t *b = build(&llmr_adapter_openai, "{\"temp\":21}", -1), *m1, *m2;

	ok(json_equal(json_object_get(b, "tools"), json_object_get(params, "tools")),
	   "openai: tools as sent");
	ok(json_equal(json_object_get(b, "tool_choice"), json_object_get(params, "tool_choice")),
	   "openai: tool_choice as sent");
	ok(json_is_false(json_object_get(b, "parallel_tool_calls")), "openai: parallel_tool_calls");
	m1 = json_array_get(json_object_get(b, "messages"), 1);
	m2 = json_array_get(json_object_get(b, "messages"), 2);
	ok(json_equal(json_object_get(m1, "tool_calls"), calls) &&
	   json_is_null(json_object_get(m1, "content")),
	   "openai: the assistant's tool_calls, content null");
	is_str(s_at(m2, "tool_call_id"), "call_x9KzZUT3UYazEUJiRmE0PvaU", "openai: the tool message");
	ok(json_is_real(json_object_get(b, "top_p")) && json_integer_value(json_object_get(b, "seed")) == 7 &&
	   json_is_string(json_object_get(b, "stop")) && json_object_get(b, "presence_penalty") &&
	   json_object_get(b, "frequency_penalty"), "openai: sampling parameters");
	json_decref(b);
}

static void test_anthropic(void)
{
	json_t *b = build(&llmr_adapter_anthropic, "21 degrees", 0.2), *msgs, *use, *res, *t;

	t = json_array_get(json_object_get(b, "tools"), 0);
	is_str(s_at(t, "name"), "get_weather", "anthropic: tools[0].name");
	ok(json_equal(json_object_get(t, "input_schema"),
		      json_object_get(json_object_get(json_array_get(json_object_get(params, "tools"), 0),
						      "function"), "parameters")),
	   "anthropic: parameters become input_schema");
	is_str(s_at(json_object_get(b, "tool_choice"), "type"), "tool", "anthropic: a forced function is type tool");
	is_str(s_at(json_object_get(b, "tool_choice"), "name"), "get_weather", "  with its name");
	ok(json_is_true(json_object_get(json_object_get(b, "tool_choice"), "disable_parallel_tool_use")),
	   "anthropic: parallel_tool_calls false is disable_parallel_tool_use");
	msgs = json_object_get(b, "messages");
	use = json_array_get(json_object_get(json_array_get(msgs, 1), "content"), 0);
	is_str(s_at(use, "type"), "tool_use", "anthropic: the call is a tool_use block");
	is_str(s_at(use, "id"), "call_x9KzZUT3UYazEUJiRmE0PvaU", "  its id kept");
	is_str(s_at(json_object_get(use, "input"), "city"), "Tokyo", "  input is an object");
	res = json_array_get(json_object_get(json_array_get(msgs, 2), "content"), 0);
	is_str(s_at(json_array_get(msgs, 2), "role"), "user", "anthropic: the result goes in a user turn");
	is_str(s_at(res, "type"), "tool_result", "  as a tool_result block");
	is_str(s_at(res, "tool_use_id"), "call_x9KzZUT3UYazEUJiRmE0PvaU", "  answering the call");
	is_str(json_string_value(json_array_get(json_object_get(b, "stop_sequences"), 0)), "END",
	       "anthropic: stop is stop_sequences");
	ok(!json_object_get(b, "seed") && !json_object_get(b, "presence_penalty") &&
	   !json_object_get(b, "frequency_penalty") && !json_object_get(b, "top_p") &&
	   !json_object_get(b, "parallel_tool_calls"),
	   "anthropic: seed, penalties and (beside temperature) top_p dropped");
	json_decref(b);
}

static void test_gemini(void)
{
	json_t *b = build(&llmr_adapter_gemini, "21 degrees", -1), *c, *fc, *fr, *gc, *decl;

	decl = json_array_get(json_object_get(json_array_get(json_object_get(b, "tools"), 0),
					      "functionDeclarations"), 0);
	is_str(s_at(decl, "name"), "get_weather", "gemini: a functionDeclaration");
	ok(json_object_get(json_object_get(decl, "parametersJsonSchema"), "additionalProperties"),
	   "  JSON Schema as sent, in parametersJsonSchema");
	is_str(s_at(json_object_get(json_object_get(b, "toolConfig"), "functionCallingConfig"), "mode"),
	       "ANY", "gemini: a forced function is mode ANY");
	c = json_object_get(b, "contents");
	fc = json_object_get(json_array_get(json_object_get(json_array_get(c, 1), "parts"), 0),
			     "functionCall");
	is_str(s_at(json_array_get(c, 1), "role"), "model", "gemini: the call in a model turn");
	is_str(s_at(json_object_get(fc, "args"), "city"), "Tokyo", "  as functionCall args");
	fr = json_object_get(json_array_get(json_object_get(json_array_get(c, 2), "parts"), 0),
			     "functionResponse");
	is_str(s_at(fr, "name"), "get_weather", "gemini: the result named after its call");
	is_str(s_at(json_object_get(fr, "response"), "output"), "21 degrees", "  text as {output}");
	gc = json_object_get(b, "generationConfig");
	ok(json_object_get(gc, "topP") && json_object_get(gc, "seed") &&
	   json_object_get(gc, "stopSequences") && json_object_get(gc, "presencePenalty") &&
	   json_object_get(gc, "frequencyPenalty"), "gemini: sampling in generationConfig");
	json_decref(b);
}

static void test_ollama(void)
{
	json_t *b = build(&llmr_adapter_ollama, "21 degrees", -1), *m1, *m2, *opts;

	ok(json_equal(json_object_get(b, "tools"), json_object_get(params, "tools")),
	   "ollama: tools as sent");
	ok(!json_object_get(b, "tool_choice"), "ollama: tool_choice dropped (none in its API)");
	m1 = json_array_get(json_object_get(b, "messages"), 1);
	is_str(s_at(json_object_get(json_object_get(json_array_get(json_object_get(m1, "tool_calls"), 0),
						    "function"), "arguments"), "city"),
	       "Tokyo", "ollama: call arguments as an object");
	m2 = json_array_get(json_object_get(b, "messages"), 2);
	is_str(s_at(m2, "tool_name"), "get_weather", "ollama: the result's tool_name");
	ok(!json_object_get(m2, "tool_call_id"), "  no tool_call_id");
	opts = json_object_get(b, "options");
	ok(json_object_get(opts, "top_p") && json_object_get(opts, "seed") &&
	   json_is_array(json_object_get(opts, "stop")), "ollama: sampling under options");
	json_decref(b);
}

static void test_choices(void)
{
	json_t *b;

	json_object_set_new(params, "tool_choice", json_string("required"));
	b = build(&llmr_adapter_anthropic, "x", -1);
	is_str(s_at(json_object_get(b, "tool_choice"), "type"), "any", "required: anthropic any");
	ok(json_is_real(json_object_get(b, "top_p")), "anthropic: top_p kept without temperature");
	json_decref(b);
	b = build(&llmr_adapter_gemini, "{\"temp\":21}", -1);
	is_str(s_at(json_object_get(json_object_get(b, "toolConfig"), "functionCallingConfig"), "mode"),
	       "ANY", "required: gemini ANY");
	is_int(json_integer_value(json_object_get(json_object_get(json_object_get(
		       json_array_get(json_object_get(json_array_get(json_object_get(b, "contents"), 2),
						      "parts"), 0), "functionResponse"), "response"),
		       "temp")), 21, "gemini: a JSON object result is the response itself");
	json_decref(b);
	json_object_set_new(params, "tool_choice", json_string("none"));
	b = build(&llmr_adapter_anthropic, "x", -1);
	is_str(s_at(json_object_get(b, "tool_choice"), "type"), "none", "none: anthropic none");
	json_decref(b);
}

int main(void)
{
	params = json_loads(PARAMS, 0, NULL);
	calls = json_loads(CALLS, 0, NULL);
	test_openai();
	test_anthropic();
	test_gemini();
	test_ollama();
	test_choices();
	json_decref(params);
	json_decref(calls);
	return done_testing();
}
