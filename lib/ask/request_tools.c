/*
 * request_tools.c - what agent clients send beside the messages, checked
 * once for llmr-ask --jsonl and llmr-ask --serve alike: tools,
 * tool_choice, parallel_tool_calls, response_format and the sampling
 * parameters, in OpenAI's names and shapes; and the tool parts of the
 * messages (an assistant's tool_calls, a tool message's tool_call_id).
 * The adapters translate them (provider/provider_*_tools.c).
 */
#include "ask/request.h"

#include <stdlib.h>
#include <string.h>

static const char *const agent_keys[] = {
	"tools", "tool_choice", "parallel_tool_calls", "response_format", "top_p", "stop",
	"seed", "presence_penalty", "frequency_penalty",
};

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int check_tools(const json_t *tools, struct llmr_err *e)
{
	const json_t *t;
	size_t i;

	if (!json_is_array(tools))
		return llmr_errf(e, LLMR_EX_DATAERR, "\"tools\" must be an array");
	json_array_foreach(tools, i, t) {
		const json_t *fn = json_object_get(t, "function");
		const json_t *params = json_object_get(fn, "parameters");

		if (!str(t, "type") || strcmp(str(t, "type"), "function") || !str(fn, "name") ||
		    !*str(fn, "name"))
			return llmr_errf(e, LLMR_EX_DATAERR,
					 "tools[%zu]: needs \"type\": \"function\" and a "
					 "\"function\" with a \"name\"", i);
		if (params && !json_is_object(params))
			return llmr_errf(e, LLMR_EX_DATAERR,
					 "tools[%zu]: \"parameters\" must be a JSON Schema object", i);
	}
	return 0;
}

static int check_tool_choice(const json_t *tc, struct llmr_err *e)
{
	const char *w = json_string_value(tc);

	if (w && (!strcmp(w, "auto") || !strcmp(w, "none") || !strcmp(w, "required")))
		return 0;
	if (json_is_object(tc) && str(tc, "type") && !strcmp(str(tc, "type"), "function") &&
	    str(json_object_get(tc, "function"), "name"))
		return 0;
	return llmr_errf(e, LLMR_EX_DATAERR,
			 "\"tool_choice\" must be \"auto\", \"none\", \"required\" or "
			 "{\"type\": \"function\", \"function\": {\"name\": ...}}");
}

/* response_format: text, json_object, or json_schema with a schema. */
static int check_format(const json_t *rf, struct llmr_ask_req *req, struct llmr_err *e)
{
	const char *t = str(rf, "type");

	if (t && !strcmp(t, "text"))
		return 0;
	if (t && !strcmp(t, "json_object")) {
		req->json = true;
		return 0;
	}
	if (t && !strcmp(t, "json_schema") &&
	    json_is_object(json_object_get(json_object_get(rf, "json_schema"), "schema"))) {
		req->json = true;
		return 0;
	}
	return llmr_errf(e, LLMR_EX_DATAERR,
			 "\"response_format\" must be {\"type\": \"text\"}, {\"type\": "
			 "\"json_object\"} or {\"type\": \"json_schema\", \"json_schema\": "
			 "{\"name\": ..., \"schema\": {...}}}");
}

static int check_number(const json_t *v, const char *key, double lo, double hi,
			struct llmr_err *e)
{
	if (!json_is_number(v) || json_number_value(v) < lo || json_number_value(v) > hi)
		return llmr_errf(e, LLMR_EX_DATAERR, "\"%s\" must be a number from %g to %g", key,
				 lo, hi);
	return 0;
}

static int check_stop(const json_t *v, struct llmr_err *e)
{
	const json_t *s;
	size_t i;

	if (json_is_string(v))
		return 0;
	if (json_is_array(v) && json_array_size(v) <= 4) {
		json_array_foreach(v, i, s)
			if (!json_is_string(s))
				break;
		if (i == json_array_size(v))
			return 0;
	}
	return llmr_errf(e, LLMR_EX_DATAERR, "\"stop\" must be a string or up to 4 strings");
}

