/*
 * http_chat.c - POST /v1/chat/completions: an OpenAI request becomes an
 * llmr request, llmr_ask answers it, the answer goes back in OpenAI's
 * shape (a stream: http_chat_stream.c).
 *
 * What agent clients send goes through: tools, tool_choice, assistant
 * messages with tool_calls, tool messages, response_format and the
 * sampling parameters (checked by ask/request_tools.c, translated by the
 * adapters). Only the legacy "functions" is refused, naming "tools".
 */
#include "serve/http_chat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost/cost.h"

static int refuse(struct chat_refusal *why, unsigned status, const char *code, const char *param,
		  const char *fmt, const char *arg)
{
	why->status = status;
	why->type = status == 429 ? "rate_limit_error"
		    : status >= 500 ? "server_error" : "invalid_request_error";
	why->code = code;
	why->param = param;
	snprintf(why->msg, sizeof(why->msg), fmt, arg ? arg : "");
	return -1;
}

/* Text of a content: a string, or the text parts of an array. */
static int content_text(json_t *content, struct llmr_buf *out)
{
	json_t *part;
	size_t i;

	if (!content || json_is_null(content))
		return 0;
	if (json_is_string(content))
		return llmr_buf_add(out, json_string_value(content), json_string_length(content));
	if (!json_is_array(content))
		return -1;
	json_array_foreach(content, i, part) {
		json_t *text = json_object_get(part, "text");

		if (!json_is_string(text) || strcmp(json_string_value(json_object_get(part, "type")) ?
						    json_string_value(json_object_get(part, "type")) : "",
						    "text"))
			return -1;
		llmr_buf_add(out, json_string_value(text), json_string_length(text));
	}
	return 0;
}

/* {role, content} with "developer" as "system", and the tool parts:
 * an assistant's tool_calls (content null when it said nothing), a tool
 * message's tool_call_id. */
static json_t *normalised(json_t *m, const char *role, const struct llmr_buf *text)
{
	json_t *calls = json_object_get(m, "tool_calls"), *id = json_object_get(m, "tool_call_id");
	json_t *o = json_pack("{s:s, s:s#}", "role", strcmp(role, "developer") ? role : "system",
			      "content", text->s ? text->s : "", text->len);

	if (calls && !json_is_null(calls)) {
		json_object_set(o, "tool_calls", calls);
		if (!text->len)
			json_object_set_new(o, "content", json_null());
	}
	if (id)
		json_object_set(o, "tool_call_id", id);
	return o;
}

static int parse_messages(json_t *in, struct chat *ch, struct chat_refusal *why)
{
	struct llmr_err e = {0, ""};
	json_t *m;
	size_t i;

	if (!json_is_array(in) || !json_array_size(in))
		return refuse(why, 400, "invalid_value", "messages",
			      "'messages' must be a non-empty array%s", NULL);
	ch->messages = json_array();
	json_array_foreach(in, i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		struct llmr_buf text = LLMR_BUF_INIT;

		if (!role)
			return refuse(why, 400, "invalid_value", "messages",
				      "every message needs a string 'role'%s", NULL);
		if (strcmp(role, "system") && strcmp(role, "developer") && strcmp(role, "user") &&
		    strcmp(role, "assistant") && strcmp(role, "tool"))
			return refuse(why, 400, "invalid_value", "messages",
				      "unknown message role '%s'", role);
		if (content_text(json_object_get(m, "content"), &text) < 0) {
			llmr_buf_release(&text);
			return refuse(why, 400, "invalid_value", "messages",
				      "only text content is supported%s", NULL);
		}
		json_array_append_new(ch->messages, normalised(m, role, &text));
		llmr_buf_release(&text);
		if (llmr_ask_req_check_message(json_array_get(ch->messages, i), i, &e) < 0)
			return refuse(why, 400, "invalid_value", "messages", "%s", e.msg);
	}
	ch->req.messages = ch->messages;
	return 0;
}

