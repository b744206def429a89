/*
 * ratelimit.c - rate-limit state from response headers, whatever the
 * provider's spelling, and the wait before a retry.
 *
 * OpenAI and its imitators (Groq, ...) send durations ("6m0s", "20ms");
 * Anthropic sends RFC 3339 instants, which only mean something against a
 * clock: the server's Date header when present (so a skewed local clock
 * does not matter), else the caller's now_s.
 */
#include "net/ratelimit.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void llmr_ratelimit_init(struct llmr_ratelimit *rl)
{
	rl->req_limit = rl->req_remaining = -1;
	rl->tok_limit = rl->tok_remaining = -1;
	rl->in_tok_limit = rl->in_tok_remaining = -1;
	rl->out_tok_limit = rl->out_tok_remaining = -1;
	rl->req_reset_s = rl->tok_reset_s = -1;
	rl->in_tok_reset_s = rl->out_tok_reset_s = -1;
	rl->retry_after_s = -1;
	rl->seen = false;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil): timegm() is not in C11 or POSIX. */
static long days_from_civil(long y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static double epoch_of(long y, int mon, int d, int h, int mi, double s)
{
	return (double)days_from_civil(y, mon, d) * 86400.0 + h * 3600.0 + mi * 60.0 + s;
}

/* Read exactly n digits. */
static int digits(const char **p, int n, long *out)
{
	long v = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int expect(const char **p, char c)
{
	if (**p != c)
		return -1;
	(*p)++;
	return 0;
}

/* "2026-02-25T20:02:37Z", with optional fraction and a numeric offset. */
static int rfc3339_parse(const char *s, double *epoch)
{
	long y, mo, d, h, mi, sec, oh, om;
	double frac = 0, off = 0;
	const char *p = s;
	int sign;

	if (digits(&p, 4, &y) || expect(&p, '-') || digits(&p, 2, &mo) || expect(&p, '-') ||
	    digits(&p, 2, &d))
		return -1;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (digits(&p, 2, &h) || expect(&p, ':') || digits(&p, 2, &mi) || expect(&p, ':') ||
	    digits(&p, 2, &sec))
		return -1;
	if (*p == '.') {
		double scale = 1;

		/* Digits only: strtod would take ".5e300" and overflow. */
		if (!isdigit((unsigned char)p[1]))
			return -1;
		for (p++; isdigit((unsigned char)*p); p++)
			if ((scale /= 10) > 1e-12)
				frac += (*p - '0') * scale;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (digits(&p, 2, &oh) || expect(&p, ':') || digits(&p, 2, &om))
			return -1;
		off = sign * (oh * 3600.0 + om * 60.0);
	} else {
		return -1;
	}
	if (*p || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	*epoch = epoch_of(y, (int)mo, (int)d, (int)h, (int)mi, (double)sec + frac) - off;
	return 0;
}

/* IMF-fixdate, the only HTTP-date form a server may send (RFC 9110):
 * "Tue, 26 Mar 2024 19:59:59 GMT". Month names are parsed here rather than
 * with strptime(), whose %b follows the locale. */
static int http_date_parse(const char *s, double *epoch)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *p = strchr(s, ',');
	long d, y, h, mi, sec;
	int mon;

	if (!p)
		return -1;
	p++;
	while (*p == ' ')
		p++;
	if (digits(&p, 2, &d) || expect(&p, ' ') || strlen(p) < 4)
		return -1;
	for (mon = 0; mon < 12; mon++)
		if (!strncmp(p, months + 3 * mon, 3))
			break;
	if (mon == 12)
		return -1;
	p += 3;
	if (expect(&p, ' ') || digits(&p, 4, &y) || expect(&p, ' ') || digits(&p, 2, &h) ||
	    expect(&p, ':') || digits(&p, 2, &mi) || expect(&p, ':') || digits(&p, 2, &sec))
		return -1;
	if (strcmp(p, " GMT") || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	*epoch = epoch_of(y, mon + 1, (int)d, (int)h, (int)mi, (double)sec);
	return 0;
}

static double cap_wait(double s)
{
	return s > LLMR_RATELIMIT_MAX_WAIT_S ? LLMR_RATELIMIT_MAX_WAIT_S : s;
}

static long parse_count(const char *v)
{
	char *end;
	long n;

	if (!v)
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	while (*end == ' ')
		end++;
	if (end == v || *end || n < 0 || (errno && n != LONG_MAX))
		return -1;
	return n > LLMR_RATELIMIT_MAX_COUNT ? LLMR_RATELIMIT_MAX_COUNT : n;
}

/* A reset header: an RFC 3339 instant (Anthropic) against base_s, or a
 * duration (OpenAI). Past instants clamp to 0: the window already reset. */
static double parse_reset(const char *v, double base_s)
{
	int64_t ms;
	double t;

	if (!v)
		return -1;
	if (rfc3339_parse(v, &t) == 0)
		return t > base_s ? cap_wait(t - base_s) : 0;
	if (llmr_parse_duration_ms(v, &ms) == 0)
		return cap_wait((double)ms / 1000.0);
	return -1;
}

/* Where each spelling of a bucket lands in struct llmr_ratelimit. */
struct bucket {
	const char *limit, *remaining, *reset;
	size_t limit_at, remaining_at, reset_at;
};

#define RL_AT(f) offsetof(struct llmr_ratelimit, f)
#define OPENAI(k, f) \
	{"x-ratelimit-limit-" k, "x-ratelimit-remaining-" k, "x-ratelimit-reset-" k, \
	 RL_AT(f##_limit), RL_AT(f##_remaining), RL_AT(f##_reset_s)}
#define ANTHROPIC(k, f) \
	{"anthropic-ratelimit-" k "-limit", "anthropic-ratelimit-" k "-remaining", \
	 "anthropic-ratelimit-" k "-reset", RL_AT(f##_limit), RL_AT(f##_remaining), \
	 RL_AT(f##_reset_s)}

static const struct bucket buckets[] = {
	OPENAI("requests", req),
	OPENAI("tokens", tok),
	ANTHROPIC("requests", req),
	ANTHROPIC("tokens", tok),
	ANTHROPIC("input-tokens", in_tok),
	ANTHROPIC("output-tokens", out_tok),
};

static void parse_bucket(const struct llmr_headers *h, const struct bucket *b, double base_s,
			 struct llmr_ratelimit *rl)
{
	char *base = (char *)rl;
	long n;
	double r;

	if ((n = parse_count(llmr_headers_get(h, b->limit))) >= 0) {
		*(long *)(base + b->limit_at) = n;
		rl->seen = true;
	}
	if ((n = parse_count(llmr_headers_get(h, b->remaining))) >= 0) {
		*(long *)(base + b->remaining_at) = n;
		rl->seen = true;
	}
	if ((r = parse_reset(llmr_headers_get(h, b->reset), base_s)) >= 0) {
		*(double *)(base + b->reset_at) = r;
		rl->seen = true;
	}
}

/* retry-after-ms (OpenAI, more precise) wins over retry-after, which is
 * delay-seconds or an HTTP-date. */
static double parse_retry_after(const struct llmr_headers *h, double base_s)
{
	const char *v = llmr_headers_get(h, "retry-after-ms");
	char *end;
	double d, t;

	if (v) {
		errno = 0;
		d = strtod(v, &end);
		if (end != v && !*end && isdigit((unsigned char)*v) && d >= 0 && isfinite(d))
			return cap_wait(d / 1000.0);
	}
	v = llmr_headers_get(h, "retry-after");
	if (!v)
		return -1;
	if (isdigit((unsigned char)*v)) {
		errno = 0;
		d = strtod(v, &end);
		if (end != v && !*end && d >= 0 && isfinite(d))
			return cap_wait(d);
		return -1;
	}
	if (http_date_parse(v, &t) == 0)
		return t > base_s ? cap_wait(t - base_s) : 0;
	return -1;
}

void llmr_ratelimit_parse(const struct llmr_headers *h, double now_s, struct llmr_ratelimit *rl)
{
	const char *date = llmr_headers_get(h, "date");
	double base_s = now_s, t;
	size_t i;

	if (date && http_date_parse(date, &t) == 0)
		base_s = t;
	for (i = 0; i < sizeof(buckets) / sizeof(buckets[0]); i++)
		parse_bucket(h, &buckets[i], base_s, rl);
	if ((t = parse_retry_after(h, base_s)) >= 0) {
		rl->retry_after_s = t;
		rl->seen = true;
	}
}

/* The latest reset among exhausted buckets: all of them must refill. */
static double exhausted_reset(const struct llmr_ratelimit *rl)
{
	const long rem[] = {rl->req_remaining, rl->tok_remaining, rl->in_tok_remaining,
			    rl->out_tok_remaining};
	const double reset[] = {rl->req_reset_s, rl->tok_reset_s, rl->in_tok_reset_s,
				rl->out_tok_reset_s};
	double w = -1;
	size_t i;

	for (i = 0; i < sizeof(rem) / sizeof(rem[0]); i++)
		if (rem[i] == 0 && reset[i] > w)
			w = reset[i];
	return w;
}

/* "Please try again in 26.604s." (OpenAI), "Please retry in 35.2s."
 * (Gemini): the duration after the phrase, its full stop dropped. */
static double hint_in_msg(const char *msg)
{
	static const char *const phrases[] = {"try again in ", "retry in "};
	char tok[32];
	size_t i, n, plen;
	const char *p, *q;
	int64_t ms;

	if (!msg)
		return -1;
	for (i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++) {
		plen = strlen(phrases[i]);
		for (p = msg; *p; p++) {
			if (strncasecmp(p, phrases[i], plen))
				continue;
			q = p + plen;
			for (n = 0; n < sizeof(tok) - 1; n++) {
				if (!isalnum((unsigned char)q[n]) && q[n] != '.')
					break;
				tok[n] = q[n];
			}
			while (n && tok[n - 1] == '.')
				n--;
			tok[n] = '\0';
			if (llmr_parse_duration_ms(tok, &ms) == 0)
				return cap_wait((double)ms / 1000.0);
		}
	}
	return -1;
}

double llmr_ratelimit_wait_s(const struct llmr_ratelimit *rl, const char *msg)
{
	double w;

	if (rl && rl->retry_after_s >= 0)
		return cap_wait(rl->retry_after_s);
	if (rl && (w = exhausted_reset(rl)) >= 0)
		return cap_wait(w);
	return hint_in_msg(msg);
}
