#include "ask/run.h"

#include <stdlib.h>
#include <string.h>

#include "index/extractive.h"

/* RAG passages get at most this many tokens of the prompt. */
#define RAG_TOKEN_BUDGET 1500

/* The question text: the prompt, or the last user message. */
const char *llmr_ask_question(const struct ask_run *run)
{
	size_t i;

	if (run->req->prompt)
		return run->req->prompt;
	for (i = run->nmsgs; i > 0; i--)
		if (!strcmp(run->msgs[i - 1].role, "user"))
			return run->msgs[i - 1].content;
	return "";
}

int llmr_ask_build_messages(struct ask_run *run, struct llmr_err *e)
{
	const struct llmr_ask_req *req = run->req;
	size_t i, n;

	if (req->system)
		llmr_buf_adds(&run->system, req->system);
	else if (run->route->system)
		llmr_buf_adds(&run->system, run->route->system);
	if (req->prompt) {
		run->msgs = llmr_xcalloc(1, sizeof(*run->msgs));
		run->msgs[0].role = "user";
		run->msgs[0].content = req->prompt;
		run->nmsgs = 1;
		return 0;
	}
	n = json_array_size(req->messages);
	if (!n)
		return llmr_errf(e, LLMR_EX_DATAERR, "no prompt and no messages");
	run->msgs = llmr_xcalloc(n, sizeof(*run->msgs));
	for (i = 0; i < n; i++) {
		json_t *m = json_array_get(req->messages, i);
		const char *role = json_string_value(json_object_get(m, "role"));
		const char *content = json_string_value(json_object_get(m, "content"));
		const json_t *calls = json_object_get(m, "tool_calls");

		if (llmr_ask_req_check_message(m, i, e) < 0)
			return -1;
		run->msgs[i].role = role;
		run->msgs[i].content = content ? content : "";
		run->msgs[i].tool_calls = json_array_size(calls) ? calls : NULL;
		run->msgs[i].tool_call_id = json_string_value(json_object_get(m, "tool_call_id"));
	}
	run->nmsgs = n;
	return 0;
}

/*
 * Retrieval-augmented prompt: the system prompt stays a stable prefix (so
 * provider prompt caching applies) and the passages go into the variable
 * user turn, before the question.
 */
int llmr_ask_add_rag(struct ask_run *run, struct llmr_err *e)
{
	const char *coll = run->req->collection ? run->req->collection : run->route->index;
	struct llmr_buf ctx = LLMR_BUF_INIT;
	struct llmr_msg *last;

	if (!coll || !run->ctx->st)
		return 0;
	if (llmr_rag_retrieve(run->ctx->st, run->ctx->cfg, coll, llmr_ask_question(run),
			      RAG_TOKEN_BUDGET, &ctx, &run->sources, e) < 0) {
		llmr_buf_release(&ctx);
		return -1;
	}
	if (!run->system.len)
		llmr_buf_adds(&run->system, "You are a helpful assistant.");
	llmr_buf_adds(&run->system,
		      "\nAnswer from the numbered passages given with the question when they are "
		      "relevant, and cite them as [n]. Say so when they do not hold the answer.");
	last = &run->msgs[run->nmsgs - 1];
	llmr_buf_addf(&run->rag_user, "Passages:\n%s\nQuestion: %s", ctx.s ? ctx.s : "",
		      last->content);
	last->content = run->rag_user.s;
	llmr_buf_release(&ctx);
	return 0;
}
