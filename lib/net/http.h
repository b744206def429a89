/*
 * http.h - one reusable libcurl handle per process.
 *
 * TLS verification stays on, proxy variables (http_proxy, https_proxy,
 * no_proxy) are honoured by libcurl, HTTP/2 is negotiated over TLS where the
 * server offers it. Request headers may hold secrets (Authorization): they are
 * never copied into error messages.
 */
#ifndef LLMR_HTTP_H
#define LLMR_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

/* Response (or request) headers; names are stored lowercased. */
struct llmr_headers {
	char **names;
	char **values;
	size_t n, cap;
};

void llmr_headers_add(struct llmr_headers *h, const char *name, const char *value);
/* Case-insensitive lookup; borrowed value or NULL. */
const char *llmr_headers_get(const struct llmr_headers *h, const char *name);
void llmr_headers_release(struct llmr_headers *h);
/* Parse "name: value" lines (a fixture or a raw header block); a first line
 * "HTTP/x y reason" sets *status if status is not NULL. */
void llmr_headers_parse_block(struct llmr_headers *h, const char *text, long *status);

/* Why a transfer failed before any HTTP status was read. */
enum llmr_http_fail {
	LLMR_HTTP_FAIL_NONE,
	LLMR_HTTP_FAIL_TIMEOUT,
	LLMR_HTTP_FAIL_NETWORK,  /* resolve, connect, reset, TLS */
	LLMR_HTTP_FAIL_TOOBIG,   /* body exceeded max_body */
	LLMR_HTTP_FAIL_ABORTED   /* the on_data callback asked to stop */
};

struct llmr_http_req {
	const char *url;
	const struct llmr_headers *headers; /* request headers, may be NULL */
	const char *body;    /* POST body; NULL makes a GET */
	size_t body_len;
	int64_t timeout_ms;  /* whole transfer; 0 = none */
	int64_t connect_timeout_ms;
	size_t max_body;     /* cap for a buffered body; 0 = 64 MiB */
	/*
	 * When set, body bytes go here as they arrive instead of into
	 * resp->body (for streaming). Return 0 to continue, -1 to abort.
	 * Only called for 2xx answers; error bodies are always buffered.
	 */
	int (*on_data)(const char *p, size_t n, void *ud);
	void *ud;
	/* When not NULL, the transfer stops (fail = ABORTED) within about a
	 * second of *cancel becoming non-zero, even while no byte arrives. */
	const volatile int *cancel;
};

struct llmr_http_resp {
	long status;                 /* 0 if no answer */
	struct llmr_headers headers; /* of the final response */
	struct llmr_buf body;        /* buffered body (or error body) */
	enum llmr_http_fail fail;
	char errmsg[256];            /* curl's reason, when fail != NONE */
	int64_t ttfb_ms;             /* to the first body byte; -1 none */
	int64_t total_ms;
};

/* The process-wide handle: created on first use, reused (keeps connections
 * alive), freed by llmr_http_cleanup() (call at exit, optional). */
int llmr_http_perform(const struct llmr_http_req *req, struct llmr_http_resp *resp,
		      struct llmr_err *e);
void llmr_http_resp_release(struct llmr_http_resp *resp);
void llmr_http_cleanup(void);

#endif
