/*
 * util.h - small shared helpers: the error struct every library function
 * fills, a capped growable buffer, time, and sysexits codes.
 *
 * Rule: library code never prints and never exits. It returns -1 and fills a
 * caller-owned struct llmr_err; only cmd/ prints and picks the exit code.
 */
#ifndef LLMR_UTIL_H
#define LLMR_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

/* sysexits.h codes, spelled out so the contract is visible here. */
enum {
	LLMR_EX_OK = 0,
	LLMR_EX_USAGE = 64,
	LLMR_EX_DATAERR = 65,
	LLMR_EX_NOINPUT = 66,
	LLMR_EX_UNAVAILABLE = 69, /* no provider could answer */
	LLMR_EX_SOFTWARE = 70,
	LLMR_EX_IOERR = 74,
	LLMR_EX_TEMPFAIL = 75, /* quota, budget, rate limit: try later */
	LLMR_EX_NOPERM = 77,   /* authentication rejected */
	LLMR_EX_CONFIG = 78,
	LLMR_EX_INTERRUPTED = 130 /* stopped by SIGINT (128 + 2), as shells report it */
};

/*
 * An error: the exit code a command should use and a one-line message of the
 * form "what happened: why" (no program prefix, no trailing newline).
 */
struct llmr_err {
	int code;
	char msg[512];
};

/* Fill e (may be NULL) with code and a printf-style message; returns -1. */
int llmr_errf(struct llmr_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * A growable byte buffer, always NUL-terminated. max caps its length (0 = no
 * cap): every buffer filled from the network must set one (curl's dynbuf).
 */
struct llmr_buf {
	char *s;
	size_t len, cap, max;
};

#define LLMR_BUF_INIT {NULL, 0, 0, 0}

/* Append n bytes. Returns 0, or -1 when the cap would be exceeded or on ENOMEM
 * (the buffer is left unchanged). */
int llmr_buf_add(struct llmr_buf *b, const void *p, size_t n);
int llmr_buf_adds(struct llmr_buf *b, const char *s);
int llmr_buf_addf(struct llmr_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void llmr_buf_reset(struct llmr_buf *b);
/* Free the storage; the buffer may be reused after. */
void llmr_buf_release(struct llmr_buf *b);
/* Hand over the string (caller frees); the buffer becomes empty. Never NULL. */
char *llmr_buf_detach(struct llmr_buf *b);

/* Allocation that aborts on ENOMEM: for small, bounded allocations only. */
void *llmr_xmalloc(size_t n);
void *llmr_xcalloc(size_t n, size_t m);
void *llmr_xrealloc(void *p, size_t n);
char *llmr_xstrdup(const char *s);
char *llmr_xstrndup(const char *s, size_t n);

/* Milliseconds: wall clock since the epoch, and a monotonic clock. */
int64_t llmr_now_ms(void);
int64_t llmr_mono_ms(void);

/*
 * Parse a duration: "250ms", "30s", "5m", "1h", "24h", "1d", a bare number of
 * seconds, or Go-style compounds as OpenAI sends them ("6m0s", "1h2m3.5s").
 * Stores milliseconds. Returns 0, or -1 if s is not a duration.
 */
int llmr_parse_duration_ms(const char *s, int64_t *ms);

/* Sleep for ms milliseconds (restarts on EINTR). */
void llmr_sleep_ms(int64_t ms);

/*
 * Copy s into b replacing control characters (but \n and \t) with '?', so
 * text from a model or a file cannot drive the terminal (git's vreportf).
 */
void llmr_sanitize_for_tty(struct llmr_buf *b, const char *s, size_t n);

/* Levenshtein distance, for "did you mean" suggestions, or max + 1 when it
 * is larger than max or either word is longer than LLMR_EDIT_MAX_LEN bytes
 * (so the cost is bounded whatever the input). */
#define LLMR_EDIT_MAX_LEN 128
size_t llmr_edit_distance(const char *a, const char *b, size_t max);

/* "Did you mean": the closest of cand[0..n) to word, within two edits for
 * short words and a third of the length for long ones (a tie goes to the
 * one with more letters in common, as a typo keeps them), or NULL; never
 * word itself. Its cost is bounded whatever the input. Every program's
 * suggestions (config keys, models, routes, collections, suite keys) use
 * this one rule. */
const char *llmr_nearest(const char *word, const char *const *cand, size_t n);

/* Read a whole file into b (capped by b->max). Returns 0 or -1 with errno. */
int llmr_read_file(const char *path, struct llmr_buf *b);

/*
 * Read one line from f into line (reset first; the newline is kept), at
 * most max bytes. Returns 1 for a line, 0 at end of file, -1 for a line
 * longer than max (the rest of it is read and dropped, so the next call
 * starts at the next line) or a read error (ferror(f)).
 */
int llmr_read_line(FILE *f, struct llmr_buf *line, size_t max);

/* A fresh request id like "r-1a2b3c4d5e-12ab": unique across processes. */
void llmr_new_request_id(char out[40]);

#endif
