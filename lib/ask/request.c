#include "ask/request.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void llmr_ask_req_init(struct llmr_ask_req *req)
{
	memset(req, 0, sizeof(*req));
	req->priority = -1;
	req->complexity = -1;
	req->temperature = -1;
}

static int set_word(int *out, const char *const *names, int (*parse)(const char *),
		    const char *value, int code, struct llmr_err *e)
{
	char choices[64];

	if ((*out = parse(value)) >= 0)
		return 0;
	return llmr_errf(e, code, "'%s' is not %s", value,
			 llmr_vocab_choices(names, choices, sizeof(choices)));
}

static int set_number(struct llmr_ask_req *req, const char *field, const char *value, int code,
		      struct llmr_err *e)
{
	char *end;

	errno = 0;
	if (!strcmp(field, "max_tokens")) {
		long v = strtol(value, &end, 10);

		if (errno || end == value || *end || v < 0)
			return llmr_errf(e, code, "'%s' is not a non-negative integer", value);
		if (v > LLMR_MAX_TOKENS_LIMIT)
			return llmr_errf(e, code, "'%s' is more than %ld tokens", value,
					 LLMR_MAX_TOKENS_LIMIT);
		req->max_tokens = v;
		return 0;
	}
	req->temperature = strtod(value, &end);
	if (errno || end == value || *end || !(req->temperature >= 0))
		return llmr_errf(e, code, "'%s' is not a number >= 0", value);
	return 0;
}

int llmr_ask_req_set(struct llmr_ask_req *req, const char *field, const char *value, int code,
		     struct llmr_err *e)
{
	static const struct {
		const char *field;
		size_t off;
	} strings[] = {
		{"id", offsetof(struct llmr_ask_req, id)},
		{"route", offsetof(struct llmr_ask_req, route)},
		{"model", offsetof(struct llmr_ask_req, model)},
		{"system", offsetof(struct llmr_ask_req, system)},
		{"budget", offsetof(struct llmr_ask_req, budget)},
		{"collection", offsetof(struct llmr_ask_req, collection)},
		{"prompt", offsetof(struct llmr_ask_req, prompt)},
		{"namespace", offsetof(struct llmr_ask_req, cache_namespace)},
	};

	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		if (!strcmp(field, strings[i].field)) {
			*(const char **)((char *)req + strings[i].off) = value;
			return 0;
		}
	if (!strcmp(field, "priority"))
		return set_word(&req->priority, llmr_priority_names, llmr_priority_parse, value, code, e);
	if (!strcmp(field, "complexity"))
		return set_word(&req->complexity, llmr_complexity_names, llmr_complexity_parse, value,
				code, e);
	if (!strcmp(field, "max_tokens") || !strcmp(field, "temperature"))
		return set_number(req, field, value, code, e);
	return llmr_errf(e, LLMR_EX_SOFTWARE, "no request field '%s'", field);
}

int llmr_ask_req_option(struct llmr_ask_req *req, const char *option, const char *value,
			struct llmr_err *e)
{
	char field[32], why[sizeof(e->msg)];
	size_t i;

	for (i = 0; option[i] && i < sizeof(field) - 1; i++)
		field[i] = option[i] == '-' ? '_' : option[i];
	field[i] = '\0';
	if (llmr_ask_req_set(req, field, value, LLMR_EX_USAGE, e) == 0)
		return 0;
	memcpy(why, e->msg, sizeof(why));
	return llmr_errf(e, e->code, "--%s: %s", option, why);
}

/* The string members, and the vocabulary words given as strings. */
static int strings_from_json(json_t *obj, struct llmr_ask_req *req, struct llmr_err *e)
{
	static const char *const fields[] = {"id", "prompt", "route", "model", "system", "budget",
					     "collection", "namespace", "priority", "complexity"};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		json_t *v = json_object_get(obj, fields[i]);

		if (!v || json_is_null(v))
			continue;
		if (!json_is_string(v))
			return llmr_errf(e, LLMR_EX_DATAERR, "\"%s\" must be a string", fields[i]);
		if (llmr_ask_req_set(req, fields[i], json_string_value(v), LLMR_EX_DATAERR, e) < 0) {
			char why[sizeof(e->msg)];

			memcpy(why, e->msg, sizeof(why));
			return llmr_errf(e, LLMR_EX_DATAERR, "\"%s\": %s", fields[i], why);
		}
	}
	return 0;
}

