/*
 * double_text.c — the shortest decimal text that reads back as a double, as
 * Python's repr() and "%.{p}g" with the smallest p that round-trips write it.
 *
 * Answers are made of thousands of means, and finding that p with printf and
 * strtod costs several formattings and parsings per number: most of the time
 * of a processed answer.  For the numbers answers hold (exponents -4 to 14),
 * this file finds the same digits with exact 128-bit integer arithmetic
 * instead; anything else goes through printf and strtod.
 *
 * Why 15, 16, 17 are the only precisions tried: any decimal of at most 15
 * significant digits survives a trip through a double, so if the shortest text
 * has p <= 15 digits, d rounded to 15 digits is that decimal padded with zeros,
 * which %g strips, in the same fixed or exponent form unless d is integral.
 * Otherwise 16 digits may do, and 17 always do.
 */
#include "util/double_text.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 u128;

/* The precisions tried, and the largest scale k (10^k) that numbers from
 * 10^-4 need at 17 digits. */
enum { FIRST_PRECISION = 15, LAST_PRECISION = 17, MAX_SCALE = LAST_PRECISION + 3 };

static uint64_t pow10_u64(int n)
{
    uint64_t r = 1;
    while (n-- > 0)
        r *= 10;
    return r;
}

static uint64_t pow5_u64(int n)
{
    uint64_t r = 1;
    while (n-- > 0)
        r *= 5;
    return r;
}

/* The double as m · 2^q with m < 2^53 an integer (d finite, non-zero, normal). */
struct binary {
    uint64_t m;
    int q;
};

/* |d| rounded to a number of significant digits, half to even on the exact
 * value as glibc's printf does: digits · 10^(exponent + 1 − precision). */
struct rounded {
    uint64_t digits;
    int exponent; /* decimal exponent of the first digit */
    int scale;    /* k: digits / 10^k is the value (before the exponent carry) */
    __int128 gap; /* digits − |d| · 10^k, times 2^s: half a gap between doubles is 5^k / 2 */
};

/* False when `exponent` is not |d|'s decimal exponent (the caller tries its
 * neighbours) or the numbers would not fit. |d| · 10^k = m · 5^k / 2^s. */
static bool round_to(struct binary b, int precision, int exponent, struct rounded *out)
{
    int k = precision - 1 - exponent;
    int s = -(k + b.q);
    /* m · 5^k < 2^53 · 5^20 < 2^100, and digits · 2^s < 2^57 · 2^70 fit in 128 bits. */
    if (k < 0 || k > MAX_SCALE || s <= 0 || s >= 70)
        return false;
    u128 x = (u128)b.m * pow5_u64(k);
    u128 n = x >> s;
    u128 rest = x - (n << s), half = (u128)1 << (s - 1);
    if (n < pow10_u64(precision - 1) || n >= pow10_u64(precision))
        return false;
    if (rest > half || (rest == half && (n & 1)))
        n++;
    out->digits = (uint64_t)n;
    out->exponent = exponent;
    out->scale = k;
    out->gap = (__int128)(n << s) - (__int128)x;
    if (out->digits == pow10_u64(precision)) { /* 9.99… rounded up to 10.0… */
        out->digits /= 10;
        out->exponent++;
    }
    return true;
}

/* Whether strtod reads the rounded decimal back as d: the decimal lies within
 * half a gap between d and its neighbours (scaled, half a gap is 5^k / 2; the
 * neighbour below a power of two is half as far), a tie reading back as d
 * when m is even (round half to even).  In this path's range no decimal of
 * 15 or 16 digits falls on a tie or between the two half gaps of a power of
 * two (tests/unit/test_double_text.c tries them all), but the rule stays exact. */
static bool round_trips(struct binary b, const struct rounded *r)
{
    u128 distance = (u128)(r->gap < 0 ? -r->gap : r->gap) * 2; /* against 5^k = 2 · half a gap */
    if (r->gap < 0 && b.m == (UINT64_C(1) << 52))
        distance *= 2; /* below a power of two the neighbour is half as far */
    u128 limit = pow5_u64(r->scale);
    return distance < limit || (distance == limit && !(b.m & 1));
}

/* Writes "[-]digits" in %g's fixed form (the exponent is within -4 … precision-1):
 * trailing zeros of the fraction dropped, and the point with them if none is left. */
static void write_fixed(bool negative, uint64_t digits, int precision, int exponent, char *out)
{
    char d[LAST_PRECISION] = {0};
    for (int i = precision - 1; i >= 0; i--, digits /= 10)
        d[i] = (char)('0' + digits % 10);
    int len = precision;
    int whole = exponent + 1; /* digits before the point (<= 0: a "0." and zeros first) */
    while (len > (whole > 0 ? whole : 0) && d[len - 1] == '0')
        len--;
    char *p = out;
    if (negative)
        *p++ = '-';
    if (whole > 0) {
        memcpy(p, d, (size_t)whole);
        p += whole;
        if (len > whole) {
            *p++ = '.';
            memcpy(p, d + whole, (size_t)(len - whole));
            p += len - whole;
        }
    } else {
        *p++ = '0';
        *p++ = '.';
        for (int z = 0; z < -whole; z++)
            *p++ = '0';
        memcpy(p, d, (size_t)len);
        p += len;
    }
    *p = '\0';
}

/* The exact path; false when d is outside its range (the caller uses printf). */
static bool shortest_exact(double d, char *out)
{
    double a = fabs(d);
    /* Integral numbers as printf writes them: %.1g of 1e14 is "1e+14". */
    if (!(a >= 1e-4 && a < 1e15) || a == trunc(a))
        return false;
    int binary_exponent;
    double fraction = frexp(a, &binary_exponent);
    struct binary b = {(uint64_t)ldexp(fraction, 53), binary_exponent - 53};
    int guess = (int)floor(log10(a));
    for (int precision = FIRST_PRECISION; precision <= LAST_PRECISION; precision++) {
        struct rounded r;
        if (!round_to(b, precision, guess, &r) && !round_to(b, precision, guess - 1, &r) &&
            !round_to(b, precision, guess + 1, &r))
            return false;
        if (precision < LAST_PRECISION && !round_trips(b, &r))
            continue;
        assert(round_trips(b, &r));
        if (r.exponent < -4 || r.exponent >= precision)
            return false; /* %g would use its exponent form: left to printf */
        write_fixed(d < 0, r.digits, precision, r.exponent, out);
        return true;
    }
    return false;
}

void double_text_shortest(double d, char out[DOUBLE_TEXT_LEN])
{
    assert(isfinite(d));
    if (shortest_exact(d, out))
        return;
    /* Subnormal numbers hold fewer than 15 digits, and an integral number's
     * form depends on p (%.1g of 1e6 is "1e+06", %.15g "1000000"): both try
     * every precision. */
    bool every = fabs(d) < DBL_MIN || d == trunc(d);
    for (int precision = every ? 1 : FIRST_PRECISION; precision <= LAST_PRECISION; precision++) {
        snprintf(out, DOUBLE_TEXT_LEN, "%.*g", precision, d);
        if (precision == LAST_PRECISION || strtod(out, NULL) == d)
            return;
    }
}