/* model: a route, a provider/model or an alias; "llmr" or none: the
 * agent's route, else the default route. */
static int parse_model(struct srv_req *r, struct chat *ch, struct chat_refusal *why)
{
	json_t *v = json_object_get(ch->body, "model");

	ch->asked = json_is_string(v) ? json_string_value(v) : "llmr";
	if (!strcmp(ch->asked, "llmr") || !*ch->asked) {
		ch->req.route = r->key ? r->key->route : NULL;
		return 0;
	}
	if (srv_resolve_model(r->sc->cfg, ch->asked, &ch->req.route, &ch->req.model) < 0)
		return refuse(why, 404, "model_not_found", "model",
			      "The model '%s' does not exist: GET /v1/models lists the routes, "
			      "aliases and models", ch->asked);
	return 0;
}

static int parse_numbers(struct chat *ch, struct chat_refusal *why)
{
	json_t *v;

	v = json_object_get(ch->body, "max_completion_tokens");
	if (!v)
		v = json_object_get(ch->body, "max_tokens");
	if (v && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 1)
			return refuse(why, 400, "invalid_value", "max_tokens",
				      "'max_tokens' must be a positive integer%s", NULL);
		ch->req.max_tokens = (long)json_integer_value(v);
	}
	v = json_object_get(ch->body, "temperature");
	if (v && !json_is_null(v)) {
		if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 2)
			return refuse(why, 400, "invalid_value", "temperature",
				      "'temperature' must be a number from 0 to 2%s", NULL);
		ch->req.temperature = json_number_value(v);
	}
	v = json_object_get(ch->body, "n");
	if (v && !json_is_null(v) && json_integer_value(v) != 1)
		return refuse(why, 400, "invalid_value", "n", "only n=1 is supported%s", NULL);
	return 0;
}

int chat_parse(struct srv_req *r, struct chat *ch, struct chat_refusal *why)
{
	struct llmr_err e = {0, ""};
	json_error_t je;

	memset(ch, 0, sizeof(*ch));
	llmr_ask_req_init(&ch->req);
	ch->created = llmr_now_ms() / 1000;
	ch->body = json_loadb(r->body.s ? r->body.s : "", r->body.len, 0, &je);
	if (!json_is_object(ch->body))
		return refuse(why, 400, "invalid_json", NULL,
			      "the body is not a JSON object: %s", ch->body ? "" : je.text);
	if (json_object_get(ch->body, "functions") || json_object_get(ch->body, "function_call"))
		return refuse(why, 400, "unsupported_parameter", "functions",
			      "the legacy 'functions' is not supported: send 'tools'%s", NULL);
	if (parse_model(r, ch, why) < 0 || parse_messages(json_object_get(ch->body, "messages"),
							   ch, why) < 0 ||
	    parse_numbers(ch, why) < 0)
		return -1;
	if (llmr_ask_req_agent_from_json(ch->body, &ch->req, &e) < 0)
		return refuse(why, 400, "invalid_value", NULL, "%s", e.msg);
	ch->stream = json_is_true(json_object_get(ch->body, "stream"));
	ch->include_usage = json_is_true(json_object_get(json_object_get(ch->body,
								       "stream_options"),
							 "include_usage"));
	ch->req.stream = ch->stream;
	if (r->key && r->key->priority >= 0)
		ch->req.priority = r->key->priority;
	llmr_new_request_id(ch->id);
	ch->req.id = ch->id;
	return 0;
}

void chat_release(struct chat *ch)
{
	json_decref(ch->body);
	json_decref(ch->messages);
}

