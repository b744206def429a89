/*
 * skip_warn.h - the warning a program prints when a route skipped a model
 * for a missing key: a fallback answers anyway, so without it the user
 * never learns that a key is not set.
 */
#ifndef LLMR_CLI_SKIP_WARN_H
#define LLMR_CLI_SKIP_WARN_H

#include <jansson.h>
#include <stdbool.h>

/*
 * From resp's "skipped" list: "PROG: warning: openai/gpt-4o-mini skipped:
 * OPENAI_API_KEY is not set" on stderr, once a process for each variable
 * (or key file), and a line saying so when the offline extractive model
 * answered after such skips. quiet: nothing.
 */
void llmr_cli_warn_skips(const json_t *resp, bool quiet);

#endif
