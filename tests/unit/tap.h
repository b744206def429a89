/*
 * tap.h - a minimal TAP producer for the C unit tests (run by prove).
 */
#ifndef LLMR_TAP_H
#define LLMR_TAP_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)
#define is_num(got, want, eps, ...) tap_is_num((got), (want), (eps), __FILE__, __LINE__, __VA_ARGS__)

static void tap_line(int pass, const char *fmt, va_list ap)
{
	printf("%s %d - ", pass ? "ok" : "not ok", ++tap_n);
	vprintf(fmt, ap);
	putchar('\n');
	if (!pass)
		tap_failed++;
}

#include <stdarg.h>
__attribute__((format(printf, 4, 5)))
__attribute__((unused)) static int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_line(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#   at %s:%d\n", file, line);
	return pass;
}

__attribute__((format(printf, 5, 6)))
__attribute__((unused)) static int tap_is_int(long long got, long long want, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_line(got == want, fmt, ap);
	va_end(ap);
	if (got != want)
		printf("#   at %s:%d: got %lld, want %lld\n", file, line, got, want);
	return got == want;
}

__attribute__((format(printf, 5, 6)))
__attribute__((unused)) static int tap_is_str(const char *got, const char *want, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int pass = got && want ? !strcmp(got, want) : got == want;

	va_start(ap, fmt);
	tap_line(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#   at %s:%d: got '%s', want '%s'\n", file, line, got ? got : "(null)", want ? want : "(null)");
	return pass;
}

__attribute__((format(printf, 6, 7)))
__attribute__((unused)) static int tap_is_num(double got, double want, double eps, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int pass = fabs(got - want) <= eps;

	va_start(ap, fmt);
	tap_line(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#   at %s:%d: got %.10g, want %.10g\n", file, line, got, want);
	return pass;
}

/* Call last: prints the plan, returns the exit status. */
static int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
