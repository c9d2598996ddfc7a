/*
 * stmt_cache.c — a connection's prepared statements, found by their SQL text.
 *
 * Every store call looks its statement up here, so the lookup is a hash compare
 * over a short array; the SQL text is compared only on a hash match.
 */
#include <stdlib.h>
#include <string.h>

#include "store/backend.h"

/* FNV-1a: short, and good enough to tell a few dozen statements apart. */
static uint64_t sql_hash(const char *sql)
{
    uint64_t h = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

struct stmt_cache_entry *stmt_cache_find(const struct stmt_cache *c, const char *sql)
{
    uint64_t h = sql_hash(sql);
    for (size_t i = 0; i < c->count; i++)
        if (c->items[i].hash == h && strcmp(c->items[i].sql, sql) == 0)
            return &c->items[i];
    return NULL;
}

struct stmt_cache_entry *stmt_cache_add(struct stmt_cache *c, const char *sql, void *handle)
{
    if (c->count == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 32;
        c->items = xrealloc(c->items, c->cap * sizeof *c->items);
    }
    struct stmt_cache_entry *e = &c->items[c->count++];
    e->hash = sql_hash(sql);
    e->sql = xstrdup(sql);
    e->handle = handle;
    return e;
}

void stmt_cache_clear(struct stmt_cache *c, void (*release)(void *handle))
{
    for (size_t i = 0; i < c->count; i++) {
        if (release)
            release(c->items[i].handle);
        free(c->items[i].sql);
    }
    free(c->items);
    *c = (struct stmt_cache){0};
}
