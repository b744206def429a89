#include "route/classify_model.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider/provider.h"
#include "provider/attempt_log.h"
#include "route/spend.h"

/* The prompt is kept tiny: the classifier must cost a fraction of a cent. */
static const char sys_prompt[] =
	"Classify how hard the user's request is for a language model. "
	"Answer with exactly one word: simple, medium or complex.";

/* Long prompts are cut: the start says enough about the difficulty. */
#define CLASSIFY_MAX_BYTES 4000
/* One word is asked for. */
#define CLASSIFY_MAX_TOKENS 5

int llmr_classify_parse_tier(const char *answer)
{
	char w[16];
	size_t n = 0;

	if (!answer)
		return -1;
	while (*answer && !isalpha((unsigned char)*answer))
		answer++;
	while (isalpha((unsigned char)*answer) && n < sizeof(w) - 1)
		w[n++] = (char)tolower((unsigned char)*answer++);
	w[n] = '\0';
	return llmr_complexity_parse(w);
}

static void log_call(struct llmr_state *st, const char *request_id, const struct llmr_model_ref *ref,
		     const struct llmr_chat_result *r, int64_t t0)
{
	struct llmr_attempt a;
	struct llmr_err e;

	if (!st)
		return;
	memset(&a, 0, sizeof(a));
	a.request_id = request_id ? request_id : "router";
	a.attempt = 0;
	a.ts_ms = t0;
	a.route = "router";
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

/* Hold the classifier call's cost under route "router", as it is logged.
 * Returns 0 when the call may go ahead (held, or no state to hold in). */
static int hold(struct llmr_state *st, const struct llmr_model_ref *ref, size_t bytes,
		struct llmr_spend_hold *h)
{
	struct llmr_spend_req q = {ref->provider, "router", NULL, 0, false, 0};
	struct llmr_err e = {0, ""};
	char why[256];

	memset(h, 0, sizeof(*h));
	if (!st)
		return 0;
	q.est_usd = llmr_spend_estimate(ref->model, (long)(bytes + sizeof(sys_prompt)) / 4 + 8,
					CLASSIFY_MAX_TOKENS);
	/* A state error must not cost the answer: classify unheld. */
	return llmr_spend_reserve(st, &q, h, why, sizeof(why), &e) == 0 ? -1 : 0;
}

int llmr_classify_model(const struct llmr_config *cfg, struct llmr_state *st,
			const char *request_id, const char *text, size_t len, bool *called)
{
	struct llmr_model_ref ref;
	struct llmr_chat_result r;
	struct llmr_chat_req req;
	struct llmr_msg msg;
	struct llmr_spend_hold h;
	struct llmr_err e;
	char *key, *cut;
	int64_t t0 = llmr_now_ms();
	size_t bytes = len < CLASSIFY_MAX_BYTES ? len : CLASSIFY_MAX_BYTES;
	int tier;

	if (called)
		*called = false;
	if (!cfg->router_classifier || llmr_config_resolve(cfg, cfg->router_classifier, &ref, &e) < 0 ||
	    !ref.model || ref.provider->protocol == LLMR_PROTO_EXTRACTIVE)
		return -1;
	if (!(key = llmr_provider_api_key(ref.provider, &e)))
		return -1;
	if (hold(st, &ref, bytes, &h) < 0) {
		explicit_bzero(key, strlen(key));
		free(key);
		return -1;
	}
	if (called)
		*called = true;
	cut = llmr_xstrndup(text ? text : "", bytes);
	msg.role = "user";
	msg.content = cut;
	memset(&req, 0, sizeof(req));
	req.model = ref.model->name;
	req.system = sys_prompt;
	req.msgs = &msg;
	req.nmsgs = 1;
	req.max_tokens = CLASSIFY_MAX_TOKENS;
	req.temperature = 0;
	llmr_chat_result_init(&r);
	llmr_provider_chat(ref.provider, key, &req, &r, NULL, NULL);
	explicit_bzero(key, strlen(key));
	free(key);
	free(cut);
	log_call(st, request_id, &ref, &r, t0);
	/* Logged first: the money is never out of both the log and the hold. */
	if (h.id)
		llmr_spend_release(st, &h, 0, &e);
	tier = r.err ? -1 : llmr_classify_parse_tier(r.text.s);
	llmr_chat_result_release(&r);
	return tier;
}
