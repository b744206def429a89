/*
 * http_chat_stream.c - "stream": true. A producer thread runs llmr_ask and
 * turns each delta into a chat.completion.chunk event; the connection's
 * thread hands the bytes to libmicrohttpd as they come.
 *
 * The status line waits for the first delta: a request that fails before
 * any text (llmr out of quota, every provider down) gets its real status
 * (429, 503...) and OpenAI's error body, not a 200 stream. An error after
 * text was sent is a data event holding "error", then [DONE].
 */
#include "serve/http_chat.h"

#include <stdlib.h>
#include <string.h>

struct stream {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct llmr_buf out;  /* bytes not yet handed over, from sent */
	size_t sent;
	int started, done;    /* a delta came; the producer finished */
	int cut;              /* the model failed after text: stream closed */
	int tools_sent;       /* tool-call pieces went out */
	pthread_t thread;
	struct llmr_srv *srv;
	struct srv_cfg *sc;   /* a reference, for the key and the config */
	const struct llmr_serve_key *key;
	struct chat ch;
	char chunk_id[64];
	json_t *failure;      /* llmr_ask's failed response, when nothing was sent */
	char method[8], url[64], model[160];
	double cost;
	int64_t t0;
};

static void push_event(struct stream *s, json_t *event)
{
	char *text = event ? json_dumps(event, JSON_COMPACT) : NULL;

	pthread_mutex_lock(&s->mu);
	llmr_buf_addf(&s->out, "data: %s\n\n", text ? text : "[DONE]");
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	free(text);
	json_decref(event);
}

static json_t *chunk(struct stream *s, json_t *delta, const char *finish)
{
	return json_pack("{s:s, s:s, s:I, s:s, s:[{s:i, s:o, s:n, s:s?}]}", "id", s->chunk_id,
			 "object", "chat.completion.chunk", "created", (json_int_t)s->ch.created,
			 "model", s->ch.asked, "choices", "index", 0, "delta", delta, "logprobs",
			 "finish_reason", finish);
}

/*
 * The model failed after text was sent and llmr goes on to another try:
 * a client cannot take text back, so its stream ends here with an error
 * event (the answer llmr still completes is logged and cached).
 */
