/*
 * fuzz_double.c — libFuzzer target: util/double_text.c against its definition.
 *
 * The input is a double: its 8 bytes when it has exactly 8, else the number
 * strtod reads from its text.  double_text_shortest must write what "%.{p}g"
 * writes with the smallest p that strtod reads back as the double, and that
 * text must read back as it.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/double_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    double d;
    if (size == sizeof d) {
        memcpy(&d, data, sizeof d);
    } else {
        char text[64];
        size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
        memcpy(text, data, n);
        text[n] = '\0';
        d = strtod(text, NULL);
    }
    if (!isfinite(d))
        return 0;
    char got[DOUBLE_TEXT_LEN], want[DOUBLE_TEXT_LEN];
    double_text_shortest(d, got);
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(want, sizeof want, "%.*g", precision, d);
        if (strtod(want, NULL) == d)
            break;
    }
    if (strcmp(got, want) != 0 || strtod(got, NULL) != d)
        abort(); /* not the shortest text, or not one that reads back */
    return 0;
}
