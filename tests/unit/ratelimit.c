/*
 * ratelimit.c - rate-limit headers and the wait before a retry, against
 * every *headers* fixture in tests/fixtures/wire (values from SOURCES.md).
 * Times are fixed epochs, never the clock.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "provider/provider.h"
#include "tap.h"

/* Epoch seconds, computed by hand (calendar.timegm). */
#define T_2026_02_25_20_02_30 1772049750.0
#define T_2025_06_02_15_14_45 1748877285.0
#define T_2024_03_26_19_59_59 1711483199.0

static void load(const char *name, struct llmr_buf *b)
{
	const char *dir = getenv("LLMR_FIXTURES");
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "tests/fixtures/wire", name);
	llmr_buf_reset(b);
	if (llmr_read_file(path, b) < 0) {
		printf("Bail out! cannot read %s\n", path);
		exit(1);
	}
}

/* Parse a header fixture into rl; returns the status line's code. */
static long parse(const char *name, double now_s, struct llmr_ratelimit *rl)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	struct llmr_headers h = {0};
	long status = 0;

	load(name, &b);
	llmr_headers_parse_block(&h, b.s, &status);
	llmr_ratelimit_init(rl);
	llmr_ratelimit_parse(&h, now_s, rl);
	llmr_headers_release(&h);
	llmr_buf_release(&b);
	return status;
}

/* error.message of an error-body fixture (new string). */
static char *error_message(const char *name)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	const char *m;
	json_t *j;
	char *msg;

	load(name, &b);
	j = json_loads(b.s, 0, NULL);
	m = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
	msg = llmr_xstrdup(m ? m : "");
	json_decref(j);
	llmr_buf_release(&b);
	return msg;
}

static void test_init(void)
{
	struct llmr_ratelimit rl;

	llmr_ratelimit_init(&rl);
	ok(!rl.seen, "init: nothing seen");
	is_int(rl.req_remaining, -1, "init: counts -1");
	is_num(rl.retry_after_s, -1, 0, "init: retry_after -1");
	is_num(llmr_ratelimit_wait_s(&rl, NULL), -1, 0, "init: wait unknown");
}

static void test_openai(void)
{
	struct llmr_ratelimit rl;
	char *msg;

	is_int(parse("openai-headers-200.txt", 0, &rl), 200, "openai 200: status line");
	ok(rl.seen, "openai 200: seen (Title-Case names)");
	is_int(rl.req_limit, 3000, "openai 200: requests limit");
	is_int(rl.req_remaining, 2999, "openai 200: requests remaining");
	is_num(rl.req_reset_s, 0.020, 1e-9, "openai 200: requests reset 20ms");
	is_int(rl.tok_limit, 1000000, "openai 200: tokens limit");
	is_int(rl.tok_remaining, 999989, "openai 200: tokens remaining");
	is_num(rl.tok_reset_s, 0, 1e-9, "openai 200: tokens reset 0s");
	is_num(rl.retry_after_s, -1, 0, "openai 200: no retry-after");
	is_int(rl.in_tok_remaining, -1, "openai 200: no Anthropic buckets");
	is_num(llmr_ratelimit_wait_s(&rl, NULL), -1, 0, "openai 200: nothing exhausted, no wait");

	parse("openai-headers-ratelimit-docs.txt", 0, &rl);
	is_int(rl.req_limit, 60, "openai docs: requests limit");
	is_int(rl.req_remaining, 59, "openai docs: requests remaining");
	is_num(rl.req_reset_s, 1, 1e-9, "openai docs: reset 1s");
	is_int(rl.tok_limit, 150000, "openai docs: tokens limit");
	is_int(rl.tok_remaining, 149984, "openai docs: tokens remaining");
	is_num(rl.tok_reset_s, 360, 1e-9, "openai docs: reset 6m0s");

	parse("groq-headers-200.txt", 0, &rl);
	is_int(rl.req_limit, 14400, "groq: requests limit");
	is_int(rl.req_remaining, 14399, "groq: requests remaining");
	is_num(rl.req_reset_s, 6, 1e-9, "groq: reset 6s");
	is_int(rl.tok_limit, 12000, "groq: tokens limit");
	is_int(rl.tok_remaining, 11994, "groq: tokens remaining");
	is_num(rl.tok_reset_s, 0.030, 1e-9, "groq: reset 30ms");

	/* A real 429 with neither x-ratelimit-* nor retry-after. */
	is_int(parse("openai-headers-429.txt", 0, &rl), 429, "openai 429: status line");
	ok(!rl.seen, "openai 429: no rate-limit headers");
	is_num(llmr_ratelimit_wait_s(&rl, NULL), -1, 0, "openai 429: wait unknown from headers");
	msg = error_message("openai-error-429.json");
	is_num(llmr_ratelimit_wait_s(&rl, msg), 26.604, 1e-9, "openai 429: body hint 26.604s");
	free(msg);
	msg = error_message("openai-error-429-requests.json");
	is_num(llmr_ratelimit_wait_s(&rl, msg), 20, 1e-9, "openai 429 requests: body hint 20s");
	free(msg);
	msg = error_message("openai-error-429-insufficient-quota.json");
	is_num(llmr_ratelimit_wait_s(&rl, msg), -1, 0, "insufficient quota: no hint");
	free(msg);
}

