#include "ask/run.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "provider/attempt_log.h"
#include "route/coord_ratelimit.h"

void llmr_ask_note_delta(const char *text, size_t n, void *ud)
{
	struct ask_run *run = ud;

	run->streamed_text = true;
	if (run->ctx->on_delta)
		run->ctx->on_delta(text, n, run->ctx->ud);
}

void llmr_ask_note_tool(const json_t *delta, void *ud)
{
	struct ask_run *run = ud;

	run->streamed_text = true;
	if (run->ctx->on_tool)
		run->ctx->on_tool(delta, run->ctx->ud);
}

bool llmr_ask_stopping(struct ask_run *run)
{
	if (run->ctx->cancel && *run->ctx->cancel)
		run->cancelled = true;
	return run->cancelled;
}

void llmr_ask_log_attempt(struct ask_run *run, const struct llmr_model_ref *ref,
			const struct llmr_chat_result *r, int64_t started_ms, double cost)
{
	struct llmr_attempt a;
	struct llmr_err e;

	if (!run->ctx->st)
		return;
	memset(&a, 0, sizeof(a));
	a.request_id = run->id;
	a.attempt = run->attempt_no;
	a.ts_ms = started_ms;
	a.route = run->route->name;
	a.priority = run->priority;
	a.complexity = llmr_complexity_name(run->complexity);
	a.provider = ref->provider->name;
	a.model = ref->model->name;
	a.status = run->status_override ? run->status_override : llmr_errclass_name(r->err);
	a.error_message = r->err ? r->errmsg : NULL;
	a.http_status = r->http_status;
	a.usage = r->usage;
	a.cost_usd = cost;
	a.latency_ms = r->latency_ms;
	a.ttft_ms = r->ttft_ms;
	a.fallback_from = run->last_model && strcmp(run->last_model, ref->spec) ? run->last_model
									     : NULL;
	a.cache = "miss";
	/* A failed log write must not lose the answer: it is reported by the
	 * caller's next state access, and the answer still goes out. */
	llmr_state_log_attempt(run->ctx->st, &a, &e);
	if (r->rl.seen) {
		/* Seen when the answer came: resets count from then, and quotas
		 * count what was sent after it. */
		llmr_state_save_ratelimit(run->ctx->st, ref->provider->name, ref->model->name,
					  &r->rl, started_ms + (r->latency_ms > 0 ? r->latency_ms : 0), &e);
		/* And for the other hosts, when they share a Redis. */
		llmr_coord_ratelimit_save(run->ctx->st, ref->provider->name, ref->model->name, &r->rl);
	}
}

struct attempt_over {
	struct ask_run *run;
	const struct llmr_model_ref *ref;
	const struct llmr_chat_result *r;
	int64_t started_ms;
	double cost;
};

static void log_over(void *ud)
{
	struct attempt_over *o = ud;

	llmr_ask_log_attempt(o->run, o->ref, o->r, o->started_ms, o->cost);
}

void llmr_ask_attempt_over(struct ask_run *run, const struct llmr_model_ref *ref,
			   const struct llmr_chat_result *r, const struct llmr_chat_result *seen,
			   int64_t started_ms, double cost)
{
	struct attempt_over o = {run, ref, r, started_ms, cost};

	if (!run->ra) {
		log_over(&o);
		return;
	}
	llmr_route_ask_done_logged(run->ra, ref, seen, log_over, &o);
}

void llmr_ask_add_attempt(struct ask_run *run, const struct llmr_model_ref *ref,
			     const struct llmr_chat_result *r)
{
	if (!run->first_model)
		run->first_model = ref->spec;
	json_t *a = json_pack("{s:s, s:s, s:I}", "model", ref->spec, "status",
			      run->status_override ? run->status_override : llmr_errclass_name(r->err),
			      "latency_ms", (json_int_t)r->latency_ms);

	if (r->http_status)
		json_object_set_new(a, "http_status", json_integer(r->http_status));
	if (r->err && r->errmsg[0])
		json_object_set_new(a, "message", json_string(r->errmsg));
	json_array_append_new(run->attempts, a);
}

void llmr_ask_skip(struct ask_run *run, const struct llmr_model_ref *ref, const char *why)
{
	json_array_append_new(run->skipped, json_pack("{s:s, s:s}", "model", ref->spec, "why", why));
}

void llmr_ask_fail(struct ask_run *run, enum llmr_errclass cls, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	run->last_class = cls;
	llmr_buf_reset(&run->last_msg);
	llmr_buf_adds(&run->last_msg, msg);
}
