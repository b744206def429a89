/*
 * provider_core.c - what provider.c does around the adapters: error
 * classes, cost, redaction, replay endings, and llmr_provider_chat() over
 * HTTP against a one-shot loopback server (no network, no fake binary).
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "provider/provider.h"
#include "base/redact.h"
#include "tap.h"
#include "replay.h"

#define KEY "sk-proj-T3stKeyDoNotLeak0123456789abcdef"

static void test_classes(void)
{
	static const struct {
		long status;
		enum llmr_errclass c;
	} map[] = {
		{429, LLMR_ERR_RATE_LIMITED}, {529, LLMR_ERR_OVERLOADED}, {503, LLMR_ERR_OVERLOADED},
		{401, LLMR_ERR_AUTH}, {403, LLMR_ERR_AUTH}, {400, LLMR_ERR_BAD_REQUEST},
		{404, LLMR_ERR_BAD_REQUEST}, {413, LLMR_ERR_BAD_REQUEST}, {422, LLMR_ERR_BAD_REQUEST},
		{409, LLMR_ERR_BAD_REQUEST}, {500, LLMR_ERR_SERVER}, {502, LLMR_ERR_SERVER},
		{504, LLMR_ERR_SERVER}, {200, LLMR_ERR_NONE},
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		is_int(llmr_errclass_from_status(map[i].status), map[i].c, "status %ld is %s",
		       map[i].status, llmr_errclass_name(map[i].c));
	is_str(llmr_errclass_name(LLMR_ERR_NONE), "ok", "name of none");
	is_str(llmr_errclass_name(LLMR_ERR_RATE_LIMITED), "rate_limited", "name of rate_limited");
	is_str(llmr_errclass_name(LLMR_ERR_BAD_REQUEST), "bad_request", "name of bad_request");
	is_str(llmr_errclass_name(LLMR_ERR_PROTOCOL), "protocol", "name of protocol");
	ok(llmr_errclass_falls_back(LLMR_ERR_RATE_LIMITED) && llmr_errclass_falls_back(LLMR_ERR_OVERLOADED) &&
	   llmr_errclass_falls_back(LLMR_ERR_SERVER) && llmr_errclass_falls_back(LLMR_ERR_TIMEOUT) &&
	   llmr_errclass_falls_back(LLMR_ERR_NETWORK) && llmr_errclass_falls_back(LLMR_ERR_PROTOCOL),
	   "transient classes and protocol fall back");
	ok(!llmr_errclass_falls_back(LLMR_ERR_AUTH) && !llmr_errclass_falls_back(LLMR_ERR_BAD_REQUEST) &&
	   !llmr_errclass_falls_back(LLMR_ERR_NONE), "auth, bad_request and none do not");
	ok(llmr_adapter_for(LLMR_PROTO_OPENAI) == &llmr_adapter_openai, "adapter for openai");
	ok(llmr_adapter_for(LLMR_PROTO_OLLAMA) == &llmr_adapter_ollama, "adapter for ollama");
	ok(llmr_adapter_for(LLMR_PROTO_ANTHROPIC) == &llmr_adapter_anthropic, "adapter for anthropic");
	ok(llmr_adapter_for(LLMR_PROTO_GEMINI) == &llmr_adapter_gemini, "adapter for gemini");
	ok(llmr_adapter_for(LLMR_PROTO_EXTRACTIVE) == NULL, "no adapter for extractive");
}

static struct llmr_model_cfg model(double in, double out, double cin, double cw)
{
	struct llmr_model_cfg m;

	memset(&m, 0, sizeof(m));
	m.input = in;
	m.output = out;
	m.cached_input = cin;
	m.cache_write = cw;
	return m;
}

static void test_cost(void)
{
	struct llmr_model_cfg m = model(2.50, 10.00, 1.25, -1);
	struct llmr_usage u = {1144, 2, 1024, 0, -1};

	/* 120 uncached x 2.50 + 1024 cached x 1.25 + 2 out x 10 = 1600 per 1e6 */
	is_num(llmr_usage_cost(&m, &u), 0.0016, 1e-12, "gpt-4o on openai-chat.json usage");
	m = model(3.00, 15.00, 0.30, 3.75);
	u = (struct llmr_usage){1532, 33, 1111, 418, -1};
	/* 3 x 3 + 1111 x 0.30 + 418 x 3.75 + 33 x 15 = 2404.8 per 1e6 */
	is_num(llmr_usage_cost(&m, &u), 0.0024048, 1e-12, "cache reads and writes priced apart");
	m = model(1.0, 2.0, -1, -1);
	u = (struct llmr_usage){1000, 100, 500, 200, -1};
	/* every input token at the input price when cache prices are unset */
	is_num(llmr_usage_cost(&m, &u), 0.0012, 1e-12, "unset cache prices fall back to input");
	m = model(-1, -1, -1, -1);
	is_num(llmr_usage_cost(&m, &u), 0.0, 0, "unset prices cost nothing");
	m = model(1.0, 0, 0.5, -1);
	u = (struct llmr_usage){10, 0, 40, 0, -1};
	/* cached beyond input (bad data) never gives a negative uncached part */
	is_num(llmr_usage_cost(&m, &u), 0.00002, 1e-12, "uncached input not below 0");
}

