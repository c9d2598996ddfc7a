/*
 * hash.h — the one hash of the program, for tables and fingerprints.
 *
 * It reads 8 bytes at a time (a byte-wise hash such as FNV-1a was a visible
 * share of the CPU of ingestion, which looks up a pending sum by a 60-byte
 * key for every fact, and of fingerprinting large answers) and gives the same
 * value on every machine: words are read little-endian whatever the byte
 * order, so ETags computed from it agree between instances.  Not for
 * anything an attacker could exploit collisions of beyond a slower lookup.
 */
#ifndef UTIL_HASH_H
#define UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t hash_bytes(const void *data, size_t len);
/* hash_bytes of a NUL-terminated string, without its NUL. */
uint64_t hash_string(const char *s);

#endif
