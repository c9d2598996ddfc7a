/*
 * test_double_text.c — unit tests of util/double_text.c: for every kind of
 * double (the means answers are made of, random bit patterns, powers of two
 * and of ten and their neighbours, subnormals), the text is the one the
 * definition gives: "%.{p}g" with the smallest p that strtod reads back as it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/double_text.h"

static void by_definition(double d, char *text, size_t size)
{
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(text, size, "%.*g", precision, d);
        if (strtod(text, NULL) == d)
            return;
    }
}

static void check(double d)
{
    if (!isfinite(d))
        return;
    char got[DOUBLE_TEXT_LEN], want[DOUBLE_TEXT_LEN];
    double_text_shortest(d, got);
    by_definition(d, want, sizeof want);
    if (strcmp(got, want) != 0)
        fail_msg("%a (%.17g) written %s, want %s", d, d, got, want);
}

static uint64_t next(uint64_t *x)
{
    *x ^= *x << 13; /* xorshift64: reproducible */
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static void test_means(void **state)
{
    for (int64_t sum = 1; sum < 20000; sum += 13)
        for (int n = 1; n <= 120; n++) {
            check((double)sum / n);
            check(-(double)sum / n);
            check((double)sum / 1000 / n); /* sums of decimals like 4.25 */
            check((double)sum * 1e6 / n);
        }
}

/* Log-uniform over the range the exact path takes (1e-4 … 1e15) and beyond it. */
static void test_random_magnitudes(void **state)
{
    uint64_t x = 0x2545F4914F6CDD1Du;
    for (int i = 0; i < 300000; i++) {
        double unit = (double)(next(&x) >> 11) / 9007199254740992.0; /* [0, 1) */
        double d = pow(10, -6 + 23 * unit);
        check(d);
        check(-d);
        check(nextafter(d, 0));
    }
}

static void test_random_bit_patterns(void **state)
{
    uint64_t x = 0x9E3779B97F4A7C15u;
    for (int i = 0; i < 100000; i++) {
        uint64_t bits = next(&x);
        double d;
        memcpy(&d, &bits, sizeof d);
        check(d);
    }
}

/* Where the neighbours are unevenly spaced (powers of two), where the decimal
 * exponent changes (powers of ten), halves that tie, and subnormals. */
static void test_edges(void **state)
{
    for (int e = -30; e <= 60; e++) {
        double p = ldexp(1, e);
        for (int i = -3; i <= 3; i++) {
            double d = p;
            for (int j = 0; j < abs(i); j++)
                d = nextafter(d, i < 0 ? 0 : INFINITY);
            check(d);
            check(d * 3);
            check(d + 0.5);
        }
    }
    for (int e = -6; e <= 17; e++) {
        double p = pow(10, e);
        check(p);
        check(nextafter(p, 0));
        check(nextafter(p, INFINITY));
        check(p * 0.9999999999999999);
        check(p * 1.0000000000000002);
        check(p - 0.5);
        check(p + 0.25);
    }
    const double specific[] = {0.1, 0.3, 0.1 + 0.2, 2.8000000000000003, 6.666666666666667, 1e-4, 9.9999e-5,
                               999999999999999.9, 999999999999999.4, 123456789012345.6, 0.000123, 5e-324,
                               DBL_MIN, DBL_MAX, 1.5e-7, 1e20, 1e16 + 2, 4.35, 2.675, 1.005};
    for (size_t i = 0; i < sizeof specific / sizeof *specific; i++) {
        check(specific[i]);
        check(-specific[i]);
    }
    for (double sub = 5e-324; sub < 1e-307; sub *= 3.7)
        check(sub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_means),
        cmocka_unit_test(test_random_magnitudes),
        cmocka_unit_test(test_random_bit_patterns),
        cmocka_unit_test(test_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
