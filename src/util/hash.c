/*
 * hash.c — a multiply-xorshift hash over 8-byte words (see hash.h).
 */
#include "util/hash.h"

#include <string.h>

uint64_t hash_bytes(const void *data, size_t len)
{
    const unsigned char *p = data;
    const uint64_t multiplier = 0x9e3779b97f4a7c15ULL;
    uint64_t h = 0x243f6a8885a308d3ULL ^ len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t word = 0;
        for (int b = 7; b >= 0; b--)   /* little-endian whatever the machine; compiles to one load */
            word = word << 8 | p[i + (size_t)b];
        h = (h ^ word) * multiplier;
        h ^= h >> 29;
    }
    uint64_t tail = 0;
    for (size_t b = len; b > i; b--)
        tail = tail << 8 | p[b - 1];
    h = (h ^ tail) * multiplier;
    h ^= h >> 32;
    return h;
}

uint64_t hash_string(const char *s)
{
    return hash_bytes(s, strlen(s));
}
