/*
 * ratelimit.h - what a provider's response headers say of its rate limits
 * (x-ratelimit-*, anthropic-ratelimit-*, retry-after, retry-after-ms), in
 * one shape whatever the provider's spelling, and how long to wait.
 */
#ifndef LLMR_RATELIMIT_H
#define LLMR_RATELIMIT_H

#include <stdbool.h>

#include "net/http.h"

/*
 * Rate-limit state seen in response headers, whatever the provider's
 * spelling. Counts are -1 and resets -1 when absent. Resets are seconds from
 * the moment the headers were received (OpenAI sends "6m0s"; Anthropic sends
 * RFC 3339 instants, converted against the Date header or the clock).
 */
struct llmr_ratelimit {
	long req_limit, req_remaining;
	double req_reset_s;
	long tok_limit, tok_remaining;
	double tok_reset_s;
	long in_tok_limit, in_tok_remaining;   /* Anthropic input-tokens bucket */
	double in_tok_reset_s;
	long out_tok_limit, out_tok_remaining; /* Anthropic output-tokens bucket */
	double out_tok_reset_s;
	double retry_after_s;  /* retry-after / retry-after-ms; -1 absent */
	bool seen;             /* any of the above was present */
};

/* Caps on what headers may say: a wait or reset longer than 31 days, or a
 * count above 10^15, is taken as that cap (never a negative, an overflow
 * or an infinity in the callers' arithmetic). */
#define LLMR_RATELIMIT_MAX_WAIT_S (31.0 * 86400)
#define LLMR_RATELIMIT_MAX_COUNT 1000000000000000L

void llmr_ratelimit_init(struct llmr_ratelimit *rl);
/* Fill rl from headers. now_s is the local clock (epoch seconds), used when
 * no Date header is present to turn RFC 3339 resets into durations. */
void llmr_ratelimit_parse(const struct llmr_headers *h, double now_s, struct llmr_ratelimit *rl);
/* Seconds to wait before retrying after a 429/529: retry-after first, then
 * the relevant reset, then a "try again in 26.604s" hint in msg; -1 unknown.
 * Never above LLMR_RATELIMIT_MAX_WAIT_S. */
double llmr_ratelimit_wait_s(const struct llmr_ratelimit *rl, const char *msg);

#endif