static void redacts(const char *in, const char *want, const char *what)
{
	char out[256];

	llmr_redact(out, sizeof(out), in, strlen(in));
	is_str(out, want, "redact: %s", what);
}

static void test_redact(void)
{
	char small[5], inplace[64];

	redacts("Incorrect API key provided: sk-abc***xyz. You can find your API key at https://x/api-keys.",
		"Incorrect API key provided: [redacted]. You can find your API key at https://x/api-keys.",
		"OpenAI's echoed key");
	redacts("bad key sk-ant-api03-AbCdEf123456-_xyz", "bad key [redacted]", "Anthropic key");
	redacts("GET /v1beta/models/x:generateContent?key=AIza" "SyD-abc123def456ghi789jkl012mno345pq failed",
		"GET /v1beta/models/x:generateContent?key=[redacted] failed", "Gemini key in a URL");
	redacts("AIza" "SyD-abc123def456ghi789jkl012mno345pq", "[redacted]", "bare Google key");
	redacts("Authorization: Bearer eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl!", "Authorization: Bearer [redacted]!",
		"bearer token with dots");
	redacts("key gsk_abcdefghijklmnop1234 refused", "key [redacted] refused", "Groq key");
	redacts("token abcdefghijklmnopqrstuvwxyz012345 refused", "token [redacted] refused",
		"a bare 32-char key");
	redacts("task-runner hit rate_limit_exceeded, try again in 26.604s",
		"task-runner hit rate_limit_exceeded, try again in 26.604s", "ordinary words stay");
	redacts("org-OOhFjD3fpmItZTQAxWOQx11o on requests", "org-OOhFjD3fpmItZTQAxWOQx11o on requests",
		"an org id stays");
	redacts("model deepseek-ai/DeepSeek-R1-Distill-Llama-70B-free not found",
		"model deepseek-ai/DeepSeek-R1-Distill-Llama-70B-free not found", "a long model name stays");
	redacts("hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 rejected", "[redacted] rejected",
		"a bare token with an underscore");
	redacts("line1\nline2\t\x1b[31mred\x7f", "line1 line2  [31mred ", "control characters");
	llmr_redact(small, sizeof(small), "\xc3\xa9\xc3\xa9\xc3\xa9", 6);
	is_str(small, "\xc3\xa9\xc3\xa9", "redact: cut on a UTF-8 boundary");
	snprintf(inplace, sizeof(inplace), "key sk-live-0123456789 here");
	llmr_redact(inplace, sizeof(inplace), inplace, strlen(inplace));
	is_str(inplace, "key [redacted] here", "redact: in place");
}

/* A fake adapter to see what the core adds around any adapter. */
static int fake_stream(const char *event, const char *data, size_t n, struct llmr_chat_result *r,
		       llmr_delta_fn on_delta, void *ud)
{
	(void)event;
	if (n == 3 && !memcmp(data, "end", 3))
		return 1;
	if (n == 3 && !memcmp(data, "bad", 3)) {
		r->err = LLMR_ERR_BAD_REQUEST;
		snprintf(r->errmsg, sizeof(r->errmsg), "refused key sk-abcdef123456\n");
		return -1;
	}
	if (n == 4 && !memcmp(data, "oops", 4))
		return -1; /* an adapter that forgot to set a class */
	llmr_buf_add(&r->text, data, n);
	on_delta(data, n, ud);
	return 0;
}