static void test_anthropic(void)
{
	struct llmr_ratelimit rl, copy;

	/* No date header: resets count from now_s. */
	is_int(parse("anthropic-headers-200.txt", T_2026_02_25_20_02_30, &rl), 200,
	       "anthropic 200: status");
	ok(rl.seen, "anthropic 200: seen");
	is_int(rl.req_limit, 50, "anthropic 200: requests limit");
	is_int(rl.req_remaining, 49, "anthropic 200: requests remaining");
	is_num(rl.req_reset_s, 2, 1e-6, "anthropic 200: requests reset 20:02:32 - now");
	is_int(rl.tok_limit, 38000, "anthropic 200: tokens limit");
	is_int(rl.tok_remaining, 36000, "anthropic 200: tokens remaining");
	is_num(rl.tok_reset_s, 6, 1e-6, "anthropic 200: tokens reset");
	is_int(rl.in_tok_limit, 30000, "anthropic 200: input limit");
	is_int(rl.in_tok_remaining, 28000, "anthropic 200: input remaining");
	is_num(rl.in_tok_reset_s, 7, 1e-6, "anthropic 200: input reset");
	is_int(rl.out_tok_limit, 8000, "anthropic 200: output limit");
	is_int(rl.out_tok_remaining, 8000, "anthropic 200: output remaining");
	is_num(rl.out_tok_reset_s, 6, 1e-6, "anthropic 200: output reset");
	is_num(llmr_ratelimit_wait_s(&rl, NULL), -1, 0, "anthropic 200: no wait");
	/* A clock past the resets: they already happened. */
	parse("anthropic-headers-200.txt", T_2026_02_25_20_02_30 + 3600, &rl);
	is_num(rl.req_reset_s, 0, 0, "anthropic 200: past reset clamps to 0");

	parse("anthropic-headers-429.txt", T_2025_06_02_15_14_45, &rl);
	is_num(rl.retry_after_s, 16, 1e-9, "anthropic 429: retry-after 16");
	is_int(rl.in_tok_remaining, 0, "anthropic 429: input bucket exhausted");
	is_int(rl.req_remaining, 4000, "anthropic 429: requests left");
	is_num(rl.in_tok_reset_s, 63, 1e-6, "anthropic 429: input reset 15:15:48 - now");
	is_num(llmr_ratelimit_wait_s(&rl, "try again in 99s"), 16, 1e-9,
	       "anthropic 429: retry-after wins over resets and hints");
	copy = rl;
	copy.retry_after_s = -1;
	is_num(llmr_ratelimit_wait_s(&copy, NULL), 63, 1e-6,
	       "anthropic 429: without retry-after, the exhausted bucket's reset");

	/* The date header, not now_s, anchors the resets. */
	parse("anthropic-headers-429-no-retry-after.txt", 0, &rl);
	is_num(rl.retry_after_s, -1, 0, "anthropic 429 no retry-after: none");
	is_int(rl.req_remaining, 0, "anthropic 429 no retry-after: requests exhausted");
	is_int(rl.tok_remaining, 16000, "anthropic 429 no retry-after: tokens left");
	is_num(rl.req_reset_s, 1, 1e-6, "anthropic 429 no retry-after: reset - date = 1 s");
	is_num(llmr_ratelimit_wait_s(&rl, NULL), 1, 1e-6, "anthropic 429 no retry-after: wait 1 s");
	parse("anthropic-headers-429-no-retry-after.txt", T_2024_03_26_19_59_59 + 500, &rl);
	is_num(rl.req_reset_s, 1, 1e-6, "anthropic 429 no retry-after: local clock ignored");
}

