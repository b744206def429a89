/*
 * converse.h - what llmr-ask does to a one-shot prompt before asking: fill
 * the route's template (-p NAME VALUE) and put a conversation's earlier
 * turns before it (--continue, --cid).
 */
#ifndef LLMR_CLI_CONVERSE_H
#define LLMR_CLI_CONVERSE_H

#include <jansson.h>
#include <stdbool.h>

#include "ask/request.h"
#include "ask/template.h"
#include "store/state.h"

struct llmr_converse {
	bool cont;               /* --continue: the newest conversation */
	const char *cid;         /* --cid: this one */
	struct llmr_tvar *vars;  /* -p NAME VALUE, nvars of them */
	size_t nvars;
	/* Filled by llmr_converse_prepare, freed by llmr_converse_release. */
	char *cid_owned;
	json_t *msgs;
	struct llmr_buf prompt;
};

/* Whether the request takes a prompt: not when its route's template has
 * no {{input}}. */
bool llmr_converse_wants_prompt(const struct llmr_config *cfg, const struct llmr_ask_req *req);

/*
 * Rewrite req (its prompt already set, or NULL when it takes none): the
 * template filled, then the conversation's turns and the new prompt as
 * req->messages, req->conversation set. st may be NULL when neither cont
 * nor cid is set. Returns 0, or -1 with e (64 for a bad -p or an unknown
 * conversation).
 */
int llmr_converse_prepare(const struct llmr_config *cfg, struct llmr_state *st,
			  struct llmr_ask_req *req, struct llmr_converse *c, struct llmr_err *e);
void llmr_converse_release(struct llmr_converse *c);

#endif
