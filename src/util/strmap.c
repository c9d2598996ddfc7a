/*
 * strmap.c — strings mapped to sizes (see strmap.h).
 */
#include "util/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

/* FNV-1a. */
static uint64_t key_hash(const char *key)
{
    uint64_t h = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

/* The slot holding key, or the free slot where it would go. */
static struct strmap_slot *slot_of(struct strmap_slot *slots, size_t cap, const char *key)
{
    size_t i = key_hash(key) & (cap - 1);
    while (slots[i].key && strcmp(slots[i].key, key) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

void strmap_init(struct strmap *m)
{
    m->cap = 64;
    m->used = 0;
    m->slots = xcalloc(m->cap, sizeof *m->slots);
}

void strmap_free(struct strmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
    m->slots = NULL;
    m->cap = m->used = 0;
}

const size_t *strmap_find(const struct strmap *m, const char *key)
{
    const struct strmap_slot *slot = slot_of(m->slots, m->cap, key);
    return slot->key ? &slot->value : NULL;
}

void strmap_add(struct strmap *m, const char *key, size_t value)
{
    if (2 * (m->used + 1) > m->cap) {
        size_t cap = m->cap * 2;
        struct strmap_slot *slots = xcalloc(cap, sizeof *slots);
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i].key)
                *slot_of(slots, cap, m->slots[i].key) = m->slots[i];
        free(m->slots);
        m->slots = slots;
        m->cap = cap;
    }
    struct strmap_slot *slot = slot_of(m->slots, m->cap, key);
    slot->key = xstrdup(key);
    slot->value = value;
    m->used++;
}
