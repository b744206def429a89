#include "route/side_call.h"

#include <stdlib.h>
#include <string.h>

#include "provider/provider.h"
#include "provider/attempt_log.h"
#include "route/spend.h"

static void log_call(struct llmr_state *st, const struct llmr_side_call *q,
		     const struct llmr_model_ref *ref, const struct llmr_chat_result *r, int64_t t0)
{
	struct llmr_attempt a;
	struct llmr_err e;

	if (!st)
		return;
	memset(&a, 0, sizeof(a));
	a.request_id = q->request_id ? q->request_id : q->label;
	a.attempt = 0;
	a.ts_ms = t0;
	a.route = q->label;
	a.provider = ref->provider->name;
	a.model = ref->model->name;
	a.status = llmr_errclass_name(r->err);
	a.error_message = r->err ? r->errmsg : NULL;
	a.http_status = r->http_status;
	a.usage = r->usage;
	a.cost_usd = llmr_usage_cost(ref->model, &r->usage);
	a.latency_ms = r->latency_ms;
	a.ttft_ms = r->ttft_ms;
	llmr_state_log_attempt(st, &a, &e);
}

/* Hold the call's cost under its label, as it is logged. Returns 0 when
 * the call may go ahead (held, or no state to hold in). */
static int hold(struct llmr_state *st, const struct llmr_side_call *q,
		const struct llmr_model_ref *ref, size_t bytes, struct llmr_spend_hold *h)
{
	struct llmr_spend_req sq = {ref->provider, q->label, NULL, 0, false, 0};
	struct llmr_err e = {0, ""};
	char why[256];

	memset(h, 0, sizeof(*h));
	if (!st)
		return 0;
	sq.est_usd = llmr_spend_estimate(ref->model, (long)(bytes + strlen(q->system)) / 4 + 8,
					 q->max_tokens);
	/* A state error must not cost the answer: call unheld. */
	return llmr_spend_reserve(st, &sq, h, why, sizeof(why), &e) == 0 ? -1 : 0;
}

int llmr_side_call(const struct llmr_config *cfg, struct llmr_state *st,
		   const struct llmr_side_call *q, struct llmr_buf *out, bool *called)
{
	struct llmr_model_ref ref;
	struct llmr_chat_result r;
	struct llmr_chat_req req;
	struct llmr_msg msg = {0};
	struct llmr_spend_hold h;
	struct llmr_err e;
	char *key, *cut;
	int64_t t0 = llmr_now_ms();
	size_t bytes = q->len < q->max_bytes ? q->len : q->max_bytes;
	int rc;

	if (called)
		*called = false;
	if (!q->model || llmr_config_resolve(cfg, q->model, &ref, &e) < 0 || !ref.model ||
	    ref.provider->protocol == LLMR_PROTO_EXTRACTIVE)
		return -1;
	if (!(key = llmr_provider_api_key(ref.provider, &e)))
		return -1;
	if (hold(st, q, &ref, bytes, &h) < 0) {
		explicit_bzero(key, strlen(key));
		free(key);
		return -1;
	}
	if (called)
		*called = true;
	cut = llmr_xstrndup(q->text ? q->text : "", bytes);
	msg.role = "user";
	msg.content = cut;
	memset(&req, 0, sizeof(req));
	req.model = ref.model->name;
	req.system = q->system;
	req.msgs = &msg;
	req.nmsgs = 1;
	req.max_tokens = q->max_tokens;
	req.temperature = 0;
	llmr_chat_result_init(&r);
	llmr_provider_chat(ref.provider, key, &req, &r, NULL, NULL);
	explicit_bzero(key, strlen(key));
	free(key);
	free(cut);
	log_call(st, q, &ref, &r, t0);
	/* Logged first: the money is never out of both the log and the hold. */
	if (h.id)
		llmr_spend_release(st, &h, 0, &e);
	rc = r.err ? -1 : 0;
	if (!rc)
		llmr_buf_add(out, r.text.s ? r.text.s : "", r.text.s ? strlen(r.text.s) : 0);
	llmr_chat_result_release(&r);
	return rc;
}
