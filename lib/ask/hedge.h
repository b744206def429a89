/*
 * hedge.h - a hedged call: when the first model has sent no token after a
 * while, ask the next one too, keep whichever answers first and cancel the
 * other (the "tail at scale" hedged request). The two calls run in threads;
 * everything that touches the state file stays with the caller.
 */
#ifndef LLMR_HEDGE_H
#define LLMR_HEDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "provider/provider.h"

struct llmr_hedge_leg {
	const struct llmr_provider_cfg *provider; /* borrowed */
	const char *key;                          /* borrowed */
	struct llmr_chat_req req;                 /* req.cancel is set by the hedge */
	struct llmr_chat_result r;                /* filled; the caller releases it */
	bool started;                             /* the call was made */
};

/*
 * Call leg a. If after_ms pass without a token (or an answer) from it,
 * call start_b(b, ud): it returns true when b may run (admitted, keyed),
 * and then b is called in parallel. The first leg to send a token, or to
 * answer without error, wins: its text goes to on_delta, the other is
 * cancelled. Returns 0 or 1 (the winner), or -1 when neither answered
 * (each leg's r says why). Returns after both calls have ended.
 */
int llmr_hedge_run(struct llmr_hedge_leg *a, struct llmr_hedge_leg *b, int64_t after_ms,
		   bool (*start_b)(struct llmr_hedge_leg *b, void *ud), void *ud,
		   llmr_delta_fn on_delta, void *delta_ud);

#endif
