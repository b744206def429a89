/*
 * provider.c - what every adapter shares: cost, and the
 * call itself (build, HTTP, framing, timing), so that adapters only turn
 * requests into bytes and bytes into results. Every way out redacts the
 * error message: providers echo keys back.
 */
#include "provider/provider.h"

#include <stdio.h>
#include <string.h>

#include "base/redact.h"
#include "net/sse.h"

/* One streamed event or one line may not exceed this. */
#define EVENT_MAX (4u << 20)
/* Caps on an answer: text kept, and bytes read from a stream. */
#define TEXT_MAX (8u << 20)
#define STREAM_MAX (64u << 20)
#define BODY_MAX (16u << 20)
/* A server that ignored stream:true answers with one JSON body: keep this
 * much of the start of a stream to parse it as such. */
#define HEAD_MAX (256u << 10)

/* Our framer callback's answers, apart from 0 (go on). */
enum { EV_DONE = 1, EV_ERROR = 2 };

const struct llmr_adapter *llmr_adapter_for(enum llmr_protocol p)
{
	switch (p) {
	case LLMR_PROTO_OPENAI: return &llmr_adapter_openai;
	case LLMR_PROTO_ANTHROPIC: return &llmr_adapter_anthropic;
	case LLMR_PROTO_GEMINI: return &llmr_adapter_gemini;
	case LLMR_PROTO_OLLAMA: return &llmr_adapter_ollama;
	case LLMR_PROTO_EXTRACTIVE: return NULL;
	}
	return NULL;
}

void llmr_chat_result_init(struct llmr_chat_result *r)
{
	memset(r, 0, sizeof(*r));
	r->text.max = TEXT_MAX;
	r->usage.provider_cost_usd = -1;
	llmr_ratelimit_init(&r->rl);
	r->err = LLMR_ERR_NONE;
	r->retryable = true;
	r->ttft_ms = -1;
	r->latency_ms = -1;
}

void llmr_chat_result_release(struct llmr_chat_result *r)
{
	llmr_buf_release(&r->text);
	json_decref(r->tool_calls);
	r->tool_calls = NULL;
}

static double price(double p)
{
	return p < 0 ? 0 : p;
}

static double tokens(long n)
{
	return n < 0 ? 0 : (double)n;
}

double llmr_usage_cost(const struct llmr_model_cfg *m, const struct llmr_usage *u)
{
	double in = price(m->input), out = price(m->output);
	double cin = m->cached_input < 0 ? in : m->cached_input;
	double cw = m->cache_write < 0 ? in : m->cache_write;
	double cached = tokens(u->cached_tokens), written = tokens(u->cache_write_tokens);
	double uncached = tokens(u->input_tokens) - cached - written;

	if (uncached < 0)
		uncached = 0;
	return (uncached * in + cached * cin + written * cw + tokens(u->output_tokens) * out) / 1e6;
}

static void set_err(struct llmr_chat_result *r, enum llmr_errclass c, const char *msg)
{
	r->err = c;
	llmr_redact(r->errmsg, sizeof(r->errmsg), msg, strlen(msg));
}

/*
 * Every way out goes through here: whatever an adapter wrote into errmsg is
 * redacted, a class that cannot fall back (or a protocol error) is never
 * retryable, and an error without a message gets the class name.
 */
static int finish(struct llmr_chat_result *r)
{
	if (r->err == LLMR_ERR_NONE) {
		r->errmsg[0] = '\0';
		return 0;
	}
	r->errmsg[sizeof(r->errmsg) - 1] = '\0';
	llmr_redact(r->errmsg, sizeof(r->errmsg), r->errmsg, strlen(r->errmsg));
	if (!r->errmsg[0])
		set_err(r, r->err, llmr_errclass_name(r->err));
	/* A garbled or cut answer falls back to the next model, but asking the
	 * same model again would likely pay for the same garbage. */
	r->retryable = r->retryable && llmr_errclass_falls_back(r->err) &&
		       r->err != LLMR_ERR_PROTOCOL;
	return -1;
}

