/*
 * ask_print.h - what llmr-ask prints besides the answer (ask_print.c).
 */
#ifndef LLMR_ASK_PRINT_H
#define LLMR_ASK_PRINT_H

#include <jansson.h>
#include <stdio.h>

#include "conf/config.h"

/* -v: one line on stderr: model, tokens, cost, latency, fallback. */
void llmr_ask_print_verbose(const json_t *resp);
/* A RAG answer's sources, numbered, after the text. */
void llmr_ask_print_sources(FILE *fp, const json_t *resp);
/* --check-config: the summary on stdout, then a warning on stderr for each
 * model a route would skip for its key (unless quiet). Returns 0. */
int llmr_ask_check_config(const char *path, const struct llmr_config *cfg, int quiet);
/* --list-models: a table, or JSON lines. */
void llmr_ask_list_models(FILE *fp, const struct llmr_config *cfg, int json);

#endif
