/*
 * test_date_ids.c — unit tests of util/date.c (parsing, calendar arithmetic)
 * and util/ids.c (UUIDs, tokens, token hashes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/date.h"
#include "util/ids.h"

#define COUNT(a) (sizeof(a) / sizeof *(a))

/* ---- date_parse ------------------------------------------------------------ */

static void test_date_parse_accepts(void **state)
{
    static const struct { const char *in, *out; } cases[] = {
        {"2026-05-18", "2026-05-18"},
        {"2024-02-29", "2024-02-29"}, /* leap year */
        {"2000-02-29", "2000-02-29"}, /* divisible by 400 */
        {"2026-12-31", "2026-12-31"},
        {"0001-01-01", "0001-01-01"},
        {"2026-05-18T10:00:00Z", "2026-05-18"},
        {"2026-05-18T23:59:59+02:00", "2026-05-18"},
        {"2026-05-18 10:00:00+02:00", "2026-05-18"},
        {"2026-05-18T10:00", "2026-05-18"},
        {"2026-05-18T10:00:00.123456Z", "2026-05-18"},
        {"2026-05-18T10:00:00,5-0130", "2026-05-18"},
        {"2026-05-18t10:00:00z", "2026-05-18"},
        {"2026-05-18T10:00:00+02", "2026-05-18"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        char out[DATE_STR_LEN] = "";
        if (!date_parse(cases[i].in, out))
            fail_msg("refused: %s", cases[i].in);
        assert_string_equal(out, cases[i].out);
    }
}

static void test_date_parse_refuses(void **state)
{
    static const char *const cases[] = {
        "2026-02-30", "2025-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10",
        "2026-01-00", "0000-01-01", "2026-1-01", "26-01-01", "2026/01/01", "20260518", "",
        " 2026-05-18", "2026-05-18 ", "2026-05-18T", "2026-05-18x", "2026-05-18T24:00",
        "2026-05-18T10:60", "2026-05-18T10", "2026-05-18T10:00:00.", "2026-05-18T10:00:00+25:00",
        "2026-05-18T10:00:00Zjunk", "2026-05-18T10:00:00+02:00:00", "２０２６-05-18", "2026-05-1a",
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        char out[DATE_STR_LEN] = "untouched";
        if (date_parse(cases[i], out))
            fail_msg("accepted: \"%s\" as %s", cases[i], out);
    }
    char out[DATE_STR_LEN];
    assert_false(date_parse(NULL, out));
}

/* ---- date arithmetic ------------------------------------------------------- */

static void test_date_add_days(void **state)
{
    static const struct { const char *from; int days; const char *to; } cases[] = {
        {"2026-05-18", 0, "2026-05-18"},
        {"2026-01-31", 1, "2026-02-01"},
        {"2025-12-31", 1, "2026-01-01"},
        {"2026-01-01", -1, "2025-12-31"},
        {"2024-02-28", 1, "2024-02-29"},
        {"2023-02-28", 1, "2023-03-01"},
        {"2024-03-01", -1, "2024-02-29"},
        {"2026-03-01", -1, "2026-02-28"},
        {"2100-02-28", 1, "2100-03-01"}, /* not a leap year */
        {"2026-05-18", 365, "2027-05-18"},
        {"2024-01-01", 366, "2025-01-01"},
        {"2026-05-18", -90, "2026-02-17"},
        {"2026-03-29", 1, "2026-03-30"}, /* European DST change */
        {"2026-10-25", 1, "2026-10-26"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        char out[DATE_STR_LEN];
        date_add_days(cases[i].from, cases[i].days, out);
        if (strcmp(out, cases[i].to) != 0)
            fail_msg("%s %+d days: got %s, want %s", cases[i].from, cases[i].days, out, cases[i].to);
    }
}

static void test_date_sub_months(void **state)
{
    static const struct { const char *from; int months; const char *to; } cases[] = {
        {"2026-05-18", 0, "2026-05-18"},
        {"2026-05-18", 3, "2026-02-18"},
        {"2026-05-31", 3, "2026-02-28"}, /* clamped */
        {"2024-05-31", 3, "2024-02-29"}, /* clamped, leap year */
        {"2026-07-31", 1, "2026-06-30"},
        {"2026-03-31", 1, "2026-02-28"},
        {"2026-01-15", 1, "2025-12-15"}, /* across the year */
        {"2026-02-15", 14, "2024-12-15"},
        {"2026-05-18", 12, "2025-05-18"},
        {"2024-02-29", 12, "2023-02-28"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        char out[DATE_STR_LEN];
        date_sub_months(cases[i].from, cases[i].months, out);
        if (strcmp(out, cases[i].to) != 0)
            fail_msg("%s - %d months: got %s, want %s", cases[i].from, cases[i].months, out, cases[i].to);
    }
}

static void test_date_today_and_timestamp(void **state)
{
    char today[DATE_STR_LEN], parsed[DATE_STR_LEN];
    date_today(today);
    assert_int_equal(strlen(today), 10);
    assert_true(date_parse(today, parsed));
    assert_string_equal(parsed, today);

    char now[21];
    timestamp_now(now);
    assert_int_equal(strlen(now), 20);
    assert_int_equal(now[19], 'Z');
    assert_true(date_parse(now, parsed)); /* a valid ISO 8601 date-time */
}

/* ---- UUIDs ---------------------------------------------------------------- */

static void test_uuid_is_valid(void **state)
{
    static const char *const valid[] = {
        "6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f",
        "6F1C2B4E-8D3A-4F5B-9E7C-1A2B3C4D5E6F",
        "6f1C2b4E-8d3a-4F5b-9e7c-1a2b3c4d5e6F",
        "00000000-0000-0000-0000-000000000000",
    };
    static const char *const invalid[] = {
        "",
        "6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6",    /* 35 characters */
        "6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f0",  /* 37 */
        "6f1c2b4e08d3a-4f5b-9e7c-1a2b3c4d5e6f",   /* dash replaced */
        "6f1c2b4e-8d3a-4f5b-9e7c1-a2b3c4d5e6f",   /* dash moved */
        "6f1c2b4g-8d3a-4f5b-9e7c-1a2b3c4d5e6f",   /* not hex */
        "{6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f}",
        " 6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f",
        "6f1c2b4e8d3a4f5b9e7c1a2b3c4d5e6f",
    };
    for (size_t i = 0; i < COUNT(valid); i++)
        if (!uuid_is_valid(valid[i]))
            fail_msg("refused: %s", valid[i]);
    for (size_t i = 0; i < COUNT(invalid); i++)
        if (uuid_is_valid(invalid[i]))
            fail_msg("accepted: %s", invalid[i]);
    assert_false(uuid_is_valid(NULL));
}

static void test_uuid_normalize(void **state)
{
    char out[UUID_STR_LEN];
    assert_true(uuid_normalize("6F1C2B4E-8D3A-4F5B-9E7C-1A2B3C4D5E6F", out));
    assert_string_equal(out, "6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f");
    assert_true(uuid_normalize("6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f", out));
    assert_string_equal(out, "6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f");
    assert_false(uuid_normalize("6F1C2B4E-8D3A-4F5B-9E7C-1A2B3C4D5E6", out));
    assert_false(uuid_normalize(NULL, out));
}

static void test_uuid_generate(void **state)
{
    char a[UUID_STR_LEN], b[UUID_STR_LEN], lower[UUID_STR_LEN];
    uuid_generate_str(a);
    uuid_generate_str(b);
    assert_true(uuid_is_valid(a));
    assert_true(uuid_normalize(a, lower));
    assert_string_equal(a, lower);            /* already lower-case */
    assert_int_equal(a[14], '4');             /* version 4 */
    assert_non_null(strchr("89ab", a[19]));   /* RFC 4122 variant */
    assert_string_not_equal(a, b);
}

/* Version 7: the first 48 bits are the Unix time in ms, so ids sort by creation. */
static void test_uuid_generate_time_ordered(void **state)
{
    (void)state;
    struct timespec before, after;
    char ids[3][UUID_STR_LEN], lower[UUID_STR_LEN];
    clock_gettime(CLOCK_REALTIME, &before);
    uuid_generate_time_ordered_str(ids[0]);
    uuid_generate_time_ordered_str(ids[1]);
    usleep(2000);
    uuid_generate_time_ordered_str(ids[2]);
    clock_gettime(CLOCK_REALTIME, &after);
    for (int i = 0; i < 3; i++) {
        assert_true(uuid_normalize(ids[i], lower));
        assert_string_equal(ids[i], lower);
        assert_int_equal(ids[i][14], '7');
        assert_non_null(strchr("89ab", ids[i][19]));
    }
    assert_string_not_equal(ids[0], ids[1]);
    assert_true(strcmp(ids[1], ids[2]) < 0); /* 2 ms later sorts after */
    /* The timestamp: 12 hex digits around the dash after the 8th. */
    char hex[13];
    memcpy(hex, ids[0], 8);
    memcpy(hex + 8, ids[0] + 9, 4);
    hex[12] = '\0';
    unsigned long long ms = strtoull(hex, NULL, 16);
    assert_true(ms >= (unsigned long long)before.tv_sec * 1000 + (unsigned long long)before.tv_nsec / 1000000);
    assert_true(ms <= (unsigned long long)after.tv_sec * 1000 + (unsigned long long)after.tv_nsec / 1000000);
}

/* ---- tokens ----------------------------------------------------------------- */

static const char base64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_token_generate(void **state)
{
    enum { N = 500 };
    char *tokens[N];
    for (size_t i = 0; i < N; i++) {
        /* Exactly TOKEN_STR_LEN bytes on the heap: ASan catches any write past it. */
        tokens[i] = xmalloc(TOKEN_STR_LEN);
        assert_true(token_generate(tokens[i]));
        assert_int_equal(strlen(tokens[i]), TOKEN_STR_LEN - 1);
        assert_int_equal(strspn(tokens[i], base64url), TOKEN_STR_LEN - 1);
        /* The 86th character carries the last 2 bits of 512, then zero bits. */
        assert_non_null(strchr("AQgw", tokens[i][85]));
    }
    qsort(tokens, N, sizeof *tokens, compare_strings);
    for (size_t i = 1; i < N; i++)
        assert_string_not_equal(tokens[i - 1], tokens[i]);
    for (size_t i = 0; i < N; i++)
        free(tokens[i]);
}

static void test_token_hash(void **state)
{
    char h[TOKEN_HASH_STR_LEN];
    token_hash("abc", h); /* FIPS 180-2 test vector */
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    token_hash("", h);
    assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_token_hash_equal(void **state)
{
    char a[TOKEN_HASH_STR_LEN], b[TOKEN_HASH_STR_LEN];
    token_hash("a token", a);
    token_hash("a token", b);
    assert_true(token_hash_equal(a, b));
    token_hash("another token", b);
    assert_false(token_hash_equal(a, b));

    memcpy(b, a, sizeof b);
    b[63] = b[63] == '0' ? '1' : '0'; /* last digit only */
    assert_false(token_hash_equal(a, b));
    memcpy(b, a, sizeof b);
    b[0] = b[0] == '0' ? '1' : '0';
    assert_false(token_hash_equal(a, b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_parse_accepts),
        cmocka_unit_test(test_date_parse_refuses),
        cmocka_unit_test(test_date_add_days),
        cmocka_unit_test(test_date_sub_months),
        cmocka_unit_test(test_date_today_and_timestamp),
        cmocka_unit_test(test_uuid_is_valid),
        cmocka_unit_test(test_uuid_normalize),
        cmocka_unit_test(test_uuid_generate),
        cmocka_unit_test(test_uuid_generate_time_ordered),
        cmocka_unit_test(test_token_generate),
        cmocka_unit_test(test_token_hash),
        cmocka_unit_test(test_token_hash_equal),
    };
    return cmocka_run_group_tests_name("date_ids", tests, NULL, NULL);
}
