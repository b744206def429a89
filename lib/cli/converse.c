/* A one-shot prompt's template and conversation (converse.h). */
#include "cli/converse.h"

#include <stdlib.h>

#include "ask/transcript.h"
#include "route/route.h"

static const struct llmr_route_cfg *route_of(const struct llmr_config *cfg,
					     const struct llmr_ask_req *req)
{
	struct llmr_err e = {0, ""};

	return llmr_route_find(cfg, req->route, &e);
}

bool llmr_converse_wants_prompt(const struct llmr_config *cfg, const struct llmr_ask_req *req)
{
	const struct llmr_route_cfg *r = route_of(cfg, req);

	return !r || !r->template || llmr_template_uses(r->template, "input");
}

static int fill_template(const struct llmr_config *cfg, struct llmr_ask_req *req,
			 struct llmr_converse *c, struct llmr_err *e)
{
	const struct llmr_route_cfg *r = route_of(cfg, req);

	if (!r || !r->template) {
		if (c->nvars)
			return llmr_errf(e, LLMR_EX_USAGE, "-p %s: route '%s' has no template",
					 c->vars[0].name, r ? r->name : "(none)");
		return 0;
	}
	if (llmr_template_render(r->name, r->template, req->prompt, c->vars, c->nvars, &c->prompt,
				 e) < 0)
		return -1;
	req->prompt = c->prompt.s;
	return 0;
}

int llmr_converse_prepare(const struct llmr_config *cfg, struct llmr_state *st,
			  struct llmr_ask_req *req, struct llmr_converse *c, struct llmr_err *e)
{
	const char *cid = c->cid;

	if (fill_template(cfg, req, c, e) < 0)
		return -1;
	if (!cid && c->cont) {
		if (llmr_transcript_last(st, &c->cid_owned, e) < 0)
			return -1;
		/* Nothing to continue yet: this request starts the first one. */
		cid = c->cid_owned;
	}
	if (!cid)
		return 0;
	if (llmr_transcript_history(st, cid, &c->msgs, e) < 0)
		return -1;
	json_array_append_new(c->msgs, json_pack("{s:s, s:s}", "role", "user", "content",
						 req->prompt ? req->prompt : ""));
	req->messages = c->msgs;
	req->prompt = NULL;
	req->conversation = cid;
	return 0;
}

void llmr_converse_release(struct llmr_converse *c)
{
	free(c->cid_owned);
	json_decref(c->msgs);
	llmr_buf_release(&c->prompt);
}
