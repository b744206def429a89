#include "cost/cost.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Everything is UTC: a report must read the same on every machine. */

static int64_t from_tm(struct tm *tm)
{
	return (int64_t)timegm(tm) * 1000;
}

static void to_tm(int64_t t, struct tm *tm)
{
	time_t s = (time_t)(t >= 0 ? t / 1000 : (t - 999) / 1000);

	gmtime_r(&s, tm);
}

int64_t llmr_cost_month_start(int64_t t, int add)
{
	struct tm tm;

	to_tm(t, &tm);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mon += add;
	return from_tm(&tm);
}

/* Digits only, exactly n of them. */
static int num(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int parse_date(const char *s, int64_t *out)
{
	struct tm tm;
	int y, mo, d = 1, h = 0, mi = 0, sec = 0;
	size_t n = strlen(s);

	memset(&tm, 0, sizeof(tm));
	if (n < 7 || num(s, 4, &y) || s[4] != '-' || num(s + 5, 2, &mo))
		return -1;
	s += 7;
	if (*s == '-') {
		if (num(s + 1, 2, &d))
			return -1;
		s += 3;
		if (*s == 'T' || *s == ' ') {
			if (num(s + 1, 2, &h) || s[3] != ':' || num(s + 4, 2, &mi))
				return -1;
			s += 6;
			if (*s == ':') {
				if (num(s + 1, 2, &sec))
					return -1;
				s += 3;
			}
			if (*s == 'Z')
				s++;
		}
	}
	if (*s || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = from_tm(&tm);
	return 0;
}

int llmr_cost_parse_time(const char *s, int64_t now_ms, int64_t *out)
{
	int64_t ms;
	char *end;

	if (!s || !*s)
		return -1;
	if (*s == '@') {
		long long v = strtoll(s + 1, &end, 10);

		if (end == s + 1 || *end)
			return -1;
		*out = v;
		return 0;
	}
	if (!parse_date(s, out))
		return 0;
	if (s[strlen(s) - 1] == 'd' && isdigit((unsigned char)*s)) {
		long v = strtol(s, &end, 10);

		if (*end != 'd' || end[1])
			return -1;
		*out = now_ms - v * LLMR_DAY_MS;
		return 0;
	}
	if (!llmr_parse_duration_ms(s, &ms) && isalpha((unsigned char)s[strlen(s) - 1])) {
		*out = now_ms - ms;
		return 0;
	}
	return -1;
}

void llmr_cost_fmt_day(int64_t t, char out[16])
{
	struct tm tm;

	to_tm(t, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}

void llmr_cost_fmt_week(int64_t t, char out[16])
{
	struct tm tm;

	to_tm(t, &tm);
	strftime(out, 16, "%G-W%V", &tm);
}

void llmr_cost_fmt_month(int64_t t, char out[16])
{
	struct tm tm;

	to_tm(t, &tm);
	strftime(out, 16, "%Y-%m", &tm);
}

void llmr_cost_fmt_iso(int64_t t, char out[32])
{
	struct tm tm;

	to_tm(t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void llmr_cost_prev_period(int64_t since, int64_t until, int64_t *psince, int64_t *puntil)
{
	int64_t len = until - since, m0 = llmr_cost_month_start(since, 0);
	int months = 0;

	*puntil = since;
	if (m0 == since) {
		/* Whole months compare with as many whole months before. */
		while (llmr_cost_month_start(since, months + 1) <= until)
			months++;
		if (months > 0 && llmr_cost_month_start(since, months) == until) {
			*psince = llmr_cost_month_start(since, -months);
			return;
		}
		if (months == 0) {
			/* Month to date: the same days of the month before. */
			*psince = llmr_cost_month_start(since, -1);
			if (*psince + len < since)
				*puntil = *psince + len;
			return;
		}
	}
	*psince = since - len;
}
