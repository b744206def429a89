/*
 * vocab.h - llmr's words, each kept in one table (vocab.c): the names a
 * user types or reads in JSON, and what each means to the rest of llmr.
 * Every program parses and prints through these, so that they all accept
 * the same spellings and exit with the same code for the same fault.
 */
#ifndef LLMR_VOCAB_H
#define LLMR_VOCAB_H

#include <stdbool.h>

/* Why a provider attempt failed (DESIGN.md's error classes). */
enum llmr_errclass {
	LLMR_ERR_NONE = 0,
	LLMR_ERR_RATE_LIMITED, /* 429 */
	LLMR_ERR_OVERLOADED,   /* 529, 503, overloaded_error in a stream */
	LLMR_ERR_AUTH,         /* 401, 403 */
	LLMR_ERR_BAD_REQUEST,  /* 400, 404, 422, 413 */
	LLMR_ERR_SERVER,       /* other 5xx */
	LLMR_ERR_TIMEOUT,
	LLMR_ERR_NETWORK,
	LLMR_ERR_PROTOCOL      /* unparseable or truncated answer */
};

/* "rate_limited", "overloaded", ... as in DESIGN.md; "ok" for NONE. */
const char *llmr_errclass_name(enum llmr_errclass c);
/* Whether the class lets llmr fall back to the next model in the chain. */
bool llmr_errclass_falls_back(enum llmr_errclass c);
/* The sysexits code a request ends with when its last attempt failed so. */
int llmr_errclass_exit(enum llmr_errclass c);
/* The default class for an HTTP status (429 -> rate_limited, ...); NONE for
 * statuses that are no HTTP error (the caller decides about 1xx/3xx). */
enum llmr_errclass llmr_errclass_from_status(long status);

#endif