static void test_synthetic(void)
{
	struct llmr_headers h = {0};
	struct llmr_ratelimit rl;

	/* retry-after as an HTTP-date, against Date. */
	llmr_headers_add(&h, "Date", "Tue, 26 Mar 2024 19:59:59 GMT");
	llmr_headers_add(&h, "Retry-After", "Tue, 26 Mar 2024 20:01:29 GMT");
	llmr_ratelimit_init(&rl);
	llmr_ratelimit_parse(&h, 0, &rl);
	is_num(rl.retry_after_s, 90, 1e-6, "retry-after HTTP-date: 90 s after Date");
	llmr_headers_release(&h);

	/* retry-after-ms is the finer of the two. */
	llmr_headers_add(&h, "retry-after-ms", "1500");
	llmr_headers_add(&h, "retry-after", "2");
	llmr_ratelimit_init(&rl);
	llmr_ratelimit_parse(&h, 0, &rl);
	is_num(rl.retry_after_s, 1.5, 1e-9, "retry-after-ms wins");
	llmr_headers_release(&h);

	/* Garbage is ignored, not misread. */
	llmr_headers_add(&h, "retry-after", "soon");
	llmr_headers_add(&h, "retry-after-ms", "inf");
	llmr_headers_add(&h, "x-ratelimit-remaining-requests", "-3");
	llmr_headers_add(&h, "x-ratelimit-reset-requests", "tomorrow");
	llmr_headers_add(&h, "anthropic-ratelimit-tokens-reset", "2024-13-40T99:00:00Z");
	llmr_ratelimit_init(&rl);
	llmr_ratelimit_parse(&h, 0, &rl);
	ok(!rl.seen, "garbage values: nothing seen");
	is_num(rl.retry_after_s, -1, 0, "garbage retry-after ignored");
	llmr_headers_release(&h);

	/* RFC 3339 with a fraction and an offset. */
	llmr_headers_add(&h, "anthropic-ratelimit-requests-reset", "2024-03-26T21:00:00.5+01:00");
	llmr_headers_add(&h, "anthropic-ratelimit-requests-remaining", "0");
	llmr_ratelimit_init(&rl);
	llmr_ratelimit_parse(&h, T_2024_03_26_19_59_59, &rl);
	is_num(rl.req_reset_s, 1.5, 1e-6, "RFC 3339 offset and fraction");
	llmr_headers_release(&h);

	/* Two exhausted buckets: wait for the later one. */
	llmr_ratelimit_init(&rl);
	rl.req_remaining = 0;
	rl.req_reset_s = 4;
	rl.tok_remaining = 0;
	rl.tok_reset_s = 9;
	rl.out_tok_remaining = 10;
	rl.out_tok_reset_s = 30;
	is_num(llmr_ratelimit_wait_s(&rl, NULL), 9, 0, "two exhausted buckets: the later reset");

	/* Hints: Gemini's wording, minutes, and none. */
	is_num(llmr_ratelimit_wait_s(NULL, "Please retry in 35.5s."), 35.5, 1e-9, "hint: retry in");
	is_num(llmr_ratelimit_wait_s(NULL, "Please try again in 1m30s."), 90, 1e-9, "hint: 1m30s");
	is_num(llmr_ratelimit_wait_s(NULL, "try again in a while"), -1, 0, "hint: no number");
	is_num(llmr_ratelimit_wait_s(NULL, "Please Try Again In 250ms"), 0.25, 1e-9, "hint: any case");
}

/* Regressions: an exponent in an RFC 3339 fraction (".5e300") overflowed
 * the conversion to ms; huge values are capped, never wrapped. */
static void test_bounds(void)
{
	struct llmr_headers h = {0};
	struct llmr_ratelimit rl;
	double w;

	llmr_headers_add(&h, "anthropic-ratelimit-tokens-reset", "2026-02-25T20:02:37.5e300Z");
	llmr_headers_add(&h, "anthropic-ratelimit-requests-reset", "2026-02-25T20:02:37.Z");
	llmr_ratelimit_init(&rl);
	llmr_ratelimit_parse(&h, T_2026_02_25_20_02_30, &rl);
	is_num(rl.tok_reset_s, -1, 0, "a fraction with an exponent is refused");
	is_num(rl.req_reset_s, -1, 0, "a point without digits is refused");
	llmr_headers_release(&h);

	llmr_headers_add(&h, "anthropic-ratelimit-tokens-reset", "2026-02-25T20:02:37.123456789012345Z");
	llmr_headers_add(&h, "anthropic-ratelimit-tokens-remaining", "0");
	llmr_headers_add(&h, "anthropic-ratelimit-requests-reset", "9999-12-31T23:59:59Z");
	llmr_headers_add(&h, "anthropic-ratelimit-requests-remaining", "0");
	llmr_headers_add(&h, "x-ratelimit-limit-tokens", "99999999999999999999999");
	llmr_ratelimit_init(&rl);
	llmr_ratelimit_parse(&h, T_2026_02_25_20_02_30, &rl);
	is_num(rl.tok_reset_s, 7.123456789, 1e-6, "long fractions still read");
	is_num(rl.req_reset_s, LLMR_RATELIMIT_MAX_WAIT_S, 0, "a reset in year 9999 is capped");
	is_int(rl.tok_limit, LLMR_RATELIMIT_MAX_COUNT, "an overflowing count is capped");
	w = llmr_ratelimit_wait_s(&rl, NULL);
	is_num(w, LLMR_RATELIMIT_MAX_WAIT_S, 0, "the wait is capped");
	ok((int64_t)(w * 1000) > 0, "and converts to ms without overflow");
	llmr_headers_release(&h);

	llmr_headers_add(&h, "retry-after", "1e308");
	llmr_ratelimit_init(&rl);
	llmr_ratelimit_parse(&h, 0, &rl);
	is_num(rl.retry_after_s, LLMR_RATELIMIT_MAX_WAIT_S, 0, "retry-after: capped");
	llmr_headers_release(&h);
	is_num(llmr_ratelimit_wait_s(NULL, "try again in 9999h"), LLMR_RATELIMIT_MAX_WAIT_S, 0,
	       "hint: capped");
}

int main(void)
{
	test_init();
	test_bounds();
	test_openai();
	test_anthropic();
	test_synthetic();
	return done_testing();
}