static int fake_parse(const char *body, size_t n, struct llmr_chat_result *r)
{
	(void)r;
	return n == 2 && !memcmp(body, "ok", 2) ? 0 : -1;
}

static const struct llmr_adapter fake = {
	"fake", LLMR_FRAME_NDJSON, NULL, fake_parse, fake_stream, NULL, NULL, NULL,
};

static void test_replay(void)
{
	struct llmr_chat_result r;
	struct deltas d = {LLMR_BUF_INIT, 0};

	llmr_chat_result_init(&r);
	is_int(r.ttft_ms, -1, "init: no ttft");
	is_int(r.err, LLMR_ERR_NONE, "init: no error");
	is_num(r.usage.provider_cost_usd, -1, 0, "init: no provider cost");
	is_num(r.rl.retry_after_s, -1, 0, "init: rate limits unknown");
	is_int(llmr_provider_replay(&fake, true, "a\nb\nend\nc\n", 10, &r, on_delta, &d), 0, "replay to the end");
	is_str(r.text.s, "ab", "nothing read after the end");
	is_str(d.text.s, "ab", "deltas passed through");
	ok(r.done, "done set");
	llmr_chat_result_release(&r);

	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(&fake, true, "a\nb", 3, &r, NULL, NULL), -1, "no end: fails");
	is_int(r.err, LLMR_ERR_PROTOCOL, "no end: protocol");
	is_str(r.errmsg, "stream ended early", "no end: message");
	ok(!r.retryable, "protocol errors are not retried");
	llmr_chat_result_release(&r);

	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(&fake, true, "a\nbad\nend\n", 10, &r, NULL, NULL), -1, "error event: fails");
	is_int(r.err, LLMR_ERR_BAD_REQUEST, "error event: adapter's class kept");
	is_str(r.errmsg, "refused key [redacted] ", "error event: message redacted and one line");
	ok(!r.retryable, "bad_request is not retryable");
	ok(!r.done, "error event: not done");
	llmr_chat_result_release(&r);

	llmr_chat_result_init(&r);
	llmr_provider_replay(&fake, true, "oops\n", 5, &r, NULL, NULL);
	is_int(r.err, LLMR_ERR_PROTOCOL, "adapter failure without a class: protocol");
	ok(r.errmsg[0] != '\0', "adapter failure without a class: has a message");
	llmr_chat_result_release(&r);

	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(&fake, false, "ok", 2, &r, NULL, NULL), 0, "plain body: ok");
	llmr_chat_result_release(&r);
	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(&fake, false, "no", 2, &r, NULL, NULL), -1, "plain body refused: fails");
	is_int(r.err, LLMR_ERR_PROTOCOL, "plain body refused: protocol");
	llmr_chat_result_release(&r);
	llmr_buf_release(&d.text);
}

/* A loopback server that answers one request with a canned response. */
struct server {
	int fd, port;
	const char *head;      /* status line and headers, CRLF-separated */
	const char *body;
	size_t body_len;
	int silent;            /* accept, read, never answer (timeouts) */
	int linger;            /* answer, then never close */
	struct llmr_buf req;   /* the request as received */
	pthread_t th;
};

static void read_request(int c, struct llmr_buf *req)
{
	char buf[4096];
	const char *end, *cl;
	ssize_t k;
	size_t want = 0;

	while ((k = read(c, buf, sizeof(buf))) > 0) {
		llmr_buf_add(req, buf, (size_t)k);
		if (!(end = strstr(req->s, "\r\n\r\n")))
			continue;
		cl = strstr(req->s, "Content-Length:");
		if (!cl)
			cl = strstr(req->s, "content-length:");
		want = (size_t)(end + 4 - req->s) + (cl ? strtoul(cl + 15, NULL, 10) : 0);
		if (req->len >= want)
			break;
	}
}