static int messages_from_json(json_t *v, struct llmr_ask_req *req, struct llmr_err *e)
{
	size_t i;
	json_t *m;

	if (!json_is_array(v) || !json_array_size(v))
		return llmr_errf(e, LLMR_EX_DATAERR, "\"messages\" must be a non-empty array");
	json_array_foreach(v, i, m)
		if (llmr_ask_req_check_message(m, i, e) < 0)
			return -1;
	req->messages = v;
	return 0;
}

static int flag_from_json(json_t *obj, const char *key, bool *out, struct llmr_err *e)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return llmr_errf(e, LLMR_EX_DATAERR, "\"%s\" must be true or false", key);
	*out = json_is_true(v);
	return 0;
}

int llmr_ask_req_from_json(json_t *obj, struct llmr_ask_req *req, struct llmr_err *e)
{
	bool cache = !req->no_cache, store = !req->no_store;
	json_t *v;

	if (!json_is_object(obj))
		return llmr_errf(e, LLMR_EX_DATAERR, "a request must be a JSON object");
	if (strings_from_json(obj, req, e) < 0)
		return -1;
	if ((v = json_object_get(obj, "messages")) && messages_from_json(v, req, e) < 0)
		return -1;
	if (!req->prompt && !req->messages)
		return llmr_errf(e, LLMR_EX_DATAERR, "needs \"prompt\" or \"messages\"");
	if (!(v = json_object_get(obj, "max_tokens")))
		v = json_object_get(obj, "max_completion_tokens");
	if (v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > LLMR_MAX_TOKENS_LIMIT)
			return llmr_errf(e, LLMR_EX_DATAERR,
					 "\"max_tokens\" must be an integer from 0 to %ld",
					 LLMR_MAX_TOKENS_LIMIT);
		req->max_tokens = (long)json_integer_value(v);
	}
	if ((v = json_object_get(obj, "temperature"))) {
		if (!json_is_number(v) || json_number_value(v) < 0)
			return llmr_errf(e, LLMR_EX_DATAERR,
					 "\"temperature\" must be a non-negative number");
		req->temperature = json_number_value(v);
	}
	if (flag_from_json(obj, "cache", &cache, e) < 0 || flag_from_json(obj, "store", &store, e) < 0 ||
	    flag_from_json(obj, "json", &req->json, e) < 0 ||
	    llmr_ask_req_agent_from_json(obj, req, e) < 0)
		return -1;
	req->no_cache = !cache;
	req->no_store = !store;
	return 0;
}

int llmr_ask_req_check(const struct llmr_config *cfg, const struct llmr_ask_req *req, int code,
		       struct llmr_err *e)
{
	struct llmr_model_ref ref;

	if (req->route && !llmr_config_route(cfg, req->route))
		return llmr_errf(e, code, "unknown route '%s'", req->route);
	if (req->model && llmr_config_resolve(cfg, req->model, &ref, e) < 0) {
		e->code = code;
		return -1;
	}
	return 0;
}

int llmr_ask_req_parse_line(const struct llmr_config *cfg, const char *line, size_t len,
			    json_t **obj, struct llmr_ask_req *req, struct llmr_err *e)
{
	json_error_t jerr;

	if (!(*obj = json_loadb(line, len, 0, &jerr)))
		return llmr_errf(e, LLMR_EX_DATAERR, "invalid JSON: %s (column %d)", jerr.text,
				 jerr.column);
	if (llmr_ask_req_from_json(*obj, req, e) < 0 ||
	    llmr_ask_req_check(cfg, req, LLMR_EX_DATAERR, e) < 0)
		return -1;
	return 0;
}

void llmr_ask_req_route(const struct llmr_ask_req *req, struct llmr_route_req *r,
			struct llmr_buf *text)
{
	size_t i;
	json_t *m;

	llmr_route_req_init(r);
	r->id = req->id;
	r->route = req->route;
	r->model = req->model;
	r->priority = req->priority;
	r->complexity = req->complexity;
	r->max_tokens = req->max_tokens;
	r->json = req->json;
	r->tools = llmr_ask_req_uses_tools(req);
	llmr_buf_reset(text);
	if (req->prompt) {
		r->text = req->prompt;
		r->text_len = strlen(req->prompt);
		return;
	}
	json_array_foreach(req->messages, i, m) {
		json_t *c = json_object_get(m, "content");

		if (!json_is_string(c))
			continue;
		if (text->len)
			llmr_buf_adds(text, "\n");
		llmr_buf_add(text, json_string_value(c), json_string_length(c));
	}
	r->text = text->s ? text->s : "";
	r->text_len = text->len;
}
