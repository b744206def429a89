/*
 * http_chat_reply.c - the endpoint itself: parse, check the agent's cap,
 * ask, answer in one JSON object (or hand over to the stream).
 */
#include "serve/http_chat.h"

#include <stdio.h>
#include <string.h>

/* The message: content null when the model only called tools, as
 * OpenAI sends it. */
static json_t *message_json(const json_t *resp)
{
	json_t *calls = json_object_get(resp, "tool_calls"), *text = json_object_get(resp, "text");
	json_t *m = json_pack("{s:s, s:O, s:n}", "role", "assistant", "content", text, "refusal");

	if (json_array_size(calls)) {
		if (!json_string_length(text))
			json_object_set_new(m, "content", json_null());
		json_object_set(m, "tool_calls", calls);
	}
	return m;
}

static json_t *completion_json(const struct chat *ch, const json_t *resp)
{
	char id[64];

	snprintf(id, sizeof(id), "chatcmpl-%s", ch->id);
	return json_pack("{s:s, s:s, s:I, s:O, s:[{s:i, s:o, s:n, s:s}], s:o, s:o}",
			 "id", id, "object", "chat.completion", "created", (json_int_t)ch->created,
			 "model", json_object_get(resp, "model"), "choices", "index", 0, "message",
			 message_json(resp), "logprobs", "finish_reason", chat_finish_reason(resp),
			 "usage", chat_usage(resp), "llmr", chat_extension(resp));
}

static void note_answer(struct srv_req *r, const json_t *resp)
{
	const char *model = json_string_value(json_object_get(resp, "model"));

	snprintf(r->model, sizeof(r->model), "%s", model ? model : "");
	r->cost = json_real_value(json_object_get(resp, "cost_usd"));
}

static enum MHD_Result answer(struct srv_req *r, struct MHD_Connection *c, struct chat *ch,
			      struct llmr_state *st)
{
	/* No cancel flag: SIGTERM lets requests in flight finish. */
	struct llmr_ask_ctx ctx = {.cfg = r->sc->cfg, .st = st};
	struct chat_refusal why;
	json_t *resp;
	long retry_after = 0;
	int code = 0;
	char cost[32];
	const char *headers[] = {"x-llmr-model", NULL, "x-llmr-cost-usd", cost,
				 "x-llmr-route", NULL, NULL};
	enum MHD_Result rc;

	resp = llmr_ask(&ctx, &ch->req, &code);
	if (json_object_get(resp, "error")) {
		chat_failure(resp, st, r->sc->cfg, &why, &retry_after);
		json_decref(resp);
		return chat_reply_refusal(r, c, &why, retry_after);
	}
	note_answer(r, resp);
	snprintf(cost, sizeof(cost), "%.6f", r->cost);
	headers[1] = json_string_value(json_object_get(resp, "model"));
	headers[5] = json_string_value(json_object_get(resp, "route"));
	rc = srv_reply_json(r, c, 200, completion_json(ch, resp), headers);
	json_decref(resp);
	return rc;
}

enum MHD_Result srv_chat(struct srv_req *r, struct MHD_Connection *c)
{
	struct llmr_err e = {0, ""};
	struct chat_refusal why;
	struct llmr_state *st;
	struct chat ch;
	long retry_after = 0;
	enum MHD_Result rc;

	if (chat_parse(r, &ch, &why) < 0) {
		chat_release(&ch);
		return chat_reply_refusal(r, c, &why, 0);
	}
	snprintf(r->id, sizeof(r->id), "%s", ch.id);
	if (!(st = srv_state_take(r->srv, &e))) {
		chat_release(&ch);
		return srv_reply_error(r, c, 500, "server_error", "state_error", NULL, e.msg);
	}
	if (chat_check_cap(r, st, &why, &retry_after) < 0) {
		rc = chat_reply_refusal(r, c, &why, retry_after);
	} else if (r->key && srv_agent_record(st, ch.id, r->key->agent, &e) < 0) {
		rc = srv_reply_error(r, c, 500, "server_error", "state_error", NULL, e.msg);
	} else if (ch.stream) {
		/* The stream's producer takes its own state connection. */
		srv_state_give(r->srv, st);
		return chat_stream(r, c, &ch);
	} else {
		rc = answer(r, c, &ch, st);
	}
	srv_state_give(r->srv, st);
	chat_release(&ch);
	return rc;
}
