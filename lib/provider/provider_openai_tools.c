/*
 * provider_openai_tools.c - what agent clients send, on OpenAI's own wire:
 * it is the shape they send it in, so it goes through as it came, and tool
 * calls come back the same way (message.tool_calls, or delta.tool_calls
 * keyed by index in a stream).
 */
#include <string.h>

#include "provider/adapter.h"
#include "provider/tools.h"

static void copy(json_t *o, const struct llmr_chat_req *req, const char *key)
{
	const json_t *v = llmr_adapter_param(req, key);

	if (v)
		json_object_set_new(o, key, json_deep_copy(v));
}

void openai_agent_fields(json_t *o, const struct llmr_chat_req *req)
{
	const json_t *rf = llmr_adapter_param(req, "response_format");
	static const char *const sampling[] = {"top_p", "stop", "seed", "presence_penalty",
					       "frequency_penalty"};

	if (llmr_adapter_has_tools(req)) {
		copy(o, req, "tools");
		copy(o, req, "tool_choice");
		/* OpenAI refuses parallel_tool_calls without tools. */
		copy(o, req, "parallel_tool_calls");
	}
	/* json_object is req->json; a schema goes as it came. */
	if (rf && !strcmp(json_string_value(json_object_get(rf, "type")) ?
			  json_string_value(json_object_get(rf, "type")) : "", "json_schema"))
		json_object_set_new(o, "response_format", json_deep_copy(rf));
	for (size_t i = 0; i < sizeof(sampling) / sizeof(sampling[0]); i++)
		copy(o, req, sampling[i]);
}

/*
 * One element of tool_calls: opens a call, or (in a stream) adds to the
 * one at its index. A piece without an index (some compatible servers)
 * opens a call when it has an id, else adds to the last one.
 */
static int take_one(const json_t *c, bool delta, struct llmr_chat_result *r)
{
	const json_t *fn = json_object_get(c, "function");
	const json_t *args = json_object_get(fn, "arguments");
	const json_t *idx = json_object_get(c, "index");
	size_t n = json_array_size(r->tool_calls), at;
	const char *a = json_string_value(args);

	if (json_is_integer(idx) && json_integer_value(idx) >= 0)
		at = (size_t)json_integer_value(idx);
	else
		at = json_is_string(json_object_get(c, "id")) || !n ? n : n - 1;
	if (!delta || at >= n)
		return llmr_adapter_tool_start(r, json_string_value(json_object_get(c, "id")),
					       json_string_value(json_object_get(fn, "name")),
					       a ? a : "", a ? json_string_length(args) : 0);
	return llmr_adapter_tool_args(r, at, a ? a : "", a ? json_string_length(args) : 0);
}

int openai_take_tool_calls(const json_t *calls, bool delta, struct llmr_chat_result *r)
{
	const json_t *c;
	size_t i;

	json_array_foreach(calls, i, c)
		if (take_one(c, delta, r) < 0)
			return -1;
	return 0;
}
