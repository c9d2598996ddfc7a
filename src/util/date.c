/*
 * date.c — parsing and arithmetic on "YYYY-MM-DD" dates (see date.h).
 */
#include "util/date.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Checks the part of an ISO 8601 date-time after its date: [T ]HH:MM[:SS[.f]][Z|±HH:MM]. */
static bool valid_time_suffix(const char *s)
{
    if (*s != 'T' && *s != 't' && *s != ' ')
        return false;
    s++;
    int h = digits(s, 2);
    if (h < 0 || h > 23 || s[2] != ':')
        return false;
    int mi = digits(s + 3, 2);
    if (mi < 0 || mi > 59)
        return false;
    s += 5;
    if (*s == ':') {
        int sec = digits(s + 1, 2);
        if (sec < 0 || sec > 60)
            return false;
        s += 3;
        if (*s == '.' || *s == ',') {
            s++;
            if (!isdigit((unsigned char)*s))
                return false;
            while (isdigit((unsigned char)*s))
                s++;
        }
    }
    if (*s == 'Z' || *s == 'z')
        return s[1] == '\0';
    if (*s == '+' || *s == '-') {
        int oh = digits(s + 1, 2);
        if (oh < 0 || oh > 23)
            return false;
        s += 3;
        if (*s == ':')
            s++;
        if (*s == '\0')
            return true;
        int om = digits(s, 2);
        return om >= 0 && om <= 59 && s[2] == '\0';
    }
    return *s == '\0';
}

bool date_parse(const char *s, char out[DATE_STR_LEN])
{
    if (!s || strlen(s) < 10 || s[4] != '-' || s[7] != '-')
        return false;
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return false;
    if (s[10] != '\0' && !valid_time_suffix(s + 10))
        return false;
    memcpy(out, s, 10);
    out[10] = '\0';
    return true;
}

/* The fields are in calendar range; unsigned remainders let the compiler see the length. */
static void format_date(int y, int m, int d, char out[DATE_STR_LEN])
{
    snprintf(out, DATE_STR_LEN, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
}

static void format_tm(const struct tm *tm, char out[DATE_STR_LEN])
{
    format_date(tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday, out);
}

void date_today(char out[DATE_STR_LEN])
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    format_tm(&tm, out);
}

void date_add_days(const char *d, int days, char out[DATE_STR_LEN])
{
    struct tm tm = {0};
    tm.tm_year = digits(d, 4) - 1900;
    tm.tm_mon = digits(d + 5, 2) - 1;
    tm.tm_mday = digits(d + 8, 2) + days;
    tm.tm_hour = 12; /* away from midnight, so DST shifts can't change the day */
    timegm(&tm);     /* normalises the fields */
    format_tm(&tm, out);
}

void date_sub_months(const char *d, int months, char out[DATE_STR_LEN])
{
    int y = digits(d, 4), m = digits(d + 5, 2), day = digits(d + 8, 2);
    int total = y * 12 + (m - 1) - months;
    y = total / 12;
    m = total % 12 + 1;
    if (day > days_in_month(y, m))
        day = days_in_month(y, m);
    format_date(y, m, day, out);
}

void timestamp_now(char out[21])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