int chat_check_cap(struct srv_req *r, struct llmr_state *st, struct chat_refusal *why,
		   long *retry_after)
{
	struct llmr_err e = {0, ""};
	double spent;
	int64_t now = llmr_now_ms();

	if (!r->key || r->key->monthly_cap_usd < 0)
		return 0;
	if (srv_agent_month_spend(st, r->key->agent, &spent, &e) < 0)
		return refuse(why, 500, "state_error", NULL, "%s", e.msg);
	if (spent < r->key->monthly_cap_usd)
		return 0;
	*retry_after = (long)((llmr_cost_month_start(now, 1) - now) / 1000 + 1);
	return refuse(why, 429, "budget_exceeded", NULL,
		      "agent '%s' has spent its monthly cap (serve: keys: monthly_cap_usd)",
		      r->key->agent);
}

void chat_failure(const json_t *resp, struct llmr_state *st, const struct llmr_config *cfg,
		  struct chat_refusal *why, long *retry_after)
{
	json_t *err = json_object_get(resp, "error");
	const char *cls = json_string_value(json_object_get(err, "class"));
	const char *msg = json_string_value(json_object_get(err, "message"));
	int tried = json_array_size(json_object_get(resp, "attempts")) > 0;

	cls = cls ? cls : "server";
	if (json_object_get(resp, "skipped") && !json_is_array(json_object_get(resp, "skipped")))
		tried = 0, cls = "budget";
	/* Nothing was called and something was skipped: llmr's own limits. */
	if (!strcmp(cls, "budget") || !strcmp(cls, "degraded") ||
	    (!tried && (!strcmp(cls, "no_candidate") || !strcmp(cls, "rate_limited")))) {
		*retry_after = srv_retry_after(st, cfg);
		refuse(why, 429, !strcmp(cls, "budget") ? "budget_exceeded" : "rate_limit_exceeded",
		       NULL, "llmr is out of quota or budget: %s", msg);
	} else if (!strcmp(cls, "bad_input") || !strcmp(cls, "bad_request")) {
		refuse(why, 400, "invalid_value", NULL, "%s", msg);
	} else if (!strcmp(cls, "rate_limited") || !strcmp(cls, "overloaded")) {
		refuse(why, 503, "providers_unavailable", NULL, "every provider failed: %s", msg);
	} else {
		refuse(why, 502, "providers_failed", NULL, "every provider failed: %s", msg);
	}
}

enum MHD_Result chat_reply_refusal(struct srv_req *r, struct MHD_Connection *c,
				   const struct chat_refusal *why, long retry_after)
{
	char secs[24];
	const char *headers[] = {"Retry-After", NULL, NULL};

	if (why->status == 429) {
		snprintf(secs, sizeof(secs), "%ld", retry_after > 0 ? retry_after : 1);
		headers[1] = secs;
	}
	return srv_reply_json(r, c, why->status,
			      srv_error_json(why->type, why->code, why->param, why->msg), headers);
}

json_t *chat_usage(const json_t *resp)
{
	json_t *u = json_object_get(resp, "usage");
	json_int_t in = json_integer_value(json_object_get(u, "input_tokens"));
	json_int_t out = json_integer_value(json_object_get(u, "output_tokens"));

	return json_pack("{s:I, s:I, s:I, s:{s:I}}", "prompt_tokens", in, "completion_tokens", out,
			 "total_tokens", in + out, "prompt_tokens_details", "cached_tokens",
			 json_integer_value(json_object_get(u, "cached_tokens")));
}

const char *chat_finish_reason(const json_t *resp)
{
	const char *f = json_string_value(json_object_get(resp, "finish_reason"));

	if (json_array_size(json_object_get(resp, "tool_calls")))
		return "tool_calls";
	return f && (!strcmp(f, "length") || !strcmp(f, "content_filter")) ? f : "stop";
}

json_t *chat_extension(const json_t *resp)
{
	return json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}", "request_id",
			 json_object_get(resp, "id"), "route", json_object_get(resp, "route"),
			 "model", json_object_get(resp, "model"), "cost_usd",
			 json_object_get(resp, "cost_usd"), "cache", json_object_get(resp, "cache"),
			 "fallback", json_object_get(resp, "fallback"));
}
