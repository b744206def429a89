/*
 * provider_anthropic_tools.c - OpenAI's tools on the Messages API:
 * function tools become {name, description, input_schema}; an assistant's
 * tool_calls become tool_use blocks (input an object, not text); tool
 * messages become tool_result blocks in a user turn (consecutive results
 * share one); tool_choice auto/required/none/a function becomes
 * {"type": auto/any/none/tool}, parallel_tool_calls false becomes
 * disable_parallel_tool_use. stop becomes stop_sequences. Dropped, as
 * Anthropic documents no such parameter: seed, presence_penalty,
 * frequency_penalty; top_p when temperature is set (recent models refuse
 * both); a JSON schema goes into the system prompt (no native field).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider/adapter.h"
#include "provider/tools.h"

/* An assistant turn: its text, then a tool_use block per call. */
static json_t *assistant_blocks(const struct llmr_msg *m, size_t i, struct llmr_err *e)
{
	json_t *blocks = json_array(), *call, *input;
	size_t j;

	if (*m->content)
		json_array_append_new(blocks, json_pack("{s:s, s:s}", "type", "text", "text",
							m->content));
	json_array_foreach(m->tool_calls, j, call) {
		const json_t *fn = json_object_get(call, "function");

		if (!(input = llmr_adapter_args_object(call))) {
			json_decref(blocks);
			llmr_errf(e, LLMR_EX_DATAERR,
				  "anthropic: message %zu: tool call %zu: arguments are not a JSON object",
				  i + 1, j + 1);
			return NULL;
		}
		json_array_append_new(blocks, json_pack("{s:s, s:O?, s:O?, s:o}", "type", "tool_use",
							"id", json_object_get(call, "id"), "name",
							json_object_get(fn, "name"), "input", input));
	}
	return json_pack("{s:s, s:o}", "role", "assistant", "content", blocks);
}

/* A tool result joins the user turn of the results just before it. */
static void add_result(json_t *arr, const struct llmr_msg *m)
{
	json_t *last = json_array_get(arr, json_array_size(arr) - 1);
	json_t *content = json_object_get(last, "content");
	json_t *blk = json_pack("{s:s, s:s, s:s}", "type", "tool_result", "tool_use_id",
				m->tool_call_id ? m->tool_call_id : "", "content", m->content);

	if (last && !strcmp(json_string_value(json_object_get(last, "role")), "user") &&
	    json_is_array(content) &&
	    !strcmp(json_string_value(json_object_get(json_array_get(content, 0), "type")) ?
		    json_string_value(json_object_get(json_array_get(content, 0), "type")) : "",
		    "tool_result"))
		json_array_append_new(content, blk);
	else
		json_array_append_new(arr, json_pack("{s:s, s:[o]}", "role", "user", "content", blk));
}

json_t *anthropic_messages(const struct llmr_chat_req *req, struct llmr_err *e)
{
	json_t *arr = json_array(), *m;
	size_t i;

	for (i = 0; i < req->nmsgs; i++) {
		const struct llmr_msg *msg = &req->msgs[i];

		if (!strcmp(msg->role, "system"))
			continue;
		if (!strcmp(msg->role, "tool")) {
			add_result(arr, msg);
			continue;
		}
		if (strcmp(msg->role, "user") && strcmp(msg->role, "assistant")) {
			json_decref(arr);
			llmr_errf(e, LLMR_EX_DATAERR, "anthropic: unsupported message role '%s'",
				  msg->role);
			return NULL;
		}
		if (json_array_size(msg->tool_calls))
			m = assistant_blocks(msg, i, e);
		else
			m = json_pack("{s:s, s:s}", "role", msg->role, "content", msg->content);
		if (!m) {
			json_decref(arr);
			if (!e->msg[0])
				llmr_errf(e, LLMR_EX_DATAERR, "anthropic: message %zu is not valid UTF-8",
					  i + 1);
			return NULL;
		}
		json_array_append_new(arr, m);
	}
	if (!json_array_size(arr)) {
		json_decref(arr);
		llmr_errf(e, LLMR_EX_DATAERR, "anthropic: no user message to send");
		return NULL;
	}
	return arr;
}

static json_t *tools_json(const json_t *tools)
{
	json_t *out = json_array(), *t;
	size_t i;

	json_array_foreach(tools, i, t) {
		const json_t *fn = json_object_get(t, "function");
		const json_t *params = json_object_get(fn, "parameters");
		json_t *o = json_pack("{s:O?}", "name", json_object_get(fn, "name"));

		if (json_is_string(json_object_get(fn, "description")))
			json_object_set(o, "description", json_object_get(fn, "description"));
		json_object_set_new(o, "input_schema",
				    json_is_object(params) ? json_deep_copy(params)
							   : json_pack("{s:s, s:{}}", "type", "object",
								       "properties"));
		json_array_append_new(out, o);
	}
	return out;
}

static json_t *tool_choice_json(const struct llmr_chat_req *req)
{
	const json_t *tc = llmr_adapter_param(req, "tool_choice");
	const json_t *par = llmr_adapter_param(req, "parallel_tool_calls");
	const char *word = json_string_value(tc), *forced = llmr_adapter_forced_tool(req);
	json_t *o = NULL;

	if (forced)
		o = json_pack("{s:s, s:s}", "type", "tool", "name", forced);
	else if (word && !strcmp(word, "required"))
		o = json_pack("{s:s}", "type", "any");
	else if (word && !strcmp(word, "none"))
		return json_pack("{s:s}", "type", "none");
	else if (tc || json_is_false(par))
		o = json_pack("{s:s}", "type", "auto");
	if (o && json_is_false(par))
		json_object_set_new(o, "disable_parallel_tool_use", json_true());
	return o;
}

/* The schema asked for, as an instruction after the cached system block. */
static void schema_instruction(json_t *root, const struct llmr_chat_req *req)
{
	const json_t *js = json_object_get(llmr_adapter_param(req, "response_format"), "json_schema");
	const json_t *schema = json_object_get(js, "schema");
	json_t *sys = json_object_get(root, "system");
	char *text, *s;

	if (!json_is_object(schema) || !(s = json_dumps(schema, JSON_COMPACT)))
		return;
	text = llmr_xmalloc(strlen(s) + 64);
	sprintf(text, "The JSON object must match this JSON Schema: %s", s);
	if (!json_is_array(sys)) {
		sys = json_array();
		json_object_set_new(root, "system", sys);
	}
	json_array_append_new(sys, json_pack("{s:s, s:s}", "type", "text", "text", text));
	free(text);
	free(s);
}

void anthropic_agent_fields(json_t *root, const struct llmr_chat_req *req)
{
	const json_t *top_p = llmr_adapter_param(req, "top_p");
	json_t *v;

	if (llmr_adapter_has_tools(req)) {
		json_object_set_new(root, "tools", tools_json(llmr_adapter_param(req, "tools")));
		if ((v = tool_choice_json(req)))
			json_object_set_new(root, "tool_choice", v);
	}
	if ((v = llmr_adapter_stop_array(req)))
		json_object_set_new(root, "stop_sequences", v);
	if (top_p && req->temperature < 0)
		json_object_set_new(root, "top_p", json_deep_copy(top_p));
	schema_instruction(root, req);
}
