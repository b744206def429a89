/*
 * provider_gemini_tools.c - OpenAI's tools on generateContent: function
 * tools become one {"functionDeclarations": [...]} tool whose parameters
 * go in parametersJsonSchema (JSON Schema as sent, where "parameters"
 * takes only an OpenAPI subset); tool_choice becomes
 * toolConfig.functionCallingConfig (auto AUTO, required ANY, none NONE, a
 * function ANY with allowedFunctionNames); an assistant's tool calls
 * become functionCall parts of a "model" turn, tool messages
 * functionResponse parts of a "user" turn, named after the call they
 * answer (Gemini matches results by name). Sampling goes into
 * generationConfig (topP, stopSequences, seed, presencePenalty,
 * frequencyPenalty); a JSON schema into responseJsonSchema.
 * parallel_tool_calls has no Gemini counterpart and is dropped.
 */
#include <string.h>

#include "provider/adapter.h"
#include "provider/tools.h"

static json_t *text_part(const char *text)
{
	return json_pack("{s:s}", "text", text ? text : "");
}

static json_t *model_turn(const struct llmr_msg *m, size_t i, struct llmr_err *e)
{
	json_t *parts = json_array(), *call, *args;
	size_t j;

	if (*m->content)
		json_array_append_new(parts, text_part(m->content));
	json_array_foreach(m->tool_calls, j, call) {
		if (!(args = llmr_adapter_args_object(call))) {
			json_decref(parts);
			llmr_errf(e, LLMR_EX_DATAERR,
				  "gemini: message %zu: tool call %zu: arguments are not a JSON object",
				  i + 1, j + 1);
			return NULL;
		}
		json_array_append_new(parts, json_pack("{s:{s:O?, s:o}}", "functionCall", "name",
						       json_object_get(json_object_get(call, "function"),
								       "name"),
						       "args", args));
	}
	if (!json_array_size(parts))
		json_array_append_new(parts, text_part(""));
	return json_pack("{s:s, s:o}", "role", "model", "parts", parts);
}

/* A result: its JSON object as it is, other text as {"output": text}. */
static json_t *response_part(const struct llmr_chat_req *req, size_t i)
{
	const struct llmr_msg *m = &req->msgs[i];
	const char *name = llmr_adapter_tool_name(req, i, m->tool_call_id);
	json_t *resp = json_loads(m->content, 0, NULL);

	if (!json_is_object(resp)) {
		json_decref(resp);
		resp = json_pack("{s:s}", "output", m->content);
	}
	return json_pack("{s:{s:s, s:o}}", "functionResponse", "name", name ? name : "", "response",
			 resp);
}

json_t *gemini_contents(const struct llmr_chat_req *req, struct llmr_err *e)
{
	json_t *arr = json_array(), *turn, *last;
	size_t i;

	for (i = 0; i < req->nmsgs; i++) {
		const struct llmr_msg *m = &req->msgs[i];

		if (!strcmp(m->role, "system"))
			continue;
		if (!strcmp(m->role, "tool")) {
			last = json_array_get(arr, json_array_size(arr) - 1);
			/* Results of one turn's calls go back together. */
			if (last && json_object_get(json_array_get(json_object_get(last, "parts"), 0),
						    "functionResponse"))
				json_array_append_new(json_object_get(last, "parts"),
						      response_part(req, i));
			else
				json_array_append_new(arr, json_pack("{s:s, s:[o]}", "role", "user",
								     "parts", response_part(req, i)));
			continue;
		}
		if (!strcmp(m->role, "user"))
			turn = json_pack("{s:s, s:[o]}", "role", "user", "parts", text_part(m->content));
		else if (!strcmp(m->role, "assistant"))
			turn = model_turn(m, i, e);
		else {
			json_decref(arr);
			llmr_errf(e, LLMR_EX_DATAERR, "gemini: unsupported message role '%s'", m->role);
			return NULL;
		}
		if (!turn) {
			json_decref(arr);
			if (!e->msg[0])
				llmr_errf(e, LLMR_EX_DATAERR, "gemini: message %zu is not valid UTF-8", i + 1);
			return NULL;
		}
		json_array_append_new(arr, turn);
	}
	if (!json_array_size(arr)) {
		json_decref(arr);
		llmr_errf(e, LLMR_EX_DATAERR, "gemini: no user message to send");
		return NULL;
	}
	return arr;
}

static json_t *declarations(const json_t *tools)
{
	json_t *out = json_array(), *t;
	size_t i;

	json_array_foreach(tools, i, t) {
		const json_t *fn = json_object_get(t, "function");
		json_t *d = json_pack("{s:O?}", "name", json_object_get(fn, "name"));

		if (json_is_string(json_object_get(fn, "description")))
			json_object_set(d, "description", json_object_get(fn, "description"));
		if (json_is_object(json_object_get(fn, "parameters")))
			json_object_set_new(d, "parametersJsonSchema",
					    json_deep_copy(json_object_get(fn, "parameters")));
		json_array_append_new(out, d);
	}
	return json_pack("[{s:o}]", "functionDeclarations", out);
}

static json_t *tool_config(const struct llmr_chat_req *req)
{
	const char *word = json_string_value(llmr_adapter_param(req, "tool_choice"));
	const char *forced = llmr_adapter_forced_tool(req);

	if (forced)
		return json_pack("{s:{s:s, s:[s]}}", "functionCallingConfig", "mode", "ANY",
				 "allowedFunctionNames", forced);
	if (!word)
		return NULL;
	return json_pack("{s:{s:s}}", "functionCallingConfig", "mode",
			 !strcmp(word, "required") ? "ANY" : !strcmp(word, "none") ? "NONE" : "AUTO");
}

void gemini_agent_fields(json_t *root, json_t *gc, const struct llmr_chat_req *req)
{
	static const struct {
		const char *openai, *gemini;
	} names[] = {{"top_p", "topP"}, {"seed", "seed"}, {"presence_penalty", "presencePenalty"},
		     {"frequency_penalty", "frequencyPenalty"}};
	const json_t *schema = json_object_get(
		json_object_get(llmr_adapter_param(req, "response_format"), "json_schema"), "schema");
	json_t *v;

	if (llmr_adapter_has_tools(req)) {
		json_object_set_new(root, "tools", declarations(llmr_adapter_param(req, "tools")));
		if ((v = tool_config(req)))
			json_object_set_new(root, "toolConfig", v);
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((v = (json_t *)llmr_adapter_param(req, names[i].openai)))
			json_object_set_new(gc, names[i].gemini, json_deep_copy(v));
	if ((v = llmr_adapter_stop_array(req)))
		json_object_set_new(gc, "stopSequences", v);
	if (json_is_object(schema)) {
		json_object_set_new(gc, "responseMimeType", json_string("application/json"));
		json_object_set_new(gc, "responseJsonSchema", json_deep_copy(schema));
	}
}
