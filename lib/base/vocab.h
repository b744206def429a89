/*
 * vocab.h - llmr's words, each kept in one table (vocab.c): the names a
 * user types or reads in JSON, and what each means to the rest of llmr.
 * Every program parses and prints through these, so that they all accept
 * the same spellings and exit with the same code for the same fault.
 */
#ifndef LLMR_VOCAB_H
#define LLMR_VOCAB_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Request complexity tiers, in escalation order: "simple", "medium",
 * "complex". A request, an option or the classifier picks one; a route's
 * tiers name a chain for each.
 */
enum llmr_complexity { LLMR_SIMPLE, LLMR_MEDIUM, LLMR_COMPLEX, LLMR_NCOMPLEXITY };

/* How a route orders the candidates of a tier: "order" (as written),
 * "cheapest", "fastest" (measured latency), "best" (quality). */
enum llmr_strategy { LLMR_STRATEGY_ORDER, LLMR_STRATEGY_CHEAPEST, LLMR_STRATEGY_FASTEST, LLMR_STRATEGY_BEST };
#define LLMR_NSTRATEGY 4

/* Priorities P0 (always runs) .. P3 (first to be skipped), as 0..3. */
#define LLMR_NPRIORITY 4
#define LLMR_PRIORITY_DEFAULT 1

/* The canonical names, indexed by value and NULL-terminated (for the
 * config reader's enumerations and for listing them in messages). */
extern const char *const llmr_complexity_names[];
extern const char *const llmr_priority_names[];
extern const char *const llmr_strategy_names[];

/*
 * Name to value, ignoring case ("p1", "P1"; "Simple"), or -1 when s (may
 * be NULL) is no such word. Every program reads these words through them,
 * and prints the canonical spelling back.
 */
int llmr_complexity_parse(const char *s);
int llmr_priority_parse(const char *s);
int llmr_strategy_parse(const char *s);
/* Value to canonical name (static): "unknown" out of range, except that a
 * priority out of range is the default, "P1". */
const char *llmr_complexity_name(int c);
const char *llmr_priority_name(int p);
const char *llmr_strategy_name(int s);
/* "simple, medium or complex": a table's names for a message, into buf
 * (n bytes; 40 hold any of them). Returns buf. */
char *llmr_vocab_choices(const char *const *names, char *buf, size_t n);

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
	LLMR_ERR_PROTOCOL,     /* unparseable or truncated answer */
	LLMR_ERR_NO_CANDIDATE, /* the decision left no model to call */
	LLMR_ERR_BAD_INPUT,    /* the request itself is wrong: nothing was called */
	LLMR_ERR_CONFIG,       /* the config cannot serve it: nothing was called */
	LLMR_ERR_CANCELLED     /* stopped by the user (a signal) or by a hedge */
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
