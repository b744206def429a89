/*
 * calreset.h - calendar instants for quotas that reset at a wall-clock
 * time ("00:00 America/Los_Angeles", as Gemini's free tier does) rather
 * than over a sliding 24 h, and for dates such as a key's expiry.
 *
 * Zones come from the system's TZ database, through TZ and mktime(), so
 * daylight saving time is the C library's: on a day that skips the reset
 * time, mktime moves it by the hour skipped.
 */
#ifndef LLMR_CALRESET_H
#define LLMR_CALRESET_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse "HH:MM" or "HH:MM Area/City" (no zone: UTC) into the minute of the
 * day and the zone name (tz, n bytes; "UTC" when none). The zone must be in
 * the TZ database ($TZDIR, else /usr/share/zoneinfo). Returns 0, or -1
 * with why (a phrase, wn bytes) saying what is wrong.
 */
int llmr_reset_parse(const char *spec, int *minute, char *tz, size_t n, char *why, size_t wn);

/* The last instant at or before now (epoch ms) when the clock in tz read
 * minute (of the day); and the next one after now. */
int64_t llmr_reset_last(int64_t now_ms, int minute, const char *tz);
int64_t llmr_reset_next(int64_t now_ms, int minute, const char *tz);

/* "YYYY-MM-DD" as epoch ms at 00:00 UTC that day, or -1 when it is not a
 * real date. */
int64_t llmr_date_parse(const char *s);

#endif
