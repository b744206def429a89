/*
 * transcript.h - what each answered request said: the prompt and the
 * answer, kept in the state (the transcripts table) under the request id,
 * with the conversation the request belongs to. llmr-ask --continue and
 * --cid send a conversation's earlier turns before the new prompt;
 * llmr-cost logs lists and searches them.
 *
 * Text is redacted (base/redact.h) before it is stored, line by line so a
 * multi-line prompt keeps its lines. With "logs: off" in the config only
 * the metadata is kept: prompt and answer are NULL in the row.
 */
#ifndef LLMR_ASK_TRANSCRIPT_H
#define LLMR_ASK_TRANSCRIPT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "ask/ask.h"
#include "conf/config.h"
#include "store/state.h"

struct llmr_transcript {
	const char *request_id;
	const char *conversation; /* NULL: a new one, named after request_id */
	int64_t ts_ms;
	const char *route, *model; /* may be NULL */
	double cost_usd;
	const char *prompt, *answer;
};

/* Keep t (text redacted, or dropped when cfg says logs: off); one transaction. */
int llmr_transcript_save(struct llmr_state *st, const struct llmr_config *cfg,
			 const struct llmr_transcript *t, struct llmr_err *e);

/*
 * The turns of conversation cid as messages, oldest first:
 * [{"role":"user","content":...},{"role":"assistant","content":...},...]
 * (new reference in *msgs). Returns 0; -1 with e (LLMR_EX_USAGE) when no
 * request belongs to cid, or when its text was not kept (logs: off).
 */
int llmr_transcript_history(struct llmr_state *st, const char *cid, json_t **msgs,
			    struct llmr_err *e);

/* The conversation of the newest kept request: a new string in *cid, or
 * NULL when there is none. Returns 0, or -1 with e. */
int llmr_transcript_last(struct llmr_state *st, char **cid, struct llmr_err *e);

/*
 * Past requests, newest first, at most limit (0: all), whose prompt or
 * answer holds every one of words (case-insensitive for ASCII): a new
 * array of {"id","conversation","ts_ms","route","model","cost_usd",
 * "prompt","answer"} (text null when not kept) in *out. Returns 0 or -1.
 */
int llmr_transcript_search(struct llmr_state *st, const char *const *words, size_t nwords,
			   long limit, json_t **out, struct llmr_err *e);

/* transcript_text.c: rows of llmr_transcript_search as text, each a
 * header line (time, id, route, model, cost) then its prompt lines marked
 * "  > " and its answer lines "  < "; tty: control characters made safe. */
void llmr_transcript_text(json_t *rows, int tty, struct llmr_buf *out);

/*
 * Keep an answered request's text (llmr_ask calls it): resp is the
 * Response, which gets "conversation" once kept. A failed write is not an
 * error of the request; nothing is added then.
 */
void llmr_ask_transcript(struct llmr_ask_ctx *ctx, const struct llmr_ask_req *req, json_t *resp);

#endif
