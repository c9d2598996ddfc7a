/*
 * date.h — calendar dates as "YYYY-MM-DD" strings.
 *
 * Stats are dated by day.  Dates travel and are stored as ISO text, which sorts
 * like the dates themselves, so no layer needs a date type of its own.
 */
#ifndef UTIL_DATE_H
#define UTIL_DATE_H

#include <stdbool.h>

#define DATE_STR_LEN 11 /* "YYYY-MM-DD" + NUL */

/*
 * Accepts "YYYY-MM-DD" or an ISO 8601 date-time starting with it
 * ("2026-05-18T10:00:00Z", "2026-05-18 10:00:00+02:00"), truncated to its date.
 * The date must exist in the calendar (2026-02-30 is refused).
 */
bool date_parse(const char *s, char out[DATE_STR_LEN]);
/* Today in the process's local time zone (TZ, set from TIMEZONE at start). */
void date_today(char out[DATE_STR_LEN]);
/* d shifted by a number of days (may be negative). */
void date_add_days(const char *d, int days, char out[DATE_STR_LEN]);
/* d minus n months, the day clamped to the month's length (05-31 − 3 → 02-28). */
void date_sub_months(const char *d, int months, char out[DATE_STR_LEN]);
/* Current UTC time as "YYYY-MM-DDTHH:MM:SSZ". */
void timestamp_now(char out[21]);

#endif