static int check_key(const json_t *v, const char *key, struct llmr_ask_req *req,
		     struct llmr_err *e)
{
	if (!strcmp(key, "tools"))
		return check_tools(v, e);
	if (!strcmp(key, "tool_choice"))
		return check_tool_choice(v, e);
	if (!strcmp(key, "response_format"))
		return check_format(v, req, e);
	if (!strcmp(key, "parallel_tool_calls"))
		return json_is_boolean(v) ? 0 : llmr_errf(e, LLMR_EX_DATAERR,
							  "\"parallel_tool_calls\" must be true or false");
	if (!strcmp(key, "top_p"))
		return check_number(v, key, 0, 1, e);
	if (!strcmp(key, "stop"))
		return check_stop(v, e);
	if (!strcmp(key, "seed"))
		return json_is_integer(v) ? 0 : llmr_errf(e, LLMR_EX_DATAERR,
							  "\"seed\" must be an integer");
	return check_number(v, key, -2, 2, e);
}

int llmr_ask_req_agent_from_json(json_t *obj, struct llmr_ask_req *req, struct llmr_err *e)
{
	bool any = false;

	for (size_t i = 0; i < sizeof(agent_keys) / sizeof(agent_keys[0]); i++) {
		json_t *v = json_object_get(obj, agent_keys[i]);

		if (!v || json_is_null(v))
			continue;
		if (check_key(v, agent_keys[i], req, e) < 0)
			return -1;
		any = true;
	}
	if (any)
		req->params = obj;
	return 0;
}

static int check_calls(const json_t *calls, size_t at, struct llmr_err *e)
{
	const json_t *c;
	size_t i;

	if (!json_is_array(calls))
		return llmr_errf(e, LLMR_EX_DATAERR, "messages[%zu]: \"tool_calls\" must be an array",
				 at);
	json_array_foreach(calls, i, c) {
		const json_t *fn = json_object_get(c, "function");

		if (!str(c, "id") || !str(fn, "name") || !str(fn, "arguments"))
			return llmr_errf(e, LLMR_EX_DATAERR,
					 "messages[%zu].tool_calls[%zu]: needs an \"id\" and a "
					 "\"function\" with \"name\" and \"arguments\" (a string)", at, i);
	}
	return 0;
}

int llmr_ask_req_check_message(const json_t *m, size_t i, struct llmr_err *e)
{
	const char *role = str(m, "role");
	const json_t *content = json_object_get(m, "content");
	const json_t *calls = json_object_get(m, "tool_calls");

	if (!role)
		return llmr_errf(e, LLMR_EX_DATAERR, "messages[%zu]: needs a string \"role\"", i);
	if (calls && !json_is_null(calls)) {
		if (strcmp(role, "assistant"))
			return llmr_errf(e, LLMR_EX_DATAERR,
					 "messages[%zu]: only an assistant message has \"tool_calls\"", i);
		if (check_calls(calls, i, e) < 0)
			return -1;
		if (!content || json_is_null(content))
			return 0;
	}
	if (!strcmp(role, "tool") && !str(m, "tool_call_id"))
		return llmr_errf(e, LLMR_EX_DATAERR,
				 "messages[%zu]: a tool message needs a string \"tool_call_id\"", i);
	if (!json_is_string(content))
		return llmr_errf(e, LLMR_EX_DATAERR,
				 "messages[%zu]: needs string \"role\" and \"content\"", i);
	return 0;
}

bool llmr_ask_req_uses_tools(const struct llmr_ask_req *req)
{
	size_t i;
	json_t *m;

	if (json_array_size(json_object_get(req->params, "tools")))
		return true;
	json_array_foreach(req->messages, i, m)
		if (json_array_size(json_object_get(m, "tool_calls")) ||
		    json_is_string(json_object_get(m, "tool_call_id")))
			return true;
	return false;
}

void llmr_ask_req_agent_key(const struct llmr_ask_req *req, struct llmr_buf *out)
{
	json_t *k = json_object(), *calls = json_array(), *m;
	char *s;
	size_t i;

	for (i = 0; req->params && i < sizeof(agent_keys) / sizeof(agent_keys[0]); i++)
		if (json_object_get(req->params, agent_keys[i]))
			json_object_set(k, agent_keys[i], json_object_get(req->params, agent_keys[i]));
	json_array_foreach(req->messages, i, m)
		json_array_append_new(calls, json_pack("[O?, O?]", json_object_get(m, "tool_calls"),
						       json_object_get(m, "tool_call_id")));
	json_object_set_new(k, "messages", calls);
	if ((s = json_dumps(k, JSON_COMPACT | JSON_SORT_KEYS))) {
		llmr_buf_addf(out, " agent %s", s);
		free(s);
	}
	json_decref(k);
}