static void *serve(void *ud)
{
	struct server *s = ud;
	char head[1024];
	int c = accept(s->fd, NULL, NULL);
	size_t off;
	ssize_t k;

	if (c < 0)
		return NULL;
	read_request(c, &s->req);
	if (s->silent) {
		while (read(c, head, sizeof(head)) > 0)
			;
		close(c);
		return NULL;
	}
	snprintf(head, sizeof(head), "%s\r\nConnection: close\r\n\r\n", s->head);
	if (write(c, head, strlen(head)) < 0)
		perror("write");
	/* in small writes, so the client sees a real stream */
	for (off = 0; off < s->body_len; off += (size_t)k)
		if ((k = write(c, s->body + off, s->body_len - off < 97 ? s->body_len - off : 97)) <= 0)
			break;
	if (s->linger) /* keep the connection open until the client gives up */
		while (read(c, head, sizeof(head)) > 0)
			;
	close(c);
	return NULL;
}

static void server_start(struct server *s, const char *head, const char *body, size_t n)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s->fd, 1) < 0 ||
	    getsockname(s->fd, (struct sockaddr *)&a, &len) < 0) {
		printf("Bail out! cannot start a loopback server\n");
		exit(1);
	}
	s->port = ntohs(a.sin_port);
	s->head = head;
	s->body = body;
	s->body_len = n;
	pthread_create(&s->th, NULL, serve, s);
}

/* Joins the thread; s->req stays for the caller to inspect and release. */
static void server_stop(struct server *s)
{
	pthread_join(s->th, NULL);
	close(s->fd);
}

struct call {
	enum llmr_protocol proto;
	bool stream;
	const char *head;      /* status line and headers */
	const char *fixture;   /* body from a fixture, or */
	const char *body;      /* a literal body */
	int silent;
	int64_t timeout_ms;
	int linger;
};

static int run(const struct call *c, struct server *s, struct llmr_chat_result *r, struct deltas *d)
{
	struct llmr_msg msgs[] = {{"user", "Hello", NULL, NULL}};
	struct llmr_chat_req req = {"gpt-4.1", NULL, msgs, 1, 0, -1, false, c->stream, NULL, NULL, NULL};
	struct llmr_provider_cfg p;
	struct llmr_buf url = LLMR_BUF_INIT;
	size_t n = 0;
	char *body = c->fixture ? fixture(c->fixture, &n) : NULL;
	int rc;

	memset(s, 0, sizeof(*s));
	s->silent = c->silent;
	s->linger = c->linger;
	server_start(s, c->head, body ? body : c->body, body ? n : c->body ? strlen(c->body) : 0);
	llmr_buf_addf(&url, "http://127.0.0.1:%d/v1", s->port);
	memset(&p, 0, sizeof(p));
	p.name = "test";
	p.protocol = c->proto;
	p.base_url = url.s;
	p.timeout_ms = c->timeout_ms ? c->timeout_ms : 10000;
	p.connect_timeout_ms = 5000;
	llmr_chat_result_init(r);
	rc = llmr_provider_chat(&p, KEY, &req, r, d ? on_delta : NULL, d);
	server_stop(s);
	llmr_buf_release(&url);
	free(body);
	return rc;
}

/* The JSON body of the request the server received (new reference). */
static json_t *sent_body(const struct server *s)
{
	const char *b = s->req.s ? strstr(s->req.s, "\r\n\r\n") : NULL;

	return b ? json_loads(b + 4, 0, NULL) : NULL;
}

static void no_key(const struct llmr_chat_result *r, const char *what)
{
	ok(!strstr(r->errmsg, "T3stKey") && !strstr(r->errmsg, "sk-proj"), "%s: no key in the message", what);
}

