#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	is_int(llmr_edit_distance("rmp", "rpm", 5), 2, "edit distance");
}

/* Regression: a 200 kB config key made "did you mean" take 16 s. */
static void test_edit_distance_bounded(void)
{
	size_t n = 200000;
	char *a = malloc(n + 1), *b = malloc(n + 1);
	int64_t t0;

	memset(a, 'a', n), a[n] = '\0';
	memset(b, 'b', n), b[n] = '\0';
	is_int(llmr_edit_distance("kitten", "sitting", 3), 3, "distance within max");
	is_int(llmr_edit_distance("kitten", "sitting", 2), 3, "past max gives max + 1");
	is_int(llmr_edit_distance("ab", "abcdefgh", 2), 3, "length difference alone exceeds max");
	t0 = llmr_mono_ms();
	is_int(llmr_edit_distance(a, b, n), (long)n + 1, "words past the length cap are never close");
	b[n - 1] = '\0';
	is_int(llmr_edit_distance(a, b + 1, 3), 4, "long words: bounded by max");
	ok(llmr_mono_ms() - t0 < 1000, "200 kB words cost well under a second");
	free(a);
	free(b);
}

/* Regression: strtod took exponents, hex and inf in header durations. */
static void test_duration_strict(void)
{
	int64_t ms = 7;

	ok(llmr_parse_duration_ms("1e300s", &ms) < 0, "no exponent");
	ok(llmr_parse_duration_ms(".5e300", &ms) < 0, "no exponent after a fraction");
	ok(llmr_parse_duration_ms("0x10s", &ms) < 0, "no hex");
	ok(llmr_parse_duration_ms("99999999999999999999s", &ms) < 0, "too long refused");
	ok(llmr_parse_duration_ms(".25s", &ms) == 0 && ms == 250, "leading point");
	ok(llmr_parse_duration_ms("1.s", &ms) == 0 && ms == 1000, "trailing point");
	ok(llmr_parse_duration_ms(".s", &ms) < 0, "a point alone is no number");
}

/* Lines read with a cap: a line past it is skipped whole, and the next
 * line is read as it is. */
static void test_read_line(void)
{
	FILE *f = tmpfile();
	struct llmr_buf b = LLMR_BUF_INIT;
	int i;

	fputs("short\n", f);
	for (i = 0; i < 20000; i++)
		fputc('x', f);
	fputs("\nafter\nlast", f);
	rewind(f);
	ok(llmr_read_line(f, &b, 100) == 1 && !strcmp(b.s, "short\n"), "a line under the cap");
	ok(llmr_read_line(f, &b, 100) == -1 && !ferror(f), "a 20 kB line over a 100-byte cap: -1");
	ok(b.len <= 100, "... nothing beyond the cap kept");
	ok(llmr_read_line(f, &b, 100) == 1 && !strcmp(b.s, "after\n"), "the next line is whole");
	ok(llmr_read_line(f, &b, 100) == 1 && !strcmp(b.s, "last"), "a last line without newline");
	ok(llmr_read_line(f, &b, 100) == 0, "then end of file");
	llmr_buf_release(&b);
	fclose(f);
}

int main(void)
{
	test_read_line();
	test_durations();
	test_buf();
	test_edit_distance_bounded();
	test_duration_strict();
	return done_testing();
}
