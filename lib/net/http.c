#include "net/http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef LLMR_VERSION
#define LLMR_VERSION "unknown" /* the Makefile passes its VERSION */
#endif

#define DEFAULT_MAX_BODY ((size_t)64 << 20)
#define MAX_HEADERS 256
#define MAX_HEADER_BYTES ((size_t)256 << 10)

/*
 * Easy handles kept per process keep their connection caches (and TLS
 * sessions) between calls, so a REPL or a batch pays the handshake once.
 * A few of them, so that the concurrent requests of a server each find
 * one (they were a new connection, and a new TLS handshake, a request). A
 * thread that finds all of them busy gets a throwaway handle rather than
 * waiting.
 */
#define NSHARED 16
static struct {
	CURL *h;
	pid_t pid; /* the process that created it */
	pthread_mutex_t lock;
} shared_h[NSHARED];
static pthread_once_t shared_once = PTHREAD_ONCE_INIT;
/* A parent's handles, after fork(): kept (volatile, so the store is not
 * optimised away and leak checkers still see them reachable), never used. */
static CURL *volatile inherited_handle[NSHARED];

static void shared_init(void)
{
	for (int i = 0; i < NSHARED; i++)
		pthread_mutex_init(&shared_h[i].lock, NULL);
}
static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;
static int global_ready;

struct xfer {
	const struct llmr_http_req *req;
	struct llmr_http_resp *resp;
	CURL *h;
	int64_t t0;
	int started;  /* first body byte seen */
	int stream;   /* body goes to req->on_data */
	size_t header_bytes; /* kept so far, for the cap */
};

/* curl_global_init is not thread-safe before 7.84: guard it ourselves. */
static CURLcode global_init(void)
{
	CURLcode rc = CURLE_OK;

	pthread_mutex_lock(&global_lock);
	if (!global_ready) {
		rc = curl_global_init(CURL_GLOBAL_DEFAULT);
		global_ready = rc == CURLE_OK;
	}
	pthread_mutex_unlock(&global_lock);
	return rc;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;
	char *line;

	/* A status line always passes: it resets the set (see headers.c). Past
	 * the caps, further headers are dropped rather than failing the answer. */
	if (len >= 5 && !strncmp(p, "HTTP/", 5))
		x->header_bytes = 0;
	else if (x->resp->headers.n >= MAX_HEADERS || x->header_bytes + len > MAX_HEADER_BYTES)
		return len;
	x->header_bytes += len;
	line = llmr_xstrndup(p, len);
	llmr_headers_parse_block(&x->resp->headers, line, &x->resp->status);
	free(line);
	return len;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	struct llmr_http_resp *resp = x->resp;
	size_t len = size * n;

	if (!x->started) {
		long code = 0;

		x->started = 1;
		resp->ttfb_ms = llmr_mono_ms() - x->t0;
		if (curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK && code)
			resp->status = code;
		x->stream = x->req->on_data && resp->status >= 200 && resp->status < 300;
	}
	if (x->stream) {
		if (x->req->on_data(p, len, x->req->ud) != 0) {
			resp->fail = LLMR_HTTP_FAIL_ABORTED;
			return 0;
		}
		return len;
	}
	if (llmr_buf_add(&resp->body, p, len) < 0) {
		resp->fail = LLMR_HTTP_FAIL_TOOBIG;
		return 0;
	}
	return len;
}

/* Called by libcurl about once a second, and on every chunk. */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct xfer *x = ud;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return x->req->cancel && *x->req->cancel;
}

/* Header values must not smuggle a second header in. */
static int header_ok(const char *name, const char *value)
{
	return name && *name && !strpbrk(name, ":\r\n") && (!value || !strpbrk(value, "\r\n"));
}

/* The list holds copies of the values, keys among them. */
static void free_headers(struct curl_slist *list)
{
	struct curl_slist *t;

	for (t = list; t; t = t->next)
		memset(t->data, 0, strlen(t->data));
	curl_slist_free_all(list);
}

