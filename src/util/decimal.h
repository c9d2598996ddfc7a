/*
 * decimal.h — exact decimal numbers: whole units plus billionths.
 *
 * The figures processors average (counts, rates, risk levels, compliance
 * values) are kept in this form rather than as doubles.  Sums of them are
 * integer sums, hence exact and independent of the order values are added in:
 * the same stored data gives the same means on every path and backend, and
 * removing a value from a running sum restores the previous sum exactly.
 */
#ifndef UTIL_DECIMAL_H
#define UTIL_DECIMAL_H

#include <stdbool.h>
#include <stdint.h>

/* value = units + nanos / 10^9.  A single value has 0 ≤ nanos < 10^9; a sum
 * may hold more nanos until decimal_normalize() carries them. */
struct decimal {
    int64_t units;
    int64_t nanos;
};

#define DECIMAL_NANOS 1000000000LL
/* Values are clamped to ±10^12 so that sums of millions of them fit 64 bits. */
#define DECIMAL_MAX 1e12

/* Whether d is a single value as decimal_from_double makes them (within
 * ±DECIMAL_MAX, 0 ≤ nanos < 10^9): what sums may add millions of. */
static inline bool decimal_is_single(struct decimal d)
{
    return d.nanos >= 0 && d.nanos < DECIMAL_NANOS && d.units >= -(int64_t)DECIMAL_MAX &&
           d.units <= (int64_t)DECIMAL_MAX;
}

/* The nearest decimal with nine places (NaN and infinities read as 0). */
struct decimal decimal_from_double(double v);
void decimal_add(struct decimal *sum, struct decimal v);
/* Carries nanos into units (0 ≤ nanos < 10^9 afterwards). */
struct decimal decimal_normalize(struct decimal d);
double decimal_to_double(struct decimal d);
/* sum / n as a double; 0 when n is 0. */
double decimal_mean(struct decimal sum, int64_t n);

#endif
