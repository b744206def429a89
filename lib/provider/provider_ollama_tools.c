/*
 * provider_ollama_tools.c - OpenAI's tools on Ollama's /api/chat: tools go
 * as they are (Ollama takes OpenAI's shape); an assistant's tool calls go
 * with their arguments as a JSON object, not text; a tool message carries
 * the function's name in tool_name. Sampling goes under "options" (top_p,
 * stop, seed, presence_penalty, frequency_penalty); a JSON schema is the
 * "format". Dropped, as Ollama's API has neither: tool_choice and
 * parallel_tool_calls.
 */
#include <string.h>

#include "provider/adapter.h"
#include "provider/tools.h"

static int convert_calls(json_t *m, size_t i, struct llmr_err *e)
{
	json_t *calls = json_object_get(m, "tool_calls"), *call, *out = json_array(), *args;
	size_t j;

	json_array_foreach(calls, j, call) {
		if (!(args = llmr_adapter_args_object(call))) {
			json_decref(out);
			return llmr_errf(e, LLMR_EX_DATAERR,
					 "ollama: message %zu: tool call %zu: arguments are not a JSON "
					 "object", i + 1, j + 1);
		}
		json_array_append_new(out, json_pack("{s:{s:O?, s:o}}", "function", "name",
						     json_object_get(json_object_get(call, "function"),
								     "name"),
						     "arguments", args));
	}
	json_object_set_new(m, "tool_calls", out);
	if (json_is_null(json_object_get(m, "content")))
		json_object_set_new(m, "content", json_string(""));
	return 0;
}

json_t *ollama_messages(const struct llmr_chat_req *req, struct llmr_err *e)
{
	json_t *msgs = llmr_adapter_messages(req, e), *m;
	size_t i, off;

	if (!msgs)
		return NULL;
	/* llmr_adapter_messages put the system prompt first */
	off = json_array_size(msgs) - req->nmsgs;
	for (i = 0; i < req->nmsgs; i++) {
		const char *name;

		m = json_array_get(msgs, i + off);
		if (json_object_get(m, "tool_calls") && convert_calls(m, i, e) < 0) {
			json_decref(msgs);
			return NULL;
		}
		if (!json_object_get(m, "tool_call_id"))
			continue;
		json_object_del(m, "tool_call_id");
		if ((name = llmr_adapter_tool_name(req, i, req->msgs[i].tool_call_id)))
			json_object_set_new(m, "tool_name", json_string(name));
	}
	return msgs;
}

void ollama_agent_fields(json_t *o, json_t *opts, const struct llmr_chat_req *req)
{
	static const char *const sampling[] = {"top_p", "seed", "presence_penalty",
					       "frequency_penalty"};
	const json_t *schema = json_object_get(
		json_object_get(llmr_adapter_param(req, "response_format"), "json_schema"), "schema");
	json_t *v;

	if (llmr_adapter_has_tools(req))
		json_object_set_new(o, "tools", json_deep_copy(llmr_adapter_param(req, "tools")));
	for (size_t i = 0; i < sizeof(sampling) / sizeof(sampling[0]); i++)
		if ((v = (json_t *)llmr_adapter_param(req, sampling[i])))
			json_object_set_new(opts, sampling[i], json_deep_copy(v));
	if ((v = llmr_adapter_stop_array(req)))
		json_object_set_new(opts, "stop", v);
	if (json_is_object(schema))
		json_object_set_new(o, "format", json_deep_copy(schema));
}