static void on_fallback(const char *from, const char *to, const char *why, void *ud)
{
	struct stream *s = ud;
	struct llmr_buf msg = LLMR_BUF_INIT;

	(void)to;
	llmr_buf_addf(&msg, "%s failed mid-answer (%s): the answer is cut", from, why);
	push_event(s, json_pack("{s:{s:s, s:s, s:n, s:s}}", "error", "message", msg.s, "type",
				"server_error", "param", "code", "stream_interrupted"));
	push_event(s, NULL);
	llmr_buf_release(&msg);
	pthread_mutex_lock(&s->mu);
	s->cut = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* The first piece opens with the role; 0 when the stream was cut. */
static int open_stream(struct stream *s, int tool)
{
	pthread_mutex_lock(&s->mu);
	if (s->cut) {
		pthread_mutex_unlock(&s->mu);
		return 0;
	}
	s->tools_sent |= tool;
	if (!s->started) {
		s->started = 1;
		pthread_mutex_unlock(&s->mu);
		push_event(s, chunk(s, json_pack("{s:s, s:s}", "role", "assistant", "content", ""),
				    NULL));
	} else {
		pthread_mutex_unlock(&s->mu);
	}
	return 1;
}

static void on_delta(const char *text, size_t n, void *ud)
{
	struct stream *s = ud;

	if (open_stream(s, 0))
		push_event(s, chunk(s, json_pack("{s:s#}", "content", text, n), NULL));
}

/* A tool-call piece, as OpenAI streams it: delta.tool_calls[{index...}]. */
static void on_tool(const json_t *piece, void *ud)
{
	struct stream *s = ud;

	if (open_stream(s, 1))
		push_event(s, chunk(s, json_pack("{s:[O]}", "tool_calls", piece), NULL));
}

/* Calls that were not streamed (a cache hit, a provider that answered in
 * one body): each whole, under its index. */
static void unstreamed_calls(struct stream *s, const json_t *resp)
{
	json_t *calls = json_object_get(resp, "tool_calls"), *c, *piece;
	size_t i;

	if (s->tools_sent || !json_array_size(calls))
		return;
	json_array_foreach(calls, i, c) {
		piece = json_deep_copy(c);
		json_object_set_new(piece, "index", json_integer((json_int_t)i));
		push_event(s, chunk(s, json_pack("{s:[o]}", "tool_calls", piece), NULL));
	}
}

/* The end of a stream that did start: the last chunk, usage, [DONE]. */
static void finish(struct stream *s, json_t *resp)
{
	json_t *last, *err = json_object_get(resp, "error");

	if (err) {
		push_event(s, json_pack("{s:{s:O?, s:s, s:n, s:O?}}", "error", "message",
					json_object_get(err, "message"), "type", "server_error",
					"param", "code", json_object_get(err, "class")));
	} else {
		unstreamed_calls(s, resp);
		last = chunk(s, json_object(), chat_finish_reason(resp));
		json_object_set_new(last, "llmr", chat_extension(resp));
		push_event(s, last);
		if (s->ch.include_usage) {
			last = chunk(s, json_object(), NULL);
			json_array_clear(json_object_get(last, "choices"));
			json_object_set_new(last, "usage", chat_usage(resp));
			push_event(s, last);
		}
	}
	push_event(s, NULL);
}

static void *produce(void *ud)
{
	struct stream *s = ud;
	struct llmr_err e = {0, ""};
	struct llmr_ask_ctx ctx = {.cfg = s->sc->cfg, .on_delta = on_delta, .ud = s,
				   .on_fallback = on_fallback, .on_tool = on_tool};
	json_t *resp;
	int code = 0;

	ctx.st = srv_state_take(s->srv, &e);
	resp = llmr_ask(&ctx, &s->ch.req, &code);
	snprintf(s->model, sizeof(s->model), "%s",
		 json_string_value(json_object_get(resp, "model")) ?
		 json_string_value(json_object_get(resp, "model")) : "");
	s->cost = json_real_value(json_object_get(resp, "cost_usd"));
	pthread_mutex_lock(&s->mu);
	if (!s->started && json_object_get(resp, "error")) {
		s->failure = resp;
		resp = NULL;
	}
	pthread_mutex_unlock(&s->mu);
	if (resp && !s->cut) {
		if (!s->started)
			on_delta("", 0, s);
		finish(s, resp);
	}
	json_decref(resp);
	srv_state_give(s->srv, ctx.st);
	pthread_mutex_lock(&s->mu);
	s->done = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static ssize_t read_stream(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	size_t n;

	(void)pos;
	pthread_mutex_lock(&s->mu);
	while (s->sent == s->out.len && !s->done && !s->cut)
		pthread_cond_wait(&s->cv, &s->mu);
	if (s->sent == s->out.len) {
		pthread_mutex_unlock(&s->mu);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	n = s->out.len - s->sent < max ? s->out.len - s->sent : max;
	memcpy(buf, s->out.s + s->sent, n);
	s->sent += n;
	if (s->sent == s->out.len) {
		llmr_buf_reset(&s->out);
		s->sent = 0;
	}
	pthread_mutex_unlock(&s->mu);
	return (ssize_t)n;
}

static void release_stream(struct stream *s, int log_it)
{
	FILE *log = s->srv->o.log;

	pthread_join(s->thread, NULL);
	if (log && log_it) {
		fprintf(log, "%s: serve: %s %s %u agent=%s id=%s model=%s cost=%.6f %lldms stream\n",
			s->srv->o.name, s->method, s->url, s->failure ? 0u : 200u,
			s->key ? s->key->agent : "-", s->ch.id, s->model[0] ? s->model : "-", s->cost,
			(long long)(llmr_now_ms() - s->t0));
		fflush(log);
	}
	json_decref(s->failure);
	chat_release(&s->ch);
	llmr_buf_release(&s->out);
	srv_cfg_drop(s->srv, s->sc);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	srv_inflight(s->srv, -1);
	free(s);
}

/* The stream is over (or the client left): wait for the producer, log. */
static void free_stream(void *cls)
{
	release_stream(cls, 1);
}

static struct stream *stream_new(struct srv_req *r, struct chat *ch)
{
	struct stream *s = llmr_xcalloc(1, sizeof(*s));

	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->srv = r->srv;
	s->sc = srv_cfg_hold(r->srv, r->sc);
	s->key = r->key;
	s->ch = *ch;
	s->t0 = r->t0;
	s->ch.req.id = s->ch.id; /* it pointed into the caller's copy */
	snprintf(s->chunk_id, sizeof(s->chunk_id), "chatcmpl-%s", ch->id);
	snprintf(s->method, sizeof(s->method), "%s", r->method);
	snprintf(s->url, sizeof(s->url), "%s", r->url);
	return s;
}

enum MHD_Result chat_stream(struct srv_req *r, struct MHD_Connection *c, struct chat *ch)
{
	struct stream *s = stream_new(r, ch);
	struct MHD_Response *resp;
	struct chat_refusal why;
	long retry_after = 0;
	enum MHD_Result rc;

	srv_inflight(r->srv, 1);
	if (pthread_create(&s->thread, NULL, produce, s) != 0)
		produce(s);
	pthread_mutex_lock(&s->mu);
	while (!s->started && !s->done)
		pthread_cond_wait(&s->cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
	if (s->failure) {
		struct llmr_state *st = srv_state_take(r->srv, &(struct llmr_err){0, ""});

		chat_failure(s->failure, st, r->sc->cfg, &why, &retry_after);
		srv_state_give(r->srv, st);
		release_stream(s, 0);
		return chat_reply_refusal(r, c, &why, retry_after);
	}
	r->streamed = 1;
	r->status = 200;
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, read_stream, s,
						 free_stream);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	if (ch->req.route || ch->req.model)
		MHD_add_response_header(resp, "x-llmr-route",
					ch->req.route ? ch->req.route : ch->req.model);
	rc = MHD_queue_response(c, 200, resp);
	MHD_destroy_response(resp);
	return rc;
}