/* The state of one streamed answer, shared by replay and the live call. */
struct stream {
	const struct llmr_adapter *a;
	struct llmr_chat_result *r;
	struct llmr_framer framer;
	llmr_delta_fn on_delta;
	void *ud;
	int64_t t0;      /* monotonic start, for ttft; -1 when not timing */
	size_t nbytes;   /* bytes fed so far */
	size_t nevents;  /* events handed to the adapter */
	struct llmr_buf head; /* the first bytes, in case it is no stream */
	int stopped;     /* EV_DONE or EV_ERROR: ignore what follows */
	const volatile int *cancel; /* the caller gave up on this call */
};

/* Between the adapter and the caller's callback: stamps the first byte. */
static void stream_delta(const char *text, size_t n, void *ud)
{
	struct stream *s = ud;

	if (!n)
		return;
	if (s->r->ttft_ms < 0 && s->t0 >= 0)
		s->r->ttft_ms = llmr_mono_ms() - s->t0;
	if (s->on_delta)
		s->on_delta(text, n, s->ud);
}

static int stream_event(const char *event, const char *data, size_t n, void *ud)
{
	struct stream *s = ud;
	int rc;

	s->nevents++;
	rc = s->a->stream_event(event, data, n, s->r, stream_delta, s);
	if (rc == 1) {
		s->r->done = true;
		return EV_DONE;
	}
	if (rc < 0) {
		if (s->r->err == LLMR_ERR_NONE)
			set_err(s->r, LLMR_ERR_PROTOCOL, "bad event in stream");
		return EV_ERROR;
	}
	return 0;
}

static void stream_init(struct stream *s, const struct llmr_adapter *a,
			struct llmr_chat_result *r, llmr_delta_fn on_delta, void *ud, int64_t t0)
{
	memset(s, 0, sizeof(*s));
	s->a = a;
	s->r = r;
	s->on_delta = on_delta;
	s->ud = ud;
	s->t0 = t0;
	s->head.max = HEAD_MAX;
	llmr_framer_init(&s->framer, a->framing == LLMR_FRAME_NDJSON, EVENT_MAX, stream_event, s);
}

/* Feed bytes; returns 0 to go on (also after the end: the rest is ignored)
 * or -1 when the stream cannot go on. */
static int stream_feed(struct stream *s, const char *p, size_t n)
{
	int rc;

	if (s->stopped)
		return 0;
	s->nbytes += n;
	if (s->head.len + n <= s->head.max)
		llmr_buf_add(&s->head, p, n);
	if (s->nbytes > STREAM_MAX) {
		set_err(s->r, LLMR_ERR_PROTOCOL, "stream too long");
		s->stopped = EV_ERROR;
		return -1;
	}
	rc = llmr_framer_feed(&s->framer, p, n);
	if (rc == -1) {
		set_err(s->r, LLMR_ERR_PROTOCOL, "stream event too large");
		s->stopped = EV_ERROR;
		return -1;
	}
	s->stopped = rc;
	return 0;
}

/*
 * Not one event came, and the body is a JSON object: a complete answer or
 * an error object (a server that ignored stream:true, or failed before it
 * began). The adapter's parse_chat knows both.
 */
static void not_a_stream(struct stream *s)
{
	if (s->a->parse_chat(s->head.s, s->head.len, s->r) < 0) {
		if (s->r->err == LLMR_ERR_NONE)
			set_err(s->r, LLMR_ERR_PROTOCOL, "stream ended early");
		return;
	}
	if (s->r->text.len && s->on_delta)
		s->on_delta(s->r->text.s, s->r->text.len, s->ud);
	if (s->r->text.len && s->t0 >= 0)
		s->r->ttft_ms = llmr_mono_ms() - s->t0;
}

