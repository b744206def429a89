/*
 * provider_ollama.c - the native Ollama adapter (/api/chat, /api/embed) on
 * the captures and docs examples in tests/fixtures/wire.
 */
#include <jansson.h>

#include "provider/provider.h"
#include "tap.h"
#include "replay.h"

static const struct llmr_adapter *A = &llmr_adapter_ollama;

#define RAGGED "{\"embeddings\":[[1,2],[3]]}"

static void test_plain(void)
{
	struct llmr_chat_result r;
	size_t n;
	char *body = fixture("ollama-chat.json", &n);

	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(A, false, body, n, &r, NULL, NULL), 0, "ollama-chat.json: parses");
	is_str(r.text.s, "Hello! How are you today?", "ollama-chat.json: text");
	is_str(r.finish_reason, "stop", "ollama-chat.json: no done_reason means stop");
	ok(r.usage_seen, "ollama-chat.json: usage seen");
	is_int(r.usage.input_tokens, 26, "ollama-chat.json: prompt_eval_count");
	is_int(r.usage.output_tokens, 298, "ollama-chat.json: eval_count");
	is_int(r.usage.cached_tokens, 0, "ollama-chat.json: no cache");
	llmr_chat_result_release(&r);
	free(body);

	/* /api/generate has the same shape with "response" for the text */
	body = fixture("ollama-generate.json", &n);
	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(A, false, body, n, &r, NULL, NULL), 0, "ollama-generate.json: parses");
	ok(r.text.s && !strncmp(r.text.s, "```\n{\n  \"name\": \"Alice Llama\"", 29), "ollama-generate.json: text");
	is_int(r.usage.input_tokens, 67, "ollama-generate.json: prompt_eval_count");
	is_int(r.usage.output_tokens, 22, "ollama-generate.json: eval_count");
	is_str(r.finish_reason, "stop", "ollama-generate.json: done_reason");
	llmr_chat_result_release(&r);
	free(body);
}

struct want {
	const char *file;
	const char *text;
	const char *finish;
	long in, out;
	enum llmr_errclass err;
	const char *errmsg;
};

static const struct want streams[] = {
	{"ollama-chat-stream.jsonl", "The", "stop", 26, 282, 0, ""},
	{"ollama-chat-stream-toolcall.jsonl", "", "tool_calls", 169, 15, 0, ""},
	{"ollama-generate-stream.jsonl", "That's a fantastic question!", "stop", -1, -1, 0, ""},
	{"ollama-generate-stream-error.jsonl", " Yes.Ican", "", -1, -1, LLMR_ERR_SERVER,
	 "an error was encountered while running the model"},
};

static void test_stream(const struct want *w)
{
	static const size_t pieces[] = {1, 3, 7, 64};
	struct llmr_chat_result r, p;
	struct deltas d = {LLMR_BUF_INIT, 0}, pd = {LLMR_BUF_INIT, 0};
	size_t n, i;
	char *body = fixture(w->file, &n);
	int rc;

	llmr_chat_result_init(&r);
	rc = llmr_provider_replay(A, true, body, n, &r, on_delta, &d);
	is_int(rc, w->err ? -1 : 0, "%s: replay result", w->file);
	is_int(r.err, w->err, "%s: class %s", w->file, llmr_errclass_name(w->err));
	is_str(r.errmsg, w->errmsg, "%s: message", w->file);
	is_str(r.text.s ? r.text.s : "", w->text, "%s: text", w->file);
	is_str(d.text.s ? d.text.s : "", w->text, "%s: deltas join to the text", w->file);
	is_str(r.finish_reason, w->finish, "%s: finish reason", w->file);
	ok(r.done == !w->err, "%s: done flag", w->file);
	if (w->in >= 0) {
		ok(r.usage_seen, "%s: usage from the done line", w->file);
		is_int(r.usage.input_tokens, w->in, "%s: input tokens", w->file);
		is_int(r.usage.output_tokens, w->out, "%s: output tokens", w->file);
	} else {
		ok(!r.usage_seen, "%s: no counts, no usage", w->file);
	}
	for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		llmr_chat_result_init(&p);
		llmr_buf_reset(&pd.text);
		rc = replay_pieces(A, body, n, pieces[i], &p, &pd);
		is_int(rc, w->err ? 2 : 1, "%s in %zu-byte pieces: ends as expected", w->file, pieces[i]);
		is_str(p.text.s ? p.text.s : "", w->text, "%s in %zu-byte pieces: text", w->file, pieces[i]);
		is_str(pd.text.s ? pd.text.s : "", w->text, "%s in %zu-byte pieces: deltas", w->file, pieces[i]);
		ok(p.usage.input_tokens == r.usage.input_tokens && p.usage.output_tokens == r.usage.output_tokens,
		   "%s in %zu-byte pieces: same usage", w->file, pieces[i]);
		is_int(p.err, r.err, "%s in %zu-byte pieces: same class", w->file, pieces[i]);
		llmr_chat_result_release(&p);
	}
	llmr_chat_result_release(&r);
	llmr_buf_release(&d.text);
	llmr_buf_release(&pd.text);
	free(body);
}

static void test_truncated(void)
{
	struct llmr_chat_result r;
	const char *line = "{\"message\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"done\":false}\n";

	llmr_chat_result_init(&r);
	is_int(llmr_provider_replay(A, true, line, strlen(line), &r, NULL, NULL), -1, "no done line: fails");
	is_int(r.err, LLMR_ERR_PROTOCOL, "no done line: protocol error");
	is_str(r.text.s, "Hel", "no done line: partial text kept");
	llmr_chat_result_release(&r);
}

