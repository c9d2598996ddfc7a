/*
 * decimal.c — exact decimals (see decimal.h).
 */
#include "util/decimal.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct decimal decimal_from_double(double v)
{
    if (!isfinite(v))
        v = 0;
    v = fmin(fmax(v, -DECIMAL_MAX), DECIMAL_MAX);
    double whole = floor(v);
    /* v - whole is exact; rounding to billionths recovers the decimal that was
     * written ("2.82" reads as 2.8199999…, which is 820000000 nanos). */
    struct decimal d = {(int64_t)whole, llround((v - whole) * 1e9)};
    d = decimal_normalize(d);
    assert(decimal_is_single(d));
    return d;
}

void decimal_add(struct decimal *sum, struct decimal v)
{
    sum->units += v.units;
    sum->nanos += v.nanos;
}

struct decimal decimal_normalize(struct decimal d)
{
    int64_t carry = d.nanos / DECIMAL_NANOS;
    d.nanos -= carry * DECIMAL_NANOS;
    d.units += carry;
    if (d.nanos < 0) {
        d.nanos += DECIMAL_NANOS;
        d.units--;
    }
    assert(d.nanos >= 0 && d.nanos < DECIMAL_NANOS);
    return d;
}

/* Through its decimal text, so the double is the one nearest to the exact value
 * (units + nanos / 1e9 in floating point would round twice: 1.84 → 1.8399999999999999). */
double decimal_to_double(struct decimal d)
{
    d = decimal_normalize(d);
    /* units·10⁹ + nanos as one integer is exact in a double below 2⁵³, and so is
     * 10⁹: their quotient is then rounded once, to the same nearest double as
     * the text below gives, without formatting and parsing it. */
    const int64_t exact_limit = (INT64_C(1) << 53) / DECIMAL_NANOS;
    if (d.units > -exact_limit && d.units < exact_limit)
        return (double)(d.units * DECIMAL_NANOS + d.nanos) / (double)DECIMAL_NANOS;
    bool negative = d.units < 0;
    unsigned long long units = negative ? (unsigned long long)-(d.units + (d.nanos > 0)) : (unsigned long long)d.units;
    long long nanos = negative && d.nanos > 0 ? DECIMAL_NANOS - d.nanos : d.nanos;
    char text[48];
    snprintf(text, sizeof text, "%s%llu.%09lld", negative ? "-" : "", units, nanos);
    return strtod(text, NULL);
}

double decimal_mean(struct decimal sum, int64_t n)
{
    return n > 0 ? decimal_to_double(sum) / (double)n : 0.0;
}