static int build_headers(const struct llmr_headers *h, struct curl_slist **out, struct llmr_err *e)
{
	struct curl_slist *list = NULL, *t;
	struct llmr_buf line = LLMR_BUF_INIT;
	size_t i;

	list = curl_slist_append(list, "Expect:");
	for (i = 0; h && list && i < h->n; i++) {
		if (!header_ok(h->names[i], h->values[i])) {
			free_headers(list);
			llmr_buf_release(&line);
			return llmr_errf(e, LLMR_EX_SOFTWARE, "invalid request header '%s'",
					 h->names[i] && !strpbrk(h->names[i], "\r\n") ? h->names[i] : "?");
		}
		llmr_buf_reset(&line);
		/* "name;" is curl's spelling for a header with an empty value. */
		if (h->values[i] && *h->values[i])
			llmr_buf_addf(&line, "%s: %s", h->names[i], h->values[i]);
		else
			llmr_buf_addf(&line, "%s;", h->names[i]);
		t = curl_slist_append(list, line.s);
		if (!t) {
			free_headers(list);
			list = NULL;
		} else {
			list = t;
		}
	}
	/* The value may be a key: wipe our copy before freeing it. */
	if (line.s)
		memset(line.s, 0, line.cap);
	llmr_buf_release(&line);
	if (!list)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "out of memory building request headers");
	*out = list;
	return 0;
}

#define SETOPT(h, opt, val) (rc = rc != CURLE_OK ? rc : curl_easy_setopt((h), (opt), (val)))

