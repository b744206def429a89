#include "ask/run.h"

#include <string.h>

static json_t *usage_json(const struct llmr_usage *u)
{
	json_t *o = json_pack("{s:I, s:I, s:I, s:I}", "input_tokens", (json_int_t)u->input_tokens,
			      "output_tokens", (json_int_t)u->output_tokens, "cached_tokens",
			      (json_int_t)u->cached_tokens, "cache_write_tokens",
			      (json_int_t)u->cache_write_tokens);

	if (u->provider_cost_usd >= 0)
		json_object_set_new(o, "provider_cost_usd", json_real(u->provider_cost_usd));
	return o;
}

json_t *llmr_ask_success_json(struct ask_run *run, const struct llmr_model_ref *ref,
			    const struct llmr_chat_result *r, double cost, int64_t total_ms)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(run->id));
	json_object_set_new(o, "text", json_stringn(r->text.s ? r->text.s : "", r->text.len));
	json_object_set_new(o, "model", json_string(ref->spec));
	json_object_set_new(o, "route", json_string(run->route->name));
	json_object_set_new(o, "complexity", json_string(llmr_complexity_name(run->complexity)));
	json_object_set_new(o, "priority", json_string(run->priority));
	json_object_set_new(o, "finish_reason", json_string(r->finish_reason));
	if (json_array_size(r->tool_calls))
		json_object_set_new(o, "tool_calls", json_deep_copy(r->tool_calls));
	json_object_set_new(o, "usage", usage_json(&r->usage));
	json_object_set_new(o, "cost_usd", json_real(cost));
	json_object_set_new(o, "latency_ms", json_integer(total_ms));
	json_object_set_new(o, "ttft_ms", r->ttft_ms >= 0 ? json_integer(r->ttft_ms) : json_null());
	json_object_set_new(o, "cache", json_string("miss"));
	json_object_set_new(o, "fallback", json_boolean(run->first_model &&
							strcmp(run->first_model, ref->spec)));
	if (ref->provider->protocol == LLMR_PROTO_EXTRACTIVE)
		json_object_set_new(o, "extractive", json_true());
	/* The offline answer after others failed or were skipped is degraded. */
	if (run->degraded || (ref->provider->protocol == LLMR_PROTO_EXTRACTIVE &&
			      (json_array_size(run->skipped) || json_array_size(run->attempts) > 1)))
		json_object_set_new(o, "degraded", json_true());
	json_object_set(o, "attempts", run->attempts);
	if (json_array_size(run->skipped))
		json_object_set(o, "skipped", run->skipped);
	json_object_set_new(o, "sources", run->sources ? json_incref(run->sources) : json_array());
	return o;
}

json_t *llmr_ask_failure_json(struct ask_run *run, const char *cls, const char *msg)
{
	json_t *o = json_pack("{s:s, s:{s:s, s:s}}", "id", run->id, "error", "class", cls,
			      "message", msg);

	json_object_set(o, "attempts", run->attempts);
	if (json_array_size(run->skipped))
		json_object_set(o, "skipped", run->skipped);
	return o;
}
