/*
 * fuzz_request.c - the JSON lines request parser that llmr-ask --jsonl
 * and llmr-route share (ask/request.h), then the classifier and the route
 * decision over what it accepted, on the built-in config. A request it
 * accepts must hold values in their documented ranges, whatever the
 * bytes; the decision must keep its token estimates non-negative.
 */
#include <stdlib.h>

#include "ask/request.h"
#include "conf/config.h"
#include "route/route.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct llmr_config *cfg;
	struct llmr_ask_req req;
	struct llmr_route_req rr;
	struct llmr_decision d;
	struct llmr_buf text = LLMR_BUF_INIT;
	struct llmr_err e = {0, ""};
	json_t *obj = NULL;

	if (!cfg) {
		struct llmr_diags dg = {0};

		if (llmr_config_load(NULL, &cfg, &dg, &e) < 0)
			abort();
		llmr_diags_release(&dg);
	}
	llmr_ask_req_init(&req);
	if (llmr_ask_req_parse_line(cfg, (const char *)data, size, &obj, &req, &e) == 0) {
		if (req.max_tokens < 0 || req.max_tokens > LLMR_MAX_TOKENS_LIMIT ||
		    req.priority < -1 || req.priority > 3 || req.complexity < -1 ||
		    req.complexity >= LLMR_NCOMPLEXITY || (req.temperature < 0 && req.temperature != -1))
			abort();
		llmr_ask_req_route(&req, &rr, &text);
		if (llmr_route_decide(cfg, NULL, &rr, &d, &e) == 0) {
			if (d.est_input_tokens < 0 || d.est_output_tokens < 0)
				abort();
		}
	} else if (!e.msg[0]) {
		abort(); /* a refusal always says why */
	}
	json_decref(obj);
	llmr_buf_release(&text);
	return 0;
}
