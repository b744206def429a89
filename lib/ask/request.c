#include "ask/ask.h"

#include <string.h>

void llmr_ask_req_init(struct llmr_ask_req *req)
{
	memset(req, 0, sizeof(*req));
	req->complexity = -1;
	req->temperature = -1;
}

static int get_str(json_t *obj, const char *key, const char **out, struct llmr_err *e)
{
	json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return llmr_errf(e, LLMR_EX_DATAERR, "\"%s\" must be a string", key);
	*out = json_string_value(v);
	return 0;
}

int llmr_ask_req_from_json(json_t *obj, struct llmr_ask_req *req, struct llmr_err *e)
{
	const char *complexity = NULL;
	json_t *v;

	if (!json_is_object(obj))
		return llmr_errf(e, LLMR_EX_DATAERR, "a request must be a JSON object");
	if (get_str(obj, "id", &req->id, e) < 0 || get_str(obj, "prompt", &req->prompt, e) < 0 ||
	    get_str(obj, "route", &req->route, e) < 0 || get_str(obj, "model", &req->model, e) < 0 ||
	    get_str(obj, "priority", &req->priority, e) < 0 ||
	    get_str(obj, "system", &req->system, e) < 0 ||
	    get_str(obj, "budget", &req->budget, e) < 0 ||
	    get_str(obj, "collection", &req->collection, e) < 0 ||
	    get_str(obj, "complexity", &complexity, e) < 0)
		return -1;
	if ((v = json_object_get(obj, "id")) && json_is_integer(v))
		return llmr_errf(e, LLMR_EX_DATAERR, "\"id\" must be a string");
	if ((v = json_object_get(obj, "messages"))) {
		if (!json_is_array(v))
			return llmr_errf(e, LLMR_EX_DATAERR, "\"messages\" must be an array");
		req->messages = v;
	}
	if (!req->prompt && !req->messages)
		return llmr_errf(e, LLMR_EX_DATAERR, "needs \"prompt\" or \"messages\"");
	if (complexity && (req->complexity = llmr_complexity_parse(complexity)) < 0)
		return llmr_errf(e, LLMR_EX_DATAERR,
				 "\"complexity\": '%s' is not simple, medium or complex", complexity);
	if (req->priority && !(strlen(req->priority) == 2 && req->priority[0] == 'P' &&
			       req->priority[1] >= '0' && req->priority[1] <= '3'))
		return llmr_errf(e, LLMR_EX_DATAERR, "\"priority\": '%s' is not P0..P3",
				 req->priority);
	if ((v = json_object_get(obj, "max_tokens"))) {
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return llmr_errf(e, LLMR_EX_DATAERR,
					 "\"max_tokens\" must be a non-negative integer");
		req->max_tokens = (long)json_integer_value(v);
	}
	if ((v = json_object_get(obj, "temperature"))) {
		if (!json_is_number(v) || json_number_value(v) < 0)
			return llmr_errf(e, LLMR_EX_DATAERR,
					 "\"temperature\" must be a non-negative number");
		req->temperature = json_number_value(v);
	}
	if ((v = json_object_get(obj, "cache"))) {
		if (!json_is_boolean(v))
			return llmr_errf(e, LLMR_EX_DATAERR, "\"cache\" must be true or false");
		req->no_cache = !json_is_true(v);
	}
	if ((v = json_object_get(obj, "json"))) {
		if (!json_is_boolean(v))
			return llmr_errf(e, LLMR_EX_DATAERR, "\"json\" must be true or false");
		req->json = json_is_true(v);
	}
	return 0;
}
