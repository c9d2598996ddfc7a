/*
 * test_decimal.c — unit tests of util/decimal.c: exact decimals from doubles,
 * carrying, sums independent of order, and their conversion back to doubles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/decimal.h"

static void assert_decimal(struct decimal d, int64_t units, int64_t nanos)
{
    assert_int_equal(d.units, units);
    assert_int_equal(d.nanos, nanos);
}

static void test_from_double_keeps_the_written_decimal(void **state)
{
    assert_decimal(decimal_from_double(2.82), 2, 820000000);
    assert_decimal(decimal_from_double(0.1), 0, 100000000);
    assert_decimal(decimal_from_double(1.000000001), 1, 1);
    assert_decimal(decimal_from_double(-0.25), -1, 750000000);
    assert_decimal(decimal_from_double(-7), -7, 0);
    assert_decimal(decimal_from_double(0), 0, 0);
    /* Nine places: the tenth rounds. */
    assert_decimal(decimal_from_double(0.1234567894), 0, 123456789);
    assert_decimal(decimal_from_double(0.9999999996), 1, 0);
}

static void test_from_double_clamps_and_refuses_non_finite(void **state)
{
    assert_decimal(decimal_from_double(1e300), 1000000000000LL, 0);
    assert_decimal(decimal_from_double(-1e300), -1000000000000LL, 0);
    assert_decimal(decimal_from_double(NAN), 0, 0);
    assert_decimal(decimal_from_double(INFINITY), 0, 0);
    assert_decimal(decimal_from_double(-INFINITY), 0, 0);
    assert_true(decimal_is_single(decimal_from_double(1e300)));
    assert_true(decimal_is_single(decimal_from_double(-1e300)));
}

static void test_normalize_carries_both_ways(void **state)
{
    assert_decimal(decimal_normalize((struct decimal){1, 2500000000LL}), 3, 500000000);
    assert_decimal(decimal_normalize((struct decimal){0, -1}), -1, 999999999);
    assert_decimal(decimal_normalize((struct decimal){5, -3000000000LL}), 2, 0);
    assert_decimal(decimal_normalize((struct decimal){-2, 999999999}), -2, 999999999);
}

static void test_is_single(void **state)
{
    assert_true(decimal_is_single((struct decimal){0, 0}));
    assert_true(decimal_is_single((struct decimal){-1000000000000LL, 999999999}));
    assert_false(decimal_is_single((struct decimal){0, DECIMAL_NANOS}));
    assert_false(decimal_is_single((struct decimal){0, -1}));
    assert_false(decimal_is_single((struct decimal){1000000000001LL, 0}));
}

/* Integer sums: adding the same values in any order gives the same sum, and
 * taking one out again restores the previous sum exactly. */
static void test_sums_are_exact(void **state)
{
    static const double values[] = {0.1, 2.82, -0.7, 1e-9, 123456.789, 0.2, 0.3};
    const size_t n = sizeof values / sizeof *values;
    struct decimal forward = {0, 0}, backward = {0, 0};
    for (size_t i = 0; i < n; i++) {
        decimal_add(&forward, decimal_from_double(values[i]));
        decimal_add(&backward, decimal_from_double(values[n - 1 - i]));
    }
    forward = decimal_normalize(forward);
    backward = decimal_normalize(backward);
    assert_decimal(forward, backward.units, backward.nanos);
    assert_decimal(forward, 123459, 509000001);

    struct decimal less = forward, one = decimal_from_double(2.82);
    decimal_add(&less, (struct decimal){-one.units, -one.nanos});
    decimal_add(&less, one);
    less = decimal_normalize(less);
    assert_decimal(less, forward.units, forward.nanos);
}

static void test_to_double_rounds_once(void **state)
{
    assert_true(decimal_to_double(decimal_from_double(1.84)) == 1.84);
    assert_true(decimal_to_double(decimal_from_double(-0.25)) == -0.25);
    assert_true(decimal_to_double(decimal_from_double(-3.1)) == -3.1);
    assert_true(decimal_to_double((struct decimal){1, 2 * DECIMAL_NANOS + 500000000}) == 3.5);
    assert_true(decimal_to_double((struct decimal){1000000000000LL, 0}) == 1e12);
    struct decimal sum = {0, 0};
    decimal_add(&sum, decimal_from_double(0.1));
    decimal_add(&sum, decimal_from_double(0.2));
    assert_true(decimal_to_double(sum) == 0.3); /* 0.1 + 0.2 in doubles is not */
}

/* The double nearest to the exact value, by definition: its decimal text read by strtod. */
static double nearest_double(struct decimal d)
{
    d = decimal_normalize(d);
    char text[64];
    if (d.units < 0) /* -2.25 is units -3, nanos 750000000 */
        snprintf(text, sizeof text, "-%lld.%09lld", (long long)-(d.units + (d.nanos > 0)),
                 (long long)(d.nanos > 0 ? DECIMAL_NANOS - d.nanos : 0));
    else
        snprintf(text, sizeof text, "%lld.%09lld", (long long)d.units, (long long)d.nanos);
    return strtod(text, NULL);
}

/* Every decimal converts to the double nearest to it, on both sides of the
 * limit where units·10⁹ + nanos stops being exact in a double. */
static void test_to_double_is_the_nearest(void **state)
{
    const int64_t limit = (INT64_C(1) << 53) / DECIMAL_NANOS;
    const int64_t units[] = {0, 1, 2, 7, 99, 12345, 999999, limit - 2, limit - 1, limit, limit + 1,
                             10 * limit, 4000000000000LL};
    uint64_t x = 0x9E3779B97F4A7C15u;
    for (size_t u = 0; u < sizeof units / sizeof *units; u++)
        for (int i = 0; i < 3000; i++) {
            x ^= x << 13; /* xorshift64 */
            x ^= x >> 7;
            x ^= x << 17;
            int64_t nanos = (int64_t)(x % DECIMAL_NANOS);
            if (i < 4)
                nanos = (int64_t[]){0, 1, 500000000, DECIMAL_NANOS - 1}[i];
            struct decimal plus = {units[u], nanos}, minus = {-units[u] - 1, nanos};
            if (decimal_to_double(plus) != nearest_double(plus) ||
                decimal_to_double(minus) != nearest_double(minus))
                fail_msg("%lld + %lld nanos: %.17g / %.17g, want %.17g / %.17g", (long long)units[u],
                         (long long)nanos, decimal_to_double(plus), decimal_to_double(minus),
                         nearest_double(plus), nearest_double(minus));
        }
}

static void test_mean(void **state)
{
    struct decimal sum = {0, 0};
    decimal_add(&sum, decimal_from_double(2.5));
    decimal_add(&sum, decimal_from_double(3.5));
    decimal_add(&sum, decimal_from_double(2.4));
    assert_true(decimal_mean(sum, 3) == 8.4 / 3);
    assert_true(decimal_mean(sum, 1) == 8.4);
    assert_true(decimal_mean(sum, 0) == 0.0);
    assert_true(decimal_mean(sum, -1) == 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_from_double_keeps_the_written_decimal),
        cmocka_unit_test(test_from_double_clamps_and_refuses_non_finite),
        cmocka_unit_test(test_normalize_carries_both_ways),
        cmocka_unit_test(test_is_single),
        cmocka_unit_test(test_sums_are_exact),
        cmocka_unit_test(test_to_double_rounds_once),
        cmocka_unit_test(test_to_double_is_the_nearest),
        cmocka_unit_test(test_mean),
    };
    return cmocka_run_group_tests_name("decimal", tests, NULL, NULL);
}
