#define _GNU_SOURCE /* strcasestr */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/http.h"
#include "tap.h"

#define FAKE_KEY "sk-fake-SECRET-0123456789"

static int port;
static pid_t server_pid;

/* ---- a tiny loopback HTTP/1.1 server, one forked handler per connection ---- */

static void write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(0);
		p += w;
		n -= (size_t)w;
	}
}

static void write_str(int fd, const char *s)
{
	write_all(fd, s, strlen(s));
}

/* Read one request (headers and Content-Length body) into req; 0 at EOF. */
static size_t read_request(int fd, char *req, size_t cap)
{
	size_t len = 0, body = 0, need;
	char *end = NULL, *cl;
	ssize_t r;

	req[0] = '\0'; /* curl does not pipeline: nothing is left over */
	for (;;) {
		if (!end && (end = strstr(req, "\r\n\r\n"))) {
			cl = strcasestr(req, "\r\nContent-Length:");
			body = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
		}
		if (end) {
			need = (size_t)(end + 4 - req) + body;
			if (len >= need)
				return len;
		}
		if (len + 1 >= cap)
			return len;
		r = read(fd, req + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		len += (size_t)r;
		req[len] = '\0';
	}
}

static void reply(int fd, const char *req, size_t reqlen, int conn, int nreq)
{
	char head[512], path[128] = "";
	static char big[200000];
	size_t i;

	sscanf(req, "%*s %127s", path);
	if (!strncmp(path, "/basic", 6)) {
		snprintf(head, sizeof(head),
			 "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
			 "X-RateLimit-Remaining-Requests: 42\r\nX-Conn: %d\r\nX-Req: %d\r\n"
			 "Content-Length: 5\r\n\r\nhello", conn, nreq);
		write_str(fd, head);
	} else if (!strcmp(path, "/continue")) {
		write_str(fd, "HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\n"
			      "HTTP/1.1 201 Created\r\nX-Final: yes\r\nContent-Length: 2\r\n\r\nok");
	} else if (!strcmp(path, "/stream") || !strcmp(path, "/big")) {
		for (i = 0; i < sizeof(big); i++)
			big[i] = (char)('a' + i % 23);
		write_str(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
		for (i = 0; i < sizeof(big); i += 10000) {
			snprintf(head, sizeof(head), "%x\r\n", 10000);
			write_str(fd, head);
			write_all(fd, big + i, 10000);
			write_str(fd, "\r\n");
		}
		write_str(fd, "0\r\n\r\n");
	} else if (!strcmp(path, "/gzip")) {
		static const char gz[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xcb\x48\xcd\xc9"
			"\xc9\x57\x48\xaf\xca\x2c\x00\x00\x19\x6a\xd2\xdf\x0a\x00\x00\x00";

		write_str(fd, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 30\r\n\r\n");
		write_all(fd, gz, 30);
	} else if (!strcmp(path, "/error")) {
		write_str(fd, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\n"
			      "Content-Length: 21\r\n\r\n{\"error\":\"slow down\"}");
	} else if (!strcmp(path, "/echo")) {
		snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", reqlen);
		write_str(fd, head);
		write_all(fd, req, reqlen);
	} else if (!strncmp(path, "/slow", 5)) {
		struct pollfd p = {fd, POLLIN, 0};

		/* Answer nothing; leave when the client gives up (or after 5 s). */
		poll(&p, 1, 5000);
		_exit(0);
	} else {
		write_str(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
	}
}

static void handle(int fd, int conn)
{
	static char req[65536];
	size_t n;
	int nreq = 0;

	while ((n = read_request(fd, req, sizeof(req))) > 0)
		reply(fd, req, n, conn, ++nreq);
	_exit(0);
}

static void server(int ls)
{
	int fd, conn = 0;

	signal(SIGCHLD, SIG_IGN); /* handlers reap themselves */
	for (;;) {
		fd = accept(ls, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		conn++;
		if (fork() == 0) {
			close(ls);
			handle(fd, conn);
		}
		close(fd);
	}
}

static int listen_loopback(int *out_port, int do_listen)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    (do_listen && listen(s, 16) < 0) ||
	    getsockname(s, (struct sockaddr *)&a, &alen) < 0)
		return -1;
	*out_port = ntohs(a.sin_port);
	return s;
}

static int start_server(void)
{
	int ls = listen_loopback(&port, 1);

	if (ls < 0)
		return -1;
	server_pid = fork();
	if (server_pid == 0)
		server(ls);
	close(ls);
	return server_pid > 0 ? 0 : -1;
}

/* ---- the tests ---- */

static char *url(const char *path)
{
	static char buf[4][256];
	static int i;
	char *p = buf[i++ % 4];

	snprintf(p, 256, "http://127.0.0.1:%d%s", port, path);
	return p;
}

static void req_init(struct llmr_http_req *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	r->url = url(path);
	r->timeout_ms = 10000;
	r->connect_timeout_ms = 5000;
}

static int has_name(const struct llmr_headers *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (!strcmp(h->names[i], name))
			return 1;
	return 0;
}

static void test_headers(void)
{
	struct llmr_headers h = {0};
	long status = 0;

	llmr_headers_add(&h, "Content-Type", "text/plain");
	is_str(h.names[0], "content-type", "add lowercases the name");
	is_str(llmr_headers_get(&h, "CONTENT-type"), "text/plain", "get is case-insensitive");
	ok(!llmr_headers_get(&h, "x-missing"), "missing header is NULL");
	llmr_headers_release(&h);
	ok(h.n == 0 && !h.names, "release empties");

	llmr_headers_parse_block(&h, "HTTP/1.1 100 Continue\r\nX-Early: 1\r\n\r\n"
				 "HTTP/2 429 \r\nRetry-After:  7 \r\nX-Long: a\r\n  b\r\nnot a header\r\n",
				 &status);
	is_int(status, 429, "status from the last status line");
	ok(!llmr_headers_get(&h, "x-early"), "headers before the final status are dropped");
	is_str(llmr_headers_get(&h, "retry-after"), "7", "value trimmed");
	is_str(llmr_headers_get(&h, "x-long"), "a b", "folded line joined");
	is_int(h.n, 2, "lines without a colon ignored");
	llmr_headers_release(&h);
}

/* A forked child must open its own connection, not share the parent's. */
static void test_fork(const char *parent_conn)
{
	struct llmr_http_req r;
	struct llmr_http_resp resp;
	struct llmr_err e = {0, ""};
	char child_conn[16] = "";
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(fds) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		const char *c;

		close(fds[0]);
		req_init(&r, "/basic");
		c = llmr_http_perform(&r, &resp, &e) == 0 ? llmr_headers_get(&resp.headers, "x-conn") : NULL;
		if (c && write(fds[1], c, strlen(c)) < 0)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	n = read(fds[0], child_conn, sizeof(child_conn) - 1);
	close(fds[0]);
	waitpid(pid, &status, 0);
	ok(n > 0 && strcmp(child_conn, parent_conn), "a forked child opens its own connection (%s)", child_conn);
	req_init(&r, "/basic");
	is_int(llmr_http_perform(&r, &resp, &e), 0, "the parent goes on after the fork");
	is_str(llmr_headers_get(&resp.headers, "x-conn"), parent_conn, "on its own connection");
	llmr_http_resp_release(&resp);
}

static void test_basic(void)
{
	struct llmr_http_req r;
	struct llmr_http_resp resp;
	struct llmr_err e = {0, ""};
	char conn1[16] = "", req1[16] = "";
	int rc;

	req_init(&r, "/basic");
	rc = llmr_http_perform(&r, &resp, &e);
	is_int(rc, 0, "GET returns 0");
	is_int(resp.status, 200, "status 200");
	is_str(resp.body.s, "hello", "body buffered");
	is_int(resp.fail, LLMR_HTTP_FAIL_NONE, "no failure");
	ok(has_name(&resp.headers, "x-ratelimit-remaining-requests"), "header names lowercased");
	is_str(llmr_headers_get(&resp.headers, "x-ratelimit-remaining-requests"), "42", "header value");
	ok(resp.ttfb_ms >= 0 && resp.total_ms >= resp.ttfb_ms, "timings set");
	if (llmr_headers_get(&resp.headers, "x-conn")) {
		snprintf(conn1, sizeof(conn1), "%s", llmr_headers_get(&resp.headers, "x-conn"));
		snprintf(req1, sizeof(req1), "%s", llmr_headers_get(&resp.headers, "x-req"));
	}
	llmr_http_resp_release(&resp);

	req_init(&r, "/basic?again");
	rc = llmr_http_perform(&r, &resp, &e);
	is_int(rc, 0, "second GET returns 0");
	is_str(llmr_headers_get(&resp.headers, "x-conn"), conn1,
	       "second request on the same connection (one accept)");
	is_int(atoi(llmr_headers_get(&resp.headers, "x-req") ? llmr_headers_get(&resp.headers, "x-req") : "0"),
	       atoi(req1) + 1, "as its next request (keep-alive)");
	llmr_http_resp_release(&resp);
	test_fork(conn1);
}

static void test_gzip(void)
{
	struct llmr_http_req r;
	struct llmr_http_resp resp;
	struct llmr_err e = {0, ""};

	req_init(&r, "/gzip");
	is_int(llmr_http_perform(&r, &resp, &e), 0, "gzip answer");
	is_str(resp.body.s, "hello gzip", "decoded (Accept-Encoding offered)");
	llmr_http_resp_release(&resp);
}

/* Threads share the process handle or get their own: all must succeed. */
static void *thread_fn(void *ud)
{
	struct llmr_http_req r;
	struct llmr_http_resp resp;
	struct llmr_err e = {0, ""};
	int i, *good = ud;

	for (i = 0; i < 5; i++) {
		req_init(&r, "/basic");
		if (llmr_http_perform(&r, &resp, &e) == 0 && resp.status == 200 &&
		    !strcmp(resp.body.s, "hello"))
			(*good)++;
		llmr_http_resp_release(&resp);
	}
	return NULL;
}

static void test_threads(void)
{
	pthread_t t[4];
	int good[4] = {0}, i, total = 0;

	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, thread_fn, &good[i]);
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		total += good[i];
	}
	is_int(total, 20, "4 threads x 5 requests at once all succeed");
}

static void test_continue(void)
{
	struct llmr_http_req r;
	struct llmr_http_resp resp;
	struct llmr_err e = {0, ""};

	req_init(&r, "/continue");
	r.body = "{\"q\":1}";
	r.body_len = 7;
	is_int(llmr_http_perform(&r, &resp, &e), 0, "POST after 100 Continue returns 0");
	is_int(resp.status, 201, "final status");
	ok(!llmr_headers_get(&resp.headers, "x-interim"), "interim headers dropped");
	is_str(llmr_headers_get(&resp.headers, "x-final"), "yes", "final headers kept");
	is_str(resp.body.s, "ok", "final body");
	llmr_http_resp_release(&resp);
}

static void test_echo(void)
{
	struct llmr_http_req r;
	struct llmr_http_resp resp;
	struct llmr_err e = {0, ""};
	struct llmr_headers h = {0};

	llmr_headers_add(&h, "Authorization", "Bearer " FAKE_KEY);
	llmr_headers_add(&h, "Content-Type", "application/json");
	req_init(&r, "/echo");
	r.headers = &h;
	r.body = "{\"prompt\":\"hi\"}";
	r.body_len = strlen(r.body);
	is_int(llmr_http_perform(&r, &resp, &e), 0, "POST echo");
	ok(resp.body.s && strstr(resp.body.s, "POST /echo HTTP/1.1"), "sent as a POST");
	ok(resp.body.s && strstr(resp.body.s, "authorization: Bearer " FAKE_KEY), "request header sent");
	ok(resp.body.s && strstr(resp.body.s, "User-Agent: llmr/" LLMR_VERSION), "user agent sent");
	ok(resp.body.s && !strcasestr(resp.body.s, "Expect:"), "no Expect: 100-continue");
	ok(resp.body.s && strstr(resp.body.s, "\r\n\r\n{\"prompt\":\"hi\"}"), "body sent");
	llmr_http_resp_release(&resp);
	llmr_headers_release(&h);
}

struct sink {
	struct llmr_buf got;
	int calls, stop_after;
};

static int sink_fn(const char *p, size_t n, void *ud)
{
	struct sink *s = ud;

	s->calls++;
	llmr_buf_add(&s->got, p, n);
	return s->stop_after && s->calls >= s->stop_after ? -1 : 0;
}

static void test_stream(void)
{
	struct llmr_http_req r;
	struct llmr_http_resp resp;
	struct llmr_err e = {0, ""};
	struct sink s = {LLMR_BUF_INIT, 0, 0};
	size_t i, bad = 0;

	req_init(&r, "/stream");
	r.on_data = sink_fn;
	r.ud = &s;
	is_int(llmr_http_perform(&r, &resp, &e), 0, "streamed GET returns 0");
	is_int(s.got.len, 200000, "on_data got every byte");
	for (i = 0; i < s.got.len; i++)
		bad += s.got.s[i] != (char)('a' + i % 23);
	is_int(bad, 0, "in order");
	ok(s.calls > 1, "in several pieces (%d)", s.calls);
	is_int(resp.body.len, 0, "nothing buffered when streaming");
	llmr_http_resp_release(&resp);

	llmr_buf_release(&s.got);
	s.calls = 0;
	s.stop_after = 1;
	is_int(llmr_http_perform(&r, &resp, &e), -1, "on_data returning -1 aborts");
	is_int(resp.fail, LLMR_HTTP_FAIL_ABORTED, "fail = ABORTED");
	is_int(s.calls, 1, "no call after the abort");
	llmr_http_resp_release(&resp);
	llmr_buf_release(&s.got);

	s.calls = 0;
	s.stop_after = 0;
	req_init(&r, "/error");
	r.on_data = sink_fn;
	r.ud = &s;
	is_int(llmr_http_perform(&r, &resp, &e), 0, "a 429 is still an answer");
	is_int(resp.status, 429, "status 429");
	is_int(s.calls, 0, "error bodies skip on_data");
	is_str(resp.body.s, "{\"error\":\"slow down\"}", "error body buffered");
	is_str(llmr_headers_get(&resp.headers, "retry-after"), "3", "its headers kept");
	llmr_http_resp_release(&resp);
	llmr_buf_release(&s.got);
}

static void test_toobig(void)
{
	struct llmr_http_req r;
	struct llmr_http_resp resp;
	struct llmr_err e = {0, ""};

	req_init(&r, "/big");
	r.max_body = 1000;
	is_int(llmr_http_perform(&r, &resp, &e), -1, "body over max_body fails");
	is_int(resp.fail, LLMR_HTTP_FAIL_TOOBIG, "fail = TOOBIG");
	ok(resp.body.len <= 1000, "buffer stayed under the cap");
	is_int(resp.status, 200, "the status is still reported");
	llmr_http_resp_release(&resp);
}

static void test_failures(void)
{
	struct llmr_http_req r;
	struct llmr_http_resp resp;
	struct llmr_err e = {0, ""};
	struct llmr_headers h = {0};
	char refused[128];
	int s, dead_port;

	llmr_headers_add(&h, "x-api-key", FAKE_KEY);
	req_init(&r, "/slow?key=" FAKE_KEY);
	r.headers = &h;
	r.timeout_ms = 200;
	is_int(llmr_http_perform(&r, &resp, &e), -1, "a server slower than the timeout fails");
	is_int(resp.fail, LLMR_HTTP_FAIL_TIMEOUT, "fail = TIMEOUT");
	is_int(resp.status, 0, "no status");
	ok(!strstr(resp.errmsg, "SECRET") && !strstr(e.msg, "SECRET"), "no key in errmsg: %s", e.msg);
	ok(e.msg[0] && strstr(e.msg, "/slow") && !strchr(e.msg, '?'), "message names the URL without its query");
	llmr_http_resp_release(&resp);

	s = listen_loopback(&dead_port, 0);
	close(s);
	snprintf(refused, sizeof(refused), "http://127.0.0.1:%d/x?key=%s", dead_port, FAKE_KEY);
	r.url = refused;
	r.timeout_ms = 5000;
	is_int(llmr_http_perform(&r, &resp, &e), -1, "connection refused fails");
	is_int(resp.fail, LLMR_HTTP_FAIL_NETWORK, "fail = NETWORK");
	ok(resp.errmsg[0], "curl's reason kept: %s", resp.errmsg);
	ok(!strstr(resp.errmsg, "SECRET") && !strstr(e.msg, "SECRET"), "no key in errmsg: %s", e.msg);
	llmr_http_resp_release(&resp);

	r.url = "ftp://127.0.0.1/file";
	is_int(llmr_http_perform(&r, &resp, &e), -1, "other protocols refused");
	llmr_http_resp_release(&resp);

	llmr_headers_release(&h);
	llmr_headers_add(&h, "x-evil", "a\r\nInjected: yes");
	req_init(&r, "/echo");
	r.headers = &h;
	ok(llmr_http_perform(&r, &resp, &e) < 0 && !strstr(e.msg, "Injected"),
	   "a header value with CR/LF is refused: %s", e.msg);
	is_str(resp.errmsg, e.msg, "the reason is in the response too");
	llmr_http_resp_release(&resp);
	llmr_headers_release(&h);
}

int main(void)
{
	int status;

	signal(SIGPIPE, SIG_IGN);
	/* Hermetic: a proxy from the caller's environment must not see these. */
	setenv("no_proxy", "*", 1);
	setenv("NO_PROXY", "*", 1);
	test_headers();
	if (start_server() < 0) {
		ok(0, "start the loopback server");
		return done_testing();
	}
	test_basic();
	test_continue();
	test_gzip();
	test_threads();
	test_echo();
	test_stream();
	test_toobig();
	test_failures();
	llmr_http_cleanup();
	kill(server_pid, SIGKILL);
	waitpid(server_pid, &status, 0);
	return done_testing();
}