/* End of body: flush a last unterminated event, then judge the ending. */
static void stream_end(struct stream *s)
{
	int rc;

	if (!s->stopped) {
		rc = llmr_framer_finish(&s->framer);
		if (rc == -1)
			set_err(s->r, LLMR_ERR_PROTOCOL, "stream event too large");
		s->stopped = rc;
	}
	if (s->stopped == EV_ERROR || s->r->done || s->r->err != LLMR_ERR_NONE)
		return;
	if (!s->nevents && s->head.len && s->head.len == s->nbytes && s->head.s[0] == '{')
		not_a_stream(s);
	else
		set_err(s->r, LLMR_ERR_PROTOCOL, "stream ended early");
}

static void stream_release(struct stream *s)
{
	llmr_framer_release(&s->framer);
	llmr_buf_release(&s->head);
}

static void parse_body(const struct llmr_adapter *a, const char *body, size_t n,
		       struct llmr_chat_result *r)
{
	if (a->parse_chat(body, n, r) < 0 && r->err == LLMR_ERR_NONE)
		set_err(r, LLMR_ERR_PROTOCOL, "unparseable answer");
}

int llmr_provider_replay(const struct llmr_adapter *a, bool stream, const char *body,
			 size_t n, struct llmr_chat_result *r, llmr_delta_fn on_delta, void *ud)
{
	struct stream s;

	if (!stream) {
		parse_body(a, body, n, r);
		return finish(r);
	}
	stream_init(&s, a, r, on_delta, ud, -1);
	stream_feed(&s, body, n);
	stream_end(&s);
	stream_release(&s);
	return finish(r);
}

static bool is_2xx(long status)
{
	return status >= 200 && status <= 299;
}

static int on_data(const char *p, size_t n, void *ud)
{
	struct stream *s = ud;

	if (s->cancel && *s->cancel) {
		set_err(s->r, LLMR_ERR_NETWORK, "cancelled");
		return -1;
	}
	return stream_feed(ud, p, n);
}

/* A transfer that failed before (or while) reading the answer. */
static void transfer_failed(const struct llmr_http_resp *resp, const struct llmr_err *e,
			    struct llmr_chat_result *r)
{
	char msg[600];

	switch (resp->fail) {
	case LLMR_HTTP_FAIL_TIMEOUT:
		snprintf(msg, sizeof(msg), "timed out: %s", resp->errmsg);
		set_err(r, LLMR_ERR_TIMEOUT, msg);
		break;
	case LLMR_HTTP_FAIL_TOOBIG:
		set_err(r, LLMR_ERR_PROTOCOL, "response body too big");
		break;
	case LLMR_HTTP_FAIL_ABORTED:
		/* we stopped it: the stream code has said why */
		if (r->err == LLMR_ERR_NONE)
			set_err(r, LLMR_ERR_PROTOCOL, "transfer aborted");
		break;
	default:
		snprintf(msg, sizeof(msg), "%s", resp->errmsg[0] ? resp->errmsg
				 : e->msg[0] ? e->msg : "transfer failed");
		set_err(r, LLMR_ERR_NETWORK, msg);
		break;
	}
}

/* A non-2xx answer: the adapter reads the body, the status gives the default. */
static void http_error(const struct llmr_adapter *a, const struct llmr_http_resp *resp,
		       struct llmr_chat_result *r)
{
	char msg[64];
	const char *body = resp->body.s ? resp->body.s : "";

	r->err = LLMR_ERR_NONE;
	a->parse_error(resp->status, body, resp->body.len, r);
	if (r->err == LLMR_ERR_NONE)
		r->err = llmr_errclass_from_status(resp->status);
	if (r->err == LLMR_ERR_NONE)
		r->err = LLMR_ERR_PROTOCOL; /* a 1xx or 3xx we did not ask for */
	if (!r->errmsg[0]) {
		snprintf(msg, sizeof(msg), "HTTP %ld", resp->status);
		set_err(r, r->err, msg);
	}
}

