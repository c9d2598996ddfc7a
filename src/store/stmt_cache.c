/*
 * stmt_cache.c — a connection's prepared statements, found by their SQL text.
 *
 * Every store call looks its statement up here, so the lookup is a hash compare
 * over a short array; the SQL text is compared only on a hash match.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "store/backend.h"
#include "util/hash.h"

struct stmt_cache_entry *stmt_cache_find(const struct stmt_cache *c, const char *sql)
{
    assert(c->count <= c->cap && (c->items || c->count == 0));
    uint64_t h = hash_string(sql);
    for (size_t i = 0; i < c->count; i++) {
        /* An entry's hash is that of its text: a stale one would hide it
         * (prepared again under a second name) or match another text. */
        assert(c->items[i].hash == hash_string(c->items[i].sql));
        if (c->items[i].hash == h && strcmp(c->items[i].sql, sql) == 0)
            return &c->items[i];
    }
    return NULL;
}

struct stmt_cache_entry *stmt_cache_add(struct stmt_cache *c, const char *sql, void *handle)
{
    /* One entry per text: PostgreSQL names a statement by its position, so a
     * second entry would prepare the text again under another name. */
    assert(!stmt_cache_find(c, sql));
    if (c->count == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 32;
        c->items = xrealloc(c->items, c->cap * sizeof *c->items);
    }
    struct stmt_cache_entry *e = &c->items[c->count++];
    e->hash = hash_string(sql);
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
