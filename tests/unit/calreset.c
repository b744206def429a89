/* Calendar resets and dates (base/calreset.h), at instants computed by
 * hand, with the process's TZ set to something else to show it is kept. */
#include <stdlib.h>
#include <string.h>

#include "base/calreset.h"
#include "tap.h"

/* 2026-11-29T10:00:00Z (PST, UTC-8) and 2026-07-01T05:00:00Z (PDT, UTC-7). */
#define WINTER 1795946400000LL
#define SUMMER 1782882000000LL
#define H (3600LL * 1000)

int main(void)
{
	char tz[128], why[300];
	int minute = -1;

	setenv("TZ", "Europe/Paris", 1);
	is_int(llmr_reset_parse("00:00 America/Los_Angeles", &minute, tz, sizeof(tz), why,
				sizeof(why)), 0, "HH:MM Area/City parses");
	is_int(minute, 0, "... minute 0");
	is_str(tz, "America/Los_Angeles", "... the zone");
	is_int(llmr_reset_parse("07:30", &minute, tz, sizeof(tz), why, sizeof(why)), 0,
	       "HH:MM alone parses");
	is_int(minute, 450, "... 07:30 is minute 450");
	is_str(tz, "UTC", "... in UTC");
	is_int(llmr_reset_parse("24:00", &minute, tz, sizeof(tz), why, sizeof(why)), -1,
	       "24:00 is refused");
	is_int(llmr_reset_parse("00:00 Mars/Olympus", &minute, tz, sizeof(tz), why, sizeof(why)),
	       -1, "an unknown zone is refused");
	ok(strstr(why, "Mars/Olympus") != NULL, "... naming it");
	is_int(llmr_reset_parse("00:00 ../../etc/passwd", &minute, tz, sizeof(tz), why,
				sizeof(why)), -1, "a zone that climbs out of the database is refused");

	/* Winter: 10:00Z is 02:00 PST, so midnight was 08:00Z today. */
	is_int(llmr_reset_last(WINTER, 0, "America/Los_Angeles"), WINTER - 2 * H,
	       "winter: the last Los Angeles midnight");
	is_int(llmr_reset_next(WINTER, 0, "America/Los_Angeles"), WINTER + 22 * H,
	       "winter: the next one");
	/* Summer: 05:00Z is 22:00 PDT the day before: midnight was 07:00Z. */
	is_int(llmr_reset_last(SUMMER, 0, "America/Los_Angeles"), SUMMER - 22 * H,
	       "summer (PDT): the last Los Angeles midnight");
	is_int(llmr_reset_next(SUMMER, 0, "America/Los_Angeles"), SUMMER + 2 * H,
	       "summer (PDT): the next one");
	is_int(llmr_reset_last(WINTER, 600, "UTC"), WINTER, "a reset at now is the last one");
	is_int(llmr_reset_next(WINTER, 600, "UTC"), WINTER + 24 * H, "... and the next is tomorrow");
	is_str(getenv("TZ"), "Europe/Paris", "the process's TZ is put back");

	is_int(llmr_date_parse("2027-03-01"), 1803859200000LL, "a date is 00:00 UTC that day");
	is_int(llmr_date_parse("2027-02-30"), -1, "a day the month does not have is refused");
	is_int(llmr_date_parse("2027-3-1"), -1, "so is a short form");
	is_int(llmr_date_parse("2027-03-01x"), -1, "and trailing text");
	return done_testing();
}