static void test_chat_stream(void)
{
	struct call c = {LLMR_PROTO_OPENAI, true,
			 "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
			 "x-ratelimit-limit-requests: 500\r\nx-ratelimit-remaining-requests: 499\r\n"
			 "x-ratelimit-reset-requests: 120ms",
			 "openai-chat-stream.sse", NULL, 0, 0, 0};
	struct llmr_chat_result r;
	struct deltas d = {LLMR_BUF_INIT, 0};
	struct server s;
	json_t *j;

	is_int(run(&c, &s, &r, &d), 0, "chat stream over HTTP: ok");
	is_str(r.text.s, "Hello!", "chat stream: text");
	is_str(d.text.s, "Hello!", "chat stream: deltas");
	is_int(r.usage.input_tokens, 1144, "chat stream: input tokens");
	is_int(r.usage.cached_tokens, 1024, "chat stream: cached tokens");
	is_int(r.http_status, 200, "chat stream: status");
	ok(r.done, "chat stream: done");
	ok(r.ttft_ms >= 0 && r.latency_ms >= r.ttft_ms, "chat stream: ttft, then latency");
	ok(r.rl.seen && r.rl.req_remaining == 499, "chat stream: rate-limit headers read on success");
	ok(strstr(s.req.s, "POST /v1/chat/completions ") != NULL, "request: POST to /v1/chat/completions");
	ok(strstr(s.req.s, "Bearer " KEY) != NULL, "request: the key goes in the Authorization header");
	j = sent_body(&s);
	ok(json_is_true(json_object_get(j, "stream")), "request: stream true");
	ok(json_object_get(j, "stream_options") != NULL, "request: stream_options");
	json_decref(j);
	llmr_buf_release(&s.req);
	llmr_chat_result_release(&r);
	llmr_buf_release(&d.text);
}

static void test_chat_plain(void)
{
	struct call c = {LLMR_PROTO_OPENAI, false, "HTTP/1.1 200 OK\r\nContent-Type: application/json",
			 "openai-chat.json", NULL, 0, 0, 0};
	struct llmr_chat_result r;
	struct server s;
	json_t *j;

	is_int(run(&c, &s, &r, NULL), 0, "chat over HTTP: ok");
	is_str(r.text.s, "Hello!", "chat: text");
	is_int(r.usage.output_tokens, 2, "chat: output tokens");
	ok(r.latency_ms >= 0, "chat: latency measured");
	j = sent_body(&s);
	ok(json_is_false(json_object_get(j, "stream")) && !json_object_get(j, "stream_options"),
	   "request: stream false, no stream_options");
	json_decref(j);
	llmr_buf_release(&s.req);
	llmr_chat_result_release(&r);
}