static CURLcode set_options(struct xfer *x, struct curl_slist *hdrs, char *errbuf)
{
	const struct llmr_http_req *req = x->req;
	CURL *h = x->h;
	CURLcode rc = CURLE_OK;

	SETOPT(h, CURLOPT_URL, req->url);
	SETOPT(h, CURLOPT_HTTPHEADER, hdrs);
	SETOPT(h, CURLOPT_USERAGENT, "llmr/" LLMR_VERSION);
	SETOPT(h, CURLOPT_ERRORBUFFER, errbuf);
	SETOPT(h, CURLOPT_NOSIGNAL, 1L);
	SETOPT(h, CURLOPT_TCP_KEEPALIVE, 1L);
	SETOPT(h, CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(h, CURLOPT_SSL_VERIFYHOST, 2L);
	SETOPT(h, CURLOPT_ACCEPT_ENCODING, "");
#if LIBCURL_VERSION_NUM >= 0x075500
	SETOPT(h, CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	SETOPT(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	SETOPT(h, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	if (rc == CURLE_OK && curl_easy_setopt(h, CURLOPT_HTTP_VERSION,
					       (long)CURL_HTTP_VERSION_2TLS) != CURLE_OK)
		rc = curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	if (req->timeout_ms > 0)
		SETOPT(h, CURLOPT_TIMEOUT_MS, (long)req->timeout_ms);
	if (req->connect_timeout_ms > 0)
		SETOPT(h, CURLOPT_CONNECTTIMEOUT_MS, (long)req->connect_timeout_ms);
	if (req->body) {
		size_t n = req->body_len ? req->body_len : strlen(req->body);

		SETOPT(h, CURLOPT_POST, 1L);
		SETOPT(h, CURLOPT_POSTFIELDS, req->body);
		SETOPT(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
	} else {
		SETOPT(h, CURLOPT_HTTPGET, 1L);
	}
	SETOPT(h, CURLOPT_HEADERFUNCTION, on_header);
	SETOPT(h, CURLOPT_HEADERDATA, x);
	SETOPT(h, CURLOPT_WRITEFUNCTION, on_body);
	SETOPT(h, CURLOPT_WRITEDATA, x);
	/* The handle is reused: set the progress hook either way. */
	SETOPT(h, CURLOPT_NOPROGRESS, x->req->cancel ? 0L : 1L);
	SETOPT(h, CURLOPT_XFERINFOFUNCTION, x->req->cancel ? on_progress : NULL);
	SETOPT(h, CURLOPT_XFERINFODATA, x);
	return rc;
}

/* The URL for a message: scheme, host and path only, since a query string
 * may carry a key (Gemini's ?key=) and the authority may carry a password. */
static void url_for_message(const char *url, char *out, size_t outsz)
{
	const char *auth = strstr(url, "://"), *at, *end;
	size_t n = 0;

	end = url + strcspn(url, "?#");
	if (auth) {
		auth += 3;
		at = memchr(auth, '@', (size_t)(end - auth));
		if (at && (size_t)(at - auth) <= strcspn(auth, "/")) {
			n = (size_t)(auth - url);
			if (n >= outsz)
				n = outsz - 1;
			memcpy(out, url, n);
			url = at + 1;
		}
	}
	snprintf(out + n, outsz - n, "%.*s", (int)(end - url), url);
}

/* curl's message, cut before anything that looks like the query string. */
static void copy_reason(char *dst, size_t dstsz, const char *errbuf, CURLcode rc, const char *url)
{
	const char *q = strchr(url, '?');
	char *cut;

	snprintf(dst, dstsz, "%s", *errbuf ? errbuf : curl_easy_strerror(rc));
	if (q && q[1] && (cut = strstr(dst, q + 1)))
		*cut = '\0';
	if (q && (cut = strstr(dst, url)))
		*cut = '\0';
}

static enum llmr_http_fail classify(CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return LLMR_HTTP_FAIL_TIMEOUT;
	case CURLE_ABORTED_BY_CALLBACK:
		return LLMR_HTTP_FAIL_ABORTED;
	default:
		return LLMR_HTTP_FAIL_NETWORK;
	}
}

static int fail_error(const struct llmr_http_req *req, struct llmr_http_resp *resp,
		      struct llmr_err *e)
{
	char where[256];

	url_for_message(req->url, where, sizeof(where));
	switch (resp->fail) {
	case LLMR_HTTP_FAIL_TIMEOUT:
		return llmr_errf(e, LLMR_EX_UNAVAILABLE, "request to '%s' timed out: %s", where, resp->errmsg);
	case LLMR_HTTP_FAIL_TOOBIG:
		return llmr_errf(e, LLMR_EX_DATAERR, "answer from '%s' is too large: over %zu bytes",
				 where, resp->body.max);
	case LLMR_HTTP_FAIL_ABORTED:
		return llmr_errf(e, LLMR_EX_SOFTWARE, "request to '%s' aborted by the reader", where);
	default:
		return llmr_errf(e, LLMR_EX_UNAVAILABLE, "cannot reach '%s': %s", where, resp->errmsg);
	}
}

/* Take a free shared handle (*slot = its index + 1), or a private one
 * (*slot = 0) if other threads hold them all. */
static CURL *acquire(int *slot)
{
	pthread_once(&shared_once, shared_init);
	for (int i = 0; i < NSHARED; i++) {
		if (pthread_mutex_trylock(&shared_h[i].lock) != 0)
			continue;
		/*
		 * After fork() the parent's connections are not ours to use or to
		 * close (a TLS close_notify would break the parent's session):
		 * set the inherited handle aside, untouched, and start afresh.
		 */
		if (shared_h[i].h && shared_h[i].pid != getpid()) {
			inherited_handle[i] = shared_h[i].h;
			shared_h[i].h = NULL;
		}
		if (!shared_h[i].h) {
			shared_h[i].h = curl_easy_init();
			shared_h[i].pid = getpid();
		}
		if (shared_h[i].h) {
			curl_easy_reset(shared_h[i].h); /* keeps the connection cache */
			*slot = i + 1;
			return shared_h[i].h;
		}
		pthread_mutex_unlock(&shared_h[i].lock);
		break;
	}
	*slot = 0;
	return curl_easy_init();
}

static void release_handle(CURL *h, int slot)
{
	if (slot) {
		/* Do not leave pointers to this call's buffers in the handle. */
		curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
		pthread_mutex_unlock(&shared_h[slot - 1].lock);
	} else {
		curl_easy_cleanup(h);
	}
}

static void resp_init(struct llmr_http_resp *resp, size_t max_body)
{
	memset(resp, 0, sizeof(*resp));
	resp->body.max = max_body ? max_body : DEFAULT_MAX_BODY;
	resp->ttfb_ms = -1;
}

static int perform(const struct llmr_http_req *req, struct llmr_http_resp *resp,
		   struct llmr_err *e)
{
	char errbuf[CURL_ERROR_SIZE];
	struct curl_slist *hdrs = NULL;
	struct xfer x;
	CURLcode rc;
	int shared;

	if (!req->url || !*req->url)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "no URL to request");
	if ((rc = global_init()) != CURLE_OK)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot initialise libcurl: %s",
				 curl_easy_strerror(rc));
	if (build_headers(req->headers, &hdrs, e) < 0)
		return -1;
	memset(&x, 0, sizeof(x));
	x.req = req;
	x.resp = resp;
	x.h = acquire(&shared);
	if (!x.h) {
		free_headers(hdrs);
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot create a libcurl handle");
	}
	errbuf[0] = '\0';
	x.t0 = llmr_mono_ms();
	rc = set_options(&x, hdrs, errbuf);
	if (rc == CURLE_OK)
		rc = curl_easy_perform(x.h);
	resp->total_ms = llmr_mono_ms() - x.t0;
	if (rc == CURLE_OK || resp->status == 0) {
		long code = 0;

		if (curl_easy_getinfo(x.h, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK && code)
			resp->status = code;
	}
	if (rc != CURLE_OK && resp->fail == LLMR_HTTP_FAIL_NONE) {
		resp->fail = classify(rc);
		copy_reason(resp->errmsg, sizeof(resp->errmsg), errbuf, rc, req->url);
	} else if (resp->fail != LLMR_HTTP_FAIL_NONE) {
		snprintf(resp->errmsg, sizeof(resp->errmsg), "%s",
			 resp->fail == LLMR_HTTP_FAIL_TOOBIG ? "body too large" : "aborted by the reader");
	}
	release_handle(x.h, shared);
	free_headers(hdrs);
	if (resp->fail != LLMR_HTTP_FAIL_NONE)
		return fail_error(req, resp, e);
	return 0;
}

int llmr_http_perform(const struct llmr_http_req *req, struct llmr_http_resp *resp,
		      struct llmr_err *e)
{
	struct llmr_err local = {0, ""};
	int rc;

	resp_init(resp, req->max_body);
	rc = perform(req, resp, e ? e : &local);
	/* Failures before the transfer still leave the response self-describing. */
	if (rc < 0 && !resp->errmsg[0])
		snprintf(resp->errmsg, sizeof(resp->errmsg), "%.255s", (e ? e : &local)->msg);
	if (!resp->body.s)
		llmr_buf_add(&resp->body, "", 0);
	return rc;
}

void llmr_http_resp_release(struct llmr_http_resp *resp)
{
	if (!resp)
		return;
	llmr_headers_release(&resp->headers);
	llmr_buf_release(&resp->body);
}

void llmr_http_cleanup(void)
{
	pthread_once(&shared_once, shared_init);
	for (int i = 0; i < NSHARED; i++) {
		pthread_mutex_lock(&shared_h[i].lock);
		if (shared_h[i].h && shared_h[i].pid == getpid())
			curl_easy_cleanup(shared_h[i].h);
		shared_h[i].h = NULL;
		pthread_mutex_unlock(&shared_h[i].lock);
	}
	pthread_mutex_lock(&global_lock);
	if (global_ready) {
		curl_global_cleanup();
		global_ready = 0;
	}
	pthread_mutex_unlock(&global_lock);
}
