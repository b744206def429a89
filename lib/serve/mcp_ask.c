/*
 * The ask tool. A route whose first choice is the offline extractive model
 * is answered here from the index; any other goes through llmr_ask, with
 * its quotas, budgets, fallbacks and log, and with the collection's
 * passages in the prompt.
 */
#include "serve/mcp_impl.h"

#include <stdlib.h>
#include <string.h>

#include "ask/ask.h"
#include "index/extractive.h"
#include "route/route.h"

json_t *llmr_mcp_ask_tool(const struct llmr_mcp *m)
{
	json_t *t;

	t = json_pack("{s:s, s:s, s:s, s:{s:s, s:{s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s}}, s:[s]},"
		      " s:{s:b, s:b}}",
		      "name", "ask", "title", "Ask the documents",
		      "description",
		      "Answer a question from an indexed document collection, with the sources "
		      "used. The answer comes from the model the route picks (or, offline, "
		      "from the best passages themselves).",
		      "inputSchema", "type", "object", "properties",
		      "question", "type", "string", "description", "the question",
		      "route", "type", "string", "description",
		      "the llmr route to answer through (default: the config's default route)",
		      "collection", "type", "string", "description",
		      "the collection to take passages from (default: the route's index, "
		      "else default)",
		      "required", "question",
		      "annotations", "readOnlyHint", 0, "openWorldHint", 1);
	if (llmr_mcp_structured(m))
		json_object_set_new(t, "outputSchema",
				    json_pack("{s:s, s:{s:{s:s}, s:{s:s}}, s:[s]}", "type", "object",
					      "properties", "text", "type", "string", "sources",
					      "type", "array", "required", "text"));
	return t;
}

static const char *str_or(json_t *v, const char *dflt)
{
	return json_is_string(v) ? json_string_value(v) : dflt;
}

/* The answer, then its sources one a line, for the text content. */
static void answer_text(json_t *resp, struct llmr_buf *out)
{
	json_t *sources = json_object_get(resp, "sources"), *s;
	size_t i;

	llmr_buf_adds(out, str_or(json_object_get(resp, "text"), ""));
	/* The extractive answer quotes its sources already. */
	if (!json_array_size(sources) || json_is_true(json_object_get(resp, "extractive")))
		return;
	llmr_buf_adds(out, "\n\nSources:");
	json_array_foreach(sources, i, s) {
		const char *heading = json_string_value(json_object_get(s, "heading"));

		llmr_buf_addf(out, "\n- %s #%lld", str_or(json_object_get(s, "source"), "?"),
			      (long long)json_integer_value(json_object_get(s, "chunk")));
		if (heading && *heading)
			llmr_buf_addf(out, " (%s)", heading);
	}
}

/* A Response object (DESIGN.md) for an answer of the extractive model. */
static json_t *ask_extractive(struct llmr_mcp *m, const struct llmr_decision *d,
			      const char *question, const char *coll, struct llmr_err *e)
{
	struct llmr_chat_result r;
	json_t *sources = NULL, *resp = NULL;
	char id[40];

	llmr_chat_result_init(&r);
	if (llmr_extractive_answer(m->o.st, m->o.cfg, coll, question, &r, &sources, e) == 0) {
		llmr_new_request_id(id);
		resp = json_pack("{s:s, s:o, s:s, s:s, s:f, s:b, s:o}", "id", id,
				 "text", llmr_mcp_string(r.text.s ? r.text.s : ""),
				 "model", d->chain[0].spec, "route", d->route ? d->route : "",
				 "cost_usd", 0.0, "extractive", 1,
				 "sources", sources ? sources : json_array());
	}
	llmr_chat_result_release(&r);
	return resp;
}

static json_t *ask_route(struct llmr_mcp *m, const char *question, const char *route,
			 const char *coll)
{
	struct llmr_ask_ctx ctx = {.cfg = m->o.cfg, .st = m->o.st};
	struct llmr_ask_req req;
	int code = 0;

	llmr_ask_req_init(&req);
	req.prompt = question;
	req.route = route;
	req.collection = coll;
	return llmr_ask(&ctx, &req, &code);
}

static json_t *string_arg(json_t *args, const char *key, int *bad)
{
	json_t *v = json_object_get(args, key);

	if (v && (!json_is_string(v) || !json_string_length(v)))
		*bad = 1;
	return v;
}

json_t *llmr_mcp_ask(struct llmr_mcp *m, json_t *args, FILE *log)
{
	struct llmr_err e = {0, ""};
	struct llmr_route_req rq;
	struct llmr_decision *d;
	struct llmr_buf text = LLMR_BUF_INIT;
	const char *question, *route, *coll;
	json_t *resp, *err, *r;
	int bad = 0;

	question = json_string_value(string_arg(args, "question", &bad));
	route = json_string_value(string_arg(args, "route", &bad));
	coll = json_string_value(string_arg(args, "collection", &bad));
	if (!question || bad)
		return llmr_mcp_tool_error(m, log, "ask",
					   "question, route, collection: expected non-empty strings "
					   "(question is required)");
	llmr_route_req_init(&rq);
	rq.route = route;
	rq.text = question;
	rq.text_len = strlen(question);
	d = llmr_xcalloc(1, sizeof(*d));
	if (llmr_route_decide(m->o.cfg, NULL, &rq, d, &e) < 0) {
		free(d);
		return llmr_mcp_tool_error(m, log, "ask", e.msg);
	}
	/* Over MCP an answer is for the documents: default to a collection. */
	if (!coll)
		coll = m->o.collection ? m->o.collection
		       : (d->rcfg && d->rcfg->index) ? d->rcfg->index : "default";
	if (d->nchain && d->chain[0].ref.provider->protocol == LLMR_PROTO_EXTRACTIVE)
		resp = ask_extractive(m, d, question, coll, &e);
	else
		resp = ask_route(m, question, route, coll);
	free(d);
	if (!resp)
		return llmr_mcp_tool_error(m, log, "ask", e.msg);
	if ((err = json_object_get(resp, "error"))) {
		llmr_buf_addf(&text, "%s: %s", str_or(json_object_get(err, "class"), "error"),
			      str_or(json_object_get(err, "message"), "no answer"));
		r = llmr_mcp_tool_error(m, log, "ask", text.s);
		json_decref(resp);
	} else {
		answer_text(resp, &text);
		r = llmr_mcp_tool_result(m, text.s, resp);
	}
	llmr_buf_release(&text);
	return r;
}
