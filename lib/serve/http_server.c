/*
 * http_server.c - the daemon: listen, read a request, authenticate it,
 * route it to its endpoint, log one line, and stop gracefully.
 *
 * One thread per connection: an endpoint may block (a chat answer takes
 * seconds), and llmr_ask is synchronous. Each request borrows a state
 * connection from a pool (SQLite connections are not shared between
 * threads at once) and a reference on the config it started with, so a
 * reload never changes a request under its feet.
 */
#include "serve/http_impl.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/sha256.h"

/* Decode base64 text into out (at most n - 1 bytes, NUL-terminated);
 * returns 0, or -1 when it is not base64 or too long. */
static int base64_decode(const char *in, char *out, size_t n)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned acc = 0;
	size_t len = 0;
	int bits = 0;
	const char *p;

	for (; *in && *in != '='; in++) {
		if (!(p = strchr(set, *in)))
			return -1;
		acc = (acc << 6) | (unsigned)(p - set);
		if ((bits += 6) >= 8) {
			bits -= 8;
			if (len + 1 >= n)
				return -1;
			out[len++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[len] = '\0';
	return 0;
}

/*
 * The key a client presents: "Bearer KEY", or, for a browser on the status
 * page, "Basic base64(NAME:KEY)" (any name). Copied into key[n]; returns 0,
 * or -1 when there is none.
 */
static int presented_key(const char *auth, char *key, size_t n)
{
	char basic[512], *colon;

	if (!auth)
		return -1;
	if (!strncasecmp(auth, "Bearer ", 7)) {
		for (auth += 7; *auth == ' '; auth++)
			;
		if (strlen(auth) >= n)
			return -1;
		strcpy(key, auth);
		return 0;
	}
	if (strncasecmp(auth, "Basic ", 6) || base64_decode(auth + 6, basic, sizeof(basic)) < 0 ||
	    !(colon = strchr(basic, ':')) || strlen(colon + 1) >= n)
		return -1;
	strcpy(key, colon + 1);
	explicit_bzero(basic, sizeof(basic));
	return 0;
}

/* The key entry whose SHA-256 is the presented key's, or NULL. The
 * comparison runs over every entry and every byte (no early exit). */
static const struct llmr_serve_key *find_key(const struct llmr_config *cfg, const char *auth)
{
	const struct llmr_serve_key *found = NULL;
	char key[512], hex[65];
	size_t i, j;

	if (presented_key(auth, key, sizeof(key)) < 0)
		return NULL;
	llmr_sha256_hex(key, strlen(key), hex);
	explicit_bzero(key, sizeof(key));
	for (i = 0; i < cfg->nserve_keys; i++) {
		unsigned diff = 0;

		for (j = 0; j < 64; j++)
			diff |= (unsigned)(hex[j] ^ cfg->serve_keys[i].sha256[j]);
		if (!diff)
			found = &cfg->serve_keys[i];
	}
	return found;
}

static enum MHD_Result dispatch(struct srv_req *r, struct MHD_Connection *c)
{
	const struct llmr_config *cfg = r->sc->cfg;
	int get = !strcmp(r->method, "GET"), post = !strcmp(r->method, "POST");

	if (get && !strcmp(r->url, "/health"))
		return srv_reply_json(r, c, 200, json_pack("{s:s}", "status", "ok"), NULL);
	if (r->too_large)
		return srv_reply_error(r, c, 413, "invalid_request_error", "request_too_large", NULL,
				       "the request body is over 4 MiB");
	if (cfg->nserve_keys) {
		r->key = find_key(cfg, MHD_lookup_connection_value(c, MHD_HEADER_KIND,
								   MHD_HTTP_HEADER_AUTHORIZATION));
		/* A browser asks for the key of the status page as a password. */
		static const char *const basic[] = {"WWW-Authenticate",
						    "Basic realm=\"llmr\", charset=\"UTF-8\"", NULL};

		if (!r->key)
			return srv_reply_json(r, c, 401,
					      srv_error_json("invalid_request_error",
							     "invalid_api_key", NULL,
							     "a valid API key is required "
							     "(Authorization: Bearer KEY, listed "
							     "in serve: keys:)"),
					      get && !strcmp(r->url, "/") ? basic : NULL);
	}
	if (get && !strcmp(r->url, "/"))
		return srv_status_page(r, c);
	if (get && !strcmp(r->url, "/v1/models"))
		return srv_models(r, c);
	if (post && !strcmp(r->url, "/v1/chat/completions"))
		return srv_chat(r, c);
	if (post && !strcmp(r->url, "/v1/embeddings"))
		return srv_embeddings(r, c);
	return srv_reply_error(r, c, 404, "invalid_request_error", "unknown_url", NULL,
			       "no such endpoint (see llmr-ask(1), SERVER)");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload, size_t *upload_size, void **con_cls)
{
	struct llmr_srv *s = cls;
	struct srv_req *r = *con_cls;

	(void)version;
	if (!r) {
		const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							      MHD_HTTP_HEADER_CONTENT_LENGTH);

		r = llmr_xcalloc(1, sizeof(*r));
		r->srv = s;
		r->sc = srv_cfg_current(s);
		r->t0 = llmr_now_ms();
		r->method = method;
		r->url = url;
		*con_cls = r;
		srv_inflight(s, 1);
		/* Refuse a declared oversize body before reading any of it. */
		if (len && strtoull(len, NULL, 10) > LLMR_SRV_MAX_BODY) {
			r->too_large = 1;
			return dispatch(r, c);
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (r->body.len + *upload_size > LLMR_SRV_MAX_BODY)
			r->too_large = 1;
		else
			llmr_buf_add(&r->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	return dispatch(r, c);
}

/* One line per request; never a key, never a prompt. */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct llmr_srv *s = cls;
	struct srv_req *r = *con_cls;

	(void)c;
	if (!r)
		return;
	/* A stream logs its line when its answer is complete. */
	if (s->o.log && !r->streamed) {
		fprintf(s->o.log, "%s: serve: %s %s %u agent=%s id=%s model=%s cost=%.6f %lldms%s\n",
			s->o.name, r->method, r->url, r->status, r->key ? r->key->agent : "-",
			r->id[0] ? r->id : "-", r->model[0] ? r->model : "-", r->cost,
			(long long)(llmr_now_ms() - r->t0),
			toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
		fflush(s->o.log);
	}
	srv_cfg_drop(s, r->sc);
	llmr_buf_release(&r->body);
	free(r);
	*con_cls = NULL;
	srv_inflight(s, -1);
}

/* "[HOST:]PORT" into an IPv4 address; HOST defaults to 127.0.0.1. */
static int parse_listen(const char *spec, struct sockaddr_in *sa, struct llmr_err *e)
{
	const char *colon = strrchr(spec, ':'), *port = colon ? colon + 1 : spec;
	char host[64] = "127.0.0.1", *end;
	unsigned long p = strtoul(port, &end, 10);

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (!*port || *end || p > 65535)
		return llmr_errf(e, LLMR_EX_USAGE, "--serve: '%s' is not [HOST:]PORT", spec);
	if (colon) {
		if ((size_t)(colon - spec) >= sizeof(host))
			return llmr_errf(e, LLMR_EX_USAGE, "--serve: host too long");
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = '\0';
		if (!strcmp(host, "localhost"))
			strcpy(host, "127.0.0.1");
	}
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return llmr_errf(e, LLMR_EX_USAGE,
				 "--serve: '%s' is not an IPv4 address (use 127.0.0.1 or 0.0.0.0)", host);
	sa->sin_port = htons((uint16_t)p);
	return 0;
}

/* Every alias must name a route or a model of cfg. */
static int check_aliases(const struct llmr_config *cfg, struct llmr_err *e)
{
	const char *route, *model;
	size_t i;

	for (i = 0; i < cfg->naliases; i++)
		if (srv_resolve_model(cfg, cfg->aliases[i].target, &route, &model) < 0)
			return llmr_errf(e, LLMR_EX_CONFIG,
					 "%s:%d: alias '%s': '%s' is neither a route nor a "
					 "provider/model", cfg->path, cfg->aliases[i].pos.line,
					 cfg->aliases[i].name, cfg->aliases[i].target);
	for (i = 0; i < cfg->nserve_keys; i++)
		if (cfg->serve_keys[i].route && !llmr_config_route(cfg, cfg->serve_keys[i].route))
			return llmr_errf(e, LLMR_EX_CONFIG, "%s:%d: serve key of '%s': no route '%s'",
					 cfg->path, cfg->serve_keys[i].pos.line,
					 cfg->serve_keys[i].agent, cfg->serve_keys[i].route);
	return 0;
}

int llmr_srv_start(struct llmr_config *cfg, const struct llmr_srv_opts *o,
		   struct llmr_srv **out, struct llmr_err *e)
{
	struct sockaddr_in sa;
	struct llmr_srv *s;
	const union MHD_DaemonInfo *info;

	if (parse_listen(o->listen, &sa, e) < 0 || check_aliases(cfg, e) < 0)
		return -1;
	if ((ntohl(sa.sin_addr.s_addr) >> 24) != 127 && !cfg->nserve_keys)
		return llmr_errf(e, LLMR_EX_USAGE, "--serve: %s is not a loopback address, and "
				 "the config lists no serve: keys: (anyone could spend)", o->listen);
	s = llmr_xcalloc(1, sizeof(*s));
	s->o = *o;
	s->state_path = llmr_xstrdup(o->state_path);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->idle, NULL);
	s->cur = llmr_xcalloc(1, sizeof(*s->cur));
	s->cur->cfg = cfg;
	s->cur->refs = 1;
	s->daemon = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC,
				     0, NULL, NULL, on_request, s,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				     MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				     MHD_OPTION_CONNECTION_TIMEOUT,
				     (unsigned)(cfg->serve_timeout_ms / 1000 + 1),
				     MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024,
				     MHD_OPTION_END);
	if (!s->daemon) {
		llmr_errf(e, LLMR_EX_UNAVAILABLE, "--serve: cannot listen on %s", o->listen);
		s->cur->cfg = NULL;
		llmr_srv_stop(s);
		return -1;
	}
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : ntohs(sa.sin_port);
	*out = s;
	return 0;
}

unsigned llmr_srv_port(const struct llmr_srv *s)
{
	return s->port;
}

int llmr_srv_reload(struct llmr_srv *s, struct llmr_config *cfg, struct llmr_err *e)
{
	struct srv_cfg *sc, *old;

	if (check_aliases(cfg, e) < 0) {
		llmr_config_free(cfg);
		return -1;
	}
	sc = llmr_xcalloc(1, sizeof(*sc));
	sc->cfg = cfg;
	sc->refs = 1;
	pthread_mutex_lock(&s->mu);
	old = s->cur;
	s->cur = sc;
	pthread_mutex_unlock(&s->mu);
	srv_cfg_drop(s, old);
	return 0;
}

void llmr_srv_stop(struct llmr_srv *s)
{
	size_t i;

	if (s->daemon) {
		MHD_socket fd = MHD_quiesce_daemon(s->daemon);

		pthread_mutex_lock(&s->mu);
		while (s->inflight > 0)
			pthread_cond_wait(&s->idle, &s->mu);
		pthread_mutex_unlock(&s->mu);
		MHD_stop_daemon(s->daemon);
		if (fd != MHD_INVALID_SOCKET)
			close(fd);
	}
	for (i = 0; i < s->npool; i++)
		llmr_state_close(s->pool[i]);
	free(s->pool);
	if (s->cur->cfg)
		llmr_config_free(s->cur->cfg);
	free(s->cur);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->idle);
	free(s->state_path);
	free(s);
}
