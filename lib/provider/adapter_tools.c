/*
 * adapter_tools.c - tool calls in OpenAI's shape, whatever the wire: the
 * adapters open calls and add argument pieces here, which keeps
 * r->tool_calls and hands each piece to the stream's reader as an element
 * of OpenAI's delta.tool_calls. Parallel calls stay apart by index.
 */
#include "provider/adapter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The most calls one answer may carry, and argument bytes per call. */
#define TOOL_CALLS_MAX 128
#define TOOL_ARGS_MAX (1u << 20)

static void emit(struct llmr_chat_result *r, json_t *delta)
{
	if (r->on_tool && delta)
		r->on_tool(delta, r->tool_ud);
	json_decref(delta);
}

int llmr_adapter_tool_start(struct llmr_chat_result *r, const char *id, const char *name,
			    const char *args, size_t n)
{
	char made[48], rid[40];
	size_t index;
	json_t *call;

	if (!r->tool_calls)
		r->tool_calls = json_array();
	index = json_array_size(r->tool_calls);
	if (index >= TOOL_CALLS_MAX || n > TOOL_ARGS_MAX)
		return llmr_adapter_fail(r, LLMR_ERR_PROTOCOL, "too many or too large tool calls");
	if (!id || !*id) {
		llmr_new_request_id(rid);
		snprintf(made, sizeof(made), "call_%s", rid);
		id = made;
	}
	call = json_pack("{s:s, s:s, s:{s:s, s:s#}}", "id", id, "type", "function", "function",
			 "name", name ? name : "", "arguments", args ? args : "", n);
	if (!call)
		return llmr_adapter_fail(r, LLMR_ERR_PROTOCOL, "tool call is not valid UTF-8");
	json_array_append_new(r->tool_calls, call);
	emit(r, json_pack("{s:I, s:s, s:s, s:{s:s, s:s#}}", "index", (json_int_t)index, "id", id,
			  "type", "function", "function", "name", name ? name : "", "arguments",
			  args ? args : "", n));
	return 0;
}

int llmr_adapter_tool_args(struct llmr_chat_result *r, size_t index, const char *args, size_t n)
{
	json_t *fn = json_object_get(json_array_get(r->tool_calls, index), "function");
	const char *old = json_string_value(json_object_get(fn, "arguments"));
	size_t len = json_string_length(json_object_get(fn, "arguments"));
	char *joined;
	json_t *s;

	if (!fn || !old)
		return llmr_adapter_fail(r, LLMR_ERR_PROTOCOL, "arguments for a tool call never opened");
	if (!n)
		return 0;
	if (len + n > TOOL_ARGS_MAX)
		return llmr_adapter_fail(r, LLMR_ERR_PROTOCOL, "tool call arguments too large");
	joined = llmr_xmalloc(len + n + 1);
	memcpy(joined, old, len);
	memcpy(joined + len, args, n);
	s = json_stringn(joined, len + n);
	free(joined);
	if (!s)
		return llmr_adapter_fail(r, LLMR_ERR_PROTOCOL, "tool call is not valid UTF-8");
	json_object_set_new(fn, "arguments", s);
	emit(r, json_pack("{s:I, s:{s:s#}}", "index", (json_int_t)index, "function", "arguments",
			  args, n));
	return 0;
}

int llmr_adapter_tool_whole(struct llmr_chat_result *r, const char *id, const char *name,
			    const json_t *args)
{
	char *s = args ? json_dumps(args, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	int rc = llmr_adapter_tool_start(r, id, name, s ? s : "{}", s ? strlen(s) : 2);

	free(s);
	return rc;
}

const json_t *llmr_adapter_param(const struct llmr_chat_req *req, const char *key)
{
	const json_t *v = req->params ? json_object_get(req->params, key) : NULL;

	return json_is_null(v) ? NULL : v;
}

bool llmr_adapter_has_tools(const struct llmr_chat_req *req)
{
	return json_array_size(llmr_adapter_param(req, "tools")) > 0;
}

const char *llmr_adapter_tool_name(const struct llmr_chat_req *req, size_t at, const char *id)
{
	for (size_t i = at; id && i-- > 0;) {
		const json_t *call;
		size_t j;

		json_array_foreach(req->msgs[i].tool_calls, j, call) {
			const char *cid = json_string_value(json_object_get(call, "id"));

			if (cid && !strcmp(cid, id))
				return json_string_value(
					json_object_get(json_object_get(call, "function"), "name"));
		}
	}
	return NULL;
}

json_t *llmr_adapter_args_object(const json_t *call)
{
	const char *s = json_string_value(json_object_get(json_object_get(call, "function"),
							  "arguments"));
	json_t *o;

	if (!s || !*s)
		return json_object();
	o = json_loads(s, 0, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *llmr_adapter_stop_array(const struct llmr_chat_req *req)
{
	const json_t *stop = llmr_adapter_param(req, "stop");

	if (json_is_string(stop))
		return json_pack("[O]", stop);
	return json_array_size(stop) ? json_deep_copy(stop) : NULL;
}

const char *llmr_adapter_forced_tool(const struct llmr_chat_req *req)
{
	const json_t *tc = llmr_adapter_param(req, "tool_choice");

	return json_string_value(json_object_get(json_object_get(tc, "function"), "name"));
}