static void perform(const struct llmr_adapter *a, const struct llmr_provider_cfg *p,
		    const struct llmr_chat_req *req, const struct llmr_buf *url,
		    const struct llmr_headers *hdrs, const struct llmr_buf *body,
		    struct llmr_chat_result *r, llmr_delta_fn on_delta, void *ud)
{
	struct llmr_http_req hreq = {0};
	struct llmr_http_resp resp = {0};
	struct llmr_err e = {0, ""};
	struct stream s;
	int64_t t0 = llmr_mono_ms();

	stream_init(&s, a, r, on_delta, ud, t0);
	hreq.url = url->s;
	hreq.headers = hdrs;
	hreq.body = body->s ? body->s : "";
	hreq.body_len = body->len;
	hreq.timeout_ms = p->timeout_ms > 0 ? p->timeout_ms : 0;
	hreq.connect_timeout_ms = p->connect_timeout_ms > 0 ? p->connect_timeout_ms : 0;
	hreq.max_body = BODY_MAX;
	hreq.cancel = req->cancel;
	if (req->stream) {
		s.cancel = req->cancel;
		hreq.on_data = on_data;
		hreq.ud = &s;
	}
	llmr_http_perform(&hreq, &resp, &e);
	if (req->cancel && *req->cancel && resp.fail == LLMR_HTTP_FAIL_ABORTED)
		set_err(r, LLMR_ERR_NETWORK, "cancelled");
	r->http_status = resp.status;
	llmr_ratelimit_parse(&resp.headers, (double)llmr_now_ms() / 1000.0, &r->rl);
	if (req->stream && s.stopped && is_2xx(resp.status))
		; /* the stream said how it ended: a reset after that changes nothing */
	else if (resp.fail != LLMR_HTTP_FAIL_NONE || resp.status == 0)
		transfer_failed(&resp, &e, r);
	else if (!is_2xx(resp.status))
		http_error(a, &resp, r);
	else if (req->stream)
		stream_end(&s);
	else
		parse_body(a, resp.body.s ? resp.body.s : "", resp.body.len, r);
	stream_release(&s);
	if (r->ttft_ms < 0 && r->text.len && !req->stream && resp.ttfb_ms >= 0)
		r->ttft_ms = resp.ttfb_ms;
	r->latency_ms = llmr_mono_ms() - t0;
	llmr_http_resp_release(&resp);
}

/* The URL (Gemini's ?key=) and the headers hold the key: wipe them before
 * the memory goes back to malloc. */
static void wipe(struct llmr_buf *url, struct llmr_headers *hdrs)
{
	size_t i;

	if (url->s)
		memset(url->s, 0, url->len);
	for (i = 0; i < hdrs->n; i++)
		if (hdrs->values[i])
			memset(hdrs->values[i], 0, strlen(hdrs->values[i]));
}

int llmr_provider_chat(const struct llmr_provider_cfg *p, const char *api_key,
		       const struct llmr_chat_req *req, struct llmr_chat_result *r,
		       llmr_delta_fn on_delta, void *ud)
{
	const struct llmr_adapter *a = llmr_adapter_for(p->protocol);
	struct llmr_buf url = LLMR_BUF_INIT, body = LLMR_BUF_INIT;
	struct llmr_headers hdrs = {0};
	struct llmr_err e = {0, ""};

	if (!a) {
		set_err(r, LLMR_ERR_BAD_REQUEST, "provider has no chat protocol");
		return finish(r);
	}
	if (req->stream && req->on_tool && !r->on_tool) {
		r->on_tool = req->on_tool;
		r->tool_ud = ud;
	}
	if (a->build_chat(p, api_key ? api_key : "", req, &url, &hdrs, &body, &e) < 0)
		set_err(r, LLMR_ERR_BAD_REQUEST, e.msg[0] ? e.msg : "cannot build request");
	else
		perform(a, p, req, &url, &hdrs, &body, r, on_delta, ud);
	wipe(&url, &hdrs);
	llmr_buf_release(&url);
	llmr_buf_release(&body);
	llmr_headers_release(&hdrs);
	return finish(r);
}
