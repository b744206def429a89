#include <stdlib.h>

#include "tap.h"
#include "base/util.h"

static void test_durations(void)
{
	int64_t ms;

	ok(llmr_parse_duration_ms("30s", &ms) == 0 && ms == 30000, "30s");
	ok(llmr_parse_duration_ms("5m", &ms) == 0 && ms == 300000, "5m");
	ok(llmr_parse_duration_ms("1h", &ms) == 0 && ms == 3600000, "1h");
	ok(llmr_parse_duration_ms("24h", &ms) == 0 && ms == 86400000, "24h");
	ok(llmr_parse_duration_ms("6m0s", &ms) == 0 && ms == 360000, "OpenAI 6m0s");
	ok(llmr_parse_duration_ms("12ms", &ms) == 0 && ms == 12, "OpenAI 12ms");
	ok(llmr_parse_duration_ms("26.604s", &ms) == 0 && ms == 26604, "fractional seconds");
	ok(llmr_parse_duration_ms("16", &ms) == 0 && ms == 16000, "bare seconds");
	ok(llmr_parse_duration_ms("abc", &ms) < 0, "rejects words");
	ok(llmr_parse_duration_ms("-5s", &ms) < 0, "rejects negatives");
	ok(llmr_parse_duration_ms("5x", &ms) < 0, "rejects unknown units");
	ok(llmr_parse_duration_ms("", &ms) < 0, "rejects empty");
}

static void test_buf(void)
{
	struct llmr_buf b = LLMR_BUF_INIT;
	char *s;

	b.max = 8;
	ok(llmr_buf_adds(&b, "hello") == 0, "add under cap");
	ok(llmr_buf_adds(&b, "world") < 0, "add over cap fails");
	is_str(b.s, "hello", "buffer unchanged after a refused add");
	llmr_buf_reset(&b);
	llmr_sanitize_for_tty(&b, "a\x1b[31mb\n", 8);
	is_str(b.s, "a?[31mb\n", "escape replaced, newline kept");
	s = llmr_buf_detach(&b);
	free(s);
	is_int(llmr_edit_distance("rmp", "rpm"), 2, "edit distance");
}

int main(void)
{
	test_durations();
	test_buf();
	return done_testing();
}
