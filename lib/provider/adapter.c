#include "provider/adapter.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/redact.h"

int llmr_adapter_url(struct llmr_buf *url, const char *base, const char *path,
		     struct llmr_err *e)
{
	size_t n;

	if (!base || !*base)
		return llmr_errf(e, LLMR_EX_CONFIG, "provider has no base_url");
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	llmr_buf_reset(url);
	if (llmr_buf_add(url, base, n) < 0 || llmr_buf_adds(url, path) < 0)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot build URL: out of memory");
	return 0;
}

int llmr_adapter_body(struct llmr_buf *body, const json_t *obj, struct llmr_err *e)
{
	char *s = json_dumps(obj, JSON_COMPACT);
	int rc;

	if (!s)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "cannot serialise request body");
	llmr_buf_reset(body);
	rc = llmr_buf_adds(body, s);
	free(s);
	if (rc < 0)
		return llmr_errf(e, LLMR_EX_SOFTWARE, "request body too large");
	return 0;
}

void llmr_adapter_bearer(struct llmr_headers *hdrs, const char *key)
{
	struct llmr_buf b = LLMR_BUF_INIT;

	if (!key || !*key)
		return;
	llmr_buf_adds(&b, "Bearer ");
	llmr_buf_adds(&b, key);
	if (b.s) {
		llmr_headers_add(hdrs, "Authorization", b.s);
		memset(b.s, 0, b.len);
	}
	llmr_buf_release(&b);
}

/* NULL when a field is missing or not UTF-8 (json_pack checks). */
static json_t *message(const char *role, const char *content)
{
	return role && content ? json_pack("{s:s, s:s}", "role", role, "content", content) : NULL;
}

/* OpenAI's shape of a message: an assistant's tool calls (content null
 * when it said nothing else), a tool result's call id. */
static json_t *message_of(const struct llmr_msg *m)
{
	json_t *o = message(m->role, m->content);

	if (!o)
		return NULL;
	if (json_array_size(m->tool_calls)) {
		if (!*m->content)
			json_object_set_new(o, "content", json_null());
		json_object_set_new(o, "tool_calls", json_deep_copy(m->tool_calls));
	}
	if (m->tool_call_id && json_object_set_new(o, "tool_call_id", json_string(m->tool_call_id))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *llmr_adapter_messages(const struct llmr_chat_req *req, struct llmr_err *e)
{
	json_t *msgs = json_array(), *m;
	size_t i;

	if (req->system && *req->system) {
		if (!(m = message("system", req->system))) {
			json_decref(msgs);
			llmr_errf(e, LLMR_EX_DATAERR, "the system prompt is not valid UTF-8");
			return NULL;
		}
		json_array_append_new(msgs, m);
	}
	for (i = 0; i < req->nmsgs; i++) {
		if (!(m = message_of(&req->msgs[i]))) {
			json_decref(msgs);
			llmr_errf(e, LLMR_EX_DATAERR,
				  "message %zu has no role or content, or is not valid UTF-8", i + 1);
			return NULL;
		}
		json_array_append_new(msgs, m);
	}
	return msgs;
}

int llmr_adapter_text(struct llmr_chat_result *r, const char *s, size_t n,
		      llmr_delta_fn on_delta, void *ud)
{
	if (!n)
		return 0;
	if (llmr_buf_add(&r->text, s, n) < 0)
		return llmr_adapter_fail(r, LLMR_ERR_PROTOCOL, "answer too long");
	if (on_delta)
		on_delta(s, n, ud);
	return 0;
}

int llmr_adapter_fail(struct llmr_chat_result *r, enum llmr_errclass c, const char *msg)
{
	r->err = c;
	llmr_redact(r->errmsg, sizeof(r->errmsg), msg, strlen(msg));
	return -1;
}

void llmr_adapter_finish_reason(struct llmr_chat_result *r, const char *reason)
{
	if (!reason || !*reason)
		return;
	snprintf(r->finish_reason, sizeof(r->finish_reason), "%s", reason);
}

json_t *llmr_adapter_json(const char *s, size_t n, struct llmr_chat_result *r)
{
	json_error_t jerr;
	json_t *j = json_loadb(s, n, JSON_ALLOW_NUL, &jerr);
	char msg[256];

	if (!j && r) {
		snprintf(msg, sizeof(msg), "invalid JSON from provider: %.200s", jerr.text);
		llmr_adapter_fail(r, LLMR_ERR_PROTOCOL, msg);
	}
	return j;
}

long llmr_adapter_count(const json_t *obj, const char *key)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	double d;

	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		if (i < 0)
			return -1;
		return i > LLMR_ADAPTER_MAX_TOKENS ? LLMR_ADAPTER_MAX_TOKENS : (long)i;
	}
	if (json_is_real(v)) {
		d = json_real_value(v);
		if (d >= 0 && floor(d) == d)
			return d > (double)LLMR_ADAPTER_MAX_TOKENS ? LLMR_ADAPTER_MAX_TOKENS : (long)d;
	}
	return -1;
}

static long clamp_count(long v, long max)
{
	return v < 0 ? 0 : v > max ? max : v;
}

void llmr_adapter_usage_clamp(struct llmr_usage *u)
{
	u->input_tokens = clamp_count(u->input_tokens, LLMR_ADAPTER_MAX_TOKENS);
	u->output_tokens = clamp_count(u->output_tokens, LLMR_ADAPTER_MAX_TOKENS);
	u->cached_tokens = clamp_count(u->cached_tokens, u->input_tokens);
	u->cache_write_tokens = clamp_count(u->cache_write_tokens, u->input_tokens - u->cached_tokens);
	if (!isfinite(u->provider_cost_usd) || u->provider_cost_usd < 0)
		u->provider_cost_usd = -1;
	else if (u->provider_cost_usd > LLMR_ADAPTER_MAX_COST_USD)
		u->provider_cost_usd = LLMR_ADAPTER_MAX_COST_USD;
}