static void test_chat_errors(void)
{
	struct call rate = {LLMR_PROTO_OPENAI, true,
			    "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nretry-after: 7",
			    "openai-error-429.json", NULL, 0, 0, 0};
	struct call quota = {LLMR_PROTO_OPENAI, false, "HTTP/1.1 429 Too Many Requests",
			     "openai-error-429-insufficient-quota.json", NULL, 0, 0, 0};
	struct call auth = {LLMR_PROTO_OPENAI, false, "HTTP/1.1 401 Unauthorized", NULL,
			    "{\"error\":{\"message\":\"Incorrect API key provided: sk-proj-T3st***cdef.\","
			    "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}", 0, 0, 0};
	struct call bare = {LLMR_PROTO_OPENAI, false, "HTTP/1.1 502 Bad Gateway", NULL, "", 0, 0, 0};
	struct call cut = {LLMR_PROTO_OPENAI, true, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream", NULL,
			   "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n", 0, 0, 0};
	struct call ollama = {LLMR_PROTO_OLLAMA, true, "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson",
			      "ollama-generate-stream-error.jsonl", NULL, 0, 0, 0};
	struct call slow = {LLMR_PROTO_OPENAI, false, "", NULL, NULL, 1, 300, 0};
	struct call hang = {LLMR_PROTO_OPENAI, true, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream",
			    "openai-chat-stream.sse", NULL, 0, 300, 1};
	struct llmr_chat_result r;
	struct server s;

	is_int(run(&rate, &s, &r, NULL), -1, "429: fails");
	is_int(r.err, LLMR_ERR_RATE_LIMITED, "429: rate_limited");
	ok(r.retryable, "429: retryable");
	is_int(r.http_status, 429, "429: status kept");
	is_num(r.rl.retry_after_s, 7, 1e-9, "429: retry-after read from the error's headers");
	ok(strstr(r.errmsg, "26.604s") != NULL, "429: body message kept");
	llmr_buf_release(&s.req);
	llmr_chat_result_release(&r);

	run(&quota, &s, &r, NULL);
	ok(r.err == LLMR_ERR_RATE_LIMITED && !r.retryable, "insufficient_quota: rate_limited, not retryable");
	llmr_buf_release(&s.req);
	llmr_chat_result_release(&r);

	run(&auth, &s, &r, NULL);
	is_int(r.err, LLMR_ERR_AUTH, "401: auth");
	ok(!r.retryable, "401: not retryable");
	no_key(&r, "401");
	ok(strstr(r.errmsg, "[redacted]") != NULL, "401: echoed key replaced");
	llmr_buf_release(&s.req);
	llmr_chat_result_release(&r);

	run(&bare, &s, &r, NULL);
	is_int(r.err, LLMR_ERR_SERVER, "502 without a body: server");
	is_str(r.errmsg, "HTTP 502", "502 without a body: says the status");
	llmr_buf_release(&s.req);
	llmr_chat_result_release(&r);

	run(&cut, &s, &r, NULL);
	is_int(r.err, LLMR_ERR_PROTOCOL, "stream cut before [DONE]: protocol");
	is_str(r.text.s, "Hel", "stream cut: partial text kept");
	llmr_buf_release(&s.req);
	llmr_chat_result_release(&r);

	run(&ollama, &s, &r, NULL);
	is_int(r.err, LLMR_ERR_SERVER, "ollama error line in a 200 stream: server");
	is_str(r.errmsg, "an error was encountered while running the model", "ollama error line: message");
	ok(strstr(s.req.s, "POST /v1/api/chat ") != NULL, "ollama: POST to /api/chat");
	ok(strstr(s.req.s, "\"stream\":true") != NULL, "ollama: stream asked for explicitly");
	llmr_buf_release(&s.req);
	llmr_chat_result_release(&r);

	run(&hang, &s, &r, NULL);
	is_int(r.err, LLMR_ERR_NONE, "stream ended by [DONE], connection left open: still ok");
	is_str(r.text.s, "Hello!", "stream ended by [DONE], connection left open: text");
	llmr_buf_release(&s.req);
	llmr_chat_result_release(&r);

	run(&slow, &s, &r, NULL);
	is_int(r.err, LLMR_ERR_TIMEOUT, "silent server: timeout");
	ok(r.retryable, "timeout: retryable");
	no_key(&r, "timeout");
	llmr_buf_release(&s.req);
	llmr_chat_result_release(&r);
}

static void test_chat_unreachable(void)
{
	struct llmr_msg msgs[] = {{"user", "Hello", NULL, NULL}};
	struct llmr_chat_req req = {"m", NULL, msgs, 1, 0, -1, false, false, NULL, NULL, NULL};
	struct llmr_provider_cfg p;
	struct llmr_chat_result r;
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	char url[128];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	/* a port that was just free: bound, then closed, so nothing listens */
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &len);
	close(fd);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1?key=%s", ntohs(a.sin_port), KEY);
	memset(&p, 0, sizeof(p));
	p.protocol = LLMR_PROTO_OPENAI;
	p.base_url = url;
	p.timeout_ms = 5000;
	llmr_chat_result_init(&r);
	is_int(llmr_provider_chat(&p, KEY, &req, &r, NULL, NULL), -1, "connection refused: fails");
	is_int(r.err, LLMR_ERR_NETWORK, "connection refused: network");
	ok(r.retryable, "network: retryable");
	no_key(&r, "connection refused");
	llmr_chat_result_release(&r);

	p.base_url = NULL;
	llmr_chat_result_init(&r);
	is_int(llmr_provider_chat(&p, KEY, &req, &r, NULL, NULL), -1, "no base_url: fails");
	is_int(r.err, LLMR_ERR_BAD_REQUEST, "no base_url: bad_request before any transfer");
	llmr_chat_result_release(&r);

	p.protocol = LLMR_PROTO_EXTRACTIVE;
	llmr_chat_result_init(&r);
	is_int(llmr_provider_chat(&p, KEY, &req, &r, NULL, NULL), -1, "extractive has no chat call");
	llmr_chat_result_release(&r);
}

int main(void)
{
	test_classes();
	test_cost();
	test_redact();
	test_replay();
	test_chat_stream();
	test_chat_plain();
	test_chat_errors();
	test_chat_unreachable();
	llmr_http_cleanup();
	return done_testing();
}
