/*
 * repl.h - the interactive loop of llmr-ask on a terminal (readline), with
 * a history file under $XDG_STATE_HOME/llmr/ and slash commands: /model,
 * /route, /cost, /new, /help, /quit. The conversation is kept between turns.
 */
#ifndef LLMR_REPL_H
#define LLMR_REPL_H

#include "ask/ask.h"

/* Run until EOF or /quit. defaults is copied per question. Prints to
 * stdout/stderr (it is UI code). Returns an exit code (0, or 74). */
int llmr_repl(const struct llmr_config *cfg, struct llmr_state *st,
	      const struct llmr_ask_req *defaults, int verbose);

/* The history file path: a new string. */
char *llmr_repl_history_path(void);

#endif
