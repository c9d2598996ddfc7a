/*
 * strmap.h — strings mapped to sizes (indexes, ids): a hash table with open
 * addressing for the look-ups of one request or transaction.
 *
 * Keys are copied; values are whatever the caller counts with.  There is no
 * removal: a map lives as long as the work it serves.
 */
#ifndef UTIL_STRMAP_H
#define UTIL_STRMAP_H

#include <stddef.h>

struct strmap_slot {
    char *key;        /* NULL: free */
    size_t value;
};

struct strmap {
    struct strmap_slot *slots;
    size_t cap, used; /* cap: a power of two, at least twice used */
};

void strmap_init(struct strmap *m);
void strmap_free(struct strmap *m);
/* The value of key, or NULL. */
const size_t *strmap_find(const struct strmap *m, const char *key);
/* Adds a key that is not in the map; returns the map's copy of it. */
const char *strmap_add(struct strmap *m, const char *key, size_t value);
/* The map's copy of key, added (value 0) when it is not there yet: one copy of
 * each text for whoever keeps many equal ones.  Valid until strmap_free. */
const char *strmap_intern(struct strmap *m, const char *key);

#endif
