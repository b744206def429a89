/* Calendar resets through the TZ database (calreset.h). */
#include "base/calreset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int llmr_reset_parse(const char *spec, int *minute, char *tz, size_t n, char *why, size_t wn)
{
	const char *dir = getenv("TZDIR");
	char path[512];
	int h, m, used = 0;

	if (sscanf(spec, "%2d:%2d%n", &h, &m, &used) != 2 || h < 0 || h > 23 || m < 0 || m > 59 ||
	    (spec[used] && spec[used] != ' ')) {
		snprintf(why, wn, "'%s' is not HH:MM [Area/City]", spec);
		return -1;
	}
	*minute = h * 60 + m;
	spec += used;
	while (*spec == ' ')
		spec++;
	snprintf(tz, n, "%s", *spec ? spec : "UTC");
	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", tz);
	/* A name is a path under the database: never let it climb out. */
	if (strstr(tz, "..") || tz[0] == '/' || strlen(tz) >= n || access(path, R_OK) != 0) {
		snprintf(why, wn, "'%s' is not a time zone of the TZ database (such as "
				  "America/Los_Angeles)", tz);
		return -1;
	}
	return 0;
}

/* Run mktime/localtime in tz, then put the process's zone back. */
struct tz_saved {
	char *old;
};

static void tz_enter(struct tz_saved *s, const char *tz)
{
	const char *old = getenv("TZ");

	s->old = old ? strdup(old) : NULL;
	setenv("TZ", tz, 1);
	tzset();
}

static void tz_leave(struct tz_saved *s)
{
	if (s->old)
		setenv("TZ", s->old, 1);
	else
		unsetenv("TZ");
	free(s->old);
	tzset();
}

/* The instant minute of the day falls on day_offset days from now's date in tz. */
static int64_t at_minute(int64_t now_ms, int minute, int day_offset)
{
	time_t now = (time_t)(now_ms / 1000);
	struct tm tm;

	localtime_r(&now, &tm);
	tm.tm_mday += day_offset;
	tm.tm_hour = minute / 60;
	tm.tm_min = minute % 60;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

int64_t llmr_reset_last(int64_t now_ms, int minute, const char *tz)
{
	struct tz_saved s;
	int64_t t;

	tz_enter(&s, tz);
	if ((t = at_minute(now_ms, minute, 0)) > now_ms)
		t = at_minute(now_ms, minute, -1);
	tz_leave(&s);
	return t;
}

int64_t llmr_reset_next(int64_t now_ms, int minute, const char *tz)
{
	struct tz_saved s;
	int64_t t;

	tz_enter(&s, tz);
	if ((t = at_minute(now_ms, minute, 0)) <= now_ms)
		t = at_minute(now_ms, minute, 1);
	tz_leave(&s);
	return t;
}

int64_t llmr_date_parse(const char *s)
{
	struct tm tm, back;
	int y, mo, d, used = 0;
	time_t t;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3 || s[used] || used != 10)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	back = tm;
	if ((t = timegm(&tm)) == (time_t)-1 || tm.tm_mday != back.tm_mday ||
	    tm.tm_mon != back.tm_mon)
		return -1; /* 2027-02-30 rolled over: not a date */
	return (int64_t)t * 1000;
}