static void test_errors(void)
{
	struct llmr_chat_result r;
	size_t n;
	char *body = fixture("ollama-error.json", &n);
	const char *nf = "{\"error\":\"model 'llama9' not found, try pulling it first\"}";

	llmr_chat_result_init(&r);
	A->parse_error(500, body, n, &r);
	is_int(r.err, LLMR_ERR_SERVER, "ollama-error.json at 500: server");
	is_str(r.errmsg, "the model failed to generate a response", "ollama-error.json: message");
	llmr_chat_result_release(&r);
	free(body);

	llmr_chat_result_init(&r);
	A->parse_error(404, nf, strlen(nf), &r);
	is_int(r.err, LLMR_ERR_BAD_REQUEST, "404 model not found: bad_request");
	ok(strstr(r.errmsg, "not found") != NULL, "404: message kept");
	llmr_chat_result_release(&r);
}

static void test_build(void)
{
	struct llmr_msg msgs[] = {{"user", "Bonjour", NULL, NULL}};
	struct llmr_chat_req req = {"llama3.2", "Réponds en français.", msgs, 1, 64, 0.0, true, false, NULL, NULL, NULL};
	struct llmr_provider_cfg p;
	struct llmr_buf url = LLMR_BUF_INIT, body = LLMR_BUF_INIT;
	struct llmr_headers h = {0};
	struct llmr_err e = {0, ""};
	json_t *j, *opt;

	memset(&p, 0, sizeof(p));
	p.protocol = LLMR_PROTO_OLLAMA;
	p.base_url = "http://localhost:11434";
	is_int(A->build_chat(&p, "", &req, &url, &h, &body, &e), 0, "build_chat");
	is_str(url.s, "http://localhost:11434/api/chat", "chat URL");
	j = json_loadb(body.s, body.len, 0, NULL);
	ok(j != NULL, "body is valid JSON");
	is_str(json_string_value(json_object_get(j, "model")), "llama3.2", "body: model");
	ok(json_is_false(json_object_get(j, "stream")), "body: stream false is explicit");
	is_int(json_array_size(json_object_get(j, "messages")), 2, "body: system + message");
	is_str(json_string_value(json_object_get(json_array_get(json_object_get(j, "messages"), 0), "content")),
	       "Réponds en français.", "body: system text, UTF-8 intact");
	opt = json_object_get(j, "options");
	is_num(json_number_value(json_object_get(opt, "temperature")), 0.0, 1e-12, "body: options.temperature 0 is sent");
	is_int(json_integer_value(json_object_get(opt, "num_predict")), 64, "body: options.num_predict");
	is_str(json_string_value(json_object_get(j, "format")), "json", "body: format json");
	ok(!llmr_headers_get(&h, "authorization"), "no key, no Authorization");
	json_decref(j);

	req.stream = true;
	req.json = false;
	req.temperature = -1;
	req.max_tokens = 0;
	is_int(A->build_chat(&p, "", &req, &url, &h, &body, &e), 0, "build_chat streaming");
	j = json_loadb(body.s, body.len, 0, NULL);
	ok(json_is_true(json_object_get(j, "stream")), "body: stream true");
	ok(!json_object_get(j, "options") && !json_object_get(j, "format"), "body: no options, no format when unset");
	json_decref(j);
	llmr_headers_release(&h);
	llmr_buf_release(&url);
	llmr_buf_release(&body);
}

static void test_embed(void)
{
	struct llmr_provider_cfg p;
	const char *texts[] = {"Why is the sky blue?"};
	struct llmr_buf url = LLMR_BUF_INIT, body = LLMR_BUF_INIT;
	struct llmr_headers h = {0};
	struct llmr_err e = {0, ""};
	float *v;
	size_t n, nv, dim;
	long tok;
	char *fx;
	json_t *j;

	memset(&p, 0, sizeof(p));
	p.base_url = "http://localhost:11434/";
	is_int(A->build_embed(&p, "", "all-minilm", texts, 1, &url, &h, &body, &e), 0, "build_embed");
	is_str(url.s, "http://localhost:11434/api/embed", "embed URL");
	j = json_loadb(body.s, body.len, 0, NULL);
	is_str(json_string_value(json_array_get(json_object_get(j, "input"), 0)), "Why is the sky blue?", "embed body: input");
	json_decref(j);

	fx = fixture("ollama-embed.json", &n);
	is_int(A->parse_embed(fx, n, &v, &nv, &dim, &tok, &e), 0, "ollama-embed.json parses");
	is_int(nv, 1, "one vector");
	is_int(dim, 10, "10 dims (docs shorten it)");
	is_num(v[0], 0.010071029, 1e-9, "first value");
	is_num(v[9], 0.031952348, 1e-9, "last value");
	is_int(tok, 8, "prompt_eval_count");
	free(v);
	free(fx);

	is_int(A->parse_embed(RAGGED, strlen(RAGGED), &v, &nv, &dim, &tok, &e), -1,
	       "ragged vectors: fail");
	llmr_headers_release(&h);
	llmr_buf_release(&url);
	llmr_buf_release(&body);
}

int main(void)
{
	size_t i;

	test_plain();
	for (i = 0; i < sizeof(streams) / sizeof(streams[0]); i++)
		test_stream(&streams[i]);
	test_truncated();
	test_errors();
	test_build();
	test_embed();
	return done_testing();
}
